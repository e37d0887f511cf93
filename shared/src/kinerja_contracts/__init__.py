"""Kinerja contracts: what every service agrees on.

- ``events``: the event envelope, every event payload, subjects and the
  schema-version rule;
- ``lifecycle``: the SKP approval lifecycle (states x actions) shared by the
  skp and approval services;
- ``values``: value types used on the wire (NIP, identity snapshots, periods);
- ``messaging``: transactional outbox, relay, idempotent consumer, JetStream
  provisioning;
- ``web``: auth (JWT roles), problem+json errors, health endpoints,
  correlation ids;
- ``logging``: structlog set up once.
"""
