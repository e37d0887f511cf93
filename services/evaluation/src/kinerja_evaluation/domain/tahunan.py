"""The annual result and the PPPK extension recommendation.

DKI Jakarta 2026 (sosialisasi SKP PPPK Paruh Waktu, "Arahan Ibu Dwi"): the
year's monthly results are averaged and judged "tercapai atau tidak, sesuai
ekspektasi atau tidak"; that decides whether the contract is extended;
perilaku kerja must be at least BAIK; "Ketentuan ini sama seperti PPPK Penuh
Waktu": the same rule for full-time PPPK.

So the recommendation follows the pejabat penilai's annual ratings: hasil
kerja Sesuai or Diatas Ekspektasi and perilaku at least Baik (Sesuai or
Diatas). The source gives no capaian number: a numeric floor on the average
capaian is optional regional configuration (``ambang_capaian``, default
none: "no source").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .rating import Rating, perilaku_minimal_baik

#: jenis pegawai the extension rule applies to (DKI 2026: the same as full-time PPPK)
JENIS_PERPANJANGAN = frozenset({"PPPK", "PPPK_PARUH_WAKTU"})


@dataclass(frozen=True)
class RekomendasiPerpanjangan:
    """Extension recommendation with the reasons that led to it:
    ``diperpanjang``, ``tidak diperpanjang`` or ``belum dapat ditentukan``."""

    rekomendasi: str
    alasan: list[str] = field(default_factory=list)


def _pct(v: float) -> str:
    from .teks import persen

    return persen(v)


def rekomendasi_perpanjangan(
    rating_hasil_kerja: Rating | str | None,
    rating_perilaku: Rating | str | None,
    rata_rata_capaian: float | None = None,
    *,
    ambang_capaian: float | None = None,
) -> RekomendasiPerpanjangan:
    """Diperpanjang when the annual rating hasil kerja is Sesuai or Diatas,
    perilaku is at least Baik, and (only when configured) the average
    capaian reaches ``ambang_capaian``; tidak diperpanjang when one of them
    fails; belum dapat ditentukan while a rating is not set yet."""
    alasan: list[str] = []
    missing = failed = False
    if rating_hasil_kerja is None:
        missing = True
        alasan.append("Rating hasil kerja tahunan belum ditetapkan pejabat penilai (annual work rating not set).")
    elif Rating(rating_hasil_kerja) in (Rating.sesuai, Rating.diatas):
        alasan.append(f"Hasil kerja {Rating(rating_hasil_kerja)}: tercapai sesuai ekspektasi (results meet expectation).")
    else:
        failed = True
        alasan.append(f"Hasil kerja {Rating(rating_hasil_kerja)}: tidak sesuai ekspektasi (results below expectation).")
    if rating_perilaku is None:
        missing = True
        alasan.append("Rating perilaku kerja tahunan belum ditetapkan (annual behaviour rating not set).")
    elif perilaku_minimal_baik(rating_perilaku):
        alasan.append(f"Perilaku kerja {Rating(rating_perilaku)}: minimal Baik terpenuhi (behaviour at least Baik).")
    else:
        failed = True
        alasan.append(f"Perilaku kerja {Rating(rating_perilaku)}: kurang dari Baik (behaviour below Baik).")
    if ambang_capaian is not None:
        if rata_rata_capaian is None:
            missing = True
            alasan.append("Belum ada capaian hasil kerja (no capaian recorded).")
        elif rata_rata_capaian >= ambang_capaian:
            alasan.append(f"Rata-rata capaian {_pct(rata_rata_capaian)} memenuhi ambang daerah {_pct(ambang_capaian)} "
                          f"(average capaian meets the regional threshold).")
        else:
            failed = True
            alasan.append(f"Rata-rata capaian {_pct(rata_rata_capaian)} di bawah ambang daerah {_pct(ambang_capaian)} "
                          f"(average capaian below the regional threshold).")
    if failed:
        return RekomendasiPerpanjangan("tidak diperpanjang", alasan)
    if missing:
        return RekomendasiPerpanjangan("belum dapat ditentukan", alasan)
    return RekomendasiPerpanjangan("diperpanjang", alasan)
