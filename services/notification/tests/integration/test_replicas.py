"""Two replicas of the service on one database send every mail once.

A bulk event (a period announcement to many people) takes longer to send
than one lease. A worker leases only what it can send soon, and sends a row
only while its lease is still its own (compare-and-set right before the
send), so the other replica never sends a mail the first one holds, and the
first never sends a mail whose lease the other took over."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.values import Pegawai
from kinerja_devstack.testing import running
from kinerja_platform.db import create_engine, session_factory
from kinerja_notification.adapters.repository import NotificationRepository
from kinerja_notification.adapters.tables import Delivery
from kinerja_notification.domain import examples as ex
from kinerja_notification.main import create_app
from kinerja_notification.service_layer.delivery import DeliveryWorker
from sqlmodel import select

from .conftest import CAST, directory_db, make_settings, wait_for

MANY = 120


def _pegawai(i: int) -> Pegawai:
    return ex.person(f"199503152025212{i:03d}", f"Pegawai Nomor {i}", f"pegawai{i}@example.go.id", "Pengelola")


async def _statuses(app) -> Counter:
    async with app.state.runtime.uow() as s:
        return Counter(d.status for d in (await s.exec(select(Delivery))).all())


async def test_two_replicas_send_a_bulk_event_once(new_database, nats_server, smtp_sink, bus):
    people = [_pegawai(i) for i in range(MANY)]
    url = await directory_db(new_database("notification"), [*CAST, *people])
    # 20 mails a second per replica, a 2 s lease: one replica alone needs 6 s for the announcement
    settings = make_settings(url, nats_server.url, smtp_sink, rate_limit_per_second=20, rate_limit_burst=1,
                             delivery_lease_seconds=2.0, delivery_poll_interval=0.1)
    first, second = create_app(settings), create_app(settings)
    opened = ex.samples()["evaluation.period_opened"].model_copy(update={"recipients": people})
    async with running(first), running(second):
        await bus.publish(opened)
        await wait_for(lambda: len({m.summary()["message_id"] for m in smtp_sink.messages}) == MANY, timeout=40)
        workers = [app.state.runtime.container.delivery for app in (first, second)]
        # a worker counts a mail once its outcome is committed, a moment after the SMTP server has it
        await wait_for(lambda: sum(w.sent for w in workers) >= MANY, timeout=5)
        assert (await _statuses(first)) == Counter({"sent": MANY})
    ids = Counter(m.summary()["message_id"] for m in smtp_sink.messages)
    twice = {mid: n for mid, n in ids.items() if n > 1}
    assert not twice, f"{len(twice)} mails sent more than once, e.g. {sorted(twice)[:3]}"
    assert len(smtp_sink.messages) == MANY
    assert sum(w.sent for w in workers) == MANY
    # both replicas shared the work (the test really ran two workers on one database)
    assert all(w.sent > 0 for w in workers), [w.sent for w in workers]


def _due_row(n: int = 1) -> Delivery:
    return Delivery(event_id=uuid.uuid4(), recipient_nip=f"199503152025212{n:03d}", kind="evaluation.period_opened",
                    email=f"p{n}@example.go.id", subject="s", body_text="t", message_id=f"<lease-test-{n}@kinerja.local>",
                    priority=1, next_attempt_at=utcnow() - dt.timedelta(seconds=1))


async def test_a_claim_takes_only_rows_no_other_worker_leased_since_it_read_them(settings, monkeypatch):
    """The claim's race: a worker reads due rows, another claims the same rows
    before the first writes its lease (on SQLite a SELECT locks nothing, so
    two processes on one file do read the same rows). Every row ends up in
    one worker's hands only, the one its ``leased_by`` names: the lease is one
    conditional UPDATE (still pending, still due) whose returned rows decide.
    On PostgreSQL the first worker's read locks the rows and the other skips
    them; the same holds."""
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        rows = [_due_row(n) for n in (1, 2, 3)]
        async with sessions() as s, s.begin():
            s.add_all(rows)
        slow, fast = (DeliveryWorker(sessions, [_Sender()], mail_from="Kinerja <no-reply@kinerja.local>",
                                     lease_seconds=30.0) for _ in range(2))
        read = NotificationRepository.due
        fast_claimed: list[int] = []

        async def due_then_the_other_claims(self, now, limit):
            found = await read(self, now, limit)
            monkeypatch.undo()  # the other worker's claim reads as usual
            # the other worker claims between the slow worker's read and its lease
            fast_claimed.append(await fast.claim())
            return found

        monkeypatch.setattr(NotificationRepository, "due", due_then_the_other_claims)
        got = await slow.claim()
        assert fast_claimed and got + fast_claimed[0] == 3, (got, fast_claimed)
        async with sessions() as s:
            owner = {(d.event_id, d.recipient_nip): d.leased_by for d in (await s.exec(select(Delivery))).all()}
        for worker in (slow, fast):
            for key in worker._in_hand:
                assert owner[key] == worker.worker_id
        assert not slow._in_hand & fast._in_hand
        assert len(slow._in_hand | fast._in_hand) == 3
    finally:
        await engine.dispose()


class _Sender:
    def __init__(self):
        self.sent: list = []

    async def send(self, msg) -> None:
        self.sent.append(msg)


async def test_a_worker_whose_lease_was_taken_over_does_not_send(settings):
    """A worker that claimed a row and was slow (its lease ran out) finds the
    row claimed by another worker: it neither sends it nor writes its outcome."""
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        row = _due_row()
        async with sessions() as s, s.begin():
            s.add(row)
        now = [utcnow()]
        slow, other = (DeliveryWorker(sessions, [_Sender()], mail_from="Kinerja <no-reply@kinerja.local>",
                                      lease_seconds=2.0, clock=lambda: now[0]) for _ in range(2))
        assert await slow.claim() == 1
        _, _, held = await slow._queue.get()
        now[0] += dt.timedelta(seconds=3)  # the slow worker's lease ended
        assert await other.claim() == 1
        _, _, taken = await other._queue.get()

        late = _Sender()
        await slow._send_one(held, late)  # the slow worker comes back to its row
        assert late.sent == []
        async with sessions() as s:
            d = await s.get(Delivery, (row.event_id, row.recipient_nip))
            assert d is not None and (d.status, d.leased_by, d.attempts) == ("pending", other.worker_id, 0)

        mine = _Sender()
        await other._send_one(taken, mine)  # the worker holding the lease sends it, once
        assert len(mine.sent) == 1
        async with sessions() as s:
            d = await s.get(Delivery, (row.event_id, row.recipient_nip))
            assert d is not None and (d.status, d.attempts) == ("sent", 1)
    finally:
        await engine.dispose()
