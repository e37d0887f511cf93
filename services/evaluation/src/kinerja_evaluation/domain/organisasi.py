"""Organisation achievement and the predikat distribution guidance.

PermenPANRB 6/2022: the capaian kinerja organisasi (Istimewa, Baik, Butuh
Perbaikan, Kurang, Sangat Kurang) guides - it does not force - the
distribution of the employees' predikat ("kurva bukanlah forced
distribution, melainkan sebagai panduan"). A unit whose distribution departs
from the guidance gets a warning, never a block.

The regulation draws the guidance as curves (shifted right for an Istimewa
organisation, centred for Baik, shifted left for Kurang). :data:`DEFAULT_GUIDANCE`
turns them into share bands; the bands are configuration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .rating import Predikat


class CapaianOrganisasi(StrEnum):
    istimewa = "Istimewa"
    baik = "Baik"
    butuh_perbaikan = "Butuh Perbaikan"
    kurang = "Kurang"
    sangat_kurang = "Sangat Kurang"


#: Share bands (0..1) per organisation level:
#: ``sangat_baik_max`` most employees Sangat Baik; ``bawah_min`` / ``bawah_max`` the
#: least / most share below Baik (Butuh Perbaikan, Kurang/Misconduct, Sangat Kurang).
DEFAULT_GUIDANCE: dict[str, dict[str, float]] = {
    "Istimewa": {"sangat_baik_max": 0.50, "bawah_min": 0.00, "bawah_max": 0.10},
    "Baik": {"sangat_baik_max": 0.20, "bawah_min": 0.00, "bawah_max": 0.30},
    "Butuh Perbaikan": {"sangat_baik_max": 0.10, "bawah_min": 0.10, "bawah_max": 0.60},
    "Kurang": {"sangat_baik_max": 0.05, "bawah_min": 0.20, "bawah_max": 1.00},
    "Sangat Kurang": {"sangat_baik_max": 0.00, "bawah_min": 0.30, "bawah_max": 1.00},
}

_BAWAH = {Predikat.butuh_perbaikan, Predikat.kurang, Predikat.sangat_kurang}


@dataclass(frozen=True)
class Distribusi:
    """How many employees of a unit got each predikat."""

    jumlah: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.jumlah.values())

    def share(self, predikat: Iterable[Predikat]) -> float:
        keys = {str(p) for p in predikat}
        return sum(n for k, n in self.jumlah.items() if k in keys) / self.total if self.total else 0.0


def distribusi(predikat: Iterable[str]) -> Distribusi:
    counts = Counter(str(Predikat(p)) for p in predikat)
    return Distribusi({str(p): counts.get(str(p), 0) for p in Predikat})


def peringatan_distribusi(
    capaian: CapaianOrganisasi | str, dist: Distribusi, guidance: Mapping[str, Mapping[str, float]] = DEFAULT_GUIDANCE
) -> list[str]:
    """Warnings (Bahasa Indonesia, English in parentheses) where ``dist``
    departs from the guidance for an organisation of level ``capaian``."""
    if dist.total == 0:
        return []
    band = guidance[str(CapaianOrganisasi(capaian))]
    warnings: list[str] = []
    sb = dist.share([Predikat.sangat_baik])
    bawah = dist.share(_BAWAH)
    if sb > band["sangat_baik_max"]:
        warnings.append(f"Proporsi Sangat Baik {sb:.0%} melebihi panduan {band['sangat_baik_max']:.0%} untuk capaian "
                        f"organisasi {capaian} (share of Sangat Baik above the guidance).")
    if bawah < band["bawah_min"]:
        warnings.append(f"Proporsi di bawah Baik {bawah:.0%} kurang dari panduan {band['bawah_min']:.0%} untuk capaian "
                        f"organisasi {capaian} (share below Baik under the guidance).")
    if bawah > band["bawah_max"]:
        warnings.append(f"Proporsi di bawah Baik {bawah:.0%} melebihi panduan {band['bawah_max']:.0%} untuk capaian "
                        f"organisasi {capaian} (share below Baik above the guidance).")
    return warnings
