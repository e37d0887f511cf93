"""Alembic environment of the directory service: its tables plus the outbox and idempotency tables."""

import kinerja_directory.adapters.tables  # noqa: F401  (registers the tables)
from kinerja_platform.alembic_env import run
from kinerja_platform.messaging import OutboxMessage  # noqa: F401
from kinerja_platform.web.idempotency import IdempotencyRecord  # noqa: F401
from sqlmodel import SQLModel

run(SQLModel.metadata)
