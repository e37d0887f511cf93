"""Escalation policy: when does a Pending SKP earn a reminder? Pure.

An SKP Pending for ``remind_after_days`` days earns a reminder to its
pejabat penilai, and another every ``interval_days`` after that. Once it has
waited ``escalate_after_days`` days, each reminder also alerts the atasan
pejabat penilai. Each reminder is identified by its *interval index*, so a
scan that runs every minute emits a given reminder only once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Level = Literal["penilai", "atasan"]


@dataclass(frozen=True)
class EscalationPolicy:
    remind_after_days: int = 3
    escalate_after_days: int = 7
    interval_days: int = 3

    def __post_init__(self) -> None:
        if self.remind_after_days < 1 or self.interval_days < 1:
            raise ValueError("remind_after_days and interval_days must be at least 1")
        if self.escalate_after_days < self.remind_after_days:
            raise ValueError("escalate_after_days must not be shorter than remind_after_days")


@dataclass(frozen=True)
class DueReminder:
    level: Level
    interval_index: int  # 0 for the first reminder of this level, 1 for the next ...
    days_pending: int


def due_reminders(pending_since: dt.datetime, now: dt.datetime, policy: EscalationPolicy) -> list[DueReminder]:
    """The reminders due at ``now`` for an SKP Pending since ``pending_since``.

    Only the *current* interval of each level is returned: after an outage the
    scan sends one reminder, not one per missed interval.
    """
    waited = now - pending_since
    days = waited.days  # whole days elapsed
    due: list[DueReminder] = []
    for level, after in (("penilai", policy.remind_after_days), ("atasan", policy.escalate_after_days)):
        if waited >= dt.timedelta(days=after):
            index = (days - after) // policy.interval_days
            due.append(DueReminder(level, index, days))  # type: ignore[arg-type]
    return due
