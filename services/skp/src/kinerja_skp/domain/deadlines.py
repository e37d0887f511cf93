"""Submission deadlines of the SKP (pure).

The annual SKP (period from 1 January) is due by 31 January; an SKP that
follows an appointment decree (SK) is due 10 days after the SK's date; a
mid-year period without an SK date is due 10 days after it starts. An admin
may extend the deadline for a unit kerja or for one pegawai: the latest
extension that applies wins, and a deadline is never shortened by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


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
    reason: str  # "tahunan", "sk", "mulai", or "perpanjangan"

    def passed(self, today: dt.date) -> bool:
        return today > self.effective


def base_deadline(mulai: dt.date, tanggal_sk: dt.date | None, policy: DeadlinePolicy = DeadlinePolicy()) -> tuple[dt.date, str]:
    if tanggal_sk is not None:
        return tanggal_sk + dt.timedelta(days=policy.days_after_sk), "sk"
    if (mulai.month, mulai.day) == (1, 1):
        return dt.date(mulai.year, policy.annual_month, policy.annual_day), "tahunan"
    return mulai + dt.timedelta(days=policy.days_after_sk), "mulai"


def deadline_for(
    *,
    mulai: dt.date,
    tanggal_sk: dt.date | None,
    nip: str,
    unit_kerja: str | None,
    extensions: Iterable[Extension] = (),
    policy: DeadlinePolicy = DeadlinePolicy(),
) -> Deadline:
    base, reason = base_deadline(mulai, tanggal_sk, policy)
    applicable = [e.sampai for e in extensions if (e.nip and e.nip == nip) or (e.unit_kerja and e.unit_kerja == unit_kerja)]
    if applicable and max(applicable) > base:
        return Deadline(base, max(applicable), "perpanjangan")
    return Deadline(base, base, reason)
