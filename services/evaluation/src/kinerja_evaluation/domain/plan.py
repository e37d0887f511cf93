"""The evaluation plan of an approved SKP: every IKI with its annual target
and its monthly and quarterly targets.

The SKP arrives typed in ``ApprovalApproved`` (:class:`~kinerja_contracts.skp.SkpSnapshot`,
a tolerant reader: fields evaluation does not know are ignored, so the skp
service can extend its document without breaking evaluation).

Period targets follow the one shared rule, :mod:`kinerja_contracts.targets`
(counts split, levels hold, written per-period targets as typed, N/A not
measured, polaritas per period); the plan line keeps the resolved targets
(``bulanan``, ``triwulan``, ``tahunan``) and says how the kind was decided.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kinerja_contracts.skp import Iki, SkpSnapshot
from kinerja_contracts.targets import (
    TargetPeriode,
    months_in_periode,
    polaritas_efektif,
    sifat_target,
    targets_per_period,
)
from pydantic import BaseModel, Field

from .periods import Kind, Period, make_period


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _nones(n: int) -> list[float | None]:
    return [None] * n


class PlanIki(BaseModel):
    """One line of the evaluation plan."""

    rhk_id: str
    rhk_jenis: str
    rhk_uraian: str
    iki_id: str
    aspek: str | None = None
    indikator: str
    satuan: str | None = None
    polaritas: str
    jenis_target: str
    target_tahunan: float | None = None
    target_minimum: float | None = None
    target_maksimum: float | None = None
    target_deskripsi: str | None = None
    target_bulanan: list[float | None] = Field(default_factory=lambda: _nones(12))
    target_triwulan: list[float | None] = Field(default_factory=lambda: _nones(4))
    sifat_target: str | None = Field(default=None, description="jumlah, tingkat, waktu or biaya (shared rule)")
    sifat_catatan: str | None = Field(default=None, description="how the kind was decided: stated or derived by the table")
    bulanan: list[TargetPeriode | None] | None = Field(default=None, description="resolved target per month (None: not measured)")
    triwulan: list[TargetPeriode | None] | None = Field(default=None, description="resolved target per quarter")
    tahunan: TargetPeriode | None = None

    @property
    def is_range(self) -> bool:
        return self.target_minimum is not None and self.target_maksimum is not None

    @property
    def measurable(self) -> bool:
        return self.is_range or self.target_tahunan is not None or any(
            t is not None for t in (self.bulanan or []) + (self.triwulan or []))


def _annual(iki: Iki) -> TargetPeriode | None:
    t = iki.target
    if t is None or t.jenis == "deskriptif":
        return None
    if t.minimum is not None and t.maksimum is not None:
        return TargetPeriode(minimum=_num(t.minimum), maksimum=_num(t.maksimum))
    return TargetPeriode(nilai=_num(t.nilai)) if t.nilai is not None else None


def build_plan(snapshot: SkpSnapshot | None, periode: tuple[dt.date, dt.date] | None = None) -> list[PlanIki]:
    """Every IKI of the SKP with its annual, monthly and quarterly targets
    (``periode`` defaults to the SKP's own)."""
    if snapshot is None:
        return []
    if periode is None:
        periode = (snapshot.periode.mulai, snapshot.periode.selesai)
    months = months_in_periode(*periode)
    lines: list[PlanIki] = []
    for rhk in snapshot.hasil_kerja:
        for iki in rhk.iki:
            t = iki.target
            satuan = t.satuan if t else None
            sifat = sifat_target(iki.aspek.value, satuan, iki.sifat_target)
            annual = _annual(iki)
            is_range = annual is not None and annual.is_range
            typed = iki.target_periode
            pt = targets_per_period(annual, sifat.sifat, iki.polaritas, months,
                                    (typed.bulanan if typed and typed.bulanan else None) or iki.target_bulanan,
                                    (typed.triwulan if typed and typed.triwulan else None) or iki.target_triwulan)
            lines.append(PlanIki(
                rhk_id=rhk.id, rhk_jenis=rhk.jenis.value, rhk_uraian=rhk.uraian, iki_id=iki.id, aspek=iki.aspek.value,
                indikator=iki.indikator, satuan=satuan,
                polaritas=polaritas_efektif(iki.polaritas, sifat.sifat, is_range).value,
                jenis_target="rentang" if is_range else ("angka" if annual is not None else "deskriptif"),
                target_tahunan=annual.nilai if annual is not None and not is_range else None,
                target_minimum=annual.minimum if is_range and annual else None,
                target_maksimum=annual.maksimum if is_range and annual else None,
                target_deskripsi=t.deskripsi if t else None,
                target_bulanan=[None if x is None else x.nilai for x in pt.bulanan],
                target_triwulan=[None if x is None else x.nilai for x in pt.triwulan],
                sifat_target=sifat.sifat.value, sifat_catatan=sifat.catatan(),
                bulanan=pt.bulanan, triwulan=pt.triwulan, tahunan=pt.tahunan,
            ))
    return lines


def period_target(line: PlanIki, period: Period) -> TargetPeriode | None:
    """The IKI's target in ``period`` with its polaritas; ``None`` when the
    IKI is not measured then (N/A, no target there, or descriptive)."""
    if line.bulanan is None:  # a plan stored before the shared rule: read it the old way
        old = target_for(line, period)
        if old is None:
            return None
        return TargetPeriode(nilai=old[0], minimum=old[1], maksimum=old[2], polaritas=line.polaritas)
    if period.kind is Kind.annual:
        return line.tahunan
    if period.kind is Kind.monthly:
        return line.bulanan[period.mulai.month - 1]
    return (line.triwulan or [None] * 4)[(period.mulai.month - 1) // 3]


def target_for(line: PlanIki, period: Period) -> tuple[float | None, float | None, float | None] | None:
    """The IKI's target in ``period`` as ``(nilai, minimum, maksimum)``;
    ``None`` when the IKI is not measured in that period (no target there,
    or a descriptive target)."""
    if line.bulanan is not None:
        t = period_target(line, period)
        return None if t is None else (t.nilai, t.minimum, t.maksimum)
    if not line.measurable:
        return None
    if line.is_range:
        return (None, line.target_minimum, line.target_maksimum)
    if period.kind is Kind.annual:
        return (line.target_tahunan, None, None)
    if period.kind is Kind.monthly:
        v = line.target_bulanan[period.mulai.month - 1]
    else:
        v = line.target_triwulan[(period.mulai.month - 1) // 3]
    return None if v is None else (v, None, None)


def count_measured(rencana: list[dict[str, Any]], period: Period) -> int:
    """How many plan lines (stored as dicts) have a target in ``period``;
    the same rule as :func:`period_target`."""
    return sum(period_target(PlanIki.model_validate(line), period) is not None for line in rencana)


#: the periods :func:`measured_counts` counts in: 12 months, 4 quarters, the year (any year: targets go by index)
_COUNTED_PERIODS: tuple[Period, ...] = tuple(
    [make_period(Kind.monthly, "-", 2000, m) for m in range(1, 13)]
    + [make_period(Kind.quarterly, "-", 2000, q) for q in range(1, 5)]
    + [make_period(Kind.annual, "-", 2000, 1)])


def measured_counts(rencana: list[dict[str, Any]]) -> list[int]:
    """IKI measured in each period kind and index: 12 months, 4 quarters, the year.

    Each stored line is validated once (not once per period: 17 validations
    per line cost more than the rest of building a plan)."""
    return measured_counts_of([PlanIki.model_validate(line) for line in rencana])


def measured_counts_of(lines: list[PlanIki]) -> list[int]:
    """:func:`measured_counts` of plan lines as built (a plan just built is
    not dumped and validated back to be counted)."""
    return [sum(period_target(line, period) is not None for line in lines) for period in _COUNTED_PERIODS]


def measured_in(counts: list[int], period: Period) -> int:
    """Look ``period`` up in :func:`measured_counts`."""
    if period.kind is Kind.monthly:
        return counts[period.mulai.month - 1]
    if period.kind is Kind.quarterly:
        return counts[12 + (period.mulai.month - 1) // 3]
    return counts[16]
