"""HTTP API: periods, attendance (kehadiran), rekap (monthly recapitulation), annual results and
organisation achievement."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import Response
from kinerja_contracts.calendar import NAMA_BULAN
from kinerja_contracts.values import TANGGAL_MAX, TANGGAL_MIN, JenisPegawai, Tanggal
from kinerja_platform.web.auth import CurrentPrincipal, OperatorPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES
from kinerja_platform.web.openapi import DocumentedAs
from pydantic import BaseModel, Field

from ..domain.organisasi import CapaianOrganisasi
from ..service_layer import kehadiran as hadir
from ..service_layer import periods as periods_uc
from ..service_layer import rekap
from .deps import SettingsDep, TodayDep, UowDep

router = APIRouter(prefix="/api/v1", tags=["rekap"], responses=PROBLEM_RESPONSES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JENIS_LABEL = {"PPPK_PARUH_WAKTU": "Pegawai Pemerintah dengan Perjanjian Kerja Paruh Waktu",
               "PPPK": "Pegawai Pemerintah dengan Perjanjian Kerja", "PNS": "Pegawai Negeri Sipil"}
Tahun = Path(ge=TANGGAL_MIN.year, le=TANGGAL_MAX.year, examples=[2026])
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
async def periods(principal: CurrentPrincipal, uow: UowDep, status: Literal["open", "closed"] | None = None) -> list:
    async with uow() as session:
        return [PeriodOut.model_validate(p, from_attributes=True) for p in await periods_uc.list_periods(session, status)]


class PerpanjanganIn(BaseModel):
    period_id: str = Field(examples=["2026-03/PPPK_PARUH_WAKTU/monthly"])
    deadline: Tanggal = Field(description="the new last day for input (later than the current one)", examples=["2026-04-08"])


@router.post("/periods/perpanjangan", response_model=PeriodOut,
             summary="Perpanjang batas waktu periode yang masih terbuka (operator deployment)",
             description="Portals fail on deadline day: the deployment's operator moves the deadline of an open "
                         "period later; the reminder and the close follow. Only a token with role `operator` may "
                         "(a period serves every instansi); every such request is audited (docs/security.md).")
async def extend_period(body: PerpanjanganIn, principal: OperatorPrincipal, uow: UowDep, today: TodayDep) -> PeriodOut:
    async with uow() as session:
        row = await periods_uc.extend_for_admin(session, principal, body.period_id, body.deadline, today)
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


@router.put("/kehadiran/{tahun}/{bulan}", response_model=SavedOut, summary="Simpan kehadiran bulanan (admin)")
async def put_kehadiran(body: KehadiranBatch, principal: CurrentPrincipal, uow: UowDep, tahun: int = Tahun,
                        bulan: int = Bulan) -> SavedOut:
    async with uow() as session:
        n = await hadir.save_for_admin(session, principal, tahun, bulan, body.items)
    return SavedOut(tahun=tahun, bulan=bulan, disimpan=n)


@router.post("/kehadiran/{tahun}/{bulan}/csv", response_model=SavedOut,
             summary="Unggah kehadiran bulanan sebagai CSV (admin)",
             description="Header: `nip,hari_kerja_efektif,izin,cuti_sakit,cuti_melahirkan,alpa,keterangan` "
                         "(comma or semicolon). Every bad line is reported; nothing is saved then.")
async def post_kehadiran_csv(principal: CurrentPrincipal, uow: UowDep, file: Annotated[UploadFile, File()],
                             tahun: int = Tahun, bulan: int = Bulan) -> SavedOut:
    data = await file.read()
    async with uow() as session:
        n = await hadir.save_csv_for_admin(session, principal, tahun, bulan, data)
    return SavedOut(tahun=tahun, bulan=bulan, disimpan=n)


@router.get("/kehadiran/{tahun}/{bulan}", response_model=list[hadir.KehadiranIn], summary="Kehadiran bulanan")
async def get_kehadiran(principal: CurrentPrincipal, uow: UowDep, tahun: int = Tahun, bulan: int = Bulan,
                        nip: str | None = None) -> list:
    async with uow() as session:
        return await hadir.read(session, principal, tahun, bulan, nip)


@router.get("/rekap/bulanan/{tahun}/{bulan}", summary="Rekapitulasi Penilaian Kinerja dan Kehadiran per perangkat daerah",
            description="JSON by default; `format=xlsx` gives the workbook in the "
                        "official column layout, one sheet per perangkat daerah.",
            responses={200: {"content": {"application/json": {}, XLSX: {}}}})
async def rekap_bulanan(principal: CurrentPrincipal, uow: UowDep, today: TodayDep, tahun: int = Tahun, bulan: int = Bulan,
                        jenis_pegawai: JenisPegawai = JenisPegawai.PPPK_PARUH_WAKTU,
                        perangkat_daerah: str | None = None, format: Literal["json", "xlsx"] = "json") -> Any:
    async with uow() as session:
        groups = await rekap.rekap_bulanan_for(session, principal, tahun, bulan, str(jenis_pegawai), perangkat_daerah)
    if format == "xlsx":
        body = rekap.rekap_xlsx(groups, tahun, bulan, JENIS_LABEL[str(jenis_pegawai)], today)
        name = f"rekap-kinerja-kehadiran-{tahun}-{bulan:02d}.xlsx"
        return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return {"tahun": tahun, "bulan": bulan, "nama_bulan": NAMA_BULAN[bulan - 1], "jenis_pegawai": str(jenis_pegawai),
            "perangkat_daerah": groups}


class HasilPeriode(BaseModel):
    """One periodic (monthly or quarterly) evaluation of the SKP."""

    period_id: str
    status: str = Field(description="open, submitted, final, ...")
    capaian_hasil_kerja: float | None = Field(description="capaian of the period, percent, 2 decimals")
    predikat: str | None


class Rekomendasi(BaseModel):
    """Extension recommendation (PPPK Paruh Waktu and PPPK) with its reasons."""

    rekomendasi: str = Field(description="diperpanjang, tidak diperpanjang or belum dapat ditentukan")
    alasan: list[str]


class BagianTahun(BaseModel):
    """The part of the year this SKP covers (after a mutasi, each SKP its part)."""

    mulai: dt.date
    selesai: dt.date
    hari: int = Field(description="days covered")
    diakhiri_oleh_skp: uuid.UUID | None = Field(description="the SKP that ended this one (mutasi), if any")


class HasilTahunanOut(BaseModel):
    """The annual result of one SKP of the pegawai (keys without a value may be left out: `bagian`,
    `capaian_gabungan_tahun`)."""

    skp_id: uuid.UUID
    nip: str
    tahun: int
    evaluation_id: str | None = Field(description="the annual evaluation, once there is one")
    jenis_pegawai: str | None
    status: str | None = Field(description="status of the annual evaluation")
    rata_rata_capaian: float | None = Field(description="average capaian of the periods")
    periode: list[HasilPeriode]
    rating_hasil_kerja: str | None
    rating_perilaku: str | None
    predikat: str | None
    rekomendasi_perpanjangan: Rekomendasi | None
    bagian: BagianTahun | None = None
    capaian_gabungan_tahun: float | None = Field(
        default=None, description="after a mutasi: the year's capaian combined over its SKPs by time")


class CapaianOrganisasiOut(BaseModel):
    """The organisation achievement recorded for a unit and year."""

    unit_kerja: str
    tahun: int
    capaian: CapaianOrganisasi


class CapaianUnitOut(BaseModel):
    """One unit: recorded achievement, the employees' average capaian, the predikat distribution, warnings."""

    unit_kerja: str
    tahun: int
    capaian_organisasi: str | None = Field(description="Istimewa, Baik or Butuh Perbaikan, once recorded")
    jumlah_pegawai: int
    rata_rata_capaian_pegawai: float | None
    distribusi_predikat: dict[str, int] = Field(description="employees per predikat")
    peringatan: list[str] = Field(description="where the distribution departs from the guidance for the achievement")


@router.get("/hasil-tahunan/{nip}/{tahun}", response_model=list[Annotated[dict[str, Any], DocumentedAs(HasilTahunanOut)]],
            summary="Hasil evaluasi tahunan pegawai (rata-rata capaian, rating, predikat, "
            "rekomendasi perpanjangan PPPK Paruh Waktu)")
async def hasil_tahunan(principal: CurrentPrincipal, uow: UowDep, settings: SettingsDep,
                        nip: str = Path(pattern=r"^[0-9]{18}$"), tahun: int = Tahun) -> list[dict[str, Any]]:
    async with uow() as session:
        return await rekap.hasil_tahunan_for(session, principal, nip, tahun, settings)


class CapaianOrganisasiIn(BaseModel):
    unit_kerja: str = Field(min_length=1, max_length=300, examples=["Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur"])
    capaian: CapaianOrganisasi = Field(examples=["Baik"])


@router.put("/organisasi/capaian/{tahun}", response_model=CapaianOrganisasiOut, summary="Tetapkan capaian kinerja organisasi per unit (admin)")
async def put_capaian_organisasi(body: CapaianOrganisasiIn, principal: CurrentPrincipal, uow: UowDep,
                                 tahun: int = Tahun) -> dict:
    async with uow() as session:
        await rekap.set_capaian_organisasi_for(session, principal, body.unit_kerja, tahun, str(body.capaian))
    return {"unit_kerja": body.unit_kerja, "tahun": tahun, "capaian": str(body.capaian)}


@router.get("/organisasi/capaian/{tahun}", response_model=list[CapaianUnitOut], summary="Capaian organisasi per unit, distribusi predikat dan peringatan")
async def get_capaian_organisasi(principal: CurrentPrincipal, uow: UowDep, settings: SettingsDep, tahun: int = Tahun,
                                 hanya_peringatan: bool = False) -> list[dict[str, Any]]:
    async with uow() as session:
        units = await rekap.capaian_organisasi_for(session, principal, tahun, settings)
    return [u for u in units if u["peringatan"]] if hanya_peringatan else units
