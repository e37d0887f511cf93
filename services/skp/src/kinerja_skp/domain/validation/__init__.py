"""Validation of an SKP (pure, no I/O).

:func:`validate` runs every rule and returns all findings at once, each
naming its rule and the JSON path of the field at fault, so the pegawai sees
everything to fix in one go. Errors block submission; warnings do not.

What the rules need beyond the document itself (the region's policy, last
year's SKP, the superior's RHK) comes in a :class:`ValidationContext`, which
the service layer fills from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ..model import SkpContent
from .cascade import check_intervensi_exists
from .findings import Finding, Report, Severity
from .hasil_kerja import (
    check_ids_unique,
    check_iki_and_target,
    check_intervensi_present,
    check_jpt_perspektif,
    check_rhk_utama,
    check_uraian,
)
from .identity import check_nip, check_penilai_differs, nip_problems
from .periode import check_mutasi, check_periode
from .rencana_aksi import check_rencana_aksi
from .targets import check_arah, check_breakdowns, check_lampiran, check_tenfold, check_typed_breakdowns

__all__ = ["Finding", "Report", "Severity", "ValidationContext", "nip_problems", "validate"]


@dataclass(frozen=True)
class ValidationContext:
    """What the rules know besides the SKP.

    - ``rencana_aksi_wajib``: the region requires rencana aksi (DKI Jakarta does);
    - ``previous``: the same pegawai's SKP of the previous year, for the tenfold check;
    - ``superior_rhk``: RHK id -> text in the penilai's SKP of the same period
      (None: not looked up, skip the cascade check).
    """

    rencana_aksi_wajib: bool = False
    previous: SkpContent | None = None
    superior_rhk: Mapping[str, str] | None = None
    #: periods (mulai, selesai) of the pegawai's other SKPs that overlap this one (mutasi)
    overlapping: tuple[tuple[dt.date, dt.date], ...] = ()


def validate(content: SkpContent, context: ValidationContext | None = None) -> Report:
    ctx = context or ValidationContext()
    findings: list[Finding] = [
        *check_periode(content),
        *check_nip(content),
        *check_penilai_differs(content),
        *check_rhk_utama(content),
        *check_uraian(content),
        *check_ids_unique(content),
        *check_iki_and_target(content),
        *check_jpt_perspektif(content),
        *check_intervensi_present(content),
        *check_intervensi_exists(content, ctx.superior_rhk),
        *check_breakdowns(content),
        *check_typed_breakdowns(content),
        *check_arah(content),
        *check_lampiran(content),
        *check_tenfold(content, ctx.previous),
        *check_mutasi(content, ctx.overlapping),
    ]
    if ctx.rencana_aksi_wajib:
        findings += check_rencana_aksi(content)
    return Report(tuple(findings))
