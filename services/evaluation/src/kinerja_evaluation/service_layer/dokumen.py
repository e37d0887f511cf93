"""The documents of one evaluation, as data the adapters lay out:

- the **Dokumen Evaluasi Kinerja Pegawai** (PermenPANRB 6/2022: "Pelaporan
  kinerja dilakukan dalam bentuk dokumen evaluasi kinerja pegawai", BKN
  deck "PELAPORAN KINERJA", line 951; its content per DOMAIN: the pegawai,
  the pejabat penilai, the atasan pejabat penilai, the organisation's
  achievement, the predikat, notes/recommendations);
- the **per-pegawai monthly sheet** of the DKI 2026 form ("SHEET HASIL KERJA
  BULANAN", lines 4-24): identities, then per IKI Target Tahunan, Target
  Bulan, Realisasi, Capaian.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from kinerja_contracts.teks import angka, nama_periode, persen

from ..adapters.repository import EvaluationRepository
from .evaluations import read_row, view


def _target_teks(t: dict | None, satuan: str | None) -> str:
    if not t:
        return "N/A"
    body = (f"{angka(t['minimum'])} - {angka(t['maksimum'])}" if t.get("minimum") is not None
            and t.get("maksimum") is not None else angka(t.get("nilai")))
    return " ".join(x for x in (body, satuan) if x)


def _tahunan_teks(line: dict) -> str:
    if line.get("target_deskripsi") and line.get("target_tahunan") is None:
        return line["target_deskripsi"]
    if line.get("target_tahunan") is not None:
        return " ".join(x for x in (angka(line["target_tahunan"]), line.get("satuan")) if x)
    return "-"


async def dokumen_data(session, evaluation_id: str, principal, settings, today: dt.date) -> dict[str, Any]:
    """What the documents of an evaluation show, for whoever may read it."""
    ev, plan = await read_row(session, evaluation_id, principal, today)
    v = await view(session, ev, plan, settings)
    repo = EvaluationRepository(session)
    period = await repo.period(ev.period_id)
    org = await repo.capaian_organisasi_of(plan.instansi or "", ev.unit_kerja or "", ev.tahun)
    ub = v["umpan_balik"] or {}
    catatan = [f"{k}: {t}" for k, t in (ub.get("rhk") or {}).items()] + \
              [f"{k}: {t}" for k, t in (ub.get("perilaku") or {}).items()]
    rows = []
    for i, x in enumerate(v["hasil_kerja"], start=1):
        rows.append({
            "no": i, "rhk": x["rhk_uraian"], "rhk_jenis": x["rhk_jenis"], "aspek": x.get("aspek"),
            "indikator": x["indikator"], "target_tahunan": _tahunan_teks(x),
            "target_periode": _target_teks(x["target"], x.get("satuan")),
            "realisasi": "-" if x["realisasi"] is None else " ".join(
                y for y in (angka(x["realisasi"]), x.get("satuan") if x["target"] else None) if y),
            "capaian": "-" if x["capaian"] is None else persen(x["capaian"]),
        })
    kind = ev.kind
    return {
        "judul_periode": nama_periode(kind, period.mulai) if period else ev.period_id,
        "periode_mulai": period.mulai if period else None, "periode_selesai": period.selesai if period else None,
        "kind": kind, "jenis_pegawai": ev.jenis_pegawai, "instansi": plan.instansi,
        "pegawai": plan.pegawai, "penilai": plan.penilai, "atasan_pejabat_penilai": plan.atasan_pejabat_penilai or {},
        "dinilai_oleh": ev.dinilai_oleh,
        "capaian_organisasi": org.capaian if org else None,
        "capaian_hasil_kerja": None if v["capaian_hasil_kerja"] is None else persen(v["capaian_hasil_kerja"]),
        "rating_hasil_kerja": ev.rating_hasil_kerja, "rating_perilaku": ev.rating_perilaku, "predikat": ev.predikat,
        "catatan": catatan, "hasil_kerja": rows, "tanggal": today, "tempat": (plan.snapshot or {}).get("tempat"),
    }


def render(data: dict[str, Any], what: Literal["dokumen", "lembar-bulanan"], fmt: Literal["pdf", "xlsx"]) -> bytes:
    """Lay ``data`` out as the Dokumen Evaluasi or the monthly sheet, as PDF or XLSX.

    The layout adapter is imported here, on the first document asked for, not
    when the service starts: fpdf and its fonts are about 24 MB of RSS that a
    process which never renders a document should not carry (the issue-8
    target is under 150 MB at rest; the evaluation service was at 147-149)."""
    from ..adapters.dokumen import dokumen_pdf, dokumen_xlsx, lembar_bulanan_pdf, lembar_bulanan_xlsx

    if what == "dokumen":
        return dokumen_xlsx(data) if fmt == "xlsx" else dokumen_pdf(data)
    return lembar_bulanan_xlsx(data) if fmt == "xlsx" else lembar_bulanan_pdf(data)
