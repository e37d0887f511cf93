"""The messaging kit against a real nats-server and the configured database:
outbox relay through a NATS outage, idempotent consumers, retries, dead letters."""

from __future__ import annotations

import asyncio
import json
import uuid

import nats
import pytest
from faststream.nats import NatsBroker
from kinerja_contracts.db import UnitOfWork, create_engine, session_factory
from kinerja_contracts.events import SkpDeadlineApproaching, new_envelope
from kinerja_contracts.events.registry import DLQ_STREAM, STREAM
from kinerja_contracts.messaging import InboxRecord, OutboxMessage, OutboxRelay, add_event, ensure_streams
from kinerja_contracts.messaging.consumer import EventConsumers, PermanentError
from kinerja_contracts.messaging.relay import count_unsent, jetstream_publisher
from kinerja_devstack.testing import eventually
from sqlmodel import Field, SQLModel, select


class KitEffect(SQLModel, table=True):
    """A test effect: one row per handled event."""

    __tablename__ = "kit_effect"
    id: int | None = Field(default=None, primary_key=True)
    event_id: uuid.UUID


def payload(n: int = 0) -> SkpDeadlineApproaching:
    return SkpDeadlineApproaching(
        pegawai={"nip": "199503152025212001", "nama": f"Pegawai {n}"},
        periode={"mulai": "2026-01-01", "selesai": "2026-12-31"},
        deadline="2026-01-31",
        days_left=n,
    )


@pytest.fixture
async def db(new_database):
    engine = create_engine(new_database("kit"))
    async with engine.begin() as conn:
        await conn.run_sync(
            lambda c: SQLModel.metadata.create_all(
                c, tables=[OutboxMessage.__table__, InboxRecord.__table__, KitEffect.__table__]
            )
        )
    yield engine
    await engine.dispose()


async def connect(url: str):
    return await nats.connect(url, max_reconnect_attempts=-1, reconnect_time_wait=0.2, connect_timeout=2)


async def stream_event_ids(js, subject: str) -> list[str]:
    sub = await js.pull_subscribe(subject, durable=None, stream=STREAM)
    ids = []
    while True:
        try:
            msgs = await sub.fetch(100, timeout=1)
        except (nats.errors.TimeoutError, TimeoutError):  # nats-py raises the builtin one when the deadline is spent
            break
        for m in msgs:
            ids.append(json.loads(m.data)["event_id"])
            await m.ack()
    await sub.unsubscribe()
    return ids


async def test_relay_keeps_events_while_nats_is_down_and_sends_them_after(db, own_nats):
    nc = await connect(own_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    relay = OutboxRelay(db, jetstream_publisher(js, timeout=1.0), poll_interval=0.2, max_backoff=0.5)
    await relay.start()
    uow = UnitOfWork(session_factory(db))
    try:
        async with uow() as s:
            first = add_event(s, payload(0))
        await eventually(lambda: _unsent_is(db, 0))

        own_nats.stop()
        written = []
        for i in range(1, 21):
            async with uow() as s:
                written.append(add_event(s, payload(i)))
        await asyncio.sleep(1.5)  # the relay tries and fails meanwhile
        assert await count_unsent(db) == 20
        assert relay.failures > 0

        own_nats.start()  # same port, same JetStream store
        await eventually(lambda: _unsent_is(db, 0), timeout=30)
        ids = await stream_event_ids(js, "kinerja.skp.deadline_approaching")
        assert sorted(ids) == sorted(str(e) for e in [first, *written])  # none lost, none doubled
    finally:
        await relay.stop()
        await nc.close()


async def _unsent_is(engine, n: int) -> bool:
    return await count_unsent(engine) == n


async def test_relay_wakes_on_commit_not_only_by_polling(db, nats_server):
    nc = await connect(nats_server.url)
    js = nc.jetstream()
    await ensure_streams(js)
    relay = OutboxRelay(db, jetstream_publisher(js), poll_interval=30.0)  # polling alone would take 30 s
    await relay.start()
    try:
        await asyncio.sleep(0.2)
        async with UnitOfWork(session_factory(db))() as s:
            add_event(s, payload(1))
        await eventually(lambda: _unsent_is(db, 0), timeout=5)
    finally:
        await relay.stop()
        await nc.close()


async def test_rolled_back_transaction_publishes_nothing(db):
    uow = UnitOfWork(session_factory(db))
    with pytest.raises(RuntimeError):
        async with uow() as s:
            add_event(s, payload(1))
            raise RuntimeError("the state change failed")
    assert await count_unsent(db) == 0


class Harness:
    """An EventConsumers with one handler on SkpDeadlineApproaching, running on a FastStream broker."""

    def __init__(self, db, url: str, behaviour, durable: str):
        self.uow = UnitOfWork(session_factory(db))
        self.consumers = EventConsumers("kit", self.uow, max_deliver=3)
        self.consumers.registrations.clear()
        self.behaviour = behaviour
        self.calls = 0

        @self.consumers.on(SkpDeadlineApproaching, durable=durable)
        async def handle(session, env):
            self.calls += 1
            await self.behaviour(self.calls, env)
            session.add(KitEffect(event_id=env.event_id))

        self.consumers.registrations[0].spec = self.consumers.registrations[0].spec.__class__(
            durable=durable, filter_subject=SkpDeadlineApproaching.subject, max_deliver=3, nak_delays=(0.1, 0.1, 0.1)
        )
        self.url = url

    async def __aenter__(self):
        self.broker = NatsBroker(self.url)
        await self.broker.connect()
        js = self.broker.connection.jetstream()
        await ensure_streams(js)
        await self.consumers.provision(js)
        self.consumers.attach(self.broker)
        await self.broker.start()
        return self

    async def __aexit__(self, *exc):
        await self.broker.stop()


async def effects(db) -> list[uuid.UUID]:
    async with db.connect() as conn:
        return [r.event_id for r in (await conn.execute(select(KitEffect.event_id))).all()]


async def ok(_n, _env):
    return None


async def test_same_event_delivered_twice_applies_its_effect_once(db, own_nats):
    async with Harness(db, own_nats.url, ok, "kit-dup") as h:
        nc = await connect(own_nats.url)
        js = nc.jetstream()
        env = new_envelope(payload(1), correlation_id="c-dup")
        body = env.model_dump_json().encode()
        # two different Nats-Msg-Ids, so JetStream's de-duplication does not absorb it: the inbox must
        await js.publish(SkpDeadlineApproaching.subject, body, headers={"Nats-Msg-Id": "a"})
        await js.publish(SkpDeadlineApproaching.subject, body, headers={"Nats-Msg-Id": "b"})
        await eventually(lambda: _async(h.consumers.duplicates == 1))
        assert await effects(db) == [env.event_id]
        assert h.consumers.processed == 1
        await nc.close()


async def _async(v):
    return v


async def test_transient_failure_is_retried_then_applied_once(db, own_nats):
    async def flaky(n, _env):
        if n < 3:
            raise ConnectionError("database hiccup")

    async with Harness(db, own_nats.url, flaky, "kit-flaky") as h:
        nc = await connect(own_nats.url)
        env = new_envelope(payload(2), correlation_id="c-flaky")
        await nc.jetstream().publish(SkpDeadlineApproaching.subject, env.model_dump_json().encode())
        await eventually(lambda: _async(h.consumers.processed == 1))
        assert h.calls == 3
        assert await effects(db) == [env.event_id]
        await nc.close()


async def dlq_messages(js, durable: str) -> list:
    sub = await js.pull_subscribe(f"kinerja-dlq.{durable}", durable=None, stream=DLQ_STREAM)
    try:
        return await sub.fetch(10, timeout=2)
    except nats.errors.TimeoutError:
        return []
    finally:
        await sub.unsubscribe()


async def test_poison_and_failing_messages_go_to_the_dead_letter_subject_and_the_consumer_goes_on(db, own_nats):
    async def by_days_left(_n, env):
        if env.data.days_left == 7:
            raise ValueError("always fails")
        if env.data.days_left == 8:
            raise PermanentError("refused")

    async with Harness(db, own_nats.url, by_days_left, "kit-poison") as h:
        nc = await connect(own_nats.url)
        js = nc.jetstream()
        await js.publish(SkpDeadlineApproaching.subject, b"this is not json")
        await js.publish(SkpDeadlineApproaching.subject, b'{"event_id": "x"}')
        await js.publish(SkpDeadlineApproaching.subject, new_envelope(payload(7), correlation_id="c").model_dump_json().encode())
        await js.publish(SkpDeadlineApproaching.subject, new_envelope(payload(8), correlation_id="c").model_dump_json().encode())
        good = new_envelope(payload(9), correlation_id="c-good")
        await js.publish(SkpDeadlineApproaching.subject, good.model_dump_json().encode())
        await eventually(lambda: _async(h.consumers.dead_lettered == 4), timeout=20)
        await eventually(lambda: _async(h.consumers.processed == 1))
        assert await effects(db) == [good.event_id]
        dead = await dlq_messages(js, "kit-poison")
        assert len(dead) == 4
        reasons = sorted(m.headers["Kinerja-Dlq-Reason"].split(":")[0] for m in dead)
        assert reasons == ["failed 3 times", "refused", "unparseable", "unparseable"]
        await nc.close()


async def test_consumer_provisioning_updates_an_existing_durable(own_nats):
    from kinerja_contracts.messaging.provisioning import ConsumerSpec, ensure_consumer

    nc = await connect(own_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    await ensure_consumer(js, ConsumerSpec("kit-prov", "kinerja.skp.submitted", max_deliver=3))
    await ensure_consumer(js, ConsumerSpec("kit-prov", "kinerja.skp.submitted", max_deliver=9, ack_wait=12))
    info = await js.consumer_info(STREAM, "kit-prov")
    assert info.config.max_deliver == 9 and info.config.ack_wait == 12
    await nc.close()
