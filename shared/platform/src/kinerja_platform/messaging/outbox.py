"""Transactional outbox: an event is a row written in the same transaction
as the state change it reports. The relay publishes it later.

Row id = ``event_id`` = ``Nats-Msg-Id``: a relay that crashes after
publishing and before marking the row is absorbed by JetStream's
de-duplication window and, beyond it, by the consumers' ``processed_event`` rows.

Emit once per key: the one way every service sends an event at most once
for a business key (a reminder per SKP and deadline, a scheduler tick) is
:func:`add_event_once` with a deterministic ``event_id`` (``uuid5`` of the
key): the outbox's primary key is the record that it was sent. Outbox rows
are kept (never pruned), so the record lasts.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import Column, DateTime, Index, LargeBinary, Text, event, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as _SyncSession
from sqlmodel import Field, SQLModel

from ..db import OUTBOX_WAKE, after_commit, dialect_of, execute
from ..context import CORRELATION_HEADER, get_causation_id, get_correlation_id
from ..tracing import inject
from kinerja_contracts.events.envelope import EventPayload, new_envelope
from kinerja_contracts.values import Actor


#: header of every event about one SKP: its id (docs/operations.md, "The journey of one SKP")
SKP_HEADER = "Kinerja-Skp-Id"


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


def _wake_after_commit(session: Any) -> None:
    """Run the unit of work's ``on_outbox_commit`` (the relay's wake) once the
    transaction commits; a session without one leaves the relay to its poll."""
    wake = getattr(session, "sync_session", session).info.get(OUTBOX_WAKE)
    if wake is not None:
        after_commit(session, wake)


def _row(
    data: EventPayload, actor: Actor | None, event_id: uuid.UUID | None, correlation_id: str | None,
    causation_id: str | None,
) -> dict[str, Any]:
    env = new_envelope(
        data,
        correlation_id=correlation_id or get_correlation_id(),
        causation_id=causation_id if causation_id is not None else get_causation_id(),
        actor=actor,
        event_id=event_id,
    )
    headers = {CORRELATION_HEADER: env.correlation_id, "Kinerja-Event-Type": env.event_type}
    skp_id = getattr(data, "skp_id", None)
    if skp_id is not None:  # the SKP it is about, readable without the body (nats CLI, dead letters)
        headers[SKP_HEADER] = str(skp_id)
    inject(headers)  # the trace context (traceparent) when tracing is on and a span is current
    return dict(id=env.event_id, subject=data.subject, payload=env.model_dump_json().encode(),
                headers=json.dumps(headers), created_at=env.occurred_at, attempts=0)


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

    The row is written when that transaction commits (one INSERT for all the
    rows it staged, just before the COMMIT), not at a flush: a query of the
    outbox in the same transaction does not see it yet, and it is not meant
    to be called from a flush event (the commit's own flush runs after the
    rows are written). The correlation and causation ids default to the current context's. For
    an event sent once per key use :func:`add_event_once`.
    """
    values = _row(data, actor, event_id, correlation_id, causation_id)
    sync = getattr(session, "sync_session", session)
    if sync.in_nested_transaction():
        # inside a SAVEPOINT the staged list could not tell which rows a rolled-back savepoint dropped:
        # there the row is an ORM object, which the savepoint's rollback expunges (no service does this today)
        session.add(OutboxMessage(**values))
        _wake_after_commit(session)
        return values["id"]
    if not sync.in_transaction():
        sync.begin()  # as session.add would (autobegin, no I/O): the row belongs to this transaction
    pending = sync.info.get(_PENDING)
    if pending is None:
        pending = sync.info[_PENDING] = []
    pending.append(values)
    _wake_after_commit(session)
    return values["id"]


_TABLE = OutboxMessage.__table__

# --- staged rows: written with one Core INSERT when the transaction commits --------------------------------------------
# ``add_event`` is synchronous (callers stage an event beside their ORM changes), so it cannot run a statement itself.
# It used to add an ``OutboxMessage`` object for the ORM flush: building the SQLModel object (~45 us) and flushing it
# cost about twice the CPU of a Core INSERT of the same row. The rows now wait in the session's ``info`` and go out as
# one Core INSERT (every row of the transaction) just before it commits, in the same transaction; a rollback, or a
# transaction that ends without committing, drops them.

#: key in a session's ``info`` of the outbox rows staged by add_event, not yet written
_PENDING = "kinerja.outbox_pending"
_INSERT = insert(_TABLE)


@event.listens_for(_SyncSession, "before_commit")
def _write_staged(session) -> None:  # pragma: no cover - exercised by every add_event test
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(_INSERT, rows)  # Core on the transaction's connection: no ORM execute


@event.listens_for(_SyncSession, "after_transaction_end")
def _drop_staged(session, transaction) -> None:  # pragma: no cover
    if transaction.parent is None:  # the outermost transaction ended (committed: the rows are written already)
        session.info.pop(_PENDING, None)
_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}
_ONCE: dict[str, Any] = {}


def _insert_once(dialect: str):
    stmt = _ONCE.get(dialect)
    if stmt is None:
        make = _INSERTS.get(dialect)  # None: another database, not supported (plain INSERT)
        stmt = insert(_TABLE) if make is None else make(_TABLE).on_conflict_do_nothing(index_elements=["id"])
        _ONCE[dialect] = stmt
    return stmt


async def add_event_once(
    session: Any,
    data: EventPayload,
    *,
    event_id: uuid.UUID,
    actor: Actor | None = None,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> bool:
    """Write ``data`` to the outbox unless an event with ``event_id`` is
    already there; True when it was written.

    ``event_id`` is deterministic (``uuid5`` of the business key), so a rerun,
    a second replica or a replayed tick finds the row and writes nothing:
    INSERT .. ON CONFLICT DO NOTHING, safe against two transactions racing
    (the second waits for the first and then inserts nothing)."""
    values = _row(data, actor, event_id, correlation_id, causation_id)
    result = await execute(session, _insert_once(dialect_of(session)), values)
    if result.rowcount != 1:
        return False
    _wake_after_commit(session)
    return True


async def emitted(session: Any, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``event_ids`` are in the outbox already (one query; a scan
    skips them before building their events)."""
    found: set[uuid.UUID] = set()
    for i in range(0, len(event_ids), 5000):  # within every database's limit of bound parameters
        part = event_ids[i: i + 5000]
        rows = await execute(session, select(_TABLE.c.id).where(_TABLE.c.id.in_(part)), {})
        found.update(rows.scalars().all())
    return found
