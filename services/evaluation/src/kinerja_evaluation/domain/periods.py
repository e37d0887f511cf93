"""The evaluation calendar: which periods exist, when they open, when the
reminder goes out, and when they close. Dates are in Asia/Jakarta.

A period opens on its first day; its deadline (``batas``) is by default the
5th of the month after it ends; the reminder goes out ``reminder_days``
before the deadline; the period closes at the end of the deadline day (the
scheduler closes it on the first tick of the day after).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """Length of an evaluation period."""

    monthly = "monthly"
    quarterly = "quarterly"
    annual = "annual"


class Action(StrEnum):
    """What the scheduler does to a period, in this order."""

    open = "open"
    remind = "remind"
    close = "close"


#: Default policy: monthly for PPPK Paruh Waktu, quarterly for PNS and PPPK, annual for all.
DEFAULT_POLICY: dict[str, list[str]] = {
    "PPPK_PARUH_WAKTU": ["monthly", "annual"],
    "PNS": ["quarterly", "annual"],
    "PPPK": ["quarterly", "annual"],
}


@dataclass(frozen=True)
class Period:
    """One evaluation period of one jenis pegawai."""

    kind: Kind
    jenis_pegawai: str
    mulai: dt.date
    selesai: dt.date
    deadline: dt.date

    @property
    def period_id(self) -> str:
        """Stable id, e.g. ``2026-03/PPPK_PARUH_WAKTU/monthly``."""
        return f"{period_label(self.kind, self.mulai)}/{self.jenis_pegawai}/{self.kind}"

    @property
    def tahun(self) -> int:
        return self.mulai.year

    def months(self) -> list[int]:
        """Calendar months (1-12) the period covers."""
        return list(range(self.mulai.month, self.selesai.month + 1))

    def action_date(self, action: Action, reminder_days: int) -> dt.date:
        """The Jakarta date on which ``action`` becomes due."""
        if action is Action.open:
            return self.mulai
        if action is Action.remind:
            return max(self.mulai, self.deadline - dt.timedelta(days=reminder_days))
        return self.deadline + dt.timedelta(days=1)

    def accepts_input(self, today: dt.date) -> bool:
        """Realisasi may be entered from the first day through the deadline."""
        return self.mulai <= today <= self.deadline

    def can_be_filled_after(self, joined_on: dt.date) -> bool:
        """Whether a plan that joins this period on ``joined_on`` could still
        have realisasi entered: on or before the deadline (as extended). A
        period joined later is not measured for that plan (no evaluation, so
        no 0 in any average): docs/evaluation.md "Which periods an SKP is
        scored in" (DOMAIN "Targets and periods"; the deadline is local)."""
        return joined_on <= self.deadline


def period_label(kind: Kind | str, mulai: dt.date) -> str:
    kind = Kind(kind)
    if kind is Kind.monthly:
        return f"{mulai.year}-{mulai.month:02d}"
    if kind is Kind.quarterly:
        return f"{mulai.year}-Q{(mulai.month - 1) // 3 + 1}"
    return f"{mulai.year}"


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def deadline_after(selesai: dt.date, deadline_day: int = 5) -> dt.date:
    """The ``deadline_day`` of the month after ``selesai`` (clamped to that month's length)."""
    year, month = selesai.year + (selesai.month == 12), selesai.month % 12 + 1
    return dt.date(year, month, min(deadline_day, _month_end(year, month).day))


def make_period(kind: Kind | str, jenis_pegawai: str, year: int, index: int, deadline_day: int = 5) -> Period:
    """Period number ``index`` (month 1-12, quarter 1-4, or 1 for annual) of ``year``."""
    kind = Kind(kind)
    if kind is Kind.monthly:
        mulai, selesai = dt.date(year, index, 1), _month_end(year, index)
    elif kind is Kind.quarterly:
        mulai, selesai = dt.date(year, 3 * index - 2, 1), _month_end(year, 3 * index)
    else:
        mulai, selesai = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Period(kind, jenis_pegawai, mulai, selesai, deadline_after(selesai, deadline_day))


def periods_overlapping(
    kinds: Sequence[str], jenis_pegawai: str, mulai: dt.date, selesai: dt.date, deadline_day: int = 5
) -> Iterator[Period]:
    """Every period of the given kinds that overlaps ``[mulai, selesai]``, in date order."""
    found: list[Period] = []
    for kind in kinds:
        k = Kind(kind)
        for year in range(mulai.year, selesai.year + 1):
            count = {Kind.monthly: 12, Kind.quarterly: 4, Kind.annual: 1}[k]
            for i in range(1, count + 1):
                p = make_period(k, jenis_pegawai, year, i, deadline_day)
                if p.mulai <= selesai and p.selesai >= mulai:
                    found.append(p)
    found.sort(key=lambda p: (p.mulai, p.selesai))
    return iter(found)


@dataclass(frozen=True)
class DueAction:
    """A scheduler action that is due: do it once, in ``when`` order."""

    when: dt.date
    action: Action
    period: Period

    @property
    def key(self) -> str:
        return f"{self.action}:{self.period.period_id}"


def due_actions(
    spans: Mapping[str, tuple[dt.date, dt.date]],
    today: dt.date,
    *,
    policy: Mapping[str, Sequence[str]] = DEFAULT_POLICY,
    deadline_day: int = 5,
    reminder_days: int = 2,
) -> list[DueAction]:
    """All actions due on or before ``today`` for the periods that overlap
    each jenis pegawai's span of active SKP (``spans[jenis] = (mulai, selesai)``).

    Sorted by date, then open < remind < close (an annual period after the
    periodic ones it averages), so a catch-up after a long
    outage replays the calendar in order.
    """
    order = {Action.open: 0, Action.remind: 1, Action.close: 2}
    out: list[DueAction] = []
    for jenis, (mulai, selesai) in spans.items():
        for period in periods_overlapping(policy.get(jenis, ["annual"]), jenis, mulai, selesai, deadline_day):
            for action in Action:
                when = period.action_date(action, reminder_days)
                if when <= today:
                    out.append(DueAction(when, action, period))
    out.sort(key=lambda d: (d.when, order[d.action], d.period.kind is Kind.annual, d.period.selesai, d.period.period_id))
    return out
