"""Subject -> payload class, and parsing of raw messages into envelopes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .envelope import Envelope, EventPayload, envelope_class
from .types import ALL_EVENTS

#: The one stream every domain event goes to.
STREAM = "KINERJA"
STREAM_SUBJECTS = ["kinerja.>"]
#: Dead letters: ``kinerja-dlq.<consumer>`` in their own stream.
DLQ_STREAM = "KINERJA_DLQ"
DLQ_PREFIX = "kinerja-dlq"


@dataclass(frozen=True)
class EventSpec:
    subject: str
    event_type: str
    schema_version: int
    payload: type[EventPayload]


REGISTRY: dict[str, EventSpec] = {
    cls.subject: EventSpec(cls.subject, cls.event_type, cls.schema_version, cls) for cls in ALL_EVENTS
}


class UnknownEvent(ValueError):
    """No payload class is registered for this subject."""


def spec_for_subject(subject: str) -> EventSpec:
    try:
        return REGISTRY[subject]
    except KeyError as exc:
        raise UnknownEvent(f"no event is registered for subject {subject!r}") from exc


def parse_envelope(subject: str, body: bytes | str) -> Envelope[Any]:
    """Parse a raw message published on ``subject``.

    Raises :class:`UnknownEvent` or pydantic's ``ValidationError`` for a
    message that can never be processed (it belongs in the dead-letter
    subject).
    """
    spec = spec_for_subject(subject)
    env = envelope_class(spec.payload).model_validate_json(body)
    # an envelope that names another event, or a schema newer than this
    # consumer knows, is not the event of this subject: never guess
    if env.event_type != spec.event_type:
        raise UnknownEvent(f"event_type {env.event_type!r} on subject {subject!r} (expected {spec.event_type!r})")
    if env.schema_version > spec.schema_version:
        raise UnknownEvent(f"schema_version {env.schema_version} of {spec.event_type!r} is newer than "
                           f"{spec.schema_version}, the one this service knows")
    return env


__all__ = [
    "STREAM",
    "STREAM_SUBJECTS",
    "DLQ_STREAM",
    "DLQ_PREFIX",
    "EventSpec",
    "REGISTRY",
    "UnknownEvent",
    "spec_for_subject",
    "parse_envelope",
    "ValidationError",
]
