"""Pure rules of the portal (no I/O): turning forms into API payloads and back,
presenting diffs, and the monitoring charts' figures. Tested without a server."""
