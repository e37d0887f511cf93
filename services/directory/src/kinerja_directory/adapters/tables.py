"""Database tables of the directory service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PersonRow(SQLModel, table=True):
    """A person: the id, the instansi that holds the entry (of the record that
    starts last), and the version (+1 per change, compare-and-set on write)."""

    __tablename__ = "person"

    person_id: str = Field(primary_key=True, max_length=64)
    instansi: str = Field(index=True, max_length=300)
    version: int = Field(default=0)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class PersonRecordRow(SQLModel, table=True):
    """One dated record of a person (the riwayat is the rows of one person_id)."""

    __tablename__ = "person_record"
    __table_args__ = (
        UniqueConstraint("person_id", "berlaku_mulai", name="uq_person_record_start"),
        Index("ix_person_record_instansi_nama", "instansi", "nama"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(index=True, max_length=64)
    berlaku_mulai: dt.date
    berlaku_sampai: dt.date | None = None
    nip: str | None = Field(default=None, max_length=18)
    nrk: str | None = Field(default=None, max_length=32)
    nama: str = Field(max_length=300)
    jenis_asn: str | None = Field(default=None, max_length=32)
    pangkat_golongan: str | None = Field(default=None, max_length=100)
    jabatan: str | None = Field(default=None, max_length=300)
    jenis_jabatan: str | None = Field(default=None, max_length=32)
    unit_id: str | None = Field(default=None, max_length=64)
    instansi: str = Field(max_length=300)
    email: str | None = Field(default=None, max_length=320)
    aktif: bool = True
    atasan_id: str | None = Field(default=None, index=True, max_length=64)


class UnitRow(SQLModel, table=True):
    """A unit kerja; its code is the instansi's own (two instansi may use the same code)."""

    __tablename__ = "unit_kerja"

    instansi: str = Field(primary_key=True, max_length=300)
    unit_id: str = Field(primary_key=True, max_length=64)
    nama: str = Field(max_length=300)
    induk_id: str | None = Field(default=None, max_length=64)
    aktif: bool = True
    version: int = Field(default=1)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class ChangeRow(SQLModel, table=True):
    """The audit trail: one append-only row per version of a person or a unit,
    with who changed what, when, through which door (api, bulk, import).

    UPDATE and DELETE are refused by the ORM guard below."""

    __tablename__ = "directory_change"

    kind: str = Field(primary_key=True, max_length=8)  # "person" or "unit"
    entity_id: str = Field(primary_key=True, max_length=370)  # person_id, or "<instansi>/<unit_id>"
    version: int = Field(primary_key=True)
    instansi: str = Field(max_length=300)
    actor_sub: str = Field(max_length=64)
    actor_role: str = Field(max_length=16)
    source: str = Field(max_length=8)
    perubahan: str = Field(max_length=16)
    berlaku_mulai: dt.date | None = None
    changed_fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    record: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(ChangeRow, "before_update")
def _refuse_update(mapper, connection, target) -> None:  # pragma: no cover - guard
    raise AuditTrailIsAppendOnly("directory_change rows cannot be updated")


@event.listens_for(ChangeRow, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:  # pragma: no cover - guard
    raise AuditTrailIsAppendOnly("directory_change rows cannot be deleted")


class ImportJob(SQLModel, table=True):
    """An import of a CSV/XLSX file: progress while it runs, the per-row report after."""

    __tablename__ = "import_job"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner: str = Field(max_length=64)
    instansi: str = Field(index=True, max_length=300)
    filename: str | None = Field(default=None, max_length=300)
    status: str = Field(default="running", max_length=16)
    total: int | None = None
    processed: int = 0
    summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    report: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
