"""Validation findings: one error or warning, with the rule and the JSON path."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    error = "error"  # the SKP cannot be submitted
    warning = "warning"  # probably a mistake; submission is allowed


@dataclass(frozen=True)
class Finding:
    """One validation error or warning.

    ``path`` is the JSON path of the field at fault inside the SKP content,
    e.g. ``hasil_kerja[0].iki[1].target``; ``message`` is Bahasa Indonesia
    with English in parentheses.
    """

    rule: str
    path: str
    message: str
    severity: Severity = Severity.error

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d


def error(rule: str, path: str, message: str) -> Finding:
    return Finding(rule, path, message, Severity.error)


def warning(rule: str, path: str, message: str) -> Finding:
    return Finding(rule, path, message, Severity.warning)


@dataclass(frozen=True)
class Report:
    """All findings of one validation run."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.warning]

    @property
    def valid(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
        }
