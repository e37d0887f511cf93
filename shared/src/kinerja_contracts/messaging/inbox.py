"""Idempotent consumer: remember each processed ``event_id`` per consumer in
the same transaction as the effect. A redelivered event finds its row and is
acknowledged without running the effect again."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Column, DateTime, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel


class InboxRecord(SQLModel, table=True):
    """An event a consumer has processed."""

    __tablename__ = "inbox"

    consumer: str = Field(primary_key=True, max_length=120)
    event_id: uuid.UUID = Field(primary_key=True)
    processed_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


async def claim(session, consumer: str, event_id: uuid.UUID) -> bool:
    """Record ``event_id`` for ``consumer``; False when it was already there.

    Uses INSERT .. ON CONFLICT DO NOTHING, so two replicas racing on the same
    event cannot both win: the loser's transaction sees zero rows inserted.
    """
    values = {"consumer": consumer, "event_id": event_id, "processed_at": dt.datetime.now(dt.UTC)}
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    table = InboxRecord.__table__
    if dialect == "postgresql":
        stmt = pg_insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - other databases are not supported
        stmt = insert(table).values(**values)
    result = await session.exec(stmt) if hasattr(session, "exec") else await session.execute(stmt)
    return result.rowcount == 1
