"""Validation of an SKP before it may be submitted (pure, no I/O).

Every rule returns all its findings; each names the rule and the JSON path
of the field at fault, so the pegawai sees at once everything to fix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .model import JenisRhk, SkpContent


@dataclass(frozen=True)
class Finding:
    """One validation error or warning."""

    rule: str
    path: str
    message: str
    severity: str = "error"  # or "warning"

    def as_dict(self) -> dict:
        return asdict(self)


def validate(content: SkpContent) -> list[Finding]:
    """All findings for ``content`` (errors and warnings)."""
    out: list[Finding] = []
    if not any(r.jenis == JenisRhk.Utama for r in content.hasil_kerja):
        out.append(Finding("rhk-utama-required", "hasil_kerja",
                           "SKP harus memiliki minimal satu RHK Utama (at least one RHK Utama is required)."))
    for i, rhk in enumerate(content.hasil_kerja):
        if not rhk.iki:
            out.append(Finding("iki-required", f"hasil_kerja[{i}].iki",
                               f"RHK '{rhk.uraian}' belum memiliki IKI (every RHK needs at least one IKI)."))
        for j, iki in enumerate(rhk.iki):
            if iki.target is None:
                out.append(Finding("target-required", f"hasil_kerja[{i}].iki[{j}].target",
                                   f"IKI '{iki.indikator}' belum memiliki target (every IKI needs a target)."))
    if content.pegawai.nip == content.penilai.nip:
        out.append(Finding("penilai-differs", "penilai.nip",
                           "Pegawai dan pejabat penilai harus orang yang berbeda (pegawai and penilai must differ)."))
    return out


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
