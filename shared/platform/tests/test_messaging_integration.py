"""The messaging kit against a real nats-server and the configured database:
outbox relay through a NATS outage, idempotent consumers, retries, dead letters."""

from __future__ import annotations

import asyncio
import json
import uuid

import nats
import pytest
from faststream.nats import NatsBroker
from kinerja_platform.context import get_causation_id, get_correlation_id
from kinerja_platform.db import UnitOfWork, create_engine, session_factory
from kinerja_contracts.events import SkpDeadlineApproaching, new_envelope
from kinerja_contracts.events.registry import DLQ_STREAM, STREAM
from kinerja_platform.messaging import ProcessedEvent, OutboxMessage, OutboxRelay, add_event, add_event_once, emitted, ensure_streams
from kinerja_platform.messaging.consumer import EventConsumers, PermanentError, is_conflict
from kinerja_platform.messaging.provisioning import ConsumerSpec
from kinerja_platform.messaging.relay import jetstream_publisher
from kinerja_devstack.testing import eventually
from sqlalchemy import event, func, text
from sqlmodel import Field, SQLModel, select


class KitEffect(SQLModel, table=True):
    """A test effect: one row per handled event."""

    __tablename__ = "kit_effect"
    id: int | None = Field(default=None, primary_key=True)
    event_id: uuid.UUID


async def count_unsent(engine) -> int:
    """Outbox rows not yet published."""
    async with engine.connect() as conn:
        stmt = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        return (await conn.execute(stmt)).scalar_one()


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
                c, tables=[OutboxMessage.__table__, ProcessedEvent.__table__, KitEffect.__table__]
            )
        )
    yield engine
    await engine.dispose()


async def test_add_event_once_writes_one_row_per_event_id(db):
    """The one emit-once mechanism: a deterministic event id and the outbox's
    primary key. The second write of the same id, in a later transaction or
    a concurrent one, writes nothing and says so."""
    uow = UnitOfWork(session_factory(db))
    key = uuid.uuid5(uuid.NAMESPACE_URL, "reminder|skp-1|2026-01-31")
    async with uow() as session:
        assert await add_event_once(session, payload(1), event_id=key) is True
        assert await add_event_once(session, payload(1), event_id=key) is False  # same transaction
    results = await asyncio.gather(*(_once(uow, key) for _ in range(3)))
    assert results == [False, False, False]
    other = uuid.uuid5(uuid.NAMESPACE_URL, "reminder|skp-2|2026-01-31")
    async with uow() as session:
        assert await emitted(session, [key, other]) == {key}
        assert await add_event_once(session, payload(2), event_id=other) is True
    async with db.connect() as conn:
        ids = (await conn.execute(select(OutboxMessage.id))).scalars().all()
    assert sorted(ids) == sorted([key, other])


async def _once(uow, event_id) -> bool:
    async with uow() as session:
        return await add_event_once(session, payload(9), event_id=event_id)


async def connect(url: str):
    return await nats.connect(url, max_reconnect_attempts=-1, reconnect_time_wait=0.2, connect_timeout=2)


async def open_bus(url: str, *consumers: EventConsumers):
    """A connection and its JetStream context, the streams made, the
    durables of ``consumers`` provisioned and their dead letters sent there
    (these tests drive ``process_batch`` without a FastStream broker)."""
    nc = await connect(url)
    js = nc.jetstream()
    await ensure_streams(js)
    for c in consumers:
        await c.provision(js)
        c.dead_letters = jetstream_publisher(js)
    return nc, js


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


async def test_relay_keeps_events_while_nats_is_down_and_sends_them_after(db, nats_server):
    nc, js = await open_bus(nats_server.url)
    relay = OutboxRelay(db, jetstream_publisher(js, timeout=1.0), poll_interval=0.2, max_backoff=0.5)
    await relay.start()
    uow = UnitOfWork(session_factory(db))
    try:
        async with uow() as s:
            first = add_event(s, payload(0))
        await eventually(lambda: _unsent_is(db, 0))

        nats_server.stop()
        written = []
        for i in range(1, 21):
            async with uow() as s:
                written.append(add_event(s, payload(i)))
        await asyncio.sleep(1.5)  # the relay tries and fails meanwhile
        assert await count_unsent(db) == 20
        assert relay.failures > 0

        nats_server.start()  # same port, same JetStream store
        await eventually(lambda: _unsent_is(db, 0), timeout=30)
        ids = await stream_event_ids(js, "kinerja.skp.deadline_approaching")
        assert sorted(ids) == sorted(str(e) for e in [first, *written])  # none lost, none doubled
    finally:
        await relay.stop()
        await nc.close()


async def _unsent_is(engine, n: int) -> bool:
    return await count_unsent(engine) == n


async def test_relay_wakes_on_commit_not_only_by_polling(db, nats_server):
    nc, js = await open_bus(nats_server.url)
    relay = OutboxRelay(db, jetstream_publisher(js), poll_interval=30.0)  # polling alone would take 30 s
    await relay.start()
    try:
        await asyncio.sleep(0.2)
        async with UnitOfWork(session_factory(db), on_outbox_commit=relay.wake)() as s:
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


async def test_staged_events_follow_their_transaction(db):
    """add_event stages its row for the commit: a rollback drops it, even when
    the session goes on to commit other work, and every row of a committed
    transaction is written, in order of creation."""
    async with session_factory(db)() as s:
        add_event(s, payload(1))
        await s.rollback()  # nothing was sent to the database yet
        kept = add_event(s, payload(2))
        await s.commit()
        s.add(KitEffect(event_id=uuid.uuid4(), correlation_id="c"))
        add_event(s, payload(3))
        await s.flush()
        await s.rollback()
        both = [add_event(s, payload(4)), add_event(s, payload(5))]
        await s.commit()
    async with db.connect() as conn:
        ids = (await conn.execute(select(OutboxMessage.id).order_by(OutboxMessage.created_at))).scalars().all()
    assert ids == [kept, *both]



async def test_an_event_staged_in_a_rolled_back_savepoint_is_dropped_with_it(db):
    async with session_factory(db)() as s:
        kept = add_event(s, payload(1))
        savepoint = await s.begin_nested()
        add_event(s, payload(2))
        await savepoint.rollback()
        savepoint = await s.begin_nested()
        inner = add_event(s, payload(3))
        await savepoint.commit()
        await s.commit()
    async with db.connect() as conn:
        ids = set((await conn.execute(select(OutboxMessage.id))).scalars().all())
    assert ids == {kept, inner}

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


async def test_same_event_delivered_twice_applies_its_effect_once(db, nats_server):
    async with Harness(db, nats_server.url, ok, "kit-dup") as h:
        nc = await connect(nats_server.url)
        js = nc.jetstream()
        env = new_envelope(payload(1), correlation_id="c-dup")
        body = env.model_dump_json().encode()
        # two different Nats-Msg-Ids, so JetStream's de-duplication does not absorb it: processed_event must
        await js.publish(SkpDeadlineApproaching.subject, body, headers={"Nats-Msg-Id": "a"})
        await js.publish(SkpDeadlineApproaching.subject, body, headers={"Nats-Msg-Id": "b"})
        await eventually(lambda: _async(h.consumers.duplicates == 1))
        assert await effects(db) == [env.event_id]
        assert h.consumers.processed == 1
        await nc.close()


async def _async(v):
    return v


async def test_transient_failure_is_retried_then_applied_once(db, nats_server):
    async def flaky(n, _env):
        if n < 3:
            raise ConnectionError("database hiccup")

    async with Harness(db, nats_server.url, flaky, "kit-flaky") as h:
        nc = await connect(nats_server.url)
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


async def test_poison_and_failing_messages_go_to_the_dead_letter_subject_and_the_consumer_goes_on(db, nats_server):
    async def by_days_left(_n, env):
        if env.data.days_left == 7:
            raise ValueError("always fails")
        if env.data.days_left == 8:
            raise PermanentError("refused")

    async with Harness(db, nats_server.url, by_days_left, "kit-poison") as h:
        nc = await connect(nats_server.url)
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


async def test_consumer_provisioning_updates_an_existing_durable(nats_server):
    from kinerja_platform.messaging.provisioning import ConsumerSpec, ensure_consumer

    nc, js = await open_bus(nats_server.url)
    await ensure_consumer(js, ConsumerSpec("kit-prov", "kinerja.skp.submitted", max_deliver=3))
    await ensure_consumer(js, ConsumerSpec("kit-prov", "kinerja.skp.submitted", max_deliver=9, ack_wait=12))
    info = await js.consumer_info(STREAM, "kit-prov")
    assert info.config.max_deliver == 9 and info.config.ack_wait == 12
    await nc.close()


# --- batches: one transaction per pulled batch -------------------------------


class Commits:
    """Counts the database transactions committed on an engine."""

    def __init__(self, engine):
        self.n = 0
        self._engine = engine.sync_engine
        event.listen(self._engine, "commit", self._on_commit)

    def _on_commit(self, _conn) -> None:
        self.n += 1

    def close(self) -> None:
        event.remove(self._engine, "commit", self._on_commit)


def batch_consumers(db, durable: str, handler, *, ack_wait: float = 30.0) -> EventConsumers:
    consumers = EventConsumers("kit", UnitOfWork(session_factory(db)), max_deliver=3)
    consumers.registrations.clear()
    consumers.on(SkpDeadlineApproaching, durable=durable)(handler)
    consumers.registrations[0].spec = ConsumerSpec(
        durable=durable,
        filter_subject=SkpDeadlineApproaching.subject,
        max_deliver=3,
        ack_wait=ack_wait,
        nak_delays=(0.1, 0.1, 0.1),
    )
    return consumers


async def pull(js, durable: str, n: int, timeout: float = 5.0) -> list:
    """Exactly ``n`` messages of the durable (fetching until they are all there)."""
    sub = await js.pull_subscribe_bind(durable=durable, stream=STREAM)
    msgs: list = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(msgs) < n and loop.time() < deadline:
        try:
            msgs += await sub.fetch(n - len(msgs), timeout=0.5)
        except (nats.errors.TimeoutError, TimeoutError):
            pass
    assert len(msgs) == n, f"got {len(msgs)} of {n} messages"
    return msgs


async def ack_pending(nc, durable: str) -> int:
    await nc.flush()
    return (await nc.jetstream().consumer_info(STREAM, durable)).num_ack_pending


async def publish_envs(js, envs) -> None:
    for e in envs:
        await js.publish(SkpDeadlineApproaching.subject, e.model_dump_json().encode(), headers={"Nats-Msg-Id": uuid.uuid4().hex})


async def test_a_pulled_batch_is_applied_once_each_in_one_transaction(db, nats_server):
    seen = []

    async def handle(session, env):
        seen.append((env.event_id, get_correlation_id(), get_causation_id()))
        session.add(KitEffect(event_id=env.event_id))

    consumers = batch_consumers(db, "kit-batch", handle)
    nc, js = await open_bus(nats_server.url, consumers)
    envs = [new_envelope(payload(i), correlation_id=f"c-batch-{i}") for i in range(10)]
    await publish_envs(js, envs)
    msgs = await pull(js, "kit-batch", 10)
    commits = Commits(db)
    try:
        outcomes = await consumers.process_batch(consumers.registrations[0], msgs)
    finally:
        commits.close()
    assert outcomes == ["processed"] * 10
    assert commits.n == 1  # one transaction for the ten events
    assert sorted(await effects(db)) == sorted(e.event_id for e in envs)
    # each handler ran with its own message's correlation and causation bound
    assert seen == [(e.event_id, e.correlation_id, str(e.event_id)) for e in envs]
    assert consumers.processed == 10 and consumers.duplicates == 0
    assert await ack_pending(nc, "kit-batch") == 0
    await nc.close()


async def test_a_duplicate_inside_a_batch_is_skipped(db, nats_server):
    async def handle(session, env):
        session.add(KitEffect(event_id=env.event_id))

    consumers = batch_consumers(db, "kit-batch-dup", handle)
    reg = consumers.registrations[0]
    nc, js = await open_bus(nats_server.url, consumers)
    before = new_envelope(payload(1), correlation_id="c")
    await publish_envs(js, [before])
    assert await consumers.process_batch(reg, await pull(js, "kit-batch-dup", 1)) == ["processed"]

    a, b = new_envelope(payload(2), correlation_id="c"), new_envelope(payload(3), correlation_id="c")
    await publish_envs(js, [a, a, before, b])  # a twice in the batch, and one processed before
    outcomes = await consumers.process_batch(reg, await pull(js, "kit-batch-dup", 4))
    assert outcomes == ["processed", "duplicate", "duplicate", "processed"]
    assert sorted(await effects(db)) == sorted([before.event_id, a.event_id, b.event_id])
    assert consumers.processed == 3 and consumers.duplicates == 2
    assert await ack_pending(nc, "kit-batch-dup") == 0
    await nc.close()


async def test_one_failing_event_does_not_stop_the_rest_of_its_batch(db, nats_server):
    async def handle(session, env):
        if env.data.days_left == 7:
            raise ValueError("always fails")
        if env.data.days_left == 8:
            raise PermanentError("refused")
        session.add(KitEffect(event_id=env.event_id))

    consumers = batch_consumers(db, "kit-batch-fail", handle)
    reg = consumers.registrations[0]
    nc, js = await open_bus(nats_server.url, consumers)
    good1, fails, good2, refused = (new_envelope(payload(n), correlation_id="c") for n in (1, 7, 2, 8))
    await publish_envs(js, [good1, fails, good2, refused])
    await js.publish(SkpDeadlineApproaching.subject, b"this is not json")
    outcomes = await consumers.process_batch(reg, await pull(js, "kit-batch-fail", 5))
    assert outcomes == ["processed", "retry", "processed", "dead-lettered", "dead-lettered"]
    assert sorted(await effects(db)) == sorted([good1.event_id, good2.event_id])
    # the failing one is redelivered after its delay, retried, and dead-lettered on its last delivery
    assert await consumers.process_batch(reg, await pull(js, "kit-batch-fail", 1)) == ["retry"]
    assert await consumers.process_batch(reg, await pull(js, "kit-batch-fail", 1)) == ["dead-lettered"]
    assert consumers.processed == 2 and consumers.dead_lettered == 3
    dead = await dlq_messages(js, "kit-batch-fail")
    reasons = sorted(m.headers["Kinerja-Dlq-Reason"].split(":")[0] for m in dead)
    assert reasons == ["failed 3 times", "refused", "unparseable"]
    assert await effects(db) != [] and fails.event_id not in await effects(db)
    await nc.close()


async def test_a_crash_before_commit_applies_nothing_and_everything_is_redelivered(db, nats_server):
    crash = {"on": True}

    async def handle(session, env):
        session.add(KitEffect(event_id=env.event_id))
        if crash["on"] and env.data.days_left == 3:
            raise asyncio.CancelledError()  # the process stops mid-batch (not an error of the event)

    consumers = batch_consumers(db, "kit-batch-crash", handle, ack_wait=1.0)
    reg = consumers.registrations[0]
    nc, js = await open_bus(nats_server.url, consumers)
    envs = [new_envelope(payload(i), correlation_id="c") for i in range(6)]
    await publish_envs(js, envs)
    with pytest.raises(asyncio.CancelledError):
        await consumers.process_batch(reg, await pull(js, "kit-batch-crash", 6))
    assert await effects(db) == []
    assert await ack_pending(nc, "kit-batch-crash") == 6  # nothing acked
    crash["on"] = False
    again = await pull(js, "kit-batch-crash", 6)  # after ack_wait (1 s) JetStream redelivers them all
    assert all(m.metadata.num_delivered == 2 for m in again)
    assert await consumers.process_batch(reg, again) == ["processed"] * 6
    assert sorted(await effects(db)) == sorted(e.event_id for e in envs)
    await nc.close()


async def test_the_running_consumer_handles_a_backlog_in_fewer_transactions_than_events(db, nats_server):
    nc, js = await open_bus(nats_server.url)
    envs = [new_envelope(payload(i), correlation_id="c") for i in range(40)]
    await publish_envs(js, envs)  # waiting before the consumer starts: pulled in batches
    commits = Commits(db)
    try:
        async with Harness(db, nats_server.url, ok, "kit-backlog") as h:
            await eventually(lambda: _async(h.consumers.processed == 40), timeout=20)
            # a lone event is handled at once: it does not wait for a full batch
            # (FastStream's own batch loop would hold it up to its 1 s fetch timeout)
            for n in range(3):
                lone = new_envelope(payload(100 + n), correlation_id="c-lone")
                started = asyncio.get_running_loop().time()
                await publish_envs(js, [lone])
                await eventually(lambda n=n: _async(h.consumers.processed == 41 + n), timeout=5)
                assert asyncio.get_running_loop().time() - started < 0.5
    finally:
        commits.close()
    assert len(await effects(db)) == 43 and set(await effects(db)) >= {e.event_id for e in envs}
    assert commits.n <= 4 + 3, commits.n  # batches of up to 32, not 40 transactions (+ the 3 lone ones)
    await nc.close()


DEADLOCK = text("DO $$ BEGIN RAISE EXCEPTION 'lost a race' USING ERRCODE = '40P01'; END $$")


async def test_a_deadlock_is_run_again_at_once_not_redelivered_later(db, nats_server):
    """PostgreSQL aborts one side of a deadlock (SQLSTATE 40P01, raised here by
    the server itself); the consumer runs the transaction again at once
    instead of nak-ing it for 0.5 s and more."""
    if db.dialect.name != "postgresql":
        pytest.skip("SQLSTATE 40P01 comes from PostgreSQL")
    lost = {"batch": 1, "single": 2}

    async def handle(session, env):
        key = "batch" if env.data.days_left < 5 else "single"
        if lost[key] > 0:
            lost[key] -= 1
            await session.exec(DEADLOCK)
        session.add(KitEffect(event_id=env.event_id))

    consumers = batch_consumers(db, "kit-deadlock", handle)
    reg = consumers.registrations[0]
    nc, js = await open_bus(nats_server.url, consumers)
    batch = [new_envelope(payload(i), correlation_id="c") for i in range(4)]
    await publish_envs(js, batch)
    assert await consumers.process_batch(reg, await pull(js, "kit-deadlock", 4)) == ["processed"] * 4
    single = new_envelope(payload(7), correlation_id="c")
    await publish_envs(js, [single])
    assert await consumers.process(reg, (await pull(js, "kit-deadlock", 1))[0]) == "processed"  # lost twice, won the 3rd
    assert sorted(await effects(db)) == sorted(e.event_id for e in [*batch, single])
    assert await ack_pending(nc, "kit-deadlock") == 0 and consumers.processed == 5

    # a transaction that keeps losing is not retried forever: nak, redelivered later as before
    lost["single"] = 10
    again = new_envelope(payload(8), correlation_id="c")
    await publish_envs(js, [again])
    assert await consumers.process(reg, (await pull(js, "kit-deadlock", 1))[0]) == "retry"
    await nc.close()


def test_is_conflict_looks_through_wrappers():
    class Pg(Exception):
        sqlstate = "40001"

    wrapped = RuntimeError("wrapper")
    wrapped.__cause__ = Pg()
    assert is_conflict(wrapped) and not is_conflict(RuntimeError("other")) and not is_conflict(ValueError())


async def test_batches_that_lock_rows_in_opposite_orders_do_not_wait_for_the_deadlock_detector(db, nats_server):
    """Two consumers' batches take the same two row locks in opposite orders.
    PostgreSQL would find the deadlock only after deadlock_timeout (1 s), and
    every message queued behind the batches waited that long; the batch lock
    timeout makes the loser give up within ~0.1 s and go one message at a time."""
    if db.dialect.name != "postgresql":
        pytest.skip("row locks and lock_timeout are PostgreSQL's")
    rows = [uuid.uuid4(), uuid.uuid4()]
    async with db.begin() as conn:
        for r in rows:
            await conn.execute(text("INSERT INTO kit_effect (event_id) VALUES (:r)"), {"r": r})

    async def handle(session, env):
        # days_left says which row this event locks; hold it a moment, as a real handler's work would
        await session.exec(text("UPDATE kit_effect SET event_id = event_id WHERE event_id = :r"),
                           params={"r": rows[env.data.days_left % 2]})
        await asyncio.sleep(0.05)

    first = batch_consumers(db, "kit-lock-a", handle)
    second = batch_consumers(db, "kit-lock-b", handle)
    nc, js = await open_bus(nats_server.url, first, second)
    await publish_envs(js, [new_envelope(payload(0), correlation_id="c"), new_envelope(payload(1), correlation_id="c")])  # row 0, then row 1
    a = await pull(js, "kit-lock-a", 2)
    b = list(reversed(await pull(js, "kit-lock-b", 2)))  # row 1, then row 0
    loop = asyncio.get_running_loop()
    started = loop.time()
    out_a, out_b = await asyncio.gather(first.process_batch(first.registrations[0], a),
                                        second.process_batch(second.registrations[0], b))
    took = loop.time() - started
    assert out_a == ["processed"] * 2 and out_b == ["processed"] * 2
    assert took < 0.8, took  # not the 1 s of deadlock_timeout (plus the retry)
    await nc.close()


async def test_claim_many_claims_each_new_event_once_and_sets_the_lock_timeout(db):
    """A batch's claim: the new ids of a batch (repeats and ids claimed before
    are not), one row each; on PostgreSQL the same statement sets the
    transaction's lock timeout (SET LOCAL: gone after the commit)."""
    from kinerja_platform.messaging.dedup import claim_many

    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with UnitOfWork(session_factory(db))() as s:
        assert await claim_many(s, "kit-claim", [b, a, b], lock_timeout_ms=123) == {a, b}
        if db.dialect.name == "postgresql":
            assert (await s.exec(text("SHOW lock_timeout"))).scalar_one() == "123ms"
    async with UnitOfWork(session_factory(db))() as s:
        assert await claim_many(s, "kit-claim", [c, a], lock_timeout_ms=123) == {c}
        assert await claim_many(s, "kit-other", [a]) == {a}  # per consumer
        if db.dialect.name == "postgresql":
            assert (await s.exec(text("SHOW lock_timeout"))).scalar_one() == "123ms"
    async with UnitOfWork(session_factory(db))() as s:
        if db.dialect.name == "postgresql":
            assert (await s.exec(text("SHOW lock_timeout"))).scalar_one() == "0"
        rows = (await s.exec(select(ProcessedEvent.consumer, ProcessedEvent.event_id))).all()
    assert sorted((r[0], str(r[1])) for r in rows) == sorted(
        [("kit-claim", str(a)), ("kit-claim", str(b)), ("kit-claim", str(c)), ("kit-other", str(a))])
