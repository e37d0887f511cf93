"""Database tables of the notification service."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Column, DateTime, Index, Text, text
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Recipient(SQLModel, table=True):
    """Directory entry built from identities carried in events (NIP -> name, e-mail)."""

    __tablename__ = "recipient"

    nip: str = Field(primary_key=True, max_length=18)
    nama: str = Field(max_length=300)
    email: str | None = Field(default=None, max_length=320)
    email_corrected: bool = Field(default=False, description="set by an admin: events no longer overwrite it")
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class Delivery(SQLModel, table=True):
    """One e-mail for one (event, recipient): the delivery log."""

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_due", "next_attempt_at", postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
    )

    event_id: uuid.UUID = Field(primary_key=True)
    recipient_nip: str = Field(primary_key=True, max_length=18)
    kind: str = Field(max_length=64, description="which e-mail, e.g. approval.returned")
    email: str | None = Field(default=None, max_length=320)
    subject: str = Field(max_length=500)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message_id: str = Field(max_length=200)
    status: str = Field(default="pending", index=True, max_length=16, description="pending | sent | failed | undeliverable")
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    correlation_id: str | None = Field(default=None, max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    next_attempt_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    sent_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
