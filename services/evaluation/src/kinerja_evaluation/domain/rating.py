"""Ratings, the suggested rating hasil kerja, and the predikat kinerja.

PermenPANRB 6/2022: the pejabat penilai sets two ratings, each Diatas /
Sesuai / Dibawah Ekspektasi; the predikat kinerja follows from the matrix
(hasil kerja rows x perilaku kerja columns).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Rating(StrEnum):
    """A rating of hasil kerja or of perilaku kerja."""

    diatas = "Diatas Ekspektasi"
    sesuai = "Sesuai Ekspektasi"
    dibawah = "Dibawah Ekspektasi"


class Predikat(StrEnum):
    """Predikat kinerja pegawai (final grade)."""

    sangat_baik = "Sangat Baik"
    baik = "Baik"
    butuh_perbaikan = "Butuh Perbaikan"
    kurang = "Kurang/Misconduct"
    sangat_kurang = "Sangat Kurang"


#: PermenPANRB 6/2022, Lampiran: (rating hasil kerja, rating perilaku) -> predikat.
PREDIKAT_MATRIX: dict[tuple[Rating, Rating], Predikat] = {
    (Rating.diatas, Rating.dibawah): Predikat.kurang,
    (Rating.diatas, Rating.sesuai): Predikat.baik,
    (Rating.diatas, Rating.diatas): Predikat.sangat_baik,
    (Rating.sesuai, Rating.dibawah): Predikat.kurang,
    (Rating.sesuai, Rating.sesuai): Predikat.baik,
    (Rating.sesuai, Rating.diatas): Predikat.baik,
    (Rating.dibawah, Rating.dibawah): Predikat.sangat_kurang,
    (Rating.dibawah, Rating.sesuai): Predikat.butuh_perbaikan,
    (Rating.dibawah, Rating.diatas): Predikat.butuh_perbaikan,
}


def predikat(hasil_kerja: Rating | str, perilaku: Rating | str) -> Predikat:
    """The predikat kinerja for a rating hasil kerja and a rating perilaku."""
    return PREDIKAT_MATRIX[(Rating(hasil_kerja), Rating(perilaku))]


@dataclass(frozen=True)
class RatingPolicy:
    """Thresholds that turn capaian into a suggested rating hasil kerja.

    An RHK whose capaian is at least ``diatas_min`` is above expectation; at
    least ``sesuai_min`` as expected; below that, below expectation.
    ``sebagian_kecil`` is the largest share of RHK Utama that may be below
    expectation for a Sesuai rating ("only a small part").
    """

    diatas_min: float = 110.0
    sesuai_min: float = 80.0
    sebagian_kecil: float = 0.25

    def level(self, capaian: float | None) -> Rating:
        """Classify one RHK's capaian (no capaian counts as below)."""
        if capaian is None or capaian < self.sesuai_min:
            return Rating.dibawah
        if capaian >= self.diatas_min:
            return Rating.diatas
        return Rating.sesuai


@dataclass(frozen=True)
class RhkCapaian:
    """Capaian of one RHK and whether it is Utama (high priority)."""

    rhk_id: str
    utama: bool
    capaian: float | None


def saran_rating_hasil_kerja(rhk: Iterable[RhkCapaian], policy: RatingPolicy = RatingPolicy()) -> Rating | None:
    """Suggest the rating hasil kerja from the RHK capaian (docs/evaluation.md, Ratings and predikat).

    - Diatas: most or all RHK above expectation, and no RHK Utama below;
    - Sesuai: most or all RHK at least as expected, and at most a small part
      (``policy.sebagian_kecil``) of the RHK Utama below;
    - Dibawah: otherwise (most or all below).

    Returns ``None`` when there is nothing to judge. The pejabat penilai
    decides; this is only a suggestion.
    """
    items = list(rhk)
    if not items:
        return None
    levels = [(r, policy.level(r.capaian)) for r in items]
    n = len(levels)
    above = sum(1 for _, lv in levels if lv is Rating.diatas)
    at_least = sum(1 for _, lv in levels if lv is not Rating.dibawah)
    utama = [lv for r, lv in levels if r.utama]
    utama_below = sum(1 for lv in utama if lv is Rating.dibawah)
    if above * 2 > n and utama_below == 0:
        return Rating.diatas
    if at_least * 2 > n and (not utama or utama_below / len(utama) <= policy.sebagian_kecil):
        return Rating.sesuai
    return Rating.dibawah


def perilaku_minimal_baik(perilaku: Rating | str | None) -> bool:
    """Work behaviour is at least BAIK: rated Sesuai or Diatas Ekspektasi."""
    return perilaku is not None and Rating(perilaku) in (Rating.sesuai, Rating.diatas)
