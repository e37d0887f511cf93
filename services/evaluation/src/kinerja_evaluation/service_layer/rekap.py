"""Rekap (recapitulations): the monthly Rekapitulasi Penilaian Kinerja dan Kehadiran per
perangkat daerah, the annual result per pegawai (with the PPPK Paruh Waktu
extension recommendation), and organisation achievement per unit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from kinerja_contracts.calendar import utcnow

from ..adapters.repository import EvaluationRepository
from ..adapters.tables import CapaianOrganisasiRecord, Evaluation
from ..domain.capaian import rata_rata
from ..domain.mutasi import Bagian, capaian_gabungan
from ..domain.organisasi import distribusi, peringatan_distribusi
from ..domain.periods import Kind, make_period
from ..domain.tahunan import JENIS_PERPANJANGAN, rekomendasi_perpanjangan
from . import access
from .scope import foreign_nips


async def rekap_bulanan(session, tahun: int, bulan: int, jenis_pegawai: str, perangkat_daerah: str | None = None,
                        instansi: str | None = None) -> list[dict[str, Any]]:
    period_id = make_period(Kind.monthly, jenis_pegawai, tahun, bulan).period_id
    groups: dict[str, list[dict]] = defaultdict(list)
    rows_of = await EvaluationRepository(session).rekap_rows(period_id, tahun, bulan, perangkat_daerah, instansi)
    for ev, peg, cap, hadir in rows_of:
        rows = groups[ev.unit_kerja or "-"]
        rows.append(dict(
            no=len(rows) + 1, nama=peg.get("nama"), nrk=peg.get("nrk"), nip=ev.nip, jabatan=peg.get("jabatan"),
            lokasi_kerja=peg.get("unit_kerja"), capaian_hasil_kerja=None if cap is None else round(float(cap), 2),
            status=ev.status, hari_kerja_efektif=hadir.hari_kerja_efektif if hadir else None,
            izin=hadir.izin if hadir else None, cuti_sakit=hadir.cuti_sakit if hadir else None,
            cuti_melahirkan=hadir.cuti_melahirkan if hadir else None, alpa=hadir.alpa if hadir else None,
            keterangan=hadir.keterangan if hadir else None,
        ))
    return [{"perangkat_daerah": k, "pegawai": v} for k, v in groups.items()]


async def hasil_tahunan(session, nip: str, tahun: int, settings) -> list[dict[str, Any]]:
    """The annual result of every SKP of ``nip`` in ``tahun`` (more than one after a mutasi)."""
    repo = EvaluationRepository(session)
    rows = await repo.year_of(nip, tahun)
    by_skp: dict[Any, dict] = {}
    for ev, c in rows:
        entry = by_skp.setdefault(ev.skp_id, {"annual": None, "periodic": []})
        if ev.kind == Kind.annual:
            entry["annual"] = ev
        else:
            entry["periodic"].append({"period_id": ev.period_id, "status": ev.status,
                                      "capaian_hasil_kerja": None if c is None else round(float(c), 2),
                                      "predikat": ev.predikat})
    out = []
    for skp_id, entry in by_skp.items():
        annual: Evaluation | None = entry["annual"]
        avg = rata_rata([p["capaian_hasil_kerja"] for p in entry["periodic"]])
        result = dict(skp_id=skp_id, nip=nip, tahun=tahun, evaluation_id=annual.id if annual else None,
                      jenis_pegawai=(annual or None) and annual.jenis_pegawai, status=annual.status if annual else None,
                      rata_rata_capaian=avg, periode=entry["periodic"],
                      rating_hasil_kerja=annual.rating_hasil_kerja if annual else None,
                      rating_perilaku=annual.rating_perilaku if annual else None,
                      predikat=annual.predikat if annual else None, rekomendasi_perpanjangan=None)
        plan = await repo.plan(skp_id)
        result["jenis_pegawai"] = plan.jenis_pegawai if plan else None
        if plan is not None and plan.jenis_pegawai in JENIS_PERPANJANGAN:
            r = rekomendasi_perpanjangan(result["rating_hasil_kerja"], result["rating_perilaku"], avg,
                                         ambang_capaian=settings.perpanjangan_ambang_capaian)
            result["rekomendasi_perpanjangan"] = {"rekomendasi": r.rekomendasi, "alasan": r.alasan}
        if plan is not None and plan.periode_mulai and plan.periode_selesai:
            mulai = max(plan.periode_mulai, dt.date(tahun, 1, 1))
            selesai = min(plan.periode_selesai, dt.date(tahun, 12, 31))
            result["bagian"] = {"mulai": mulai, "selesai": selesai, "hari": (selesai - mulai).days + 1,
                                "diakhiri_oleh_skp": plan.diakhiri_oleh_skp}
        out.append(result)
    if len(out) > 1:  # mutasi: the year combined by time
        gab = capaian_gabungan([Bagian(str(r["skp_id"]), r["bagian"]["mulai"], r["bagian"]["selesai"],
                                       r["rata_rata_capaian"]) for r in out if r.get("bagian")])
        for r in out:
            r["capaian_gabungan_tahun"] = gab
    return out


async def capaian_organisasi(session, tahun: int, settings, instansi: str) -> list[dict[str, Any]]:
    """Per unit: recorded organisation achievement, the employees' average
    capaian and predikat distribution (annual results), and warnings."""
    repo = EvaluationRepository(session)
    units: dict[str, dict[str, list]] = defaultdict(lambda: {"predikat": [], "capaian": []})
    for unit, pred, cap in await repo.annual_results(tahun, instansi):
        u = units[unit or "-"]
        u["capaian"].append(None if cap is None else float(cap))
        if pred:
            u["predikat"].append(pred)
    records = await repo.capaian_organisasi(instansi, tahun)
    out = []
    for unit in sorted(set(units) | set(records)):
        data = units.get(unit, {"predikat": [], "capaian": []})
        dist = distribusi(data["predikat"])
        rec = records.get(unit)
        out.append(dict(
            unit_kerja=unit, tahun=tahun, capaian_organisasi=rec.capaian if rec else None,
            jumlah_pegawai=len(data["capaian"]), rata_rata_capaian_pegawai=rata_rata(data["capaian"]),
            distribusi_predikat=dist.jumlah,
            peringatan=peringatan_distribusi(rec.capaian, dist, settings.distribution_guidance) if rec else [],
        ))
    return out


async def set_capaian_organisasi(session, instansi: str, unit_kerja: str, tahun: int, capaian: str, by: str) -> None:
    """Record (or replace) the organisation's achievement of a unit of ``instansi`` for a year."""
    repo = EvaluationRepository(session)
    rec = await repo.capaian_organisasi_of(instansi, unit_kerja, tahun)
    if rec is None:
        repo.add(CapaianOrganisasiRecord(instansi=instansi, unit_kerja=unit_kerja, tahun=tahun, capaian=capaian,
                                         set_by=by))
    else:
        rec.capaian, rec.set_by, rec.updated_at = capaian, by, utcnow()


async def rekap_bulanan_for(session, principal, tahun: int, bulan: int, jenis_pegawai: str,
                            perangkat_daerah: str | None) -> list[dict[str, Any]]:
    access.require_admin(principal)
    return await rekap_bulanan(session, tahun, bulan, jenis_pegawai, perangkat_daerah, access.admin_scope(principal))


def rekap_xlsx(groups: list[dict[str, Any]], tahun: int, bulan: int, jenis_label: str, today) -> bytes:
    """The recap as a workbook in the official column layout."""
    from ..adapters.xlsx import rekap_workbook

    return rekap_workbook(groups, tahun, bulan, jenis_label, today)


async def hasil_tahunan_for(session, principal, nip: str, tahun: int, settings) -> list[dict[str, Any]]:
    """An annual result, for the pegawai, a penilai of theirs, or an admin of their instansi."""
    if access.needs_penilai_check(principal, nip) and not await EvaluationRepository(session).appraises(principal.sub, nip):
        raise access.forbid()
    if await foreign_nips(session, [nip], access.admin_scope(principal)):
        raise access.hasil_tahunan_not_found(nip, tahun)  # as for an unknown NIP: no probing across instansi
    out = await hasil_tahunan(session, nip, tahun, settings)
    if not out:
        raise access.hasil_tahunan_not_found(nip, tahun)
    return out


async def capaian_organisasi_for(session, principal, tahun: int, settings) -> list[dict[str, Any]]:
    access.require_admin(principal)
    return await capaian_organisasi(session, tahun, settings, access.admin_instansi(principal))


async def set_capaian_organisasi_for(session, principal, unit_kerja: str, tahun: int, capaian: str) -> None:
    access.require_admin(principal)
    await set_capaian_organisasi(session, access.admin_instansi(principal), unit_kerja, tahun, capaian, principal.sub)
