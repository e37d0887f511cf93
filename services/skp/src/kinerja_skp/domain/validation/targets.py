"""Warnings on target numbers: breakdowns that do not add up, and the
"100 typed as 10" mistake (a tenfold jump against last year's SKP).

Breakdown sums are checked for summed kinds only (jumlah, biaya), decided
by the one shared rule (:func:`kinerja_contracts.targets.sifat_target`) that
the evaluation also uses: a level (%, an index, a value, a ratio) or a
duration holds in every period, and its months do not add up. A waktu or
biaya target left higher-is-better is warned about: the evaluation reads it
lower-is-better.
"""

from __future__ import annotations

import re
from decimal import Decimal

from kinerja_contracts.targets import DIJUMLAH, sifat_target, waktu_biaya_naik

from ..model import Iki, SkpContent, format_angka
from .findings import Finding, warning

TENFOLD = Decimal(10)


def _is_counted(iki: Iki) -> bool:
    t = iki.target
    if not (t and t.jenis == "angka" and t.nilai is not None):
        return False
    return sifat_target(str(iki.aspek), t.satuan, iki.sifat_target).sifat in DIJUMLAH


def check_arah(content: SkpContent) -> list[Finding]:
    """A waktu or biaya target left higher-is-better (issue 16): warn."""
    out: list[Finding] = []
    for i, j, _, iki in content.iter_iki():
        t = iki.target
        if t is None or t.jenis == "deskriptif":
            continue
        if waktu_biaya_naik(str(iki.aspek), t.satuan, iki.sifat_target, str(iki.polaritas)):
            kind = sifat_target(str(iki.aspek), t.satuan, iki.sifat_target).sifat
            out.append(warning("target-arah-waktu-biaya", f"hasil_kerja[{i}].iki[{j}].polaritas",
                               f"Target {kind} ({t.teks()}) tercatat higher_is_better; evaluasi membacanya "
                               "lower_is_better (lebih cepat/hemat lebih baik). Pilih polaritas atau sifat_target "
                               "(a waktu/biaya target left higher-is-better is read lower-is-better)."))
    return out


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


def check_typed_breakdowns(content: SkpContent) -> list[Finding]:
    """The same sum check for per-period targets written as typed
    (``target_periode``): a count's numbers (N/A and ranges left out) add up
    to the annual target."""
    out: list[Finding] = []
    for i, j, _, iki in content.iter_iki():
        typed = iki.target_periode
        if typed is None or not _is_counted(iki):
            continue
        assert iki.target is not None  # _is_counted says so
        annual = iki.target.nilai
        for name, entries in (("bulanan", typed.bulanan), ("triwulan", typed.triwulan)):
            numbers = [Decimal(str(t.nilai)) for t in entries or [] if t is not None and not t.na and t.nilai is not None]
            if numbers and sum(numbers, Decimal(0)) != annual:
                out.append(warning("target-periode-sum", f"hasil_kerja[{i}].iki[{j}].target_periode.{name}",
                                   f"Jumlah target {name} {format_angka(sum(numbers, Decimal(0)))} tidak sama dengan "
                                   f"target tahunan {format_angka(annual)} (the period targets do not add up)."))
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


def check_lampiran(content: SkpContent) -> list[Finding]:
    """An empty lampiran part: a warning. BKN deck (line 441 and 744): the
    agreed dukungan sumber daya, skema pertanggungjawaban and konsekuensi are
    "Lampiran tidak terpisahkan dari SKP seluruh Pegawai". A warning, not an
    error: regions' forms (DKI 2026 PPPK sheet) do not show it (local choice)."""
    names = {"dukungan_sumber_daya": "Dukungan sumber daya", "skema_pertanggungjawaban": "Skema pertanggungjawaban",
             "konsekuensi": "Konsekuensi"}
    empty = [f for f in names if not [x for x in getattr(content.lampiran, f) if x and x.strip()]]
    if not empty:
        return []
    return [warning("lampiran-kosong", f"lampiran.{f}",
                    f"{names[f]} pada Lampiran SKP belum diisi; Lampiran tidak terpisahkan dari SKP "
                    f"(the SKP attachment part '{f}' is empty).") for f in empty]
