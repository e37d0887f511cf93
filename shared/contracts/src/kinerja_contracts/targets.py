"""How an IKI target maps to evaluation periods: the one rule that the skp
service (validation warnings) and the evaluation service (the plan and its
capaian) both use, so they cannot disagree on what kind of target an IKI has.

Pure: pydantic and the standard library only. docs/evaluation.md ("Targets
per period") states every rule with its source, or says it is a local choice.

Kinds (:class:`SifatTarget`):

- ``jumlah`` (a count: Laporan, Dokumen, Kegiatan): split over the months of
  the SKP periode; a quarter gets the sum of its months (docs/evaluation.md "Targets
  and periods"; DKI 2026 form "Target Tahunan / Target Bulan": 12 Laporan a
  year, 1 a month);
- ``tingkat`` (a level: %, an index, a value, a ratio): holds in every period
  (DKI 2026 form: "100%" is the target of every month);
- ``waktu`` (a duration: hari, jam, "bulan setelah ..."): holds in every
  period, lower is better (BKN deck, "3. a.": 4-5 bulan target, realised in
  2 bulan, "melampaui ... ekspektasi");
- ``biaya`` (an amount of money): split like a count, lower is better
  (local choice: money spent accrues over the year).

An IKI may state its kind (``sifat_target``); otherwise :func:`sifat_target`
derives it from aspek and satuan by the table :data:`TABEL_SIFAT` and says
which row decided (the plan shows it: never silent).

Per-period targets written in the plan are used as typed: a number, a range,
``"N/A"`` (not measured in that period), or an object with its own
``polaritas`` (TW II "at least 30 %", TW IV "80-100 %" stabilize).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "Polaritas", "SifatTarget", "SifatDerivation", "TargetPeriode", "TargetPerPeriode", "PeriodTargets", "TABEL_SIFAT",
    "parse_polaritas", "parse_target_periode", "sifat_target", "arah_default", "polaritas_efektif",
    "targets_per_period", "months_in_periode", "quarter_of", "waktu_biaya_naik", "jumlahkan", "DIJUMLAH",
    "format_target_periode", "VERSI_ATURAN",
]

#: Version of this rule. Bump it whenever :func:`targets_per_period` or
#: :func:`sifat_target` gives a different result for some input: the
#: evaluation service rebuilds every stored plan built by an older version
#: (docs/evaluation.md "Plans stored under an older rule").
VERSI_ATURAN = 1


class Polaritas(StrEnum):
    """How realisasi compares to target: maximize, minimize or stabilize (a
    range whose band itself is the goal)."""

    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"
    range = "range"


_POLARITAS_ALIASES = {
    "maximize": Polaritas.higher_is_better, "maksimal": Polaritas.higher_is_better,
    "minimize": Polaritas.lower_is_better, "minimal": Polaritas.lower_is_better,
    "stabilize": Polaritas.range, "stabil": Polaritas.range,
}
#: every text parse_polaritas accepts (lower case, stripped): the names, then the aliases
_POLARITAS_BY_TEXT: dict[str, Polaritas] = {p.value: p for p in Polaritas} | _POLARITAS_ALIASES


def parse_polaritas(value: Any) -> Polaritas | None:
    """A polaritas from its name or an alias (maximize/minimize/stabilize); None if unknown or empty."""
    if value is None or value == "":
        return None
    return _POLARITAS_BY_TEXT.get(str(value).strip().lower())


class SifatTarget(StrEnum):
    """The kind of a target, deciding how it maps to periods."""

    jumlah = "jumlah"
    tingkat = "tingkat"
    waktu = "waktu"
    biaya = "biaya"


#: Kinds whose annual target is split over the months (the others hold).
DIJUMLAH = frozenset({SifatTarget.jumlah, SifatTarget.biaya})


@dataclass(frozen=True)
class SifatDerivation:
    """The kind of an IKI's target and why: ``sumber`` is ``dinyatakan``
    (the IKI states it) or ``tabel`` (derived; ``aturan`` names the row)."""

    sifat: SifatTarget
    sumber: str
    aturan: str

    def catatan(self) -> str:
        """A sentence for the plan (Indonesian, English in brackets)."""
        if self.sumber == "dinyatakan":
            return f"Sifat target {self.sifat} dinyatakan pada IKI (stated on the IKI)."
        return (f"Sifat target {self.sifat} diturunkan dari aspek dan satuan: {self.aturan} "
                f"(derived by the documented table; state sifat_target on the IKI to override).")


_PERSEN = re.compile(r"^\s*(%|persen\b|persentase\b|prosen\b)", re.IGNORECASE)
_WAKTU = re.compile(r"^\s*(hari|jam|menit|detik|minggu|pekan)\b", re.IGNORECASE)
_BULAN_SETELAH = re.compile(r"^\s*(bulan|tahun)\b.*\b(setelah|sejak|sesudah|per)\b", re.IGNORECASE)
_UANG = re.compile(r"^\s*(rp\.?|rupiah|ribu rupiah|juta rupiah|miliar rupiah|juta|miliar|milyar|ribu)(\s|$)", re.IGNORECASE)
_TINGKAT = re.compile(r"^\s*(indeks|index|nilai|skor|score|rasio|ratio|poin|point|predikat|level|peringkat|tingkat|angka kredit)\b",
                      re.IGNORECASE)
_PER = re.compile(r"(/|\bper\b)", re.IGNORECASE)

#: The documented table (first matching row wins); docs/evaluation.md repeats it.
TABEL_SIFAT: tuple[tuple[str, str], ...] = (
    ("1", "satuan %, persen, persentase -> tingkat"),
    ("2", "satuan hari, jam, menit, detik, minggu, pekan -> waktu"),
    ("3", "satuan bulan/tahun 'setelah', 'sejak' or 'per' something -> waktu"),
    ("4", "satuan Rp, rupiah, ribu, juta, miliar -> biaya"),
    ("5", "satuan indeks, nilai, skor, rasio, poin, predikat, level, peringkat, tingkat -> tingkat"),
    ("6", "satuan with '/' or 'per' (a rate, e.g. 'dokumen/hari') -> tingkat"),
    ("7", "anything else (Laporan, Dokumen, Kegiatan, Orang, Bulan) -> jumlah"),
)


def sifat_target(aspek: str | None, satuan: str | None, declared: str | SifatTarget | None = None) -> SifatDerivation:
    """The kind of an IKI's target: as stated, else from the table on satuan.

    ``aspek`` does not override the unit (aspek Waktu with "100 %" on-time is
    a level, aspek Biaya with "95 %" absorption is a level); it is kept in the
    signature because the table may grow rows that need it.
    """
    if declared:
        try:
            return SifatDerivation(SifatTarget(str(declared).strip().lower()), "dinyatakan", "")
        except ValueError:
            pass
    s = (satuan or "").strip()
    checks = ((_PERSEN, SifatTarget.tingkat), (_WAKTU, SifatTarget.waktu), (_BULAN_SETELAH, SifatTarget.waktu),
              (_UANG, SifatTarget.biaya), (_TINGKAT, SifatTarget.tingkat), (_PER, SifatTarget.tingkat))
    for (row, text), (pattern, sifat) in zip(TABEL_SIFAT, checks, strict=False):
        if pattern.search(s) if pattern is _PER else pattern.match(s):
            return SifatDerivation(sifat, "tabel", f"baris {row}: {text}")
    row, text = TABEL_SIFAT[-1]
    return SifatDerivation(SifatTarget.jumlah, "tabel", f"baris {row}: {text}")


def arah_default(sifat: SifatTarget) -> Polaritas:
    """The direction a kind follows when the IKI does not choose another:
    waktu and biaya lower is better, counts and levels higher."""
    return Polaritas.lower_is_better if sifat in (SifatTarget.waktu, SifatTarget.biaya) else Polaritas.higher_is_better


def polaritas_efektif(polaritas_iki: Any, sifat: SifatTarget, is_range: bool) -> Polaritas:
    """The polaritas the evaluation uses for an IKI-wide target.

    ``higher_is_better`` is the SKP's default and cannot be told apart from
    a choice, so it gives way: to stabilize for a range (the band itself is
    the goal, as in the BKD DKI 2025 Perjanjian Kinerja; docs/evaluation.md, "Capaian formulas"), and to
    lower-is-better for waktu and biaya. ``lower_is_better`` and ``range``
    are kept as stated.
    """
    pol = parse_polaritas(polaritas_iki) or Polaritas.higher_is_better
    if pol is not Polaritas.higher_is_better:
        return pol
    if is_range:
        return Polaritas.range
    return arah_default(sifat)


def waktu_biaya_naik(aspek: str | None, satuan: str | None, declared: Any, polaritas: Any) -> bool:
    """True when a waktu or biaya target is left higher-is-better (the skp
    service warns: the evaluation would read it lower-is-better)."""
    sifat = sifat_target(aspek, satuan, declared).sifat
    pol = parse_polaritas(polaritas) or Polaritas.higher_is_better
    return sifat in (SifatTarget.waktu, SifatTarget.biaya) and pol is Polaritas.higher_is_better


def _num(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(Decimal(str(value).replace(",", ".").strip()))
    except (InvalidOperation, ValueError):
        return None


_NA = {"n/a", "na", "-", "tidak ada", "tidak diukur", "n.a."}
_WITH_POLARITAS = re.compile(r"^(.*?)\s*\(\s*([a-z_]+)\s*\)\s*$")
_RANGE_TEXT = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(?:-|–|s\.?d\.?|sampai)\s*([0-9]+(?:[.,][0-9]+)?)\s*$")


class TargetPeriode(BaseModel):
    """A target in one period (or for the year): a number, a range, or N/A.

    ``polaritas`` None means "the IKI's". ``na`` means "not measured in this
    period" (the period's capaian averages only what it measures).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    na: bool = False
    nilai: float | None = None
    minimum: float | None = None
    maksimum: float | None = None
    polaritas: Polaritas | None = None

    @field_validator("nilai", "minimum", "maksimum", mode="before")
    @classmethod
    def _n(cls, v: Any) -> float | None:
        return _num(v)

    @field_validator("polaritas", mode="before")
    @classmethod
    def _p(cls, v: Any) -> Polaritas | None:
        return parse_polaritas(v)

    @property
    def is_range(self) -> bool:
        return self.minimum is not None and self.maksimum is not None

    @property
    def measurable(self) -> bool:
        return not self.na and (self.is_range or self.nilai is not None)


def parse_target_periode(value: Any) -> TargetPeriode | None:
    """One written per-period target as typed; None when nothing is written.

    Accepts a number (or numeric text, comma decimals), ``"N/A"`` (also
    "NA", "-", "tidak ada"), a range text ``"80 - 100"``, or an object with
    ``nilai`` / ``minimum`` + ``maksimum`` / ``na`` and optional ``polaritas``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, TargetPeriode):
        return value
    if isinstance(value, dict):
        t = TargetPeriode.model_validate(value)
        return t if (t.na or t.measurable) else None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _NA:
            return TargetPeriode(na=True)
        m_pol = _WITH_POLARITAS.match(text)
        if m_pol and parse_polaritas(m_pol.group(2)) is not None:
            inner = parse_target_periode(m_pol.group(1))
            if inner is not None and not inner.na:
                return inner.model_copy(update={"polaritas": parse_polaritas(m_pol.group(2))})
        m = _RANGE_TEXT.match(text)
        a, b = (_num(m.group(1)), _num(m.group(2))) if m else (None, None)
        if a is not None and b is not None:
            return TargetPeriode(minimum=min(a, b), maksimum=max(a, b))
    n = _num(value)
    if n is None:
        raise ValueError(f"target periode tidak dikenal (unknown period target): {value!r}")
    return TargetPeriode(nilai=n)


def _typed_periods(values: Any) -> Any:
    return values if not isinstance(values, list) else [parse_target_periode(v) for v in values]


class TargetPerPeriode(BaseModel):
    """Targets written per period on an IKI, as typed: ``bulanan`` (12) and
    ``triwulan`` (4), each entry a :class:`TargetPeriode` or None (nothing
    written). Input takes the written forms of :func:`parse_target_periode`."""

    model_config = ConfigDict(extra="ignore")

    bulanan: list[TargetPeriode | None] | None = Field(default=None, min_length=12, max_length=12)
    triwulan: list[TargetPeriode | None] | None = Field(default=None, min_length=4, max_length=4)

    @field_validator("bulanan", "triwulan", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return _typed_periods(v)


def format_target_periode(t: TargetPeriode | None) -> str | None:
    """The written form :func:`parse_target_periode` reads back: ``N/A``,
    ``30 (maximize)``, ``80 - 100 (stabilize)``, ``12`` (for a spreadsheet cell)."""
    if t is None:
        return None
    if t.na:
        return "N/A"
    def n(v: float | None) -> str:
        return "" if v is None else (str(int(v)) if float(v).is_integer() else str(v))
    body = f"{n(t.minimum)} - {n(t.maksimum)}" if t.is_range else n(t.nilai)
    names = {Polaritas.higher_is_better: "maximize", Polaritas.lower_is_better: "minimize", Polaritas.range: "stabilize"}
    return f"{body} ({names[t.polaritas]})" if t.polaritas is not None else body


def quarter_of(month: int) -> int:
    """Quarter index 0-3 of a month 1-12."""
    return (month - 1) // 3


def months_in_periode(mulai: dt.date | None, selesai: dt.date | None, year: int | None = None) -> list[int]:
    """Months (1-12) of ``year`` (default: the start's) inside the SKP periode; all 12 without a periode."""
    if mulai is None or selesai is None:
        return list(range(1, 13))
    year = year or mulai.year
    if mulai.year > year or selesai.year < year:
        return []
    start = mulai.month if mulai.year == year else 1
    end = selesai.month if selesai.year == year else 12
    return list(range(start, end + 1))


@dataclass(frozen=True)
class PeriodTargets:
    """An IKI's resolved targets: 12 months, 4 quarters, the year; each a
    :class:`TargetPeriode` with its polaritas set, or None (not measured)."""

    bulanan: list[TargetPeriode | None]
    triwulan: list[TargetPeriode | None]
    tahunan: TargetPeriode | None


def _resolve(t: TargetPeriode | None, pol_iki: Polaritas, sifat: SifatTarget) -> TargetPeriode | None:
    if t is None or not t.measurable:
        return None
    if t.polaritas is not None:
        return t
    pol = polaritas_efektif(pol_iki, sifat, t.is_range)
    if pol is Polaritas.range and not t.is_range:
        pol = arah_default(sifat)  # a single number cannot be stabilized: the kind's direction
    return t.model_copy(update={"polaritas": pol})


def _scale(t: TargetPeriode, factor: float) -> TargetPeriode:
    def r(v: float | None) -> float | None:
        return None if v is None else round(v * factor, 4)
    return t.model_copy(update={"nilai": r(t.nilai), "minimum": r(t.minimum), "maksimum": r(t.maksimum)})


def _lo(p: TargetPeriode) -> float:
    return (p.minimum if p.is_range else p.nilai) or 0.0


def _hi(p: TargetPeriode) -> float:
    return (p.maksimum if p.is_range else p.nilai) or 0.0


def jumlahkan(parts: Sequence[TargetPeriode]) -> TargetPeriode:
    """The sum of several periods' count targets (a range when any is one),
    with the polaritas of the last."""
    if any(p.is_range for p in parts):
        return TargetPeriode(minimum=round(sum(_lo(p) for p in parts), 4), maksimum=round(sum(_hi(p) for p in parts), 4),
                             polaritas=parts[-1].polaritas)
    return TargetPeriode(nilai=round(sum(_lo(p) for p in parts), 4), polaritas=parts[-1].polaritas)


def _lenient(value: Any) -> TargetPeriode | None:
    try:
        return parse_target_periode(value)
    except ValueError:  # the skp service refuses these; a reader of old or foreign documents skips them
        return None


def _written(values: Sequence[Any] | None, n: int) -> list[TargetPeriode | None]:
    out = [_lenient(v) for v in list(values or [])[:n]]
    return out + [None] * (n - len(out))


def targets_per_period(
    annual: TargetPeriode | None,
    sifat: SifatTarget,
    polaritas_iki: Any,
    months: Sequence[int],
    bulanan: Sequence[Any] | None = None,
    triwulan: Sequence[Any] | None = None,
) -> PeriodTargets:
    """Resolve an IKI's targets for every month, quarter and the year.

    1. Monthly targets written in the plan are used as typed; a month left
       empty or N/A is not measured. Quarters then follow from their months:
       counts summed, levels take the quarter's last measured month.
    2. Else quarterly targets written are used as typed; their months follow:
       counts split in three (over the quarter's months inside the periode),
       levels hold.
    3. Else the annual target: counts split evenly over ``months`` (the SKP
       periode), quarters sum their months; levels hold in every month of the
       periode and every quarter that has one.
    A descriptive target (``annual`` None and nothing written) is measured
    in no period.
    """
    pol_iki = parse_polaritas(polaritas_iki) or Polaritas.higher_is_better
    summed = sifat in DIJUMLAH
    months = [m for m in months if 1 <= m <= 12]
    wb, wt = _written(bulanan, 12), _written(triwulan, 4)
    bul: list[TargetPeriode | None] = [None] * 12
    tri: list[TargetPeriode | None] = [None] * 4
    if any(v is not None for v in wb):
        bul = [_resolve(v, pol_iki, sifat) for v in wb]
        for q in range(4):
            parts = [v for v in bul[3 * q: 3 * q + 3] if v is not None]
            if parts:
                tri[q] = jumlahkan(parts) if summed else parts[-1]
        if any(v is not None for v in wt):  # both written: quarters as typed
            tri = [_resolve(v, pol_iki, sifat) for v in wt]
    elif any(v is not None for v in wt):
        tri = [_resolve(v, pol_iki, sifat) for v in wt]
        for q, t in enumerate(tri):
            if t is None:
                continue
            qm = [m for m in range(3 * q + 1, 3 * q + 4) if m in months] or list(range(3 * q + 1, 3 * q + 4))
            for m in qm:
                bul[m - 1] = _scale(t, 1 / len(qm)) if summed else t
    elif annual is not None and annual.measurable and months and (base := _resolve(annual, pol_iki, sifat)):
        for m in months:
            bul[m - 1] = _scale(base, 1 / len(months)) if summed else base
        for q in range(4):
            parts = [v for v in bul[3 * q: 3 * q + 3] if v is not None]
            if parts:
                tri[q] = jumlahkan(parts) if summed else base
    tahunan = _resolve(annual, pol_iki, sifat) if annual is not None else None
    return PeriodTargets(bul, tri, tahunan)
