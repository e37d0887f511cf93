"""Capaian (achievement in percent of target) per IKI and per period.

Formulas of PermenPANRB 8/2021, still used to compute numbers (docs/evaluation.md, Capaian formulas):

- higher-is-better: ``realisasi / target x 100``;
- lower-is-better: ``(2 - realisasi / target) x 100``;
- range target ``[minimum, maksimum]``: 100 inside the range; outside it the
  polarity decides: maximize measures above the range against the upper
  bound, minimize below it against the lower bound, and stabilize (the band
  itself is the goal) treats leaving the band either way as a shortfall,
  never above 100;
- a zero target (local choice, no source): lower-is-better is met (100) at
  a realisasi of 0 and missed (the floor) above it; higher-is-better is met
  at any realisasi.

Caps are regional policy: :class:`CapaianPolicy` carries them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinerja_contracts.targets import Polaritas, parse_polaritas

__all__ = ["Polaritas", "CapaianPolicy", "CapaianError", "capaian_iki", "capaian_range", "capaian_hasil_kerja",
           "capaian_higher_is_better", "capaian_lower_is_better", "rata_rata"]


@dataclass(frozen=True)
class CapaianPolicy:
    """Regional policy for capaian: the upper cap and the floor (percent).

    Defaults: no source fixes them; 120 / 0 are this project's choice (the
    PermenPANRB 8/2021 formulas give numbers, not caps). Configuration.
    """

    cap: float = 120.0
    floor: float = 0.0

    def clamp(self, value: float) -> float:
        return round(max(self.floor, min(self.cap, value)), 2)


class CapaianError(ValueError):
    """A capaian cannot be computed (e.g. a zero target)."""


def capaian_higher_is_better(realisasi: float, target: float) -> float:
    """``realisasi / target x 100`` (uncapped); a zero target is met by any realisasi (100)."""
    if target == 0:
        return 100.0
    return realisasi / target * 100.0


def capaian_lower_is_better(realisasi: float, target: float) -> float:
    """``(2 - realisasi / target) x 100`` (uncapped); a zero target (0
    complaints) is met at 0 (100) and missed above it (0)."""
    if target == 0:
        return 100.0 if realisasi <= 0 else 0.0
    return (2.0 - realisasi / target) * 100.0


def capaian_range(realisasi: float, minimum: float, maksimum: float, *, lower_is_better: bool = False,
                  polaritas: Polaritas | str | None = None) -> float:
    """A range target counts as met (100) inside ``[minimum, maksimum]``.

    Outside it: maximize (``higher_is_better``) measures against the bound
    it left (above the range more than 100, below less); minimize
    (``lower_is_better``) the other way round; stabilize (``range``) gives
    less than 100 on either side: below ``realisasi / minimum``, above
    ``(2 - realisasi / maksimum)``.
    """
    pol = parse_polaritas(polaritas) or (Polaritas.lower_is_better if lower_is_better else Polaritas.higher_is_better)
    if minimum > maksimum:
        minimum, maksimum = maksimum, minimum
    if minimum <= realisasi <= maksimum:
        return 100.0
    above = realisasi > maksimum
    bound = maksimum if above else minimum
    if pol is Polaritas.range:
        return capaian_lower_is_better(realisasi, bound) if above else capaian_higher_is_better(realisasi, bound)
    if pol is Polaritas.lower_is_better:
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
    pol = parse_polaritas(polaritas) or Polaritas.higher_is_better
    if minimum is not None and maksimum is not None:
        raw = capaian_range(realisasi, minimum, maksimum, polaritas=pol)
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
