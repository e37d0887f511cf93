"""HTTP API of the evaluation service: plans, evaluations, realisasi,
penilaian (umpan balik and ratings), keberatan."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Query
from kinerja_contracts.values import Role, UtcDatetime
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES, ProblemError
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import select

from ..adapters.tables import Evaluation, EvaluationPlan, Keberatan
from ..domain.rating import Predikat, Rating
from ..service_layer import evaluations as uc
from ..service_layer.plans import plan_lines
from .deps import RuntimeDep, actor, forbid, today_of

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=PROBLEM_RESPONSES)


class PlanOut(BaseModel):
    skp_id: uuid.UUID
    nip: str
    version: int
    content_hash: str
    periode: dict[str, Any]
    jenis_pegawai: str | None = None
    rencana: list[dict[str, Any]] = Field(default_factory=list, description="every IKI with annual, monthly (12) and quarterly (4) targets")


@router.get("/plans/{skp_id}", response_model=PlanOut, summary="Rencana evaluasi SKP yang disetujui (evaluation plan)")
async def plan(skp_id: uuid.UUID, principal: CurrentPrincipal, rt: RuntimeDep) -> PlanOut:
    async with rt.uow() as session:
        p = await session.get(EvaluationPlan, skp_id)
    if p is None:
        raise ProblemError(404, "plan-not-found", f"Belum ada rencana evaluasi untuk SKP {skp_id} (no plan yet).")
    if principal.role == Role.admin:
        if principal.instansi and principal.instansi != p.instansi:
            raise ProblemError(403, "forbidden", "SKP ini milik instansi lain (this SKP belongs to another agency).")
    elif principal.sub not in (p.nip, p.penilai_nip):
        raise ProblemError(403, "forbidden", "Anda tidak terkait dengan SKP ini (you are not party to this SKP).")
    return PlanOut(skp_id=p.skp_id, nip=p.nip, version=p.version, content_hash=p.content_hash, periode=p.periode,
                   jenis_pegawai=p.jenis_pegawai, rencana=[x.model_dump() for x in plan_lines(p)])


class EvaluationSummary(BaseModel):
    id: str
    period_id: str
    kind: str
    nip: str
    penilai_nip: str
    unit_kerja: str | None
    status: str
    version: int
    capaian: float | None
    predikat: str | None


class EvaluationOut(BaseModel):
    id: str
    period_id: str
    kind: str
    tahun: int
    bulan: int | None
    skp_id: uuid.UUID
    nip: str
    pegawai: dict[str, Any]
    penilai: dict[str, Any]
    atasan_pejabat_penilai: dict[str, Any] | None
    status: str = Field(description="open (realisasi can be entered) or closed")
    version: int
    capaian_hasil_kerja: float | None
    saran_rating_hasil_kerja: str | None = Field(description="suggested from the capaian; the penilai decides")
    rating_hasil_kerja: str | None
    rating_perilaku: str | None
    predikat: str | None
    umpan_balik: dict[str, Any]
    keberatan_deadline: dt.date | None
    hasil_kerja: list[dict[str, Any]]
    keberatan: dict[str, Any] | None


def _can_read(principal, ev: Evaluation, plan: EvaluationPlan) -> bool:
    if principal.role == Role.admin:
        return principal.instansi is None or principal.instansi == plan.instansi
    return principal.sub in (ev.nip, ev.penilai_nip, ev.atasan_nip)


@router.get("/evaluations", response_model=list[EvaluationSummary],
            summary="Daftar evaluasi: milik saya, bawahan saya (penilai), atau semua (admin)")
async def list_evaluations(principal: CurrentPrincipal, rt: RuntimeDep, period_id: str | None = None,
                           nip: str | None = None, peran: Literal["pegawai", "penilai"] = "pegawai",
                           limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=1_000_000)) -> list[EvaluationSummary]:
    q = select(Evaluation)
    if principal.role == Role.admin:
        if nip:
            q = q.where(Evaluation.nip == nip)
        if principal.instansi:
            q = q.join(EvaluationPlan, EvaluationPlan.skp_id == Evaluation.skp_id).where(EvaluationPlan.instansi == principal.instansi)
    elif peran == "penilai":
        q = q.where(Evaluation.penilai_nip == principal.sub)
        if nip:
            q = q.where(Evaluation.nip == nip)
    else:
        q = q.where(Evaluation.nip == principal.sub)
    if period_id:
        q = q.where(Evaluation.period_id == period_id)
    async with rt.uow() as session:
        rows = (await session.exec(q.order_by(Evaluation.period_id, Evaluation.nip).limit(limit).offset(offset))).scalars().all()
    return [EvaluationSummary(id=e.id, period_id=e.period_id, kind=e.kind, nip=e.nip, penilai_nip=e.penilai_nip,
                              unit_kerja=e.unit_kerja, status=e.status, version=e.version, capaian=e.capaian,
                              predikat=e.predikat) for e in rows]


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationOut,
            summary="Evaluasi: target, realisasi dan capaian per IKI, saran rating, predikat")
async def get_evaluation(evaluation_id: str, principal: CurrentPrincipal, rt: RuntimeDep) -> dict:
    async with rt.uow() as session:
        ev, plan, _ = await uc.load(session, evaluation_id)
        if not _can_read(principal, ev, plan):
            raise forbid()
        return await uc.view(session, ev, plan, rt.settings)


class RealisasiItem(BaseModel):
    iki_id: str = Field(examples=["iki-1"])
    nilai: float | None = Field(default=None, ge=0, le=1e15, description="realisasi (number, at most 10^15); required when the IKI has a target in the period", examples=[1])
    uraian: str | None = Field(default=None, max_length=4000, description="descriptive realisasi (kualitatif)")
    bukti_dukung: HttpUrl | None = Field(default=None, description="link to the evidence", examples=["https://drive.example.go.id/laporan-sep.pdf"])
    catatan: str | None = Field(default=None, max_length=4000, examples=["Laporan pemeriksaan alat bulan September"])


class RealisasiIn(BaseModel):
    version: int = Field(ge=1, description="the evaluation's current version (stale -> 409)")
    items: list[RealisasiItem] = Field(min_length=1)

    model_config = {"json_schema_extra": {"examples": [{"version": 1, "items": [
        {"iki_id": "iki-1", "nilai": 1, "bukti_dukung": "https://drive.example.go.id/laporan-sep.pdf",
         "catatan": "Laporan pemeriksaan alat September"}]}]}}


@router.put("/evaluations/{evaluation_id}/realisasi", response_model=EvaluationOut,
            summary="Isi realisasi per IKI dengan bukti dukung (pegawai); capaian dihitung otomatis")
async def put_realisasi(evaluation_id: str, body: RealisasiIn, principal: CurrentPrincipal, rt: RuntimeDep) -> dict:
    async with rt.uow() as session:
        ev, plan, _ = await uc.load(session, evaluation_id, for_update=True)
        if principal.sub != ev.nip:
            raise forbid("Hanya pegawai yang dinilai yang mengisi realisasi (only the pegawai enters realisasi).")
        uc.check_version(ev, body.version)
        await uc.enter_realisasi(session, ev, plan, body.items, rt.settings)
        await session.flush()
        return await uc.view(session, ev, plan, rt.settings)


class PenilaianIn(BaseModel):
    version: int = Field(ge=1)
    umpan_balik_rhk: dict[str, str] = Field(default_factory=dict, description="umpan balik per RHK id")
    umpan_balik_perilaku: dict[str, str] = Field(default_factory=dict, description="umpan balik per BerAKHLAK value")
    rating_hasil_kerja: Rating | None = None
    rating_perilaku: Rating | None = None

    model_config = {"json_schema_extra": {"examples": [{
        "version": 3, "umpan_balik_rhk": {"rhk-1": "Laporan lengkap dan tepat waktu"},
        "umpan_balik_perilaku": {"Berorientasi Pelayanan": "Sigap membantu guru dan siswa"},
        "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi"}]}}


@router.post("/evaluations/{evaluation_id}/penilaian", response_model=EvaluationOut,
             summary="Umpan balik dan rating oleh pejabat penilai; predikat dari matriks PermenPANRB 6/2022")
async def post_penilaian(evaluation_id: str, body: PenilaianIn, principal: CurrentPrincipal, rt: RuntimeDep) -> dict:
    async with rt.uow() as session:
        ev, plan, _ = await uc.load(session, evaluation_id, for_update=True)
        if principal.sub != ev.penilai_nip:
            raise forbid("Hanya pejabat penilai yang menilai (only the pejabat penilai rates).")
        uc.check_version(ev, body.version)
        await uc.set_penilaian(session, ev, plan, body, rt.settings, actor(principal), today_of(rt))
        await session.flush()
        return await uc.view(session, ev, plan, rt.settings)


class KeberatanIn(BaseModel):
    alasan: str = Field(min_length=10, max_length=4000, examples=["Realisasi bulan Oktober sudah lengkap dengan bukti dukung, "
                                                                   "tetapi belum diperhitungkan."])


class KeberatanOut(BaseModel):
    id: str
    evaluation_id: str
    nip: str
    atasan_nip: str
    alasan: str
    status: str = Field(description="diajukan, diterima (upheld) or ditolak (rejected)")
    predikat_before: str
    predikat_after: str | None
    note: str | None
    filed_at: UtcDatetime
    decided_at: UtcDatetime | None
    decided_by: str | None


@router.post("/evaluations/{evaluation_id}/keberatan", response_model=KeberatanOut, status_code=201,
             summary="Ajukan keberatan atas hasil evaluasi (pegawai, paling lambat 14 hari)")
async def post_keberatan(evaluation_id: str, body: KeberatanIn, principal: CurrentPrincipal, rt: RuntimeDep) -> dict:
    async with rt.uow() as session:
        ev, plan, _ = await uc.load(session, evaluation_id, for_update=True)
        if principal.sub != ev.nip:
            raise forbid("Hanya pegawai yang dinilai yang dapat mengajukan keberatan (only the pegawai may object).")
        k = await uc.file_keberatan(session, ev, plan, body.alasan, actor(principal), today_of(rt))
        await session.flush()
        return uc.keberatan_view(k)


@router.get("/keberatan", response_model=list[KeberatanOut],
            summary="Keberatan yang menunggu keputusan saya (atasan pejabat penilai) atau milik saya")
async def list_keberatan(principal: CurrentPrincipal, rt: RuntimeDep,
                         status: Literal["diajukan", "diterima", "ditolak"] | None = None) -> list[dict]:
    q = select(Keberatan)
    if principal.role != Role.admin:
        q = q.where((Keberatan.atasan_nip == principal.sub) | (Keberatan.nip == principal.sub))
    elif principal.instansi:  # an admin sees the keberatan of their instansi only
        q = (q.join(Evaluation, Evaluation.id == Keberatan.evaluation_id)
             .join(EvaluationPlan, EvaluationPlan.skp_id == Evaluation.skp_id)
             .where(EvaluationPlan.instansi == principal.instansi))
    if status:
        q = q.where(Keberatan.status == status)
    async with rt.uow() as session:
        return [uc.keberatan_view(k) for k in (await session.exec(q.order_by(Keberatan.filed_at))).scalars()]


class KeputusanIn(BaseModel):
    decision: Literal["upheld", "rejected"] = Field(description="upheld: the result changes to `predikat`; rejected: it stays")
    predikat: Predikat | None = Field(default=None, description="the new predikat (required when upheld)")
    note: str | None = Field(default=None, max_length=4000)

    model_config = {"json_schema_extra": {"examples": [{"decision": "upheld", "predikat": "Baik",
                                                         "note": "Bukti dukung Oktober dapat diterima."}]}}


@router.post("/keberatan/{keberatan_id}/keputusan", response_model=KeberatanOut,
             summary="Putuskan keberatan (atasan pejabat penilai); keputusan final")
async def decide(keberatan_id: str, body: KeputusanIn, principal: CurrentPrincipal, rt: RuntimeDep) -> dict:
    async with rt.uow() as session:
        k = (await session.exec(select(Keberatan).where(Keberatan.id == keberatan_id).with_for_update())).scalar_one_or_none()
        if k is None:
            raise ProblemError(404, "keberatan-not-found", "Keberatan tidak ditemukan (not found).")
        if principal.sub != k.atasan_nip:
            raise forbid("Hanya atasan pejabat penilai yang memutuskan keberatan (only the atasan pejabat penilai decides).")
        k = await uc.decide_keberatan(session, k, body.decision, body.predikat, body.note, actor(principal))
        await session.flush()
        return uc.keberatan_view(k)

