"""The delivery worker: sends pending e-mails, at most ``rate`` per second,
retries temporary failures with backoff, records permanent ones.

Rows are claimed with a short lease (``next_attempt_at`` moved forward, with
FOR UPDATE SKIP LOCKED on PostgreSQL) in one small transaction; each mail is
then sent and its outcome committed on its own. Several replicas can run; a
worker that dies mid-send leaves its rows to come back when the lease ends,
and the mail goes again with the same Message-ID (a duplicate to the mail
system, never a different mail).

An SMTP server that cannot be reached is not the mail's fault: the pass
stops, the mail waits with backoff, and it does not use up its attempts, so
the mail goes out when the server is back however long it was away. A 4xx
reply to the mail itself counts as an attempt; a 5xx is final.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable

from kinerja_contracts.logging import get_logger
from sqlalchemy import update
from sqlmodel import select

from ..adapters.smtp import PermanentSmtpError, SmtpUnavailable, TemporarySmtpError, build_message
from ..adapters.tables import Delivery, utcnow
from ..domain.ratelimit import TokenBucket
from ..domain.retry import backoff

log = get_logger(__name__)


class DeliveryWorker:
    def __init__(self, sessions, sender, *, mail_from: str, poll_interval: float = 1.0, max_attempts: int = 12,
                 batch_size: int = 50, retry_base: float = 5.0, retry_max: float = 900.0,
                 rate: float = 0.0, burst: int | None = None, lease_seconds: float = 120.0,
                 clock: Callable[[], dt.datetime] = utcnow):
        self.sessions = sessions
        self.sender = sender
        self.mail_from = mail_from
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.retry_base, self.retry_max = retry_base, retry_max
        self.bucket = TokenBucket(rate, burst)
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.sent = 0

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        close = getattr(self.sender, "close", None)
        if close is not None:
            try:
                await close()
            except Exception:
                pass

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                n = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("delivery pass failed", error=repr(exc))
                n = 0
            if n >= self.batch_size:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except TimeoutError:
                pass

    async def claim(self) -> list[Delivery]:
        """Take up to ``batch_size`` due rows for this worker (a lease)."""
        now = self.clock()
        limit = max(1, min(self.batch_size, self.bucket.available))
        async with self.sessions() as session:
            async with session.begin():
                stmt = (
                    select(Delivery)
                    .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                    .order_by(Delivery.next_attempt_at)
                    .limit(limit)
                )
                if session.bind.dialect.name == "postgresql":
                    stmt = stmt.with_for_update(skip_locked=True)
                rows = list((await session.exec(stmt)).all())
                for d in rows:
                    d.next_attempt_at = now + self.lease
        return rows

    async def deliver_due(self) -> int:
        """One pass: send what is due; returns how many rows were taken."""
        rows = await self.claim()
        for i, d in enumerate(rows):
            await self.bucket.acquire()
            try:
                await self._send_one(d)
            except SmtpUnavailable as exc:
                # the server is away: give the rest of the batch back at once
                log.info("SMTP server unavailable; delivery paused", error=str(exc), waiting=len(rows) - i)
                await self._release([r.event_id for r in rows[i + 1:]], [r.recipient_nip for r in rows[i + 1:]])
                break
        return len(rows)

    async def _release(self, event_ids: list[uuid.UUID], nips: list[str]) -> None:
        if not event_ids:
            return
        retry_at = self.clock() + dt.timedelta(seconds=self.retry_base)
        async with self.sessions() as session:
            async with session.begin():
                for eid, nip in zip(event_ids, nips, strict=True):
                    await session.exec(
                        update(Delivery)
                        .where(Delivery.event_id == eid, Delivery.recipient_nip == nip, Delivery.status == "pending")
                        .values(next_attempt_at=retry_at)
                    )

    async def _record(self, d: Delivery, **values) -> None:
        async with self.sessions() as session:
            async with session.begin():
                await session.exec(
                    update(Delivery)
                    .where(Delivery.event_id == d.event_id, Delivery.recipient_nip == d.recipient_nip,
                           Delivery.status == "pending")
                    .values(**values)
                )

    async def _send_one(self, d: Delivery) -> None:
        msg = build_message(mail_from=self.mail_from, to=d.email or "", subject=d.subject, text=d.body_text,
                            html=d.body_html, message_id=d.message_id, correlation_id=d.correlation_id)
        attempts = d.attempts + 1
        ctx = dict(to=d.email, kind=d.kind, message_id=d.message_id, correlation_id=d.correlation_id, attempts=attempts)
        try:
            await self.sender.send(msg)
        except PermanentSmtpError as exc:
            await self._record(d, status="failed", attempts=attempts, last_error=str(exc)[:1000])
            log.warning("mail refused permanently", error=str(exc), **ctx)
            return
        except SmtpUnavailable as exc:
            delay = backoff(max(d.attempts, 1), base=self.retry_base, cap=self.retry_max)
            await self._record(d, last_error=str(exc)[:1000], next_attempt_at=self.clock() + dt.timedelta(seconds=delay))
            raise
        except TemporarySmtpError as exc:
            values: dict = {"attempts": attempts, "last_error": str(exc)[:1000]}
            if attempts >= self.max_attempts:
                values["status"] = "failed"
            else:
                delay = backoff(attempts, base=self.retry_base, cap=self.retry_max)
                values["next_attempt_at"] = self.clock() + dt.timedelta(seconds=delay)
            await self._record(d, **values)
            log.info("mail not sent yet; will retry" if "status" not in values else "mail failed after its last try",
                     error=str(exc), **ctx)
            return
        await self._record(d, status="sent", attempts=attempts, sent_at=self.clock(), last_error=None)
        self.sent += 1
        log.info("mail sent", **ctx)
