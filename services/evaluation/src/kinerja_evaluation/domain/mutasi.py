"""Mutasi: a new SKP for a new position from the mutasi date ends the old
one; each is evaluated for its part of the year and the year combines them
by time (docs/evaluation.md "Mutasi", after the rule of the SKP document: "A change of position (mutasi)
during the year means a new SKP for the new position from that date; the
old one stays for its part of the year"; the DKI 2025 letter asks the
pegawai who "mutasi jabatan" for rencana aksi of the new position plus those
of the old one).

Pure: plan lines in, plan lines out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kinerja_contracts.targets import DIJUMLAH, SifatTarget, TargetPeriode, jumlahkan

from .plan import PlanIki


def _sum(parts: list[TargetPeriode]) -> TargetPeriode | None:
    return jumlahkan(parts) if parts else None


def potong_rencana(line: PlanIki, selesai: dt.date) -> PlanIki:
    """The plan line of an SKP that a mutasi ends on ``selesai`` (the day
    before the new SKP starts): months after it are not measured; a count's
    quarter and year keep the sum of the months that remain (its part of
    the year); a level keeps its value."""
    if line.bulanan is None:
        return line
    last_month = selesai.month
    bul = [t if m <= last_month else None for m, t in enumerate(line.bulanan, start=1)]
    summed = SifatTarget(line.sifat_target or "jumlah") in DIJUMLAH
    tri = list(line.triwulan or [None] * 4)
    for q in range(4):
        first, last = 3 * q + 1, 3 * q + 3
        if first > last_month:
            tri[q] = None
        elif last > last_month and summed:
            tri[q] = _sum([t for t in bul[3 * q: 3 * q + 3] if t is not None])
    tahunan = line.tahunan
    if summed and tahunan is not None:
        tahunan = _sum([t for t in bul if t is not None])
    return line.model_copy(update={
        "bulanan": bul, "triwulan": tri, "tahunan": tahunan,
        "target_bulanan": [None if t is None else t.nilai for t in bul],
        "target_triwulan": [None if t is None else t.nilai for t in tri],
    })


@dataclass(frozen=True)
class Bagian:
    """One SKP's part of the year: its days and its annual capaian."""

    skp_id: str
    mulai: dt.date
    selesai: dt.date
    capaian: float | None

    @property
    def hari(self) -> int:
        return (self.selesai - self.mulai).days + 1


def capaian_gabungan(bagian: list[Bagian]) -> float | None:
    """The year's capaian over several SKPs, each weighted by its days
    (local choice: the sources say each SKP counts for its part of the year,
    not how to combine; by time is the plain reading). SKPs without a
    capaian are left out."""
    known = [(b.capaian, b.hari) for b in bagian if b.capaian is not None and b.hari > 0]
    if not known:
        return None
    total = sum(h for _, h in known)
    return round(sum(c * h for c, h in known) / total, 2)
