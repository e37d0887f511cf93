"""Submission deadlines of the SKP (pure).

The annual SKP (period from 1 January) is due by 31 January (Babel 2026
guide: "Paling lambat 31 Januari 2026"); an SKP that follows an appointment
decree (SK) is due 10 days after the pegawai *received* the SK (DKI 2026
sosialisasi: "selambat-lambatnya 10 hari setelah menerima SK"). When the
receipt date is not recorded the SK's own date stands in for it (never
later than receipt, so the deadline is never later than the source's; the
reason says "sk" rather than "terima-sk"). A mid-year period without an SK
date is due 10 days after it starts. An admin
may extend the deadline for a unit kerja or for one pegawai: the latest
extension that applies wins, and a deadline is never shortened by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeadlinePolicy:
    annual_month: int = 1
    annual_day: int = 31
    days_after_sk: int = 10

    @classmethod
    def parse(cls, month_day: str, days_after_sk: int) -> DeadlinePolicy:
        month, day = (int(x) for x in month_day.split("-"))
        return cls(month, day, days_after_sk)


@dataclass(frozen=True)
class Extension:
    """An extension as the rules see it."""

    sampai: dt.date
    unit_kerja: str | None = None
    nip: str | None = None


@dataclass(frozen=True)
class Deadline:
    base: dt.date
    effective: dt.date
    reason: str  # "tahunan", "terima-sk", "sk", "mulai", or "perpanjangan"

    def passed(self, today: dt.date) -> bool:
        return today > self.effective


def _plus_days(d: dt.date, days: int) -> dt.date:
    """``d`` plus ``days``, at most the last representable date (a date
    stored before the edge bounded them must not make a read fail)."""
    try:
        return d + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


def base_deadline(mulai: dt.date, tanggal_sk: dt.date | None, policy: DeadlinePolicy = DeadlinePolicy(),
                  tanggal_terima_sk: dt.date | None = None) -> tuple[dt.date, str]:
    if tanggal_terima_sk is not None:
        return _plus_days(tanggal_terima_sk, policy.days_after_sk), "terima-sk"
    if tanggal_sk is not None:
        return _plus_days(tanggal_sk, policy.days_after_sk), "sk"
    if (mulai.month, mulai.day) == (1, 1):
        return dt.date(mulai.year, policy.annual_month, policy.annual_day), "tahunan"
    return _plus_days(mulai, policy.days_after_sk), "mulai"


def deadline_for(
    *,
    mulai: dt.date,
    tanggal_sk: dt.date | None,
    nip: str,
    unit_kerja: str | None,
    extensions: Iterable[Extension] = (),
    policy: DeadlinePolicy = DeadlinePolicy(),
    tanggal_terima_sk: dt.date | None = None,
) -> Deadline:
    base, reason = base_deadline(mulai, tanggal_sk, policy, tanggal_terima_sk)
    applicable = [e.sampai for e in extensions if (e.nip and e.nip == nip) or (e.unit_kerja and e.unit_kerja == unit_kerja)]
    if applicable and max(applicable) > base:
        return Deadline(base, max(applicable), "perpanjangan")
    return Deadline(base, base, reason)


def terima_sk_of(content: dict[str, Any] | None) -> dt.date | None:
    """The SK receipt date stored in an SKP document's content (no column of its own)."""
    value = (content or {}).get("tanggal_terima_sk")
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
