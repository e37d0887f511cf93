"""Explicit provisioning of the streams and every durable consumer.

A durable consumer that already exists keeps its old config when a client
subscribes with a new one; so every service creates *or updates* its streams
and consumers here, once, at start.

The streams' replica count is the setting ``KINERJA_NATS_STREAM_REPLICAS``
(:class:`kinerja_platform.settings.CommonSettings`; 1 by default, 3 on a
three-node cluster). In a cluster the JetStream API may time out or answer
"temporarily unavailable" for a few seconds (a node just started or died,
many replicas provision at once): each call is tried again for up to
``retry_for`` seconds before the service gives up starting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NoStreamResponseError, NotFoundError, ServiceUnavailableError

from kinerja_contracts.events.registry import DLQ_PREFIX, DLQ_STREAM, STREAM, STREAM_SUBJECTS

from ..logging import get_logger

log = get_logger(__name__)

T = TypeVar("T")

#: a JetStream that is electing a leader or busy: worth another try
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    NatsTimeoutError, NoRespondersError, NoStreamResponseError, ServiceUnavailableError,
)


async def retrying(what: str, call: Callable[[], Awaitable[T]], *, retry_for: float = 60.0) -> T:
    """``await call()``, again after a transient JetStream error (backoff 0.5 s
    doubling to 5 s) until ``retry_for`` seconds have passed; then the error."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + retry_for
    delay = 0.5
    while True:
        try:
            return await call()
        except TRANSIENT_ERRORS as exc:
            if loop.time() + delay > deadline:
                raise
            log.warning("JetStream not answering; trying again", what=what, error=repr(exc), retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


@dataclass(frozen=True)
class ConsumerSpec:
    """One durable pull consumer on the KINERJA stream."""

    durable: str
    filter_subject: str
    ack_wait: float = 30.0
    max_deliver: int = 8
    #: delays (seconds) the consumer asks for when it nacks attempt 1, 2, ...
    nak_delays: tuple[float, ...] = field(default=(0.5, 1, 2, 5, 10, 20, 30))
    max_ack_pending: int = 2000

    def nak_delay(self, delivered: int) -> float:
        i = max(0, min(delivered - 1, len(self.nak_delays) - 1))
        return self.nak_delays[i]

    @property
    def dlq_subject(self) -> str:
        return f"{DLQ_PREFIX}.{self.durable}"


def _same_stream(have: StreamConfig, want: StreamConfig) -> bool:
    """The fields :func:`ensure_streams` sets are as wanted (no update needed)."""
    return (sorted(have.subjects or []) == sorted(want.subjects or []) and have.num_replicas == want.num_replicas
            and have.storage == want.storage and have.duplicate_window == want.duplicate_window
            and (have.max_age or 0) == (want.max_age or 0))


async def ensure_streams(js: JetStreamContext, *, replicas: int = 1, max_age_days: int = 30,
                         retry_for: float = 60.0) -> None:
    """Create or update the event stream and the dead-letter stream, each
    with ``replicas`` copies (an existing stream is updated only when it
    differs: in a cluster every update is a round of consensus)."""
    configs = [
        StreamConfig(
            name=STREAM,
            subjects=STREAM_SUBJECTS,
            storage=StorageType.FILE,
            num_replicas=replicas,
            duplicate_window=120.0,
            max_age=max_age_days * 86400.0,
        ),
        StreamConfig(
            name=DLQ_STREAM,
            subjects=[f"{DLQ_PREFIX}.>"],
            storage=StorageType.FILE,
            num_replicas=replicas,
            duplicate_window=120.0,
        ),
    ]
    for cfg in configs:
        await retrying(f"stream {cfg.name}", lambda cfg=cfg: _ensure_stream(js, cfg), retry_for=retry_for)


async def _ensure_stream(js: JetStreamContext, cfg: StreamConfig) -> None:
    try:
        info = await js.stream_info(cfg.name)
    except NotFoundError:
        try:
            await js.add_stream(cfg)
        except TRANSIENT_ERRORS:
            raise
        except Exception:  # another replica created it first
            await js.update_stream(cfg)
    else:
        if not _same_stream(info.config, cfg):
            await js.update_stream(cfg)


async def ensure_consumer(js: JetStreamContext, spec: ConsumerSpec, *, retry_for: float = 60.0) -> None:
    """Create the durable pull consumer, or update it to ``spec``."""
    cfg = ConsumerConfig(
        durable_name=spec.durable,
        filter_subject=spec.filter_subject,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=spec.ack_wait,
        max_deliver=spec.max_deliver,
        max_ack_pending=spec.max_ack_pending,
    )
    # JetStream creates, or updates an equal durable
    await retrying(f"consumer {spec.durable}", lambda: js.add_consumer(STREAM, cfg), retry_for=retry_for)
