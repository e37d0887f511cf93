"""Rekap (recapitulations): the monthly Rekapitulasi Penilaian Kinerja dan Kehadiran per
perangkat daerah, the annual result per pegawai (with the PPPK Paruh Waktu
extension recommendation), and organisation achievement per unit."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, select

from ..adapters.tables import CapaianOrganisasiRecord, Evaluation, EvaluationPlan, Kehadiran, Realisasi
from ..domain.capaian import rata_rata
from ..domain.organisasi import distribusi, peringatan_distribusi
from ..domain.periods import Kind, make_period
from ..domain.tahunan import rekomendasi_perpanjangan
from .periods import round2

def _live_capaian():
    """Capaian hasil kerja in SQL: the stored one once closed, else the sum of
    the IKI capaian over the IKI measured in the period (missing ones count 0)."""
    total = (select(func.coalesce(func.sum(Realisasi.capaian), 0.0))
             .where(Realisasi.evaluation_id == Evaluation.id).correlate(Evaluation).scalar_subquery())
    return func.coalesce(Evaluation.capaian, round2(total / func.nullif(Evaluation.jumlah_iki, 0)))


async def rekap_bulanan(session, tahun: int, bulan: int, jenis_pegawai: str, perangkat_daerah: str | None = None,
                        instansi: str | None = None) -> list[dict[str, Any]]:
    period_id = make_period(Kind.monthly, jenis_pegawai, tahun, bulan).period_id
    q = (select(Evaluation, EvaluationPlan.pegawai, _live_capaian().label("cap"), Kehadiran)
         .join(EvaluationPlan, EvaluationPlan.skp_id == Evaluation.skp_id)
         .outerjoin(Kehadiran, and_(Kehadiran.nip == Evaluation.nip, Kehadiran.tahun == tahun, Kehadiran.bulan == bulan))
         .where(Evaluation.period_id == period_id))
    if perangkat_daerah:
        q = q.where(Evaluation.unit_kerja == perangkat_daerah)
    if instansi:
        q = q.where(EvaluationPlan.instansi == instansi)
    groups: dict[str, list[dict]] = defaultdict(list)
    for ev, peg, cap, hadir in (await session.exec(q.order_by(Evaluation.unit_kerja, Evaluation.nip))).all():
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
    cap = _live_capaian().label("cap")
    rows = (await session.exec(
        select(Evaluation, cap).where(Evaluation.nip == nip, Evaluation.tahun == tahun)
        .order_by(Evaluation.skp_id, Evaluation.period_id))).all()
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
        plan = await session.get(EvaluationPlan, skp_id)
        result["jenis_pegawai"] = plan.jenis_pegawai if plan else None
        if plan is not None and plan.jenis_pegawai == "PPPK_PARUH_WAKTU":
            r = rekomendasi_perpanjangan(avg, result["rating_perilaku"], ambang_capaian=settings.perpanjangan_ambang_capaian)
            result["rekomendasi_perpanjangan"] = {"rekomendasi": r.rekomendasi, "alasan": r.alasan}
        out.append(result)
    return out


async def capaian_organisasi(session, tahun: int, settings, instansi: str | None = None) -> list[dict[str, Any]]:
    """Per unit: recorded organisation achievement, the employees' average
    capaian and predikat distribution (annual results), and warnings."""
    q = select(Evaluation.unit_kerja, Evaluation.predikat, _live_capaian().label("cap")).where(
        Evaluation.tahun == tahun, Evaluation.kind == "annual")
    if instansi:
        q = q.join(EvaluationPlan, EvaluationPlan.skp_id == Evaluation.skp_id).where(EvaluationPlan.instansi == instansi)
    units: dict[str, dict[str, list]] = defaultdict(lambda: {"predikat": [], "capaian": []})
    for unit, pred, cap in (await session.exec(q)).all():
        u = units[unit or "-"]
        u["capaian"].append(None if cap is None else float(cap))
        if pred:
            u["predikat"].append(pred)
    records = {r.unit_kerja: r for r in (await session.exec(
        select(CapaianOrganisasiRecord).where(CapaianOrganisasiRecord.tahun == tahun))).scalars()}
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
