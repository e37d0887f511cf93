"""The issue-13 migrations rename, they do not rebuild: rows written before
them are read under the new names after them, and a downgrade brings the old
names back with the rows. On SQLite and on PostgreSQL (the test database)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from importlib import import_module
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from kinerja_platform.db import async_url, create_engine

#: service -> (revision before the renames, {table: (old column, new column)})
BEFORE = {
    "skp": ("70254642093c", {"skp_document": ("catatan_revisi", "catatan_perbaikan")}),
    "approval": ("b8e1174c7a89", {"approval_case": ("atasan_penilai", "atasan_pejabat_penilai")}),
    "evaluation": ("b95ecf4ec990", {"evaluation_plan": ("atasan_penilai", "atasan_pejabat_penilai")}),
    "notification": ("f2aa90c8e7a7", {}),
}


def _alembic(service: str, url: str) -> Config:
    cfg = Config()
    migrations = Path(import_module(f"kinerja_{service}").__file__).parent / "migrations"
    cfg.set_main_option("script_location", str(migrations))
    cfg.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    return cfg


def _dummy(column: sa.Column):
    t = column.type
    for kind, value in ((sa.Uuid, uuid.uuid4()), (sa.DateTime, dt.datetime(2026, 1, 2, tzinfo=dt.UTC)),
                        (sa.Date, dt.date(2026, 1, 2)), (sa.Boolean, False), (sa.Integer, 1), (sa.Float, 1.0),
                        (sa.Numeric, 1), (sa.LargeBinary, b"x"), (sa.JSON, {}), (sa.String, "x")):
        if isinstance(t, kind):
            return value
    raise AssertionError(f"no dummy value for {column.name}: {t!r}")


async def _run(url: str, work):
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(work)
    finally:
        await engine.dispose()


def _insert(table_name: str, values: dict):
    def work(conn):
        table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
        row = {c.name: _dummy(c) for c in table.columns if not c.nullable and c.server_default is None}
        row.update(values)
        for c in table.columns:  # SQLite reflects a UUID column as CHAR(32)
            if isinstance(row.get(c.name), uuid.UUID) and not isinstance(c.type, sa.Uuid):
                row[c.name] = row[c.name].hex
        conn.execute(table.insert().values(**row))
    return work


def _select(table_name: str, column: str):
    def work(conn):
        table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
        values = conn.execute(sa.select(table.c[column])).scalars().all()
        return [uuid.UUID(str(v)) if column == "event_id" else v for v in values]
    return work


@pytest.mark.parametrize("service", sorted(BEFORE))
def test_renames_keep_the_rows(service, new_database):
    url = new_database(f"mig_{service}")
    cfg = _alembic(service, url)
    before, columns = BEFORE[service]
    command.upgrade(cfg, before)
    event_id = uuid.uuid4()
    asyncio.run(_run(url, _insert("inbox", {"consumer": "c", "event_id": event_id})))
    for table, (old, _) in columns.items():
        asyncio.run(_run(url, _insert(table, {old: "kept" if "catatan" in old else {"nip": "kept"}})))

    command.upgrade(cfg, "head")
    assert asyncio.run(_run(url, _select("processed_event", "event_id"))) == [event_id]
    for table, (_, new) in columns.items():
        assert asyncio.run(_run(url, _select(table, new))) in (["kept"], [{"nip": "kept"}])

    command.downgrade(cfg, before)
    assert asyncio.run(_run(url, _select("inbox", "event_id"))) == [event_id]
    for table, (old, _) in columns.items():
        assert asyncio.run(_run(url, _select(table, old))) in (["kept"], [{"nip": "kept"}])
