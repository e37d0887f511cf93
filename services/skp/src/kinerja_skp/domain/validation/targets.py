"""Warnings on target numbers: breakdowns that do not add up, and the
"100 typed as 10" mistake (a tenfold jump against last year's SKP).

Breakdown sums are checked for counted units only: a percentage ("%",
"persen") or a range target is a level, not a count, and its months do not add up.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..model import Iki, SkpContent, format_angka
from .findings import Finding, warning

TENFOLD = Decimal(10)
_LEVEL_UNITS = re.compile(r"^\s*(%|(persen|persentase|indeks|nilai|skor)\b)", re.IGNORECASE)


def _is_counted(iki: Iki) -> bool:
    t = iki.target
    return bool(t and t.jenis == "angka" and t.nilai is not None and not _LEVEL_UNITS.match(t.satuan or ""))


def _total(values: list[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def check_breakdowns(content: SkpContent) -> list[Finding]:
    out: list[Finding] = []
    mulai, selesai = content.periode.mulai, content.periode.selesai
    for i, j, _, iki in content.iter_iki():
        base = f"hasil_kerja[{i}].iki[{j}]"
        if iki.target_bulanan:
            outside = [m for m, v in enumerate(iki.target_bulanan, start=1)
                       if v and mulai.year == selesai.year and not (mulai.month <= m <= selesai.month)]
            if outside:
                out.append(warning("target-bulanan-luar-periode", f"{base}.target_bulanan",
                                   f"Target bulan {', '.join(map(str, outside))} di luar periode SKP "
                                   "(monthly targets outside the SKP period)."))
        if not _is_counted(iki):
            continue
        assert iki.target is not None  # _is_counted says so
        annual = iki.target.nilai
        if iki.target_bulanan and any(v is not None for v in iki.target_bulanan):
            total = _total(iki.target_bulanan)
            if total != annual:
                out.append(warning("target-bulanan-sum", f"{base}.target_bulanan",
                                   f"Jumlah target bulanan {format_angka(total)} tidak sama dengan target tahunan "
                                   f"{format_angka(annual)} (monthly targets do not add up to the annual target)."))
        if iki.target_triwulan and any(v is not None for v in iki.target_triwulan):
            total = _total(iki.target_triwulan)
            if total != annual:
                out.append(warning("target-triwulan-sum", f"{base}.target_triwulan",
                                   f"Jumlah target triwulan {format_angka(total)} tidak sama dengan target tahunan "
                                   f"{format_angka(annual)} (quarterly targets do not add up to the annual target)."))
            if iki.target_bulanan and any(v is not None for v in iki.target_bulanan):
                for q in range(4):
                    tw = iki.target_triwulan[q]
                    months = _total(iki.target_bulanan[q * 3:q * 3 + 3])
                    if tw is not None and months != tw:
                        out.append(warning("target-bulanan-triwulan", f"{base}.target_triwulan[{q}]",
                                           f"Target TW {q + 1} {format_angka(tw)} berbeda dari jumlah target bulannya "
                                           f"{format_angka(months)} (quarter and its months disagree)."))
    return out


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def check_tenfold(content: SkpContent, previous: SkpContent | None) -> list[Finding]:
    """A target ten times larger or smaller than the same IKI last year
    (matched by IKI id, else by indicator text) is probably a typing mistake."""
    if previous is None:
        return []
    by_id = {iki.id: iki for *_, iki in previous.iter_iki()}
    by_text = {_key(iki.indikator): iki for *_, iki in previous.iter_iki()}
    out = []
    for i, j, _, iki in content.iter_iki():
        old = by_id.get(iki.id)
        if old is None or _key(old.indikator) != _key(iki.indikator):
            old = by_text.get(_key(iki.indikator), old)
        if old is None or iki.target is None or old.target is None:
            continue
        now, before = iki.target.acuan(), old.target.acuan()
        if not now or not before or (iki.target.satuan or "").strip() != (old.target.satuan or "").strip():
            continue
        ratio = now / before
        if ratio >= TENFOLD or ratio <= 1 / TENFOLD:
            out.append(warning("target-tenfold", f"hasil_kerja[{i}].iki[{j}].target",
                               f"Target {iki.target.teks()} berbeda {format_angka(ratio.quantize(Decimal('0.01')))}x "
                               f"dari target tahun lalu {old.target.teks()}; salah ketik? "
                               "(the target differs tenfold from last year's; a typing mistake?)"))
    return out
