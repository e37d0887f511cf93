"""Database tables of the notification service."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_contracts.calendar import utcnow
from sqlalchemy import Column, DateTime, Index, Text, text
from sqlmodel import Field, SQLModel


class Recipient(SQLModel, table=True):
    """A person's own mail preferences (NIP -> locale, digest), nothing else.

    Who the person is, their instansi and their address come only from the
    directory (the ``directory_person`` projection, kinerja_platform.directory_view),
    never from an event. A row exists once the person (or an unsubscribe link)
    set a preference; ``digest``/``locale`` None = the service default.
    ``version`` counts changes made through the API (stale writes get 409).
    """

    __tablename__ = "recipient"

    nip: str = Field(primary_key=True, max_length=18)
    locale: str | None = Field(default=None, max_length=8, description="id or en; None = the service default")
    digest: bool | None = Field(default=None)
    version: int = Field(default=1)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class Delivery(SQLModel, table=True):
    """One e-mail for one (event, recipient): the delivery log.

    Status: ``pending`` (queued or waiting for a retry), ``sent``, ``failed``
    (refused permanently, or out of attempts), ``undeliverable`` (the directory has no active person or no address),
    ``superseded`` (a newer mail about the same thing replaced it before it
    went: a re-rating within the window, ``coalesce_key``).
    """

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_due", "next_attempt_at", postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("ix_delivery_recipient", "recipient_nip", "created_at"),
        Index("ix_delivery_coalesce", "recipient_nip", "coalesce_key",
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
    )

    event_id: uuid.UUID = Field(primary_key=True)
    recipient_nip: str = Field(primary_key=True, max_length=18)
    kind: str = Field(max_length=64, description="which e-mail, e.g. approval.returned")
    event_type: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=320)
    locale: str = Field(default="id", max_length=8)
    subject: str = Field(max_length=500)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message_id: str = Field(max_length=200)
    status: str = Field(default="pending", index=True, max_length=16,
                        description="pending | sent | failed | undeliverable | superseded")
    coalesce_key: str | None = Field(default=None, max_length=200,
                                     description="mails with the same key replace each other while waiting")
    priority: int = Field(default=0, description="0: a person's own workflow mail; 1: bulk (announcements to many, digests)")
    attempts: int = 0
    resends: int = 0
    leased_by: str | None = Field(default=None, max_length=64,
                                  description="the delivery worker holding the row's lease (until next_attempt_at)")
    version: int = 1
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    correlation_id: str | None = Field(default=None, max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    next_attempt_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    sent_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class DigestItem(SQLModel, table=True):
    """An SKP waiting for a penilai who gets a digest instead of one mail each.

    Status: ``pending`` (goes into the next summary), ``sent`` (was in the
    summary ``digest_event_id``), ``resolved`` (decided or reassigned first).
    """

    __tablename__ = "digest_item"
    __table_args__ = (Index("ix_digest_item_pending", "recipient_nip", "status", "created_at"),)

    event_id: uuid.UUID = Field(primary_key=True)
    recipient_nip: str = Field(primary_key=True, max_length=18)
    skp_id: uuid.UUID = Field(index=True)
    pegawai_nip: str = Field(max_length=18)
    pegawai_nama: str = Field(max_length=300)
    periode_mulai: dt.date | None = None
    periode_selesai: dt.date | None = None
    resubmission: bool = False
    sequence: int | None = Field(default=None, description="approval transition number (ApprovalRequested)")
    reminder_days: int | None = None
    status: str = Field(default="pending", max_length=16)
    digest_event_id: uuid.UUID | None = None
    correlation_id: str | None = Field(default=None, max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class SkpSettlement(SQLModel, table=True):
    """The latest approval transition that took an SKP out of a penilai's
    inbox (approved, returned, reassigned). Events of different types arrive
    in any order: a request older than this never enters a digest."""

    __tablename__ = "skp_settlement"

    skp_id: uuid.UUID = Field(primary_key=True)
    sequence: int
