"""kinerja_directory: the directory service (people and units, the source of truth for who appraises whom)."""
