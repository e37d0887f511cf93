"""Consumer de-duplication: remember each processed ``event_id`` per consumer
(table ``processed_event``) in the same transaction as the effect. A
redelivered event finds its row and is acknowledged without running the
effect again. ("Inbox" is the approval service's list of SKPs waiting for a
pejabat penilai, not this table.)"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Column, DateTime, bindparam, insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from ..db import dialect_of, execute


class ProcessedEvent(SQLModel, table=True):
    """An event a consumer has processed."""

    __tablename__ = "processed_event"

    consumer: str = Field(primary_key=True, max_length=120)
    event_id: uuid.UUID = Field(primary_key=True)
    processed_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


_TABLE = ProcessedEvent.__table__
_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}
#: prebuilt statements, per dialect (and per number of rows for claim_many):
#: building INSERT .. ON CONFLICT per call was a measurable share of a consumer's CPU
_CLAIM_ONE: dict[str, object] = {}
_CLAIM_MANY: dict[tuple[str, int], object] = {}


def _row(i: int | str) -> dict:
    return {
        "consumer": bindparam("consumer", type_=_TABLE.c.consumer.type),
        "event_id": bindparam(f"event_id{i}", type_=_TABLE.c.event_id.type),
        "processed_at": bindparam("processed_at", type_=_TABLE.c.processed_at.type),
    }


def _claim_one(dialect: str):
    stmt = _CLAIM_ONE.get(dialect)
    if stmt is None:
        make = _INSERTS.get(dialect)
        if make is None:  # pragma: no cover - other databases are not supported
            stmt = insert(_TABLE).values(**_row(""))
        else:
            stmt = make(_TABLE).values(**_row("")).on_conflict_do_nothing()
        _CLAIM_ONE[dialect] = stmt
    return stmt


def _claim_many(dialect: str, n: int):
    stmt = _CLAIM_MANY.get((dialect, n))
    if stmt is None:
        stmt = (
            _INSERTS[dialect](_TABLE)
            .values([_row(i) for i in range(n)])
            .on_conflict_do_nothing()
            .returning(_TABLE.c.event_id)
        )
        _CLAIM_MANY[(dialect, n)] = stmt
    return stmt


async def claim(session, consumer: str, event_id: uuid.UUID) -> bool:
    """Record ``event_id`` for ``consumer``; False when it was already there.

    Uses INSERT .. ON CONFLICT DO NOTHING, so two replicas racing on the same
    event cannot both win: the loser's transaction sees zero rows inserted.
    """
    params = {"consumer": consumer, "event_id": event_id, "processed_at": dt.datetime.now(dt.UTC)}
    result = await execute(session, _claim_one(dialect_of(session)), params)
    return result.rowcount == 1


#: PostgreSQL: every id of a batch as one array parameter (one statement whatever the batch size), and the
#: transaction's lock timeout set by the same statement, before its first row is claimed (it was a statement, and a
#: round trip, of its own per batch)
_CLAIM_MANY_LOCK_TIMEOUT = text(
    "INSERT INTO processed_event (consumer, event_id, processed_at) "
    "SELECT CAST(:consumer AS VARCHAR), e, CAST(:processed_at AS TIMESTAMP WITH TIME ZONE) "
    "FROM unnest(CAST(:ids AS UUID[])) WITH ORDINALITY AS claimed(e, n) "
    "WHERE set_config('lock_timeout', :lock_timeout, true) IS NOT NULL "
    "ORDER BY n "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)


async def claim_many(session, consumer: str, event_ids: list[uuid.UUID], *,
                     lock_timeout_ms: int | None = None) -> set[uuid.UUID]:
    """Record several events for ``consumer`` with one statement; the ids that
    were new (the others were processed before). Repeats in ``event_ids`` are
    claimed once.

    ``lock_timeout_ms`` (PostgreSQL; ignored elsewhere): the transaction's
    ``lock_timeout`` from this statement on (``SET LOCAL``), set by the same
    statement before it claims anything."""
    ids = sorted(set(event_ids))  # one order for every replica: no deadlock between two batches
    if not ids:
        return set()
    dialect = dialect_of(session)
    if lock_timeout_ms and dialect == "postgresql":
        result = await execute(session, _CLAIM_MANY_LOCK_TIMEOUT, {
            "consumer": consumer, "processed_at": dt.datetime.now(dt.UTC), "ids": ids,
            "lock_timeout": f"{int(lock_timeout_ms)}ms"})
        return {row[0] for row in result.all()}
    if dialect not in _INSERTS:  # pragma: no cover - other databases are not supported
        return {e for e in ids if await claim(session, consumer, e)}
    params: dict = {"consumer": consumer, "processed_at": dt.datetime.now(dt.UTC)}
    params.update({f"event_id{i}": e for i, e in enumerate(ids)})
    result = await execute(session, _claim_many(dialect, len(ids)), params)
    return {row[0] for row in result.all()}
