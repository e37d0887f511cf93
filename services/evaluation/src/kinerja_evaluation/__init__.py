"""kinerja_evaluation."""
