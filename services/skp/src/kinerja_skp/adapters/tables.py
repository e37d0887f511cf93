"""Database tables of the skp service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kinerja_contracts.calendar import utcnow
from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class SkpDocument(SQLModel, table=True):
    """The current state of one SKP (one pegawai, one period)."""

    __tablename__ = "skp_document"
    __table_args__ = (UniqueConstraint("nip", "periode_mulai", "periode_selesai", name="uq_skp_nip_periode"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    nip: str = Field(index=True, max_length=18)
    nama: str | None = Field(default=None, max_length=300)
    tahun: int = Field(default=0, index=True, description="year of the period (periods lie inside one year)")
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
    catatan_perbaikan: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tanggal_sk: dt.date | None = None
    persetujuan: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True),
        description="the approval: penilai snapshot, decided_by, on_behalf_of, at (from approval.approved)",
    )
    penilai_override: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True),
        description="another pejabat penilai set by an admin of the instansi: nip, alasan, by, role, at",
    )
    created_by: str | None = Field(default=None, max_length=64)
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
    penilai_override: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True),
        description="the admin's penilai in force at this version (nip, alasan, by, role, at), if any",
    )
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class DeadlineExtension(SQLModel, table=True):
    """An admin's extension of the SKP submission deadline, for a unit kerja
    or for one pegawai, within the admin's instansi and one year."""

    __tablename__ = "skp_deadline_extension"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    instansi: str = Field(index=True, max_length=300)
    tahun: int = Field(index=True)
    unit_kerja: str | None = Field(default=None, max_length=300, description="extension for a whole unit kerja")
    nip: str | None = Field(default=None, max_length=18, description="or for one pegawai")
    sampai: dt.date = Field(description="new deadline (inclusive, Asia/Jakarta)")
    alasan: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    granted_by: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class ImportJob(SQLModel, table=True):
    """A workbook import that runs in the background; its progress and per-row report."""

    __tablename__ = "skp_import_job"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner: str = Field(index=True, max_length=64)
    filename: str | None = Field(default=None, max_length=300)
    status: str = Field(default="running", max_length=16)  # running, done, failed
    total: int = 0
    processed: int = 0
    report: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
