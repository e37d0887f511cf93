"""Rules on the SKP period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..model import SkpContent
from .findings import Finding, error, warning


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


def check_mutasi(content: SkpContent, others: Iterable[tuple[dt.date, dt.date]] | None) -> list[Finding]:
    """Another SKP of the same pegawai whose period overlaps this one's is a
    mutasi (docs/evaluation.md "Mutasi": a new SKP for the new position from that date; the old
    one stays for its part of the year): say how the evaluation will read it."""
    out: list[Finding] = []
    p = content.periode
    for mulai, selesai in others or ():
        if mulai < p.mulai:
            out.append(warning("skp-mutasi", "periode.mulai",
                               f"SKP ini tumpang tindih dengan SKP {mulai} s.d. {selesai}; dibaca sebagai mutasi: SKP lama "
                               f"berakhir {p.mulai - dt.timedelta(days=1)} (a mutasi: the earlier SKP ends the day before)."))
        elif mulai > p.mulai:
            out.append(warning("skp-mutasi", "periode.selesai",
                               f"SKP ini tumpang tindih dengan SKP {mulai} s.d. {selesai}; dibaca sebagai mutasi: SKP ini "
                               f"berakhir {mulai - dt.timedelta(days=1)} (a mutasi: this SKP ends the day before the later one)."))
    return out
