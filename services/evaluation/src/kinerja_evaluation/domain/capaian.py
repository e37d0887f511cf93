"""Capaian (achievement in percent of target) per IKI and per period.

Formulas of PermenPANRB 8/2021, still used to compute numbers (docs/evaluation.md, Capaian formulas):

- higher-is-better: ``realisasi / target x 100``;
- lower-is-better: ``(2 - realisasi / target) x 100``;
- range target ``[minimum, maksimum]``: 100 inside the range; above it the
  realisasi is measured against the upper bound, below it against the lower
  bound (with the IKI's polarity deciding which side is good).

Caps are regional policy: :class:`CapaianPolicy` carries them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinerja_contracts.skp import Polaritas


@dataclass(frozen=True)
class CapaianPolicy:
    """Regional policy for capaian: the upper cap and the floor (percent)."""

    cap: float = 120.0
    floor: float = 0.0

    def clamp(self, value: float) -> float:
        return round(max(self.floor, min(self.cap, value)), 2)


class CapaianError(ValueError):
    """A capaian cannot be computed (e.g. a zero target)."""


def capaian_higher_is_better(realisasi: float, target: float) -> float:
    """``realisasi / target x 100`` (uncapped)."""
    if target == 0:
        raise CapaianError("target nol tidak dapat dipakai untuk menghitung capaian (zero target)")
    return realisasi / target * 100.0


def capaian_lower_is_better(realisasi: float, target: float) -> float:
    """``(2 - realisasi / target) x 100`` (uncapped)."""
    if target == 0:
        raise CapaianError("target nol tidak dapat dipakai untuk menghitung capaian (zero target)")
    return (2.0 - realisasi / target) * 100.0


def capaian_range(realisasi: float, minimum: float, maksimum: float, *, lower_is_better: bool = False) -> float:
    """A range target counts as met (100) inside ``[minimum, maksimum]``.

    Above the range the realisasi is measured against the upper bound, below
    it against the lower bound; ``lower_is_better`` flips which side earns
    more than 100 (e.g. a cost range).
    """
    if minimum > maksimum:
        minimum, maksimum = maksimum, minimum
    if minimum <= realisasi <= maksimum:
        return 100.0
    bound = maksimum if realisasi > maksimum else minimum
    if lower_is_better:
        return capaian_lower_is_better(realisasi, bound)
    return capaian_higher_is_better(realisasi, bound)


def capaian_iki(
    realisasi: float,
    *,
    polaritas: Polaritas | str = Polaritas.higher_is_better,
    target: float | None = None,
    minimum: float | None = None,
    maksimum: float | None = None,
    policy: CapaianPolicy = CapaianPolicy(),
) -> float:
    """Capaian of one IKI in percent, clamped by ``policy``.

    A target with both ``minimum`` and ``maksimum`` is a range target (then
    ``polaritas`` lower_is_better measures outside the range the other way).
    """
    pol = Polaritas(polaritas)
    if minimum is not None and maksimum is not None:
        raw = capaian_range(realisasi, minimum, maksimum, lower_is_better=pol is Polaritas.lower_is_better)
    elif target is None:
        raise CapaianError("IKI tanpa target angka (IKI has no numeric target)")
    elif pol is Polaritas.lower_is_better:
        raw = capaian_lower_is_better(realisasi, target)
    else:
        raw = capaian_higher_is_better(realisasi, target)
    return policy.clamp(raw)


def capaian_hasil_kerja(capaian_per_iki: list[float | None]) -> float | None:
    """Capaian hasil kerja of a period: the mean over the IKI measured in it.

    ``None`` entries are IKI with a target in the period but no realisasi:
    they count as 0. An empty list (nothing measurable) gives ``None``.
    """
    if not capaian_per_iki:
        return None
    return round(sum(c or 0.0 for c in capaian_per_iki) / len(capaian_per_iki), 2)


def rata_rata(values: list[float | None]) -> float | None:
    """Mean of the known values (periods without a capaian are skipped)."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return round(sum(known) / len(known), 2)
