"""Kinerja platform: what every service runs on.

- ``runtime``: one FastAPI app per service whose lifespan runs the database,
  the FastStream broker, the consumers and the outbox relay;
- ``messaging``: transactional outbox, relay, idempotent consumer, JetStream
  provisioning;
- ``web``: auth (JWT roles), problem+json errors, idempotency keys,
  correlation ids, body limits;
- ``db``: engines, sessions, the unit of work, Alembic;
- ``logging``, ``context``, ``settings``, ``periodic``.

The wire types (events, lifecycle, values) are in ``kinerja_contracts``,
which needs pydantic alone.
"""
