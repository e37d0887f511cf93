"""kinerja_notification."""
