"""Outcomes of mails finished at once, and the lease extensions of mails
about to go, are written in one transaction (group commit), each only while
its row is still pending and still leased to the worker writing it; a new
mail's row is written whole by the consumer's prebuilt INSERT."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from kinerja_contracts.calendar import utcnow
from kinerja_devstack.testing import running
from kinerja_notification.adapters.tables import Delivery
from kinerja_notification.domain import examples as ex
from kinerja_notification.service_layer.delivery import DeliveryWorker
from sqlalchemy import event
from sqlmodel import select

from .conftest import wait_for


def _row(i: int, leased_by: str | None = None) -> Delivery:
    return Delivery(event_id=uuid.uuid4(), recipient_nip=f"1995031520252120{i:02d}", kind="approval.approved",
                    email=f"p{i}@example.go.id", subject="s", body_text="t", message_id=f"<m{i}@kinerja.local>",
                    next_attempt_at=utcnow(), leased_by=leased_by)


def _utc(t: dt.datetime) -> dt.datetime:
    """SQLite gives back naive UTC times."""
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def count_commits_of(engine, worker_id: str) -> list[int]:
    """A list that gets one entry per commit of a transaction that updated a
    delivery row of ``worker_id`` (the running app's own background loops
    commit on the same engine too; a busy CI run counted five of theirs)."""
    commits: list[int] = []
    wrote: set[int] = set()

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE DELIVERY") and worker_id in str(parameters):
            wrote.add(id(conn))

    def on_commit(conn):
        if id(conn) in wrote:
            wrote.discard(id(conn))
            commits.append(1)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    event.listen(engine.sync_engine, "commit", on_commit)
    return commits


async def test_outcomes_finished_together_share_one_commit(app):
    async with running(app):
        rt = app.state.runtime
        worker = DeliveryWorker(rt.sessions, [object()], mail_from="Kinerja <no-reply@kinerja.local>")
        # the last row's lease was taken over by another worker: its outcome must not be written either
        rows = [_row(i, worker.worker_id) for i in range(6)] + [_row(6, "another-worker")]
        async with rt.uow() as s:
            for d in rows:
                s.add(d)
        async with rt.uow() as s:  # one row is no longer pending: its outcome must not overwrite it
            gone = await s.get(Delivery, (rows[5].event_id, rows[5].recipient_nip))
            gone.status = "failed"

        # count the commits of transactions that wrote this worker's outcomes
        commits = count_commits_of(rt.engine, worker.worker_id)
        now = utcnow()
        await asyncio.gather(
            worker._record(rows[0], status="sent", attempts=1, sent_at=now, last_error=None),
            worker._record(rows[1], status="sent", attempts=1, sent_at=now, last_error=None),
            worker._record(rows[2], status="failed", attempts=1, last_error="550 5.1.1 Mailbox unavailable"),
            worker._record(rows[3], attempts=1, last_error="451 try later", next_attempt_at=now),
            worker._record(rows[4], status="sent", attempts=1, sent_at=now, last_error=None),
            worker._record(rows[5], status="sent", attempts=1, sent_at=now, last_error=None),
            worker._record(rows[6], status="sent", attempts=1, sent_at=now, last_error=None),
        )
        # all seven were waiting when the writer ran: one transaction
        assert len(commits) == 1
        async with rt.uow() as s:
            got = {d.recipient_nip: d for d in (await s.exec(select(Delivery))).all()}
        by = [got[d.recipient_nip] for d in rows]
        assert [d.status for d in by] == ["sent", "sent", "failed", "pending", "sent", "failed", "pending"]
        assert by[2].last_error.startswith("550") and by[3].last_error == "451 try later"
        assert by[0].sent_at is not None and by[5].sent_at is None and by[5].attempts == 0
        assert by[6].sent_at is None and by[6].attempts == 0


async def test_lease_extensions_share_the_commit_of_outcomes(app):
    async with running(app):
        rt = app.state.runtime
        worker = DeliveryWorker(rt.sessions, [object()], mail_from="Kinerja <no-reply@kinerja.local>", lease_seconds=60)
        # rows[1]'s lease was taken over by another worker, rows[2] is no longer pending: neither may go from here
        rows = [_row(0, worker.worker_id), _row(1, "another-worker"), _row(2, worker.worker_id), _row(3, worker.worker_id)]
        rows[2].status = "sent"
        async with rt.uow() as s:
            for d in rows:
                s.add(d)
        commits = count_commits_of(rt.engine, worker.worker_id)
        before = utcnow()
        kept = await asyncio.gather(worker._keep_lease(rows[0]), worker._keep_lease(rows[1]),
                                    worker._keep_lease(rows[2]),
                                    worker._record(rows[3], status="sent", attempts=1, sent_at=before, last_error=None))
        assert kept[:3] == [True, False, False]
        assert len(commits) == 1
        async with rt.uow() as s:
            got = {d.recipient_nip: d for d in (await s.exec(select(Delivery))).all()}
        by = [got[d.recipient_nip] for d in rows]
        assert by[0].leased_by == worker.worker_id and _utc(by[0].next_attempt_at) >= before + worker.lease
        assert by[1].leased_by == "another-worker" and _utc(by[1].next_attempt_at) < before + worker.lease
        assert by[2].status == "sent" and by[3].status == "sent"
        assert worker._recorder is None and worker._leases == []


async def test_a_failed_write_reaches_every_waiting_lane(app):
    async with running(app):
        rt = app.state.runtime
        worker = DeliveryWorker(rt.sessions, [object()], mail_from="x@kinerja.local")
        d = _row(1)
        # a value no driver can bind (asyncpg and sqlite3 both refuse it): the write fails
        results = await asyncio.gather(worker._record(d, status="sent", attempts=object()),
                                       worker._record(_row(2), status="sent"), return_exceptions=True)
        assert isinstance(results[0], Exception)
        assert worker._recorder is None and worker._outcomes == []


async def test_new_mail_row_is_written_whole(app, bus, smtp_sink):
    async with running(app):
        env = await bus.publish(ex.samples()["approval.approved"], correlation_id="corr-row")
        await wait_for(lambda: app.state.runtime.container.delivery.sent == 1)
        async with app.state.runtime.uow() as s:
            [d] = (await s.exec(select(Delivery))).all()
        assert (d.event_id, d.recipient_nip, d.kind, d.event_type) == (
            env.event_id, ex.pegawai().nip, "approval.approved", env.event_type)
        assert (d.status, d.attempts, d.resends, d.version, d.priority, d.locale) == ("sent", 1, 0, 1, 0, "id")
        assert d.email == "siti.rahma@example.go.id" and d.correlation_id == "corr-row"
        assert d.message_id == f"<{env.event_id}.{ex.pegawai().nip}@kinerja.local>"
        assert "disetujui" in d.subject and d.body_html and d.body_text
        assert d.created_at <= d.sent_at and d.next_attempt_at > d.created_at  # leased to the worker when written
