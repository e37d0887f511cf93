"""Idempotent, at-least-once event consumers on FastStream's public API.

A service declares handlers::

    consumers = EventConsumers("approval")

    @consumers.on(SkpSubmitted)
    async def on_submitted(session, envelope): ...

and at start ``consumers.bind(uow)``, ``await consumers.provision(js)`` (the
durables' config, on nats-py: FastStream cannot create-or-update a durable)
then ``consumers.attach(broker)`` before ``broker.start()``.

Each handler gets its own durable pull consumer ``<service>--<event>``
(replicas of a service share it and so share the work), subscribed through
FastStream on a ``NatsRouter`` of its own: ``router.subscriber(subject,
stream=JStream(..), durable=.., pull_sub=PullSub(batch_size, timeout),
ack_policy=AckPolicy.MANUAL)`` with a :class:`DeliveryMiddleware`. The
subscriber is typed with the event's envelope (``<Event>Envelope``), so
FastStream decodes and validates every message and the AsyncAPI document
shows its schema. FastStream fetches up to ``batch_size`` messages at once
and starts the subscriber for each; :class:`_Batcher` gathers the messages of
one fetch into one :meth:`EventConsumers.process_batch`:

1. In ONE transaction (the service's unit of work): claim every ``event_id``
   in ``processed_event`` with one statement (a duplicate is acked and skipped), run
   the handlers in order, commit, ack every message.
2. When anything in the batch raises, the batch is rolled back and each of
   its messages goes through the one-message path (:meth:`EventConsumers.process`):
   claim + handler in a transaction of its own; a handler error rolls it back
   and the message is nacked with a growing delay; on the last allowed
   delivery (``max_deliver``) it goes to the dead-letter subject
   ``kinerja-dlq.<durable>`` and is terminated. A :class:`PermanentError`
   goes there at once.
3. A message FastStream cannot decode and validate (not JSON, not an
   envelope, another event_type, a newer schema_version) reaches
   :class:`DeliveryMiddleware` as an exception: it is dead-lettered and
   terminated at once.

A transaction that PostgreSQL aborts as a deadlock or serialization failure
(batches of different consumers lock the same rows in different orders) is
run again at once, up to three times (:func:`retry_conflicts`), before the
message is nak-ed with a delay.
A batch transaction on PostgreSQL also sets a lock timeout
(``batch_lock_timeout_ms``, 100 ms): a batch that waits longer for a row lock
is given up and its messages go one by one, instead of everything queued
behind it waiting the 1 s PostgreSQL takes to detect a deadlock.

Acknowledgement is per message, on the nats-py ``Msg`` that FastStream hands
over as ``NatsMessage.raw_message`` (its public ``ack()``, ``nak(delay=)``,
``term()``): one batch may end in all three. Dead letters are published with
``broker.publish(.., stream=DLQ_STREAM)``, which waits for JetStream's ack.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from faststream import AckPolicy, BaseMiddleware
from faststream.nats import JStream, NatsBroker, NatsRouter, PullSub
from faststream.nats.annotations import NatsMessage
from kinerja_contracts.events.envelope import Envelope, EventPayload, envelope_class
from kinerja_contracts.events.registry import DLQ_STREAM, STREAM, UnknownEvent, parse_envelope
from pydantic import ValidationError

from ..context import CORRELATION_HEADER, bind, bind_subject, event_subject, new_correlation_id
from ..logging import get_logger
from ..metrics import ServiceMetrics
from ..tracing import Tracing
from .dedup import claim, claim_many
from .provisioning import ConsumerSpec, ensure_consumer

log = get_logger(__name__)
_stdlog = logging.getLogger(__name__)  # whether a level is on (structlog's own loggers may not say)

Handler = Callable[[Any, Envelope[Any]], Awaitable[None]]
#: publishes (subject, body, headers) to JetStream and waits for its ack
DeadLetterPublisher = Callable[[str, bytes, dict[str, str]], Awaitable[object]]


class PermanentError(Exception):
    """The event can never be processed: dead-letter it without retrying."""


_DOC_ENVELOPES: dict[type, type[Envelope[Any]]] = {}


def documented_envelope(payload: type[EventPayload]) -> type[Envelope[Any]]:
    """``Envelope[payload]`` under a readable name (``SkpSubmittedEnvelope``):
    the type a subscriber is annotated with, so that FastStream validates it
    and the AsyncAPI document shows the envelope with its typed ``data``."""
    cls = _DOC_ENVELOPES.get(payload)
    if cls is None:
        doc = (payload.__doc__ or "").strip()
        cls = type(
            f"{payload.__name__}Envelope",
            (envelope_class(payload),),
            {
                "__doc__": f"Envelope of `{payload.event_type}` (schema_version {payload.schema_version}) on "
                f"subject `{payload.subject}`: {doc}",
                "__module__": __name__,
            },
        )
        _DOC_ENVELOPES[payload] = cls
    return cls


@dataclass
class _Registration:
    spec: ConsumerSpec
    payload: type[EventPayload]
    handler: Handler


#: the nats-py ``Msg`` being consumed, set by DeliveryMiddleware for the subscriber
_raw_message: ContextVar[Any] = ContextVar("kinerja_raw_message")


class _Batcher:
    """Puts the messages of one fetch in one transaction.

    FastStream's pull loop starts the subscriber for every message of a fetch
    at once (one task each) and waits for all of them before the next fetch.
    The first to arrive here yields once, so that the others queue up behind
    it, then runs what queued as one :meth:`EventConsumers.process_batch`
    (up to ``batch_size`` at a time) and hands each task its outcome. A
    message that queues late only lands in the next batch.
    """

    def __init__(self, consumers: EventConsumers, reg: _Registration):
        self.consumers = consumers
        self.reg = reg
        self.pending: list[tuple[Any, Envelope[Any], asyncio.Future[str]]] = []
        self.draining = False

    async def submit(self, raw: Any, env: Envelope[Any]) -> str:
        outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.pending.append((raw, env, outcome))
        if not self.draining:
            self.draining = True
            try:
                await asyncio.sleep(0)  # the other messages of this fetch queue up
                while self.pending:
                    batch = self.pending[: self.consumers.batch_size]
                    del self.pending[: len(batch)]
                    try:
                        outcomes = await self.consumers.process_batch(
                            self.reg, [r for r, _, _ in batch], [e for _, e, _ in batch]
                        )
                    except BaseException as exc:  # unacked: NATS redelivers them after ack_wait
                        for _, _, f in batch:
                            if not f.done():
                                f.set_exception(exc)
                        break  # this task raises it too, from its own future
                    for (_, _, f), result in zip(batch, outcomes, strict=True):
                        if not f.done():  # its task may have been cancelled meanwhile
                            f.set_result(result)
            finally:
                self.draining = False
                for _, _, f in self.pending:  # left behind by a failure or a cancellation:
                    f.cancel()  # their messages stay unacked, NATS redelivers them
                self.pending.clear()
        return await outcome


class DeliveryMiddleware(BaseMiddleware):
    """FastStream middleware of one consumer (one per :class:`NatsRouter`).

    A message that FastStream cannot decode and validate as the event's
    envelope (not JSON, not an envelope, another event_type, a newer schema
    version) raises inside ``call_next``: the middleware gives it to
    :meth:`EventConsumers.process`, which parses it once more, dead-letters
    and terminates it (or, should it parse after all, handles it). Without
    this FastStream would only log the error and leave the message unacked,
    to come back after every ack_wait for ever.
    """

    consumers: EventConsumers
    registration: _Registration

    async def consume_scope(self, call_next, msg):
        _raw_message.set(msg.raw_message)  # each message runs in a task (and context) of its own
        try:
            return await call_next(msg)
        except (ValidationError, UnknownEvent, ValueError) as exc:
            log.info("message is not an envelope of this event", consumer=self.registration.spec.durable,
                     error=repr(exc)[:300])
            await self.consumers.process(self.registration, msg.raw_message)
            return None

    @classmethod
    def for_consumer(cls, consumers: EventConsumers, reg: _Registration) -> type[DeliveryMiddleware]:
        return type(f"DeliveryMiddleware_{reg.spec.durable.replace('-', '_')}", (cls,),
                    {"consumers": consumers, "registration": reg})


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
        fetch_timeout: float = 1.0,
    ):
        self.service = service
        #: how long one pull request waits on an idle consumer (seconds); a
        #: fetch returns as soon as messages are there
        self.fetch_timeout = fetch_timeout
        #: where dead letters go; set by attach (or by hand, to process without a broker)
        self.dead_letters: DeadLetterPublisher | None = None
        #: how long a batch transaction waits for a row lock (PostgreSQL) before
        #: it gives up and its messages go one by one; see process_batch
        self.batch_lock_timeout_ms = batch_lock_timeout_ms
        self._uow = uow
        self.max_deliver = max_deliver
        self.ack_wait = ack_wait
        self.batch_size = batch_size
        self.registrations: list[_Registration] = []
        #: the service's metrics (events handled by consumer, type and outcome); set by bind
        self.metrics: ServiceMetrics | None = None
        #: a span per handled event, parented by the trace context of its headers; set by bind
        self.tracing: Tracing = Tracing.off()
        #: level of the one line per handled event ("event handled"); KINERJA_ACCESS_LOG_LEVEL
        self.log_level = logging.INFO
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

    def bind(self, uow: Callable[[], Any], *, max_deliver: int | None = None, ack_wait: float | None = None,
             metrics: ServiceMetrics | None = None, tracing: Tracing | None = None,
             log_level: str | int | None = None) -> None:
        """Give the consumers the service's unit of work (at start), the
        delivery limits from settings, and its metrics, tracing and the level
        of the one line per handled event."""
        self._uow = uow
        if metrics is not None:
            self.metrics = metrics
        if tracing is not None:
            self.tracing = tracing
        if log_level is not None:
            self.log_level = logging.getLevelName(log_level.upper()) if isinstance(log_level, str) else log_level
        for reg in self.registrations:
            reg.spec = replace(
                reg.spec,
                max_deliver=max_deliver or reg.spec.max_deliver,
                ack_wait=ack_wait or reg.spec.ack_wait,
            )

    async def provision(self, js) -> None:
        for reg in self.registrations:
            await ensure_consumer(js, reg.spec)

    def attach(self, broker: NatsBroker, *, dead_letters: DeadLetterPublisher | None = None) -> None:
        """Subscribe every handler on ``broker`` (before ``broker.start()``).

        Dead letters go out through ``broker.publish(.., stream=DLQ_STREAM)``
        unless ``dead_letters`` is given.
        """
        self.dead_letters = dead_letters or broker_dead_letters(broker)
        for router in self.routers():
            broker.include_router(router)

    def routers(self) -> list[NatsRouter]:
        """One FastStream router per handler: its pull subscriber and its
        :class:`DeliveryMiddleware`."""
        stream = JStream(STREAM, declare=False)  # provisioned by provisioning.ensure_streams
        routers = []
        for reg in self.registrations:
            router = NatsRouter(middlewares=[DeliveryMiddleware.for_consumer(self, reg)])
            router.subscriber(
                reg.spec.filter_subject,
                stream=stream,
                durable=reg.spec.durable,
                # Not PullSub(batch=True): FastStream 0.7's batch loop keeps
                # fetching until the batch is full or its timeout is spent (a lone
                # event waits that long), and when nats-py ends such a follow-up
                # fetch with the builtin TimeoutError (nats/js/client.py, deadline
                # spent after its no-wait probe) the loop dies and drops the
                # messages it had collected, unacked: they come back only after
                # ack_wait (30 s). The plain pull loop hands over what one fetch
                # returned (up to batch_size), each message to the subscriber at
                # once; _Batcher puts those of one fetch in one transaction.
                pull_sub=PullSub(batch_size=self.batch_size, timeout=self.fetch_timeout),
                # acks are per message, by process_batch / process
                ack_policy=AckPolicy.MANUAL,
                # the body straight into the typed envelope (pydantic from JSON,
                # as parse_envelope does), not json.loads then validation
                decoder=_envelope_decoder(documented_envelope(reg.payload)),
                no_reply=True,  # a "reply_to" header must not make FastStream publish
                title=reg.spec.durable,
                description=(reg.handler.__doc__ or reg.payload.__doc__ or "").strip(),
            )(self._make_subscriber(reg))
            routers.append(router)
        return routers

    def _make_subscriber(self, reg: _Registration):
        envelope_type = documented_envelope(reg.payload)
        batcher = _Batcher(self, reg)

        async def subscriber(event: envelope_type) -> None:  # type: ignore[valid-type]
            check_envelope(reg.payload, event)  # else DeliveryMiddleware dead-letters it
            await batcher.submit(_raw_message.get(), event)

        # the real type, not the string of ``from __future__ import annotations``:
        # FastStream validates the message with it and writes it in the AsyncAPI document.
        # No ``msg: NatsMessage`` parameter: FastStream's dependency injection
        # resolves such a context field in a worker thread (anyio.to_thread), a
        # thread hop per message; DeliveryMiddleware hands the raw message over.
        subscriber.__annotations__ = {"event": envelope_type, "return": None}
        subscriber.__name__ = reg.spec.durable.replace("-", "_")
        subscriber.__doc__ = reg.handler.__doc__
        return subscriber

    async def process_batch(
        self, reg: _Registration, raws: Sequence[Any], envelopes: Sequence[Envelope[Any]] | None = None
    ) -> list[str]:
        """Handle pulled messages (nats-py ``Msg``) in one transaction; what
        happened to each.

        ``envelopes`` are the messages already parsed (by FastStream); without
        them each message is parsed here and the unparseable ones are
        dead-lettered first. If the transaction raises, nothing of it stays
        and every message goes through :meth:`process` on its own.
        """
        if len(raws) == 1:
            return [await self.process(reg, raws[0], envelopes[0] if envelopes else None)]
        spec = reg.spec
        outcomes: list[str | None] = [None] * len(raws)
        parsed: list[tuple[int, Any, Envelope[Any]]] = []
        if envelopes is not None:
            parsed = [(i, raw, env) for i, (raw, env) in enumerate(zip(raws, envelopes, strict=True))]
        for i, raw in enumerate(raws if envelopes is None else ()):
            try:
                parsed.append((i, raw, parse_envelope(raw.subject, raw.data)))
            except (UnknownEvent, ValidationError, ValueError) as exc:
                await self._dead_letter(spec, raw, f"unparseable: {exc}")
                await raw.term()
                outcomes[i] = "dead-lettered"
                self._bind_raw(spec, raw)
                self._handled(reg, "dead-lettered", 0.0)
        if not parsed:
            return outcomes  # type: ignore[return-value]
        async def apply_batch() -> None:
            async with self._uow() as session:
                # A batch holds every row lock it takes until its commit, and
                # batches of different consumers take them in different
                # orders. PostgreSQL looks for deadlocks only after
                # deadlock_timeout (1 s): every message queued behind a
                # deadlocked batch waited that long. With a lock timeout (set
                # by the claim itself on PostgreSQL) the batch gives up early
                # and its messages go one by one.
                new = await claim_many(session, spec.durable, [env.event_id for _, _, env in parsed],
                                       lock_timeout_ms=self.batch_lock_timeout_ms)
                for i, raw, env in parsed:
                    if env.event_id not in new:
                        outcomes[i] = "duplicate"
                        continue
                    new.discard(env.event_id)  # a repeat later in this batch is a duplicate
                    self._bind(spec, raw, env)
                    with self.tracing.consumer_span(env.event_type, raw.headers, spec.durable):
                        await reg.handler(session, env)
                    outcomes[i] = "processed"

        start = time.perf_counter()
        try:
            await retry_conflicts(apply_batch, tries=2)
        except Exception as exc:
            log.info("batch rolled back; handling its messages one by one", error=repr(exc), size=len(parsed))
            for i, raw, _ in parsed:
                outcomes[i] = await self.process(reg, raw)
            return outcomes  # type: ignore[return-value]
        elapsed = time.perf_counter() - start
        for i, raw, env in parsed:
            await raw.ack()
            if outcomes[i] == "processed":
                self.processed += 1
            else:
                self.duplicates += 1
            self._bind(spec, raw, env)
            self._handled(reg, outcomes[i] or "processed", elapsed, batch=len(parsed))
        return outcomes  # type: ignore[return-value]

    def _handled(self, reg: _Registration, outcome: str, seconds: float, *, batch: int = 1) -> None:
        """The metrics and the one line ("event handled") of one message, in
        the context bound for it."""
        if self.metrics is not None:
            self.metrics.observe_event(reg.spec.durable, reg.payload.event_type, outcome, seconds)
        if _stdlog.isEnabledFor(self.log_level):
            log.log(self.log_level, "event handled", event_type=reg.payload.event_type, outcome=outcome,
                    duration_ms=round(seconds * 1000, 2), batch=batch)

    @staticmethod
    def _bind(spec: ConsumerSpec, raw, env: Envelope[Any]) -> None:
        """A fresh log context for one message: its correlation id, ids, and
        what it is about (``skp_id``, the pegawai's ``nip``; context.event_subject)."""
        headers = raw.headers or {}
        bind(
            headers.get(CORRELATION_HEADER) or env.correlation_id,
            causation_id=str(env.event_id),
            event_id=str(env.event_id),
            subject=raw.subject,
            consumer=spec.durable,
        )
        bind_subject(**event_subject(env.data))

    @staticmethod
    def _bind_raw(spec: ConsumerSpec, raw) -> None:
        """The log context of a message that is not an envelope (no ids to name)."""
        bind((raw.headers or {}).get(CORRELATION_HEADER) or new_correlation_id(), subject=raw.subject,
             consumer=spec.durable)

    async def process(self, reg: _Registration, raw, env: Envelope[Any] | None = None) -> str:
        """Handle one raw nats message (parsed already when ``env`` is given);
        returns what happened (for tests and metrics)."""
        start = time.perf_counter()
        outcome = await self._process_one(reg, raw, env)
        self._handled(reg, outcome, time.perf_counter() - start)
        return outcome

    async def _process_one(self, reg: _Registration, raw, env: Envelope[Any] | None) -> str:
        spec = reg.spec
        delivered = _num_delivered(raw)
        if env is None:
            try:
                env = parse_envelope(raw.subject, raw.data)
            except (UnknownEvent, ValidationError, ValueError) as exc:
                self._bind_raw(spec, raw)
                await self._dead_letter(spec, raw, f"unparseable: {exc}")
                await raw.term()
                return "dead-lettered"

        self._bind(spec, raw, env)

        async def apply_one() -> str:
            async with self._uow() as session:
                if not await claim(session, spec.durable, env.event_id):
                    return "duplicate"
                with self.tracing.consumer_span(env.event_type, raw.headers, spec.durable):
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
        if self.dead_letters is None:
            raise RuntimeError("EventConsumers.attach(broker) (or dead_letters=...) before processing")
        await self.dead_letters(spec.dlq_subject, raw.data, headers)


def _envelope_decoder(envelope_type: type[Envelope[Any]]):
    async def decode(msg: NatsMessage) -> Envelope[Any]:
        return envelope_type.model_validate_json(msg.body)

    return decode


def broker_dead_letters(broker: NatsBroker, *, timeout: float = 5.0) -> DeadLetterPublisher:
    """Dead letters through FastStream: a JetStream publish to the dead-letter
    stream that waits for the stream's ack."""

    async def publish(subject: str, body: bytes, headers: dict[str, str]) -> object:
        return await broker.publish(body, subject, headers=headers, stream=DLQ_STREAM, timeout=timeout,
                                    correlation_id=headers.get(CORRELATION_HEADER))

    return publish


def check_envelope(payload: type[EventPayload], env: Envelope[Any]) -> None:
    """What :func:`parse_envelope` checks beyond the schema: the envelope names
    this event, in a schema version this service knows."""
    if env.event_type != payload.event_type:
        raise UnknownEvent(f"event_type {env.event_type!r} on subject {payload.subject!r} "
                           f"(expected {payload.event_type!r})")
    if env.schema_version > payload.schema_version:
        raise UnknownEvent(f"schema_version {env.schema_version} of {payload.event_type!r} is newer than "
                           f"{payload.schema_version}, the one this service knows")


#: PostgreSQL's "deadlock detected" and "could not serialize access": the
#: transaction lost a race with another one and is worth running again at once
#: (and "lock not available", a batch's lock timeout)
CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


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
