"""The outbox relay: publishes committed outbox rows to JetStream.

- Publishes with ``Nats-Msg-Id`` = event id and waits for JetStream's ack
  before marking a row sent.
- Safe with several replicas: on PostgreSQL a batch is claimed with
  ``SELECT .. FOR UPDATE SKIP LOCKED``; on SQLite the database has one writer.
- Wakes on commit (in-process signal from :mod:`.outbox`) and also polls, so
  rows written by another replica or left by a crash are sent too.
- While NATS is down the rows stay; the relay retries with backoff and sends
  them, in creation order, when NATS is back.
- One bad row never stops the others (issue 15): a row that cannot be made
  into a message (corrupt headers), that the server refuses (too large, a
  JetStream "bad request"), or that fails while others of its batch go out,
  counts an attempt; after ``max_attempts`` it is set aside: left unsent with
  its ``last_error``, no longer selected, logged and listed for admins
  (:mod:`kinerja_platform.isolation`). A failure of the whole batch (NATS
  away) counts no attempt, so an outage never sets rows aside.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from ..isolation import set_aside
from ..logging import get_logger
from ..metrics import ServiceMetrics
from .outbox import OutboxMessage

log = get_logger(__name__)

Publisher = Callable[[str, bytes, dict[str, str]], Awaitable[object]]


def jetstream_publisher(js, *, timeout: float = 5.0) -> Publisher:
    """A publisher that sends to JetStream and waits for the stream's ack."""

    async def publish(subject: str, payload: bytes, headers: dict[str, str]) -> object:
        return await js.publish(subject, payload, headers=headers, timeout=timeout)

    return publish


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        publish: Publisher,
        *,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        max_backoff: float = 10.0,
        name: str = "relay",
        max_attempts: int = 20,
        metrics: ServiceMetrics | None = None,
    ):
        self._engine = engine
        self._publish = publish
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.name = name
        self.max_attempts = max_attempts
        self.metrics = metrics
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        self.published = 0
        self.failures = 0
        self._skip_locked = engine.dialect.name == "postgresql"
        # built once: constructing them per pass was a share of every service's CPU
        stmt = (
            select(OutboxMessage.id, OutboxMessage.subject, OutboxMessage.payload, OutboxMessage.headers,
                   OutboxMessage.attempts)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < max_attempts)
            .order_by(OutboxMessage.created_at)
            .limit(batch_size)
        )
        self._select_unsent = stmt.with_for_update(skip_locked=True) if self._skip_locked else stmt
        self._mark_sent = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(bindparam("ids", expanding=True)))
            .values(sent_at=bindparam("now", type_=OutboxMessage.__table__.c.sent_at.type))
        )
        self._mark_failed = (
            update(OutboxMessage)
            .where(OutboxMessage.id == bindparam("row_id", type_=OutboxMessage.__table__.c.id.type))
            .values(attempts=OutboxMessage.attempts + bindparam("count", type_=OutboxMessage.__table__.c.attempts.type),
                    last_error=bindparam("error", type_=OutboxMessage.__table__.c.last_error.type))
        )

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self.name}")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def _run(self) -> None:
        backoff = 0.2
        while not self._stopping:
            # Clear before the pass, not after it: a commit that lands while a
            # batch is being published must wake the next pass at once (clearing
            # afterwards lost that wake-up and left the row for the next poll,
            # up to poll_interval later).
            self._wake.clear()
            try:
                sent = await self.relay_once()
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS or database trouble: keep rows, retry
                self.failures += 1
                if self.metrics is not None:
                    self.metrics.outbox_publish_failures.inc()
                log.warning("outbox relay could not publish; will retry", error=str(exc), retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if sent >= self.batch_size:
                continue  # more are waiting
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            except TimeoutError:
                pass

    async def relay_once(self) -> int:
        """Publish one batch; return how many rows were sent."""
        async with self._engine.begin() as conn:
            rows = (await conn.execute(self._select_unsent)).all()
            if not rows:
                return 0
            results = await asyncio.gather(*(self._publish_row(r) for r in rows), return_exceptions=True)
            ok = [r.id for r, res in zip(rows, results, strict=True) if not isinstance(res, BaseException)]
            failed = [(r, res) for r, res in zip(rows, results, strict=True) if isinstance(res, BaseException)]
            now = dt.datetime.now(dt.UTC)
            if ok:
                await conn.execute(self._mark_sent, {"ids": ok, "now": now})
            for r, err in failed:
                # the row's own fault when it could not be built or was refused, or when others went out meanwhile
                counts = bool(ok) or _row_fault(err)
                await conn.execute(self._mark_failed, {"row_id": r.id, "error": repr(err)[:500], "count": int(counts)})
                if counts and r.attempts + 1 >= self.max_attempts:
                    set_aside(f"outbox-relay-{self.name}", r.id, err)
        self.published += len(ok)
        if self.metrics is not None and ok:
            self.metrics.outbox_published.inc(len(ok))
        if failed and not ok and not all(_row_fault(err) for _, err in failed):
            # nothing went out: the bus is away; the loop backs off
            raise RuntimeError(f"{len(failed)} of {len(rows)} outbox rows not published: {failed[0][1]!r}")
        if failed:
            self.failures += 1
            if self.metrics is not None:
                self.metrics.outbox_publish_failures.inc()
            log.warning("outbox rows not published; the others went out", failed=len(failed), sent=len(ok),
                        first_error=repr(failed[0][1])[:300])
        return len(ok)

    async def _publish_row(self, r) -> object:
        headers = json.loads(r.headers)  # a corrupt row fails alone, not the batch
        if not isinstance(headers, dict):
            raise _BadRow(f"headers are not an object: {type(headers).__name__}")
        return await self._publish(r.subject, r.payload, {**headers, "Nats-Msg-Id": str(r.id)})


class _BadRow(ValueError):
    """An outbox row that cannot be made into a message."""


def _row_fault(err: BaseException) -> bool:
    """True when ``err`` is about this one message, not about the bus: it
    could not be built, or the server refused it (max payload, a JetStream
    API error "bad request"); never a timeout or an unavailable server."""
    if isinstance(err, (ValueError, TypeError, UnicodeError)):
        return True
    try:
        from nats.errors import MaxPayloadError
        from nats.js.errors import BadRequestError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(err, (MaxPayloadError, BadRequestError))

