"""The rencana-aksi rule of regions that use it (e.g. DKI Jakarta's Sistem
Pengelolaan Kinerja).

Source: the BKD DKI letter to the PNS of Suku Dinas Pendidikan Wilayah II
(reference/sosialisasi-skp-pppk-paruh-waktu-dki-2026.txt, the list "Bahwa
setiap indikator kinerja Pegawai pada SKP wajib memiliki rencana aksi ...").
Every IKI has a rencana aksi; the IKI's rencana aksi have at least two
outputs in all ("minimal 2 (dua) output"; BKD DKI's own 2025 plan has IKIs
with several rencana aksi of one output each; docs/skp.md); at least one output
lies in the quarter in which the IKI's target falls (a); a target in TW I
needs both outputs in TW I (b). Nothing stricter: a TW II target with outputs
in TW II and TW III is valid.
"""

from __future__ import annotations

from ..model import Iki, SkpContent, Triwulan
from .findings import Finding, error

QUARTERS = list(Triwulan)
MIN_OUTPUTS = 2


def triwulan_of_month(month: int) -> Triwulan:
    return QUARTERS[(month - 1) // 3]


def target_quarter(iki: Iki, content: SkpContent) -> Triwulan:
    """The quarter in which the IKI's target falls: as given, else the last
    quarter with a quarterly (or monthly) target, else the period's last quarter."""
    if iki.triwulan_target is not None:
        return iki.triwulan_target
    typed = iki.target_periode
    if typed is not None and typed.triwulan:
        measured = [q for q, v in zip(QUARTERS, typed.triwulan, strict=True) if v is not None and not v.na]
        if measured:
            return measured[-1]
    if iki.target_triwulan:
        filled = [q for q, v in zip(QUARTERS, iki.target_triwulan, strict=False) if v]
        if filled:
            return filled[-1]
    if iki.target_bulanan:
        filled_months = [m for m, v in enumerate(iki.target_bulanan, start=1) if v]
        if filled_months:
            return triwulan_of_month(filled_months[-1])
    return triwulan_of_month(content.periode.selesai.month)


def check_rencana_aksi(content: SkpContent) -> list[Finding]:
    out: list[Finding] = []
    for i, j, _, iki in content.iter_iki():
        base = f"hasil_kerja[{i}].iki[{j}]"
        if not iki.rencana_aksi:
            out.append(error("rencana-aksi-required", f"{base}.rencana_aksi",
                             f"IKI '{iki.indikator[:60]}' wajib memiliki rencana aksi (every IKI needs a rencana aksi)."))
            continue
        quarters = [o.triwulan for ra in iki.rencana_aksi for o in ra.output]
        if len(quarters) < MIN_OUTPUTS:
            out.append(error("rencana-aksi-min-output", f"{base}.rencana_aksi",
                             f"Rencana aksi IKI wajib memiliki minimal {MIN_OUTPUTS} output seluruhnya; ada {len(quarters)} "
                             f"(an IKI's rencana aksi need at least {MIN_OUTPUTS} outputs in all)."))
        tw = target_quarter(iki, content)
        if tw not in quarters:
            out.append(error("rencana-aksi-triwulan-target", f"{base}.rencana_aksi",
                             f"Target IKI berada di TW {tw}; minimal satu output rencana aksi wajib berada di TW {tw} "
                             f"(at least one output must lie in the target's quarter, TW {tw})."))
        elif tw is Triwulan.I and quarters.count(Triwulan.I) < MIN_OUTPUTS:
            out.append(error("rencana-aksi-triwulan-target", f"{base}.rencana_aksi",
                             "Target IKI berada di TW I; kedua output rencana aksi wajib berada di TW I "
                             "(a target in TW I needs both outputs in TW I)."))
    return out
