"""HTTP API: periods, attendance (kehadiran), rekap (monthly recapitulation), annual results and
organisation achievement."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import Response
from kinerja_contracts.calendar import NAMA_BULAN, utcnow
from kinerja_contracts.values import JenisPegawai, Role
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES
from pydantic import BaseModel, Field
from sqlalchemy import select

from ..adapters.tables import CapaianOrganisasiRecord, Evaluation, EvaluationPeriod, Kehadiran
from ..adapters.xlsx import rekap_workbook
from ..domain.organisasi import CapaianOrganisasi
from ..service_layer import kehadiran as hadir
from ..service_layer import rekap
from ..service_layer.periods import extend_deadline
from ..service_layer.scope import foreign_nips
from .deps import RuntimeDep, admin_scope, forbid, require_admin, today_of

router = APIRouter(prefix="/api/v1", tags=["rekap"], responses=PROBLEM_RESPONSES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JENIS_LABEL = {"PPPK_PARUH_WAKTU": "Pegawai Pemerintah dengan Perjanjian Kerja Paruh Waktu",
               "PPPK": "Pegawai Pemerintah dengan Perjanjian Kerja", "PNS": "Pegawai Negeri Sipil"}
Tahun = Path(ge=2000, le=2100, examples=[2026])
Bulan = Path(ge=1, le=12, examples=[3])


class PeriodOut(BaseModel):
    period_id: str
    kind: str
    jenis_pegawai: str
    mulai: dt.date
    selesai: dt.date
    deadline: dt.date
    status: str


@router.get("/periods", response_model=list[PeriodOut], summary="Periode evaluasi (dibuka dan ditutup oleh penjadwal)")
async def periods(principal: CurrentPrincipal, rt: RuntimeDep, status: Literal["open", "closed"] | None = None) -> list:
    q = select(EvaluationPeriod).order_by(EvaluationPeriod.mulai, EvaluationPeriod.period_id)
    if status:
        q = q.where(EvaluationPeriod.status == status)
    async with rt.uow() as session:
        return [PeriodOut.model_validate(p, from_attributes=True) for p in (await session.exec(q)).scalars()]


class PerpanjanganIn(BaseModel):
    period_id: str = Field(examples=["2026-03/PPPK_PARUH_WAKTU/monthly"])
    deadline: dt.date = Field(description="the new last day for input (later than the current one)", examples=["2026-04-08"])


@router.post("/periods/perpanjangan", response_model=PeriodOut,
             summary="Perpanjang batas waktu periode yang masih terbuka (admin tingkat deployment)",
             description="Portals fail on deadline day: an admin moves the deadline of an open period later; "
                         "the reminder and the close follow. Only an admin without an instansi scope may, "
                         "because a period serves every instansi.")
async def extend_period(body: PerpanjanganIn, principal: CurrentPrincipal, rt: RuntimeDep) -> PeriodOut:
    require_admin(principal)
    if principal.instansi:
        raise forbid("Periode berlaku untuk semua instansi; hanya admin tanpa lingkup instansi yang dapat memperpanjang "
                     "(only a deployment-wide admin may extend a period).")
    async with rt.uow() as session:
        row = await extend_deadline(session, body.period_id, body.deadline, today_of(rt))
        return PeriodOut.model_validate(row, from_attributes=True)


class KehadiranBatch(BaseModel):
    items: list[hadir.KehadiranIn] = Field(min_length=1, max_length=100_000)

    model_config = {"json_schema_extra": {"examples": [{"items": [
        {"nip": "199503152025212001", "hari_kerja_efektif": 21, "izin": 1, "cuti_sakit": 0, "cuti_melahirkan": 0,
         "alpa": 0, "keterangan": "izin 12 Maret"}]}]}}


class SavedOut(BaseModel):
    tahun: int
    bulan: int
    disimpan: int = Field(description="rows saved")


async def _own_instansi(session, principal, nips: list[str]) -> None:
    foreign = await foreign_nips(session, nips, admin_scope(principal))
    if foreign:
        raise forbid(f"Pegawai instansi lain tidak dapat diubah (these pegawai belong to another agency): "
                     f"{', '.join(sorted(foreign)[:10])}.")


@router.put("/kehadiran/{tahun}/{bulan}", response_model=SavedOut, summary="Simpan kehadiran bulanan (admin)")
async def put_kehadiran(body: KehadiranBatch, principal: CurrentPrincipal, rt: RuntimeDep, tahun: int = Tahun,
                        bulan: int = Bulan) -> SavedOut:
    require_admin(principal)
    async with rt.uow() as session:
        await _own_instansi(session, principal, [r.nip for r in body.items])
        n = await hadir.save(session, tahun, bulan, body.items, principal.sub)
    return SavedOut(tahun=tahun, bulan=bulan, disimpan=n)


@router.post("/kehadiran/{tahun}/{bulan}/csv", response_model=SavedOut,
             summary="Unggah kehadiran bulanan sebagai CSV (admin)",
             description="Header: `nip,hari_kerja_efektif,izin,cuti_sakit,cuti_melahirkan,alpa,keterangan` "
                         "(comma or semicolon). Every bad line is reported; nothing is saved then.")
async def post_kehadiran_csv(principal: CurrentPrincipal, rt: RuntimeDep, file: Annotated[UploadFile, File()],
                             tahun: int = Tahun, bulan: int = Bulan) -> SavedOut:
    require_admin(principal)
    rows = hadir.parse_csv(await file.read())
    async with rt.uow() as session:
        await _own_instansi(session, principal, [r.nip for r in rows])
        n = await hadir.save(session, tahun, bulan, rows, principal.sub)
    return SavedOut(tahun=tahun, bulan=bulan, disimpan=n)


@router.get("/kehadiran/{tahun}/{bulan}", response_model=list[hadir.KehadiranIn], summary="Kehadiran bulanan")
async def get_kehadiran(principal: CurrentPrincipal, rt: RuntimeDep, tahun: int = Tahun, bulan: int = Bulan,
                        nip: str | None = None) -> list:
    q = select(Kehadiran).where(Kehadiran.tahun == tahun, Kehadiran.bulan == bulan)
    if principal.role != Role.admin:
        nip = principal.sub
    if nip:
        q = q.where(Kehadiran.nip == nip)
    async with rt.uow() as session:
        rows = list((await session.exec(q)).scalars())
        foreign = await foreign_nips(session, [k.nip for k in rows], admin_scope(principal))
        return [hadir.KehadiranIn.model_validate(k, from_attributes=True) for k in rows if k.nip not in foreign]


@router.get("/rekap/bulanan/{tahun}/{bulan}", summary="Rekapitulasi Penilaian Kinerja dan Kehadiran per perangkat daerah",
            description="JSON by default; `format=xlsx` gives the workbook in the "
                        "official column layout, one sheet per perangkat daerah.",
            responses={200: {"content": {"application/json": {}, XLSX: {}}}})
async def rekap_bulanan(principal: CurrentPrincipal, rt: RuntimeDep, tahun: int = Tahun, bulan: int = Bulan,
                        jenis_pegawai: JenisPegawai = JenisPegawai.PPPK_PARUH_WAKTU,
                        perangkat_daerah: str | None = None, format: Literal["json", "xlsx"] = "json") -> Any:
    require_admin(principal)
    async with rt.uow() as session:
        groups = await rekap.rekap_bulanan(session, tahun, bulan, str(jenis_pegawai), perangkat_daerah, admin_scope(principal))
    if format == "xlsx":
        body = rekap_workbook(groups, tahun, bulan, JENIS_LABEL[str(jenis_pegawai)], today_of(rt))
        name = f"rekap-kinerja-kehadiran-{tahun}-{bulan:02d}.xlsx"
        return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return {"tahun": tahun, "bulan": bulan, "nama_bulan": NAMA_BULAN[bulan - 1], "jenis_pegawai": str(jenis_pegawai),
            "perangkat_daerah": groups}


@router.get("/hasil-tahunan/{nip}/{tahun}", summary="Hasil evaluasi tahunan pegawai (rata-rata capaian, rating, predikat, "
            "rekomendasi perpanjangan PPPK Paruh Waktu)")
async def hasil_tahunan(principal: CurrentPrincipal, rt: RuntimeDep, nip: str = Path(pattern=r"^\d{18}$"),
                        tahun: int = Tahun) -> list[dict[str, Any]]:
    async with rt.uow() as session:
        if principal.role != Role.admin and principal.sub != nip:
            penilai = (await session.exec(select(Evaluation.id).where(
                Evaluation.nip == nip, Evaluation.penilai_nip == principal.sub).limit(1))).first()
            if penilai is None:
                raise forbid()
        if await foreign_nips(session, [nip], admin_scope(principal)):
            raise forbid("Pegawai ini milik instansi lain (this pegawai belongs to another agency).")
        return await rekap.hasil_tahunan(session, nip, tahun, rt.settings)


class CapaianOrganisasiIn(BaseModel):
    unit_kerja: str = Field(min_length=1, max_length=300, examples=["Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur"])
    capaian: CapaianOrganisasi = Field(examples=["Baik"])


@router.put("/organisasi/capaian/{tahun}", summary="Tetapkan capaian kinerja organisasi per unit (admin)")
async def put_capaian_organisasi(body: CapaianOrganisasiIn, principal: CurrentPrincipal, rt: RuntimeDep,
                                 tahun: int = Tahun) -> dict:
    require_admin(principal)
    async with rt.uow() as session:
        rec = await session.get(CapaianOrganisasiRecord, (body.unit_kerja, tahun))
        if rec is None:
            session.add(CapaianOrganisasiRecord(unit_kerja=body.unit_kerja, tahun=tahun, capaian=str(body.capaian),
                                                set_by=principal.sub))
        else:
            rec.capaian, rec.set_by, rec.updated_at = str(body.capaian), principal.sub, utcnow()
    return {"unit_kerja": body.unit_kerja, "tahun": tahun, "capaian": str(body.capaian)}


@router.get("/organisasi/capaian/{tahun}", summary="Capaian organisasi per unit, distribusi predikat dan peringatan")
async def get_capaian_organisasi(principal: CurrentPrincipal, rt: RuntimeDep, tahun: int = Tahun,
                                 hanya_peringatan: bool = False) -> list[dict[str, Any]]:
    require_admin(principal)
    async with rt.uow() as session:
        units = await rekap.capaian_organisasi(session, tahun, rt.settings, admin_scope(principal))
    return [u for u in units if u["peringatan"]] if hanya_peringatan else units
