"""Idempotent, at-least-once event consumers on FastStream.

A service declares handlers::

    consumers = EventConsumers("approval", uow)

    @consumers.on(SkpSubmitted)
    async def on_submitted(session, envelope): ...

and at start ``await consumers.provision(js)`` then
``consumers.attach(broker)`` before ``broker.start()``.

Each handler gets its own durable pull consumer ``<service>--<event>``
(replicas of a service share it and so share the work). For every message:

1. Parse the envelope. A message that cannot be parsed, or whose subject has
   no event, goes to the dead-letter subject ``kinerja-dlq.<durable>`` and is
   acknowledged (terminated): it would never succeed.
2. In one transaction: claim the ``event_id`` in ``processed_event`` (a duplicate is
   acked and skipped) and run the handler; commit; ack.
3. A handler error rolls the transaction back and the message is nacked with
   a growing delay; on the last allowed delivery it goes to the dead-letter
   subject instead. A :class:`PermanentError` goes there at once.

Messages are pulled in batches (up to ``batch_size``), and a batch is handled
in ONE transaction (:meth:`EventConsumers.process_batch`): the events are
claimed in ``processed_event`` with one statement, the handlers run in order, one
commit, then every message is acked. When anything in the batch raises, the
batch is rolled back and each of its messages goes through the one-message
path above (:meth:`EventConsumers.process`), so retries, PermanentError and
dead letters behave exactly as for a single message.

A transaction that PostgreSQL aborts as a deadlock or serialization failure
(batches of different consumers lock the same rows in different orders) is
run again at once, up to three times (:func:`retry_conflicts`), before the
message is nak-ed with a delay.
A batch transaction on PostgreSQL also sets a lock timeout
(``batch_lock_timeout_ms``, 100 ms): a batch that waits longer for a row lock
is given up and its messages go one by one, instead of everything queued
behind it waiting the 1 s PostgreSQL takes to detect a deadlock.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.errors import ConnectionClosedError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import ServiceUnavailableError
from pydantic import ValidationError
from sqlalchemy import text

from ..context import CORRELATION_HEADER, bind
from ..db import dialect_of, execute
from kinerja_contracts.events.envelope import Envelope, EventPayload
from kinerja_contracts.events.registry import STREAM, UnknownEvent, parse_envelope
from ..logging import get_logger
from .dedup import claim, claim_many
from .provisioning import ConsumerSpec, ensure_consumer

log = get_logger(__name__)

Handler = Callable[[Any, Envelope[Any]], Awaitable[None]]


class PermanentError(Exception):
    """The event can never be processed: dead-letter it without retrying."""


@dataclass
class _Registration:
    spec: ConsumerSpec
    payload: type[EventPayload]
    handler: Handler


class EventConsumers:
    def __init__(
        self,
        service: str,
        uow: Callable[[], Any] | None = None,
        *,
        max_deliver: int = 8,
        ack_wait: float = 30.0,
        batch_size: int = 32,
        batch_lock_timeout_ms: int = 100,
    ):
        self.service = service
        #: how long a batch transaction waits for a row lock (PostgreSQL) before
        #: it gives up and its messages go one by one; see process_batch
        self.batch_lock_timeout_ms = batch_lock_timeout_ms
        self._uow = uow
        self.max_deliver = max_deliver
        self.ack_wait = ack_wait
        self.batch_size = batch_size
        self.registrations: list[_Registration] = []
        self.processed = 0
        self.duplicates = 0
        self.dead_lettered = 0

    def on(self, payload: type[EventPayload], *, durable: str | None = None) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            name = durable or f"{self.service}--{payload.event_type.replace('.', '-')}"
            spec = ConsumerSpec(
                durable=name,
                filter_subject=payload.subject,
                ack_wait=self.ack_wait,
                max_deliver=self.max_deliver,
            )
            self.registrations.append(_Registration(spec, payload, fn))
            return fn

        return register

    def bind(self, uow: Callable[[], Any], *, max_deliver: int | None = None, ack_wait: float | None = None) -> None:
        """Give the consumers the service's unit of work (at start), and the
        delivery limits from settings."""
        from dataclasses import replace

        self._uow = uow
        for reg in self.registrations:
            reg.spec = replace(
                reg.spec,
                max_deliver=max_deliver or reg.spec.max_deliver,
                ack_wait=ack_wait or reg.spec.ack_wait,
            )

    async def provision(self, js) -> None:
        for reg in self.registrations:
            await ensure_consumer(js, reg.spec)

    def attach(self, broker: NatsBroker) -> None:
        stream = JStream(STREAM, declare=False)
        for reg in self.registrations:
            sub = broker.subscriber(
                reg.spec.filter_subject,
                stream=stream,
                durable=reg.spec.durable,
                pull_sub=PullSub(batch_size=self.batch_size, timeout=1.0, batch=True),
                ack_policy=AckPolicy.MANUAL,
                title=f"{reg.spec.durable}",
                description=(reg.handler.__doc__ or reg.payload.__doc__ or "").strip(),
            )
            sub(self._make_subscriber(reg))
            # FastStream's batch loop keeps fetching until the batch is full or
            # its timeout (1 s) is spent, so a lone event would wait up to 1 s.
            # Ours hands over whatever one fetch returned, at once; FastStream
            # still starts and stops it with the broker (and documents it).
            sub._consume_pull = self._make_pull_loop(reg, sub)

    def _make_subscriber(self, reg: _Registration):
        async def subscriber(msg: NatsMessage) -> None:  # a batch: msg.raw_message is the list
            await self.process_batch(reg, msg.raw_message)

        subscriber.__name__ = reg.spec.durable.replace("-", "_")
        return subscriber

    def _make_pull_loop(self, reg: _Registration, sub):
        async def consume_pull() -> None:
            while sub.running:
                try:
                    messages = await sub.subscription.fetch(batch=self.batch_size, timeout=1.0)
                except (NatsTimeoutError, TimeoutError, ConnectionClosedError, ServiceUnavailableError):
                    continue  # nothing waiting (or NATS away: nats-py reconnects); unacked ones come back
                if messages and sub.running:
                    try:
                        await self.process_batch(reg, messages)
                    except Exception as exc:  # never kill the loop; unacked messages are redelivered
                        log.error("consumer batch failed", consumer=reg.spec.durable, error=repr(exc))

        return consume_pull

    async def process_batch(self, reg: _Registration, raws: list) -> list[str]:
        """Handle pulled messages in one transaction; what happened to each.

        Unparseable messages are dead-lettered first. If the transaction
        raises, nothing of it stays and every message goes through
        :meth:`process` on its own.
        """
        if len(raws) == 1:
            return [await self.process(reg, raws[0])]
        spec = reg.spec
        outcomes: list[str | None] = [None] * len(raws)
        parsed: list[tuple[int, Any, Envelope[Any]]] = []
        for i, raw in enumerate(raws):
            try:
                parsed.append((i, raw, parse_envelope(raw.subject, raw.data)))
            except (UnknownEvent, ValidationError, ValueError) as exc:
                await self._dead_letter(spec, raw, f"unparseable: {exc}")
                await raw.term()
                outcomes[i] = "dead-lettered"
        if not parsed:
            return outcomes  # type: ignore[return-value]
        async def apply_batch() -> None:
            async with self._uow() as session:
                if self.batch_lock_timeout_ms and dialect_of(session) == "postgresql":
                    # A batch holds every row lock it takes until its commit, and
                    # batches of different consumers take them in different
                    # orders. PostgreSQL looks for deadlocks only after
                    # deadlock_timeout (1 s): every message queued behind a
                    # deadlocked batch waited that long. With a lock timeout the
                    # batch gives up early and its messages go one by one.
                    await execute(session, _LOCK_TIMEOUT, {"ms": f"{int(self.batch_lock_timeout_ms)}ms"})
                new = await claim_many(session, spec.durable, [env.event_id for _, _, env in parsed])
                for i, raw, env in parsed:
                    if env.event_id not in new:
                        outcomes[i] = "duplicate"
                        continue
                    new.discard(env.event_id)  # a repeat later in this batch is a duplicate
                    self._bind(spec, raw, env)
                    await reg.handler(session, env)
                    outcomes[i] = "processed"

        try:
            await retry_conflicts(apply_batch, tries=2)
        except Exception as exc:
            log.info("batch rolled back; handling its messages one by one", error=repr(exc), size=len(parsed))
            for i, raw, _ in parsed:
                outcomes[i] = await self.process(reg, raw)
            return outcomes  # type: ignore[return-value]
        for i, raw, _ in parsed:
            await raw.ack()
            if outcomes[i] == "processed":
                self.processed += 1
            else:
                self.duplicates += 1
        return outcomes  # type: ignore[return-value]

    @staticmethod
    def _bind(spec: ConsumerSpec, raw, env: Envelope[Any]) -> None:
        headers = raw.headers or {}
        bind(
            headers.get(CORRELATION_HEADER) or env.correlation_id,
            causation_id=str(env.event_id),
            event_id=str(env.event_id),
            subject=raw.subject,
            consumer=spec.durable,
        )

    async def process(self, reg: _Registration, raw) -> str:
        """Handle one raw nats message; returns what happened (for tests and metrics)."""
        spec = reg.spec
        delivered = _num_delivered(raw)
        try:
            env = parse_envelope(raw.subject, raw.data)
        except (UnknownEvent, ValidationError, ValueError) as exc:
            await self._dead_letter(spec, raw, f"unparseable: {exc}")
            await raw.term()
            return "dead-lettered"

        self._bind(spec, raw, env)

        async def apply_one() -> str:
            async with self._uow() as session:
                if not await claim(session, spec.durable, env.event_id):
                    return "duplicate"
                await reg.handler(session, env)
                return "processed"

        try:
            outcome = await retry_conflicts(apply_one)
            if outcome == "duplicate":
                self.duplicates += 1
        except PermanentError as exc:
            log.warning("event refused permanently; dead-lettered", error=str(exc))
            await self._dead_letter(spec, raw, f"refused: {exc}")
            await raw.term()
            return "dead-lettered"
        except Exception as exc:
            if delivered >= spec.max_deliver:
                log.error("event failed on its last delivery; dead-lettered", error=repr(exc), delivered=delivered)
                await self._dead_letter(spec, raw, f"failed {delivered} times: {exc!r}")
                await raw.term()
                return "dead-lettered"
            delay = spec.nak_delay(delivered)
            log.warning("event failed; will be redelivered", error=repr(exc), delivered=delivered, retry_in=delay)
            await raw.nak(delay=delay)
            return "retry"
        await raw.ack()
        if outcome == "processed":
            self.processed += 1
        return outcome

    async def _dead_letter(self, spec: ConsumerSpec, raw, reason: str) -> None:
        self.dead_lettered += 1
        headers = dict(raw.headers or {})
        headers.update(
            {
                "Kinerja-Dlq-Reason": reason[:1000],
                "Kinerja-Dlq-Subject": raw.subject,
                "Kinerja-Dlq-Consumer": spec.durable,
            }
        )
        msg_id = headers.pop("Nats-Msg-Id", None)
        if msg_id:
            headers["Nats-Msg-Id"] = f"dlq:{spec.durable}:{msg_id}"
        js = raw._client.jetstream()
        await js.publish(spec.dlq_subject, raw.data, headers=headers)


#: PostgreSQL's "deadlock detected" and "could not serialize access": the
#: transaction lost a race with another one and is worth running again at once
#: (and "lock not available", a batch's lock timeout)
CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})

_LOCK_TIMEOUT = text("SELECT set_config('lock_timeout', :ms, true)")


def is_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) is a deadlock or serialization failure."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if getattr(e, "sqlstate", None) in CONFLICT_SQLSTATES or getattr(e, "pgcode", None) in CONFLICT_SQLSTATES:
            return True
        e = getattr(e, "orig", None) or e.__cause__
    return False


async def retry_conflicts(attempt: Callable[[], Awaitable[Any]], *, tries: int = 3) -> Any:
    """Run one transaction (``attempt``) again, after a short random pause,
    when PostgreSQL aborted it as a deadlock or serialization failure.

    Batched consumers of different events lock the same rows (a person's
    directory entry, an SKP) in different orders; PostgreSQL breaks such a
    deadlock by aborting one side, which then succeeds when run again. A nak
    would wait ``nak_delays[0]`` (0.5 s) and more for nothing: that was the
    1-3 s tail of approve -> mail in bench/flow.py.
    """
    for n in range(1, tries + 1):
        try:
            return await attempt()
        except Exception as exc:
            if n == tries or not is_conflict(exc):
                raise
            log.info("transaction lost a race (deadlock or serialization); running it again", attempt=n,
                     error=repr(exc)[:300])
            await asyncio.sleep(random.uniform(0.002, 0.02) * n)


def _num_delivered(raw) -> int:
    try:
        return int(raw.metadata.num_delivered)
    except Exception:  # core NATS message (tests): first delivery
        return 1
