"""The services' connection pool on PostgreSQL keeps its connections: a
burst larger than the pool waits for a connection instead of opening
overflow connections that are closed again when returned (each a new
PostgreSQL backend, asyncpg's setup and re-prepared statements;
docs/performance.md, seventh round)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from kinerja_platform.db import create_engine, is_sqlite
from kinerja_platform.settings import CommonSettings


async def _burst(engine, n: int) -> list[int]:
    """``n`` transactions at once, each holding its connection a moment; the backend PID of each."""

    async def one() -> int:
        async with engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await asyncio.sleep(0.05)
            return int(pid)

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def test_a_burst_beyond_the_pool_reuses_the_pools_connections(new_database):
    url = new_database("pool")
    if is_sqlite(url):
        pytest.skip("the pool rule is PostgreSQL's (SQLite has no server backends)")
    engine = create_engine(url, pool_size=3)
    try:
        first = await _burst(engine, 12)
        second = await _burst(engine, 12)
    finally:
        await engine.dispose()
    # never more connections than the pool at once, all of them kept: the second burst opens no backend
    assert len(set(first)) <= 3, first
    assert set(second) <= set(first), (first, second)


async def test_with_overflow_allowed_a_burst_opens_backends_that_do_not_stay(new_database):
    """The control: what the setting turns off (so the test above can fail)."""
    url = new_database("pool_overflow")
    if is_sqlite(url):
        pytest.skip("the pool rule is PostgreSQL's (SQLite has no server backends)")
    engine = create_engine(url, pool_size=3, max_overflow=3)
    try:
        first = await _burst(engine, 12)
        second = await _burst(engine, 12)
    finally:
        await engine.dispose()
    assert len(set(first)) > 3
    assert not set(second) <= set(first), (first, second)


def test_the_services_default_is_no_overflow(monkeypatch):
    monkeypatch.delenv("KINERJA_DB_POOL_MAX_OVERFLOW", raising=False)
    monkeypatch.delenv("KINERJA_DB_POOL_SIZE", raising=False)
    s = CommonSettings()
    assert s.db_pool_max_overflow == 0 and s.db_pool_size == 20
