"""One bad record never stops work for others (issue 15): the outbox relay
against a real nats-server and the configured database, and the isolation
registry every background scan uses."""

from __future__ import annotations

import asyncio

import pytest
from kinerja_devstack.testing import eventually
from kinerja_platform import isolation
from kinerja_platform.db import UnitOfWork, session_factory
from kinerja_platform.messaging import OutboxMessage, OutboxRelay, add_event
from kinerja_platform.messaging.relay import jetstream_publisher
from sqlalchemy import select, update

from .test_messaging_integration import db, open_bus, payload, stream_event_ids  # noqa: F401  (fixture and helpers)


async def _row(engine, event_id):
    async with engine.connect() as conn:
        return (await conn.execute(select(OutboxMessage.sent_at, OutboxMessage.attempts, OutboxMessage.last_error)
                                   .where(OutboxMessage.id == event_id))).one()


async def test_a_poisoned_outbox_row_is_set_aside_and_the_others_go_out(db, nats_server):  # noqa: F811
    nc, js = await open_bus(nats_server.url)
    uow = UnitOfWork(session_factory(db))
    async with uow() as s:
        corrupt = add_event(s, payload(1))
        good = [add_event(s, payload(n)) for n in range(2, 6)]
        huge = add_event(s, payload(6))
    async with db.begin() as conn:
        await conn.execute(update(OutboxMessage).where(OutboxMessage.id == corrupt).values(headers="{not json"))
        await conn.execute(update(OutboxMessage).where(OutboxMessage.id == huge).values(payload=b"x" * (2 * 1024 * 1024)))
    relay = OutboxRelay(db, jetstream_publisher(js, timeout=2.0), poll_interval=0.1, max_backoff=0.2, max_attempts=3,
                        name="poison-test")
    await relay.start()
    try:
        async def good_sent():
            return all([(await _row(db, e)).sent_at is not None for e in good])

        await eventually(good_sent, timeout=20)

        async def set_aside():
            rows = [await _row(db, e) for e in (corrupt, huge)]
            return all(r.attempts >= 3 for r in rows) and rows

        rows = await eventually(set_aside, timeout=20)
        assert all(r.sent_at is None and r.last_error for r in rows)
        seen = {s.row_id for s in isolation.recent("outbox-relay-poison-test")}
        assert {str(corrupt), str(huge)} <= seen
        # set aside: no longer tried, and later rows still go out at once
        async with uow() as s:
            later = add_event(s, payload(7))
        await eventually(lambda: _sent(db, later), timeout=10)
        assert (await _row(db, corrupt)).attempts == 3
        ids = await stream_event_ids(js, "kinerja.skp.deadline_approaching")
        assert sorted(ids) == sorted(str(e) for e in [*good, later])
    finally:
        await relay.stop()
        await nc.close()


async def _sent(engine, event_id) -> bool:
    return (await _row(engine, event_id)).sent_at is not None


async def test_an_outage_sets_no_row_aside(db, nats_server):  # noqa: F811
    nc, js = await open_bus(nats_server.url)
    nats_server.stop()
    uow = UnitOfWork(session_factory(db))
    async with uow() as s:
        e = add_event(s, payload(1))
    relay = OutboxRelay(db, jetstream_publisher(js, timeout=0.3), poll_interval=0.1, max_backoff=0.2, max_attempts=2)
    await relay.start()
    try:
        await asyncio.sleep(2.0)
        row = await _row(db, e)
        assert row.sent_at is None and row.attempts == 0 and row.last_error
        nats_server.start()
        await eventually(lambda: _sent(db, e), timeout=30)
    finally:
        await relay.stop()
        await nc.close()


def test_isolated_sets_a_failing_row_aside_and_goes_on():
    done = []
    for n in range(5):
        with isolation.isolated("unit-scan", f"row-{n}"):
            if n == 2:
                raise ValueError("year 9999 is out of range")
            done.append(n)
    assert done == [0, 1, 3, 4]
    (item,) = isolation.recent("unit-scan")
    assert item.row_id == "row-2" and "year 9999" in item.error
    assert isolation.counts()["unit-scan"] == 1
    with pytest.raises(asyncio.CancelledError), isolation.isolated("unit-scan", "row-x"):
        raise asyncio.CancelledError
