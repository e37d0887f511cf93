"""Cascading: a subordinate's RHK may only intervene an RHK that exists in
the superior's SKP for the same period (that SKP need not be approved)."""

from __future__ import annotations

from collections.abc import Mapping

from ..model import SkpContent
from .findings import Finding, error


def check_intervensi_exists(content: SkpContent, superior_rhk: Mapping[str, str] | None) -> list[Finding]:
    """``superior_rhk`` maps the ids of the RHK in the penilai's SKP to their
    text; None means it was not looked up (the check is skipped)."""
    if superior_rhk is None:
        return []
    out = []
    for i, rhk in enumerate(content.hasil_kerja):
        if rhk.rhk_intervensi_id and rhk.rhk_intervensi_id not in superior_rhk:
            out.append(error("rhk-intervensi-unknown", f"hasil_kerja[{i}].rhk_intervensi_id",
                             f"RHK pimpinan '{rhk.rhk_intervensi_id}' tidak ada di SKP pejabat penilai "
                             f"{content.penilai.nama} untuk periode yang sama (the superior's SKP for this period has "
                             "no such RHK, or does not exist yet)."))
    return out
