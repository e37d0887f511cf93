"""The Alembic migrations build exactly the tables the code declares (a
model change without its migration fails here)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kinerja_approval.main import MIGRATIONS
from kinerja_platform.db import create_engine, run_migrations
from sqlmodel import SQLModel

import kinerja_approval.adapters.tables  # noqa: F401  (registers the tables)
from kinerja_platform.directory_view import DirectoryPerson  # noqa: F401  (the directory projection)

OWN = {"approval_case", "approval_transition", "approval_version", "penugasan", "directory_person", "outbox",
       "idempotency_key", "processed_event"}


async def test_migrations_match_the_models(new_database):
    url = new_database("approval_migrations")
    run_migrations(url, MIGRATIONS)
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            def diff(sync_conn):
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return compare_metadata(ctx, SQLModel.metadata)

            changes = await conn.run_sync(diff)
    finally:
        await engine.dispose()

    def table_of(change) -> str | None:
        for part in change if isinstance(change, list) else [change]:
            for item in part[1:] if isinstance(part, tuple) else []:
                name = getattr(item, "name", None) if not hasattr(item, "table") else item.table.name
                if name:
                    return name
        return None

    # other services' tables are in the same metadata when their tests ran in this process: only ours count
    ours = [c for c in changes if table_of(c) in OWN or (isinstance(c, tuple) and c[0] == "remove_table")]
    assert ours == [], ours
