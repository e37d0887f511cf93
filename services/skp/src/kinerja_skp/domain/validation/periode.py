"""Rules on the SKP period."""

from __future__ import annotations

from ..model import SkpContent
from .findings import Finding, error


def check_periode(content: SkpContent) -> list[Finding]:
    """The period runs forward and lies inside one calendar year."""
    p = content.periode
    out = []
    if p.selesai < p.mulai:
        out.append(error("periode-order", "periode.selesai",
                         f"Periode selesai {p.selesai} sebelum periode mulai {p.mulai} (the period ends before it starts)."))
    elif p.mulai.year != p.selesai.year:
        out.append(error("periode-one-year", "periode",
                         f"Periode {p.mulai} s.d. {p.selesai} melewati pergantian tahun; satu SKP untuk satu tahun "
                         "(an SKP period lies inside one calendar year)."))
    if content.tanggal_sk is not None and content.tanggal_sk > p.selesai:
        out.append(error("tanggal-sk-periode", "tanggal_sk",
                         f"Tanggal SK {content.tanggal_sk} sesudah akhir periode {p.selesai} "
                         "(the appointment decree is dated after the period)."))
    return out
