"""Transactional outbox: an event is a row written in the same transaction
as the state change it reports. The relay publishes it later.

Row id = ``event_id`` = ``Nats-Msg-Id``: a relay that crashes after
publishing and before marking the row is absorbed by JetStream's
de-duplication window and, beyond it, by the consumers' ``processed_event`` rows.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, DateTime, Index, LargeBinary, Text, text
from sqlmodel import Field, SQLModel

from ..db import after_commit
from ..context import CORRELATION_HEADER, get_causation_id, get_correlation_id
from kinerja_contracts.events.envelope import EventPayload, new_envelope
from kinerja_contracts.values import Actor


class OutboxMessage(SQLModel, table=True):
    """An event waiting to be (or already) published."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_unsent",
            "created_at",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    subject: str = Field(max_length=200)
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    headers: str = Field(sa_column=Column(Text, nullable=False, default="{}"))
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    sent_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


_wakeups: list[Callable[[], None]] = []


def outbox_wakeups() -> list[Callable[[], None]]:
    """Callbacks run after any commit that wrote outbox rows (the relay's wake)."""
    return _wakeups


def _wake_relays() -> None:
    for wake in list(_wakeups):
        wake()


def add_event(
    session: Any,
    data: EventPayload,
    *,
    actor: Actor | None = None,
    event_id: uuid.UUID | None = None,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> uuid.UUID:
    """Stage ``data`` for publication in the caller's transaction.

    The correlation and causation ids default to the current context's. Pass
    ``event_id`` to make the event deterministic (scheduler ticks).
    """
    env = new_envelope(
        data,
        correlation_id=correlation_id or get_correlation_id(),
        causation_id=causation_id if causation_id is not None else get_causation_id(),
        actor=actor,
        event_id=event_id,
    )
    headers = {CORRELATION_HEADER: env.correlation_id, "Kinerja-Event-Type": env.event_type}
    row = OutboxMessage(
        id=env.event_id,
        subject=data.subject,
        payload=env.model_dump_json().encode(),
        headers=json.dumps(headers),
        created_at=env.occurred_at,
    )
    session.add(row)
    after_commit(session, _wake_relays)
    return env.event_id
