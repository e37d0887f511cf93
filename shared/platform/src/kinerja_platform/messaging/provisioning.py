"""Explicit provisioning of the streams and every durable consumer.

A durable consumer that already exists keeps its old config when a client
subscribes with a new one; so every service creates *or updates* its streams
and consumers here, once, at start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from kinerja_contracts.events.registry import DLQ_PREFIX, DLQ_STREAM, STREAM, STREAM_SUBJECTS


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


async def ensure_streams(js: JetStreamContext, *, replicas: int = 1, max_age_days: int = 30) -> None:
    """Create or update the event stream and the dead-letter stream."""
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
        try:
            await js.stream_info(cfg.name)
        except NotFoundError:
            try:
                await js.add_stream(cfg)
            except Exception:  # another replica created it first
                await js.update_stream(cfg)
        else:
            await js.update_stream(cfg)


async def ensure_consumer(js: JetStreamContext, spec: ConsumerSpec) -> None:
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
    await js.add_consumer(STREAM, cfg)  # JetStream creates, or updates an equal durable
