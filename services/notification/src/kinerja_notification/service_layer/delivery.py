"""The delivery worker: sends pending e-mails, retries temporary failures
with backoff, records permanent ones. Safe with several replicas (rows are
claimed with FOR UPDATE SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

from kinerja_contracts.logging import get_logger
from sqlmodel import select

from ..adapters.smtp import PermanentSmtpError, SmtpSender, TemporarySmtpError, build_message
from ..adapters.tables import Delivery, utcnow

log = get_logger(__name__)


class DeliveryWorker:
    def __init__(self, sessions, sender: SmtpSender, *, mail_from: str, poll_interval: float = 1.0,
                 max_attempts: int = 8, batch_size: int = 50):
        self.sessions = sessions
        self.sender = sender
        self.mail_from = mail_from
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self.batch_size = batch_size
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

    async def _run(self) -> None:
        while True:
            try:
                n = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("delivery pass failed", error=repr(exc))
                n = 0
            if n >= self.batch_size:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except TimeoutError:
                pass

    async def deliver_due(self) -> int:
        now = utcnow()
        async with self.sessions() as session:
            async with session.begin():
                stmt = (
                    select(Delivery)
                    .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                    .order_by(Delivery.next_attempt_at)
                    .limit(self.batch_size)
                )
                if session.bind.dialect.name == "postgresql":
                    stmt = stmt.with_for_update(skip_locked=True)
                rows = (await session.exec(stmt)).all()
                for d in rows:
                    await self._send_one(d)
                return len(rows)

    async def _send_one(self, d: Delivery) -> None:
        msg = build_message(mail_from=self.mail_from, to=d.email or "", subject=d.subject, text=d.body_text,
                            html=d.body_html, message_id=d.message_id, correlation_id=d.correlation_id)
        d.attempts += 1
        try:
            await self.sender.send(msg)
        except PermanentSmtpError as exc:
            d.status, d.last_error = "failed", str(exc)[:1000]
            log.warning("mail refused permanently", to=d.email, kind=d.kind, error=str(exc), correlation_id=d.correlation_id)
            return
        except TemporarySmtpError as exc:
            d.last_error = str(exc)[:1000]
            if d.attempts >= self.max_attempts:
                d.status = "failed"
            else:
                d.next_attempt_at = utcnow() + dt.timedelta(seconds=min(2 ** d.attempts, 300))
            log.info("mail not sent yet; will retry", to=d.email, attempts=d.attempts, error=str(exc))
            return
        d.status, d.sent_at, d.last_error = "sent", utcnow(), None
        self.sent += 1
        log.info("mail sent", to=d.email, kind=d.kind, message_id=d.message_id, correlation_id=d.correlation_id)
