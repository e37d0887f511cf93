"""The rencana-aksi rule of regions that use it (e.g. DKI Jakarta's Sistem
Pengelolaan Kinerja).

Every IKI has a rencana aksi; each rencana aksi has at least two outputs; at
least one output lies in the quarter in which the IKI's target falls, and at
least two outputs lie in or before that quarter. So a target in TW IV needs
one output in TW IV, and a target in TW I needs both outputs in TW I.
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
        for k, ra in enumerate(iki.rencana_aksi):
            if len(ra.output) < MIN_OUTPUTS:
                out.append(error("rencana-aksi-min-output", f"{base}.rencana_aksi[{k}].output",
                                 f"Rencana aksi wajib memiliki minimal {MIN_OUTPUTS} output; ada {len(ra.output)} "
                                 f"(a rencana aksi needs at least {MIN_OUTPUTS} outputs)."))
        tw = target_quarter(iki, content)
        quarters = [o.triwulan for ra in iki.rencana_aksi for o in ra.output]
        if tw not in quarters:
            out.append(error("rencana-aksi-triwulan-target", f"{base}.rencana_aksi",
                             f"Target IKI berada di TW {tw}; minimal satu output rencana aksi wajib berada di TW {tw} "
                             f"(at least one output must lie in the target's quarter, TW {tw})."))
        elif sum(1 for q in quarters if QUARTERS.index(q) <= QUARTERS.index(tw)) < MIN_OUTPUTS:
            out.append(error("rencana-aksi-triwulan-target", f"{base}.rencana_aksi",
                             f"Target IKI berada di TW {tw}; minimal {MIN_OUTPUTS} output wajib berada pada atau sebelum "
                             f"TW {tw} (at least {MIN_OUTPUTS} outputs must lie in or before TW {tw})."))
    return out
