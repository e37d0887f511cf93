"""The annual result and the PPPK Paruh Waktu extension recommendation.

DKI Jakarta 2026: the yearly average of the monthly capaian decides whether
a PPPK Paruh Waktu contract is extended, and perilaku kerja must be at
least BAIK (rated Sesuai or Diatas Ekspektasi).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .rating import Rating, perilaku_minimal_baik


@dataclass(frozen=True)
class RekomendasiPerpanjangan:
    """Extension recommendation with the reasons that led to it."""

    rekomendasi: str  # "diperpanjang" | "tidak diperpanjang"
    alasan: list[str] = field(default_factory=list)


def rekomendasi_perpanjangan(
    rata_rata_capaian: float | None, rating_perilaku: Rating | str | None, *, ambang_capaian: float = 80.0
) -> RekomendasiPerpanjangan:
    """Diperpanjang when the average capaian reaches ``ambang_capaian`` and
    perilaku is at least Baik; otherwise tidak diperpanjang, with every
    reason that failed."""
    alasan: list[str] = []
    ok = True
    if rata_rata_capaian is None:
        ok = False
        alasan.append("Belum ada capaian hasil kerja (no capaian recorded).")
    elif rata_rata_capaian >= ambang_capaian:
        alasan.append(f"Rata-rata capaian {rata_rata_capaian:.2f}% memenuhi ambang {ambang_capaian:.2f}% "
                      f"(average capaian meets the threshold).")
    else:
        ok = False
        alasan.append(f"Rata-rata capaian {rata_rata_capaian:.2f}% di bawah ambang {ambang_capaian:.2f}% "
                      f"(average capaian below the threshold).")
    if rating_perilaku is None:
        ok = False
        alasan.append("Rating perilaku kerja tahunan belum ditetapkan (annual behaviour rating not set).")
    elif perilaku_minimal_baik(rating_perilaku):
        alasan.append(f"Perilaku kerja {Rating(rating_perilaku)}: minimal Baik terpenuhi (behaviour at least Baik).")
    else:
        ok = False
        alasan.append(f"Perilaku kerja {Rating(rating_perilaku)}: kurang dari Baik (behaviour below Baik).")
    return RekomendasiPerpanjangan("diperpanjang" if ok else "tidak diperpanjang", alasan)
