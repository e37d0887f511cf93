"""The messaging kit: transactional outbox and relay, idempotent consumers,
JetStream provisioning. See docs/messaging.md for the guarantees."""

from .dedup import ProcessedEvent, claim
from .outbox import OutboxMessage, add_event, add_event_once, emitted
from .provisioning import ConsumerSpec, ensure_consumer, ensure_streams
from .relay import OutboxRelay

__all__ = [
    "ProcessedEvent",
    "claim",
    "OutboxMessage",
    "add_event",
    "add_event_once",
    "emitted",
    "ConsumerSpec",
    "ensure_consumer",
    "ensure_streams",
    "OutboxRelay",
]
