"""The event envelope (docs/events.md, docs/messaging.md).

Every message on the bus is ``Envelope`` serialised as JSON. ``event_id`` is
also the ``Nats-Msg-Id`` header (JetStream de-duplication) and the outbox
row id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ..calendar import utcnow
from ..values import Actor, WireModel


class EventPayload(WireModel):
    """Base of every event payload. Subclasses set the three class vars."""

    subject: ClassVar[str]
    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


P = TypeVar("P", bound=BaseModel)


class Envelope(BaseModel, Generic[P]):
    """What travels on NATS: metadata around a typed ``data`` payload."""

    model_config = ConfigDict(extra="ignore")

    event_id: uuid.UUID
    event_type: str
    schema_version: int = Field(ge=1)
    occurred_at: dt.datetime
    correlation_id: str
    causation_id: str | None = None
    actor: Actor | None = None
    data: P


#: ``Envelope[payload]`` per payload class. Pydantic builds (or looks up) the
#: parametrised class anew on every subscript, a measurable cost per message.
_ENVELOPE_CLASSES: dict[type, type[Envelope[Any]]] = {}


def envelope_class(payload: type[BaseModel]) -> type[Envelope[Any]]:
    """``Envelope[payload]``, built once per payload class."""
    cls = _ENVELOPE_CLASSES.get(payload)
    if cls is None:
        cls = _ENVELOPE_CLASSES[payload] = Envelope[payload]  # type: ignore[valid-type]
    return cls


def new_envelope(
    data: EventPayload,
    *,
    correlation_id: str,
    causation_id: str | None = None,
    actor: Actor | None = None,
    event_id: uuid.UUID | None = None,
    occurred_at: dt.datetime | None = None,
) -> Envelope[Any]:
    """Wrap a payload. Pass ``event_id`` to make it deterministic (a tick of the
    scheduler, a reaction to a given event) so that a repeat is de-duplicated."""
    return envelope_class(type(data))(
        event_id=event_id or uuid.uuid4(),
        event_type=data.event_type,
        schema_version=data.schema_version,
        occurred_at=occurred_at or utcnow(),
        correlation_id=correlation_id,
        causation_id=causation_id,
        actor=actor,
        data=data,
    )
