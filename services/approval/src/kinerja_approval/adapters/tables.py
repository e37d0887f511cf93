"""Database tables of the approval service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ApprovalCase(SQLModel, table=True):
    """The approval state of one SKP, as the approval service decides it."""

    __tablename__ = "approval_case"

    skp_id: uuid.UUID = Field(primary_key=True)
    status: str = Field(index=True, max_length=16)
    version: int = Field(description="SKP version under decision")
    content_hash: str = Field(max_length=64)
    sequence: int = Field(default=0, description="number of transitions so far")
    pegawai_nip: str = Field(index=True, max_length=18)
    penilai_nip: str = Field(index=True, max_length=18)
    pegawai: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    penilai: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    atasan_penilai: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    periode: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    jenis_pegawai: str = Field(max_length=32)
    unit_kerja: str | None = Field(default=None, index=True, max_length=300)
    instansi: str | None = Field(default=None, index=True, max_length=300)
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    pending_since: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class ApprovalTransition(SQLModel, table=True):
    """Audit trail: one append-only row per transition."""

    __tablename__ = "approval_transition"

    id: int | None = Field(default=None, primary_key=True)
    skp_id: uuid.UUID = Field(index=True)
    sequence: int
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    action: str = Field(max_length=16)
    actor: str = Field(max_length=64)
    actor_role: str = Field(max_length=16)
    on_behalf_of: str | None = Field(default=None, max_length=18)
    version: int
    content_hash: str = Field(max_length=64)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
