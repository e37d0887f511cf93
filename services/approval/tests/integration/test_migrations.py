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

OWN = {"approval_case", "approval_transition", "approval_version", "penugasan", "directory_person",
       "directory_superior", "outbox",
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


async def test_the_superior_table_is_filled_from_the_projection_as_it_stands(new_database):
    """An existing database gets ``directory_superior`` filled from the riwayat
    ``directory_person`` holds (the text search it replaces read those)."""
    import datetime as dt

    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config
    from kinerja_platform.db import async_url

    url = new_database("approval_superiors")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    command.upgrade(cfg, "3f9a7c21d5e4")  # the projection, before the superior table
    riwayat = ('[{"person_id":"p1","atasan_id":"a1","berlaku_mulai":"2025-01-01"},'
               '{"person_id":"p1","atasan_id":"a2","berlaku_mulai":"2026-01-01"},'
               '{"person_id":"p1","atasan_id":"a2","berlaku_mulai":"2026-07-01"}]')
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for pid, r in (("p1", riwayat), ("a1", '[{"person_id":"a1","atasan_id":null}]')):
                await conn.execute(sa.text("INSERT INTO directory_person (person_id, instansi, version, riwayat, "
                                           "updated_at) VALUES (:p, 'DKI', 1, :r, :u)"),
                                   {"p": pid, "r": r, "u": dt.datetime.now(dt.UTC)})
        command.upgrade(cfg, "head")
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT person_id, atasan_id FROM directory_superior"))).all()
    finally:
        await engine.dispose()
    assert sorted(map(tuple, rows)) == [("p1", "a1"), ("p1", "a2")]
