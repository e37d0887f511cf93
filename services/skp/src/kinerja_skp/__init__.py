"""kinerja_skp."""
