"""Alembic environment of the skp service: its tables plus the messaging kit's."""

import kinerja_skp.adapters.tables  # noqa: F401  (registers the tables)
from kinerja_platform.alembic_env import run
from kinerja_platform.directory_view import DirectoryPerson  # noqa: F401
from kinerja_platform.messaging import ProcessedEvent, OutboxMessage  # noqa: F401
from kinerja_platform.web.idempotency import IdempotencyRecord  # noqa: F401
from sqlmodel import SQLModel

run(SQLModel.metadata)
