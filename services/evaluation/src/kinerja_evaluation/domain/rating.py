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

    No source fixes any number here: PermenPANRB 6/2022 (BKN deck, "3. b.
    Menetapkan Rating Hasil Kerja") rates each result against the expectation
    in words. They are regional configuration; the defaults are this
    project's choice ("no source"):

    - an RHK whose capaian is at least ``diatas_min`` (110) is above
      expectation, at least ``sesuai_min`` (80) as expected, else below;
    - ``sebagian_kecil`` (0.25) is the largest share of RHK Utama that counts
      as "hanya sebagian kecil" below expectation for a Sesuai rating;
    - ``di_luar_aturan``: the suggestion when the results fit none of the
      three source rules (e.g. three RHK Utama at 100/100/70: most are not
      below, so not Dibawah; a third of Utama below is more than a small
      part, so not Sesuai). Default ``None``: no suggestion, the pejabat
      penilai decides and the view says why.
    """

    diatas_min: float = 110.0
    sesuai_min: float = 80.0
    sebagian_kecil: float = 0.25
    di_luar_aturan: Rating | None = None

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


@dataclass(frozen=True)
class SaranRating:
    """A suggested rating hasil kerja and the rule that gave it."""

    rating: Rating | None
    aturan: str


def saran_rating_detail(rhk: Iterable[RhkCapaian], policy: RatingPolicy = RatingPolicy()) -> SaranRating:
    """Suggest the rating hasil kerja by the three source rules (BKN deck,
    "3. b. Menetapkan Rating Hasil Kerja", items (1)a, (2)a, (3)a), reading
    "sebagian besar" (most) as more than half:

    - Diatas: most or all RHK above expectation, and no RHK Utama below;
    - Sesuai: most or all RHK at least as expected, and at most a small part
      (``policy.sebagian_kecil``) of the RHK Utama below;
    - Dibawah: most or all RHK below expectation;
    - none of them: ``policy.di_luar_aturan`` (default no suggestion).
    """
    items = list(rhk)
    if not items:
        return SaranRating(None, "Tidak ada RHK yang diukur (nothing to judge).")
    levels = [(r, policy.level(r.capaian)) for r in items]
    n = len(levels)
    above = sum(1 for _, lv in levels if lv is Rating.diatas)
    at_least = sum(1 for _, lv in levels if lv is not Rating.dibawah)
    below = n - at_least
    utama = [lv for r, lv in levels if r.utama]
    utama_below = sum(1 for lv in utama if lv is Rating.dibawah)
    if above * 2 > n and utama_below == 0:
        return SaranRating(Rating.diatas, "(1)a: sebagian besar diatas ekspektasi, tidak ada RHK utama dibawah.")
    if at_least * 2 > n and (not utama or utama_below / len(utama) <= policy.sebagian_kecil):
        return SaranRating(Rating.sesuai, "(2)a: sebagian besar sesuai ekspektasi, hanya sebagian kecil RHK utama dibawah.")
    if below * 2 > n:
        return SaranRating(Rating.dibawah, "(3)a: sebagian besar dibawah ekspektasi.")
    return SaranRating(policy.di_luar_aturan,
                       f"Di luar ketiga aturan sumber: {utama_below} dari {len(utama)} RHK utama dibawah ekspektasi, "
                       f"tetapi tidak sebagian besar hasil kerja dibawah; pejabat penilai menetapkan "
                       f"(outside the three source rules; the penilai decides).")


def saran_rating_hasil_kerja(rhk: Iterable[RhkCapaian], policy: RatingPolicy = RatingPolicy()) -> Rating | None:
    """The suggested rating of :func:`saran_rating_detail` (``None``: nothing
    to judge, or a case outside the source rules with no configured choice).
    The pejabat penilai decides; this is only a suggestion."""
    return saran_rating_detail(rhk, policy).rating


def perilaku_minimal_baik(perilaku: Rating | str | None) -> bool:
    """Work behaviour is at least BAIK: rated Sesuai or Diatas Ekspektasi."""
    return perilaku is not None and Rating(perilaku) in (Rating.sesuai, Rating.diatas)


#: Predikat from best to worst (PermenPANRB 6/2022 order).
URUTAN_PREDIKAT: tuple[Predikat, ...] = (Predikat.sangat_baik, Predikat.baik, Predikat.butuh_perbaikan,
                                         Predikat.kurang, Predikat.sangat_kurang)


def lebih_rendah(a: Predikat | str, b: Predikat | str) -> bool:
    """True when predikat ``a`` is worse than ``b``."""
    return URUTAN_PREDIKAT.index(Predikat(a)) > URUTAN_PREDIKAT.index(Predikat(b))
