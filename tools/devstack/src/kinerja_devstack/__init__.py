"""kinerja_devstack."""
