"""Database tables of the skp service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SkpDocument(SQLModel, table=True):
    """The current state of one SKP (one pegawai, one period)."""

    __tablename__ = "skp_document"
    __table_args__ = (UniqueConstraint("nip", "periode_mulai", "periode_selesai", name="uq_skp_nip_periode"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    nip: str = Field(index=True, max_length=18)
    periode_mulai: dt.date
    periode_selesai: dt.date
    jenis_pegawai: str = Field(max_length=32)
    unit_kerja: str | None = Field(default=None, index=True, max_length=300)
    instansi: str | None = Field(default=None, index=True, max_length=300)
    penilai_nip: str = Field(index=True, max_length=18)
    status: str = Field(default="Draft", index=True, max_length=16)
    version: int = 1
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    approval_sequence: int = 0
    catatan_revisi: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class SkpVersion(SQLModel, table=True):
    """Every saved version of an SKP's content (for history and diffs)."""

    __tablename__ = "skp_version"

    skp_id: uuid.UUID = Field(primary_key=True)
    version: int = Field(primary_key=True)
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    created_by: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
