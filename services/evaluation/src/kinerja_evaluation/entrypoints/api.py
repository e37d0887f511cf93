"""HTTP API of the evaluation service: plans, evaluations, realisasi,
penilaian (umpan balik and ratings), keberatan."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from fastapi import APIRouter, Query
from kinerja_contracts.skp import Polaritas
from kinerja_contracts.values import Pegawai, Periode, UtcDatetime
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES
from pydantic import BaseModel, Field, HttpUrl

from ..domain.plan import PlanIki
from ..domain.rating import Predikat, Rating
from ..service_layer import evaluations as uc
from ..service_layer.plans import plan_lines
from .deps import SettingsDep, TodayDep, UowDep

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=PROBLEM_RESPONSES)


class PlanOut(BaseModel):
    skp_id: uuid.UUID
    nip: str
    version: int
    content_hash: str
    periode: Periode
    jenis_pegawai: str | None = None
    rencana: list[PlanIki] = Field(default_factory=list, description="every IKI with annual, monthly (12) and quarterly (4) targets")


@router.get("/plans/{skp_id}", response_model=PlanOut, summary="Rencana evaluasi SKP yang disetujui (evaluation plan)")
async def plan(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep) -> PlanOut:
    async with uow() as session:
        p = await uc.read_plan(session, skp_id, principal)
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


class TargetDalamPeriode(BaseModel):
    """The IKI's target in this period: a number or a range (minimum-maksimum),
    with the polaritas that holds in the period (docs/evaluation.md)."""

    nilai: float | None
    minimum: float | None
    maksimum: float | None
    polaritas: Polaritas


class HasilKerjaLine(BaseModel):
    """One IKI of the evaluation: its target in the period, the realisasi and the capaian."""

    rhk_id: str
    rhk_jenis: str = Field(description="utama or tambahan")
    rhk_uraian: str
    iki_id: str
    indikator: str
    aspek: str | None
    satuan: str | None
    polaritas: str
    target_tahunan: float | None
    target_deskripsi: str | None
    target: TargetDalamPeriode | None = Field(description="none: the IKI has no target in this period")
    realisasi: float | None
    uraian_realisasi: str | None
    bukti_dukung: str | None
    catatan: str | None
    capaian: float | None = Field(description="percent, capped by the regional policy")


class UmpanBalik(BaseModel):
    """The penilai's feedback: per RHK id and per BerAKHLAK value."""

    rhk: dict[str, str] = Field(default_factory=dict)
    perilaku: dict[str, str] = Field(default_factory=dict)


class EvaluationOut(BaseModel):
    id: str
    period_id: str
    kind: str
    tahun: int
    bulan: int | None
    skp_id: uuid.UUID
    nip: str
    pegawai: Pegawai
    penilai: Pegawai
    atasan_pejabat_penilai: Pegawai | None
    status: str = Field(description="open (realisasi can be entered) or closed")
    version: int
    penilai_nip: str | None = Field(default=None, description="the pejabat penilai of this evaluation now")
    dinilai_oleh: str | None = Field(default=None, description="who set the ratings (the penilai or their Plt/Plh)")
    capaian_hasil_kerja: float | None
    saran_rating_hasil_kerja: str | None = Field(description="suggested from the capaian; the penilai decides")
    saran_rating_alasan: str | None = Field(default=None, description="which source rule gave the suggestion, or why none")
    rating_hasil_kerja: str | None
    rating_perilaku: str | None
    predikat: str | None
    umpan_balik: UmpanBalik
    keberatan_deadline: dt.date | None
    hasil_kerja: list[HasilKerjaLine]
    keberatan: KeberatanOut | None


@router.get("/evaluations", response_model=list[EvaluationSummary],
            summary="Daftar evaluasi: milik saya, bawahan saya (penilai), atau semua (admin)")
async def list_evaluations(principal: CurrentPrincipal, uow: UowDep, today: TodayDep, period_id: str | None = None,
                           nip: str | None = None, peran: Literal["pegawai", "penilai"] = "pegawai",
                           limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=1_000_000)) -> list[EvaluationSummary]:
    async with uow() as session:
        rows = await uc.list_evaluations(session, principal, period_id=period_id, nip=nip, peran=peran, limit=limit,
                                         offset=offset, today=today)
    return [EvaluationSummary(id=e.id, period_id=e.period_id, kind=e.kind, nip=e.nip, penilai_nip=e.penilai_nip,
                              unit_kerja=e.unit_kerja, status=e.status, version=e.version, capaian=e.capaian,
                              predikat=e.predikat) for e in rows]


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationOut,
            summary="Evaluasi: target, realisasi dan capaian per IKI, saran rating, predikat")
async def get_evaluation(evaluation_id: str, principal: CurrentPrincipal, uow: UowDep, settings: SettingsDep,
                         today: TodayDep) -> dict:
    async with uow() as session:
        return await uc.read(session, evaluation_id, principal, settings, today)


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
async def put_realisasi(evaluation_id: str, body: RealisasiIn, principal: CurrentPrincipal, uow: UowDep,
                        settings: SettingsDep, today: TodayDep) -> dict:
    async with uow() as session:
        return await uc.realisasi(session, evaluation_id, principal, body.version, body.items, settings, today)


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
async def post_penilaian(evaluation_id: str, body: PenilaianIn, principal: CurrentPrincipal, uow: UowDep,
                         settings: SettingsDep, today: TodayDep) -> dict:
    async with uow() as session:
        return await uc.penilaian(session, evaluation_id, principal, body, settings, today)


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
async def post_keberatan(evaluation_id: str, body: KeberatanIn, principal: CurrentPrincipal, uow: UowDep,
                         today: TodayDep) -> dict:
    async with uow() as session:
        return await uc.keberatan(session, evaluation_id, principal, body.alasan, today)


@router.get("/keberatan", response_model=list[KeberatanOut],
            summary="Keberatan yang menunggu keputusan saya (atasan pejabat penilai) atau milik saya")
async def list_keberatan(principal: CurrentPrincipal, uow: UowDep,
                         status: Literal["diajukan", "diterima", "ditolak"] | None = None) -> list[dict]:
    async with uow() as session:
        return await uc.list_keberatan(session, principal, status)


class KeputusanIn(BaseModel):
    decision: Literal["upheld", "rejected"] = Field(description="upheld: the atasan sets new ratings and the predikat "
                                                    "follows from the matrix (never lower); rejected: the result stays")
    rating_hasil_kerja: Rating | None = Field(default=None, description="the new rating hasil kerja (required when upheld)")
    rating_perilaku: Rating | None = Field(default=None, description="the new rating perilaku (required when upheld)")
    predikat: Predikat | None = Field(default=None, description="optional; when given it must equal the matrix's predikat")
    note: str | None = Field(default=None, max_length=4000)

    model_config = {"json_schema_extra": {"examples": [{"decision": "upheld", "rating_hasil_kerja": "Sesuai Ekspektasi",
                                                         "rating_perilaku": "Sesuai Ekspektasi",
                                                         "note": "Bukti dukung Oktober dapat diterima."}]}}


@router.post("/keberatan/{keberatan_id}/keputusan", response_model=KeberatanOut,
             summary="Putuskan keberatan (atasan pejabat penilai); keputusan final")
async def decide(keberatan_id: str, body: KeputusanIn, principal: CurrentPrincipal, uow: UowDep) -> dict:
    async with uow() as session:
        return await uc.decide(session, keberatan_id, principal, body.decision, body.rating_hasil_kerja,
                               body.rating_perilaku, body.predikat, body.note)
