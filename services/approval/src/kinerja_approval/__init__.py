"""kinerja_approval."""
