"""The evaluation plan of an approved SKP: every IKI with its annual target
and its monthly and quarterly targets.

The SKP arrives typed in ``ApprovalApproved`` (:class:`~kinerja_contracts.skp.SkpSnapshot`,
a tolerant reader: fields evaluation does not know are ignored, so the skp
service can extend its document without breaking evaluation).

Period targets: an explicit monthly (``target_bulanan``) or quarterly
(``target_triwulan``) target wins. Without one: a percentage or range target
applies unchanged in every period; a count is spread over the months of the
SKP periode (a quarter gets the sum of its months). Explicit quarters without months are spread
over their months. A month explicitly left
empty while other months have a target means "no target this month".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kinerja_contracts.skp import Iki, Polaritas, SkpSnapshot, Target
from pydantic import BaseModel, Field

from .periods import Kind, Period, make_period


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _nums(values: list[Decimal | None] | None) -> list[float | None] | None:
    return None if values is None else [_num(v) for v in values]


def _nones(n: int) -> list[float | None]:
    return [None] * n


@dataclass(frozen=True)
class _Target:
    """An IKI target in the numbers the plan computes with."""

    nilai: float | None
    minimum: float | None
    maksimum: float | None
    satuan: str | None

    @classmethod
    def of(cls, t: Target | None) -> _Target:
        if t is None:
            return cls(None, None, None, None)
        return cls(_num(t.nilai), _num(t.minimum), _num(t.maksimum), t.satuan)

    @property
    def is_range(self) -> bool:
        return self.minimum is not None and self.maksimum is not None

    @property
    def measurable(self) -> bool:
        return self.is_range or self.nilai is not None

    @property
    def is_percentage(self) -> bool:
        return (self.satuan or "").strip().lower() in ("%", "persen", "persentase")


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

    @property
    def is_range(self) -> bool:
        return self.target_minimum is not None and self.target_maksimum is not None

    @property
    def measurable(self) -> bool:
        return self.is_range or self.target_tahunan is not None


def _months_in(mulai: dt.date, selesai: dt.date, year: int) -> list[int]:
    start = mulai.month if mulai.year == year else 1
    end = selesai.month if selesai.year == year else 12
    if mulai.year > year or selesai.year < year:
        return []
    return list(range(start, end + 1))


def build_plan(snapshot: SkpSnapshot | None, periode: tuple[dt.date, dt.date] | None = None) -> list[PlanIki]:
    """Every IKI of the SKP with its annual, monthly and quarterly targets
    (``periode`` defaults to the SKP's own)."""
    if snapshot is None:
        return []
    if periode is None:
        periode = (snapshot.periode.mulai, snapshot.periode.selesai)
    months = _months_in(periode[0], periode[1], periode[0].year)
    lines: list[PlanIki] = []
    for rhk in snapshot.hasil_kerja:
        for iki in rhk.iki:
            t = _Target.of(iki.target)
            line = PlanIki(
                rhk_id=rhk.id, rhk_jenis=rhk.jenis.value, rhk_uraian=rhk.uraian, iki_id=iki.id, aspek=iki.aspek.value,
                indikator=iki.indikator, satuan=iki.target.satuan if iki.target else None,
                polaritas=(Polaritas.range if t.is_range and iki.polaritas == Polaritas.higher_is_better else iki.polaritas).value,
                jenis_target="rentang" if t.is_range else ("angka" if t.nilai is not None else "deskriptif"),
                target_tahunan=t.nilai, target_minimum=t.minimum if t.is_range else None,
                target_maksimum=t.maksimum if t.is_range else None,
                target_deskripsi=iki.target.deskripsi if iki.target else None,
            )
            line.target_bulanan = _monthly(iki, t, months)
            line.target_triwulan = _quarterly(iki, t, line.target_bulanan)
            lines.append(line)
    return lines


def _pad(values: list[float | None] | None, n: int) -> list[float | None]:
    values = list(values or [])[:n]
    return values + [None] * (n - len(values))


def _month_of_quarter(q: float | None, percentage: bool) -> float | None:
    """A month's share of its quarter's target: the same percentage, or a third."""
    if q is None:
        return None
    return q if percentage else round(q / 3, 4)


def _monthly(iki: Iki, t: _Target, months: list[int]) -> list[float | None]:
    explicit = _pad(_nums(iki.target_bulanan), 12)
    if any(v is not None for v in explicit):
        return explicit
    nilai = t.nilai
    if not t.measurable or t.is_range or nilai is None:  # (measurable and not a range: nilai is set)
        return [None] * 12
    quarters = _pad(_nums(iki.target_triwulan), 4)
    if any(v is not None for v in quarters):
        return [_month_of_quarter(quarters[(m - 1) // 3], t.is_percentage) for m in range(1, 13)]
    out: list[float | None] = [None] * 12
    for m in months:
        out[m - 1] = nilai if t.is_percentage else round(nilai / len(months), 4)
    return out


def _quarterly(iki: Iki, t: _Target, monthly: list[float | None]) -> list[float | None]:
    explicit = _pad(_nums(iki.target_triwulan), 4)
    if any(v is not None for v in explicit):
        return explicit
    if not t.measurable or t.is_range:
        return [None] * 4
    out: list[float | None] = []
    for q in range(4):
        vals = [v for v in monthly[3 * q: 3 * q + 3] if v is not None]
        if not vals:
            out.append(None)
        elif t.is_percentage:
            out.append(t.nilai)
        else:
            out.append(round(sum(vals), 4))
    return out


def target_for(line: PlanIki, period: Period) -> tuple[float | None, float | None, float | None] | None:
    """The IKI's target in ``period`` as ``(nilai, minimum, maksimum)``;
    ``None`` when the IKI is not measured in that period (no target there,
    or a descriptive target)."""
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
    the same rule as :func:`target_for`, without building models (it runs
    for every pegawai when a period opens)."""
    n = 0
    for line in rencana:
        is_range = line.get("target_minimum") is not None and line.get("target_maksimum") is not None
        if is_range:
            n += 1
        elif line.get("target_tahunan") is None:
            continue
        elif period.kind is Kind.annual:
            n += 1
        elif period.kind is Kind.monthly:
            n += (line.get("target_bulanan") or [None] * 12)[period.mulai.month - 1] is not None
        else:
            n += (line.get("target_triwulan") or [None] * 4)[(period.mulai.month - 1) // 3] is not None
    return n


def measured_counts(rencana: list[dict[str, Any]]) -> list[int]:
    """IKI measured in each period kind and index: 12 months, 4 quarters, the year."""
    months = [count_measured(rencana, make_period(Kind.monthly, "-", 2000, m)) for m in range(1, 13)]
    quarters = [count_measured(rencana, make_period(Kind.quarterly, "-", 2000, q)) for q in range(1, 5)]
    return months + quarters + [count_measured(rencana, make_period(Kind.annual, "-", 2000, 1))]


def measured_in(counts: list[int], period: Period) -> int:
    """Look ``period`` up in :func:`measured_counts`."""
    if period.kind is Kind.monthly:
        return counts[period.mulai.month - 1]
    if period.kind is Kind.quarterly:
        return counts[12 + (period.mulai.month - 1) // 3]
    return counts[16]
