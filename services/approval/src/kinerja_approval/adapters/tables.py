"""Database tables of the approval service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kinerja_contracts.calendar import utcnow
from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel


class ApprovalCase(SQLModel, table=True):
    """The approval state of one SKP, as the approval service decides it."""

    __tablename__ = "approval_case"

    skp_id: uuid.UUID = Field(primary_key=True)
    status: str = Field(index=True, max_length=16)
    version: int = Field(description="SKP version under decision")
    content_hash: str = Field(max_length=64)
    sequence: int = Field(default=0, description="number of transitions so far")
    pegawai_nip: str = Field(index=True, max_length=18)
    penilai_nip: str | None = Field(default=None, index=True, max_length=18,
                                    description="null while the case is unrouted (see unrouted_reason)")
    pegawai: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    penilai: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    routed_by: str | None = Field(default=None, max_length=16,
                                  description="who chose the penilai: directory or admin (domain.routing.RoutedBy)")
    unrouted_reason: str | None = Field(default=None, max_length=64,
                                        description="why the directory gives no penilai (domain.routing.Unrouted)")
    atasan_pejabat_penilai: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    replaced_penilai: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"),
        description="NIPs an admin replaced by reassignment: a resubmission naming one of them keeps the current penilai",
    )
    periode: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    jenis_pegawai: str = Field(max_length=32)
    unit_kerja: str | None = Field(default=None, index=True, max_length=300)
    instansi: str | None = Field(default=None, index=True, max_length=300)
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    periode_mulai: dt.date | None = Field(default=None, index=True)
    periode_selesai: dt.date | None = Field(default=None, index=True)
    pending_since: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    pending_round: int | None = Field(default=None, description="sequence at which the SKP last entered Pending")
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class ApprovalTransition(SQLModel, table=True):
    """Audit trail: one append-only row per transition.

    ``(skp_id, sequence)`` is unique: two decisions racing on one SKP cannot
    both be recorded. UPDATE and DELETE are refused by the ORM guard below and,
    in the database, by triggers (migration ``append_only_audit``).
    """

    __tablename__ = "approval_transition"
    __table_args__ = (UniqueConstraint("skp_id", "sequence", name="uq_approval_transition_skp_sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    skp_id: uuid.UUID = Field(index=True)
    sequence: int
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    action: str = Field(max_length=16)
    actor: str = Field(max_length=64)
    actor_role: str = Field(max_length=16)
    on_behalf_of: str | None = Field(default=None, max_length=18)
    penilai_nip: str | None = Field(default=None, max_length=18, description="the pejabat penilai after this transition")
    version: int
    content_hash: str = Field(max_length=64)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(ApprovalTransition, "before_update")
def _refuse_update(mapper, connection, target) -> None:  # pragma: no cover - guard
    raise AuditTrailIsAppendOnly("approval_transition rows cannot be updated")


@event.listens_for(ApprovalTransition, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:  # pragma: no cover - guard
    raise AuditTrailIsAppendOnly("approval_transition rows cannot be deleted")


class ApprovalVersion(SQLModel, table=True):
    """Every SKP version submitted for approval, as submitted (for the diff an
    atasan sees against the version they returned)."""

    __tablename__ = "approval_version"

    skp_id: uuid.UUID = Field(primary_key=True)
    version: int = Field(primary_key=True)
    content_hash: str = Field(max_length=64)
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class PenugasanRow(SQLModel, table=True):
    """An acting assignment (Plt/Plh) an admin recorded: ``delegate_nip``
    decides for ``penilai_nip`` from ``mulai`` to ``selesai`` (Asia/Jakarta dates)."""

    __tablename__ = "penugasan"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    delegate_nip: str = Field(index=True, max_length=18)
    penilai_nip: str = Field(index=True, max_length=18)
    jenis: str = Field(max_length=8)
    mulai: dt.date
    selesai: dt.date
    instansi: str | None = Field(default=None, max_length=300)
    nomor_sk: str | None = Field(default=None, max_length=200)
    created_by: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    revoked_by: str | None = Field(default=None, max_length=64)
