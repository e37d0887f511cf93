"""Request and response bodies of the approval API (with Indonesian examples)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from kinerja_contracts.lifecycle import SkpStatus
from kinerja_contracts.skp import SkpSnapshot
from kinerja_contracts.values import STORED, Nip, Pegawai, Periode, Tanggal, UtcDatetime
from kinerja_platform.web.openapi import DocumentedAs
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..domain.authority import JenisPenugasan
from ..service_layer.cases import Case, Transition
from ..service_layer.penugasan import Record

EXAMPLE_SKP = "0b6f2a52-7d0e-4e0a-9a51-2f6c1f1f8c11"
EXAMPLE_HASH = "9f2c5d1e0a7b4c3d8e6f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"


class CaseOut(BaseModel):
    """An SKP in the approval workflow."""

    skp_id: uuid.UUID
    status: SkpStatus
    version: int = Field(description="the SKP version under decision: send it back with a decision")
    content_hash: str = Field(description="sha256 of that version's content; may be sent back too")
    sequence: int = Field(description="number of transitions so far")
    pegawai: Pegawai
    penilai: Pegawai | None = Field(description="the current pejabat penilai (from the directory); null while unrouted")
    atasan_pejabat_penilai: Pegawai | None = None
    routed_by: Literal["directory", "admin"] | None = Field(
        default=None, description="who chose the penilai: the directory (the pegawai's superior) or an admin's "
                                  "reassignment; null while unrouted (and for cases routed before the directory)")
    unrouted_reason: str | None = Field(
        default=None, description="why the directory names no penilai (pegawai-not-in-directory, no-superior, "
                                  "superior-not-valid, penilai-without-nip, penilai-is-pegawai): the admin reassigns it")
    periode: Periode
    jenis_pegawai: str
    unit_kerja: str | None
    instansi: str | None
    pending_since: UtcDatetime | None = Field(description="waiting in an inbox since (null unless Pending)")
    on_behalf_of: str | None = Field(default=None, description="NIP of the penilai you act for (Plt/Plh), if not yourself")

    @classmethod
    def of(cls, c: Case, on_behalf_of: str | None = None) -> CaseOut:
        """The answer for a stored case (or a row of its columns): read back from
        storage (context STORED), so the bounds every write applied are not checked again."""
        return cls.model_validate(dict(
            skp_id=c.skp_id, status=c.status, version=c.version, content_hash=c.content_hash,
            sequence=c.sequence, pegawai=c.pegawai, penilai=c.penilai, atasan_pejabat_penilai=c.atasan_pejabat_penilai,
            routed_by=c.routed_by, unrouted_reason=c.unrouted_reason, periode=c.periode, jenis_pegawai=c.jenis_pegawai,
            unit_kerja=c.unit_kerja, instansi=c.instansi, pending_since=c.pending_since, on_behalf_of=on_behalf_of,
        ), context=STORED)


class InboxCounts(BaseModel):
    sendiri: int = Field(description="SKPs of which you are the pejabat penilai")
    delegasi: int = Field(description="SKPs you decide as Plt/Plh for another penilai")


class InboxOut(BaseModel):
    count: int = Field(description="all matching SKPs (not only this page)")
    counts: InboxCounts
    oldest_pending_since: UtcDatetime | None
    limit: int
    offset: int
    items: list[CaseOut] = Field(description="oldest first")

    model_config = ConfigDict(json_schema_extra={"example": {
        "count": 1, "counts": {"sendiri": 1, "delegasi": 0}, "oldest_pending_since": "2026-01-12T01:30:00Z",
        "limit": 100, "offset": 0,
        "items": [{"skp_id": EXAMPLE_SKP, "status": "Pending", "version": 2, "content_hash": EXAMPLE_HASH, "sequence": 3,
                   "pegawai": {"nip": "199503152025212001", "nama": "Siti Rahmawati"},
                   "penilai": {"nip": "197806102005011002", "nama": "Budi Santoso, S.Pd., M.M."},
                   "atasan_pejabat_penilai": None, "routed_by": "directory", "unrouted_reason": None, "periode": {"mulai": "2025-09-01", "selesai": "2025-12-31"},
                   "jenis_pegawai": "PPPK_PARUH_WAKTU", "unit_kerja": "Suku Dinas Pendidikan Wilayah I",
                   "instansi": "Pemerintah Provinsi DKI Jakarta", "pending_since": "2026-01-12T01:30:00Z",
                   "on_behalf_of": None}],
    }})


class CaseListOut(BaseModel):
    count: int = Field(description="all matching cases (not only this page)")
    limit: int
    offset: int
    items: list[CaseOut] = Field(description="Pending first, longest waiting first")


class ChangeOut(BaseModel):
    path: str = Field(examples=["hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai"])
    kind: Literal["added", "removed", "changed"]
    before: Any = None
    after: Any = None


class ReturnedOut(BaseModel):
    version: int
    catatan_perbaikan: str | None
    by: str
    at: UtcDatetime


class DetailOut(BaseModel):
    """One SKP as its decider sees it."""

    case: CaseOut
    snapshot: Annotated[dict[str, Any], DocumentedAs(SkpSnapshot)] = Field(
        description="the SKP document of this version, as the submission event carried it")
    allowed_actions: list[str]
    returned: ReturnedOut | None = Field(description="the last time it was returned for revision")
    diff: list[ChangeOut] | None = Field(description="changes since the returned version (null: nothing returned before)")


class DecisionIn(BaseModel):
    version: int = Field(ge=1, description="the SKP version you reviewed", examples=[2])
    content_hash: str | None = Field(default=None, max_length=64,
                                     description="optional: the content hash you reviewed; a mismatch is refused like a stale version")

    model_config = ConfigDict(json_schema_extra={"example": {"version": 2}})


class ReturnIn(DecisionIn):
    catatan_perbaikan: str = Field(max_length=4000, description="Catatan Perbaikan: what to fix (at least 10 characters)")

    model_config = ConfigDict(json_schema_extra={"example": {
        "version": 1, "catatan_perbaikan": "Target IKI rhk-1 belum sesuai: seharusnya 12 laporan per tahun, bukan 4."}})


class BatchItemIn(DecisionIn):
    skp_id: uuid.UUID


class BatchApproveIn(BaseModel):
    items: list[BatchItemIn] = Field(min_length=1)

    model_config = ConfigDict(json_schema_extra={"example": {"items": [
        {"skp_id": EXAMPLE_SKP, "version": 2},
        {"skp_id": "5c1d8e3a-6a4f-4b11-8c7e-0d2a9e4b7f60", "version": 1},
    ]}})


class BatchResult(BaseModel):
    skp_id: uuid.UUID
    status: int = Field(description="HTTP status this item would have had alone: 200, 403, 404, 409, ...")
    code: str | None = Field(default=None, description="problem code when refused")
    detail: str | None = None
    case: CaseOut | None = None


class BatchApproveOut(BaseModel):
    approved: int
    refused: int
    results: list[BatchResult] = Field(description="one per item, in request order")


class PenilaiRef(BaseModel):
    """A person named by NIP; any other field sent is ignored (the identity comes from the directory)."""

    nip: Nip


class ReassignIn(BaseModel):
    version: int = Field(ge=1, description="the SKP version now Pending")
    penilai_nip: Nip | None = Field(default=None, description="the new pejabat penilai: an active person of the SKP's "
                                                              "instansi in the directory")
    penilai: PenilaiRef | None = Field(default=None, description="older form of penilai_nip: only `nip` is read; name, "
                                                                 "e-mail and the atasan pejabat penilai come from the directory")
    reason: str | None = Field(default=None, max_length=2000, description="why (kept in the audit trail)")

    @model_validator(mode="after")
    def _one_penilai(self) -> ReassignIn:
        if (self.penilai_nip is None) == (self.penilai is None):
            raise ValueError("send penilai_nip (or the older penilai.nip), exactly one of them")
        return self

    @property
    def new_penilai_nip(self) -> str:
        return self.penilai_nip or (self.penilai.nip if self.penilai else "")

    model_config = ConfigDict(json_schema_extra={"example": {
        "version": 2, "penilai_nip": "198202142006041001",
        "reason": "Atasan tercatat salah; pejabat penilai sejak 1 Januari adalah Kasi Sarpras yang baru."}})


class TransitionOut(BaseModel):
    """One row of the audit trail."""

    sequence: int
    from_status: str | None
    to_status: str
    action: str
    actor: str
    actor_role: str
    on_behalf_of: str | None
    penilai_nip: str | None
    version: int
    content_hash: str
    note: str | None
    at: UtcDatetime

    @classmethod
    def of(cls, t: Transition) -> TransitionOut:
        return cls.model_validate(t, from_attributes=True)


class HistoryOut(BaseModel):
    skp_id: uuid.UUID
    status: SkpStatus
    transitions: list[TransitionOut] = Field(description="oldest first")


class PenugasanIn(BaseModel):
    """An acting assignment: Plt (Pelaksana Tugas) or Plh (Pelaksana Harian)."""

    delegate_nip: Nip = Field(description="NIP of the acting official")
    penilai_nip: Nip = Field(description="NIP of the pejabat penilai they act for")
    jenis: JenisPenugasan
    mulai: Tanggal = Field(description="first day (Asia/Jakarta)")
    selesai: Tanggal = Field(description="last day, inclusive (Asia/Jakarta)")
    nomor_sk: str | None = Field(default=None, max_length=200, description="number of the assignment letter")

    model_config = ConfigDict(json_schema_extra={"example": {
        "delegate_nip": "198202142006041001", "penilai_nip": "197806102005011002", "jenis": "Plh",
        "mulai": "2026-01-05", "selesai": "2026-01-16", "nomor_sk": "800/123/SDP-I/2026"}})


class PenugasanOut(BaseModel):
    id: uuid.UUID
    delegate_nip: str
    penilai_nip: str
    jenis: JenisPenugasan
    mulai: dt.date
    selesai: dt.date
    instansi: str | None
    nomor_sk: str | None
    created_by: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None

    @classmethod
    def of(cls, r: Record) -> PenugasanOut:
        return cls.model_validate(r, from_attributes=True)
