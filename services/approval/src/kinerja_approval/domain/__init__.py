"""Pure rules of the approval workflow (no I/O). The state machine itself is the shared contract kinerja_contracts.lifecycle."""
