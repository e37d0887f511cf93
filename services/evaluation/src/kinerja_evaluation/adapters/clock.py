"""Clocks: the scheduler and the deadlines ask a :class:`Clock` for "now".

``SystemClock`` in production; ``FileClock`` reads the time from a file (the
end-to-end tests and demos move time by rewriting it). In-process tests use
``kinerja_devstack.testing.ManualClock``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Protocol

from kinerja_contracts.calendar import today_jakarta, utcnow


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return utcnow()


class FileClock:
    """Reads an ISO datetime from ``path`` on every call (system time when absent)."""

    def __init__(self, path: str):
        self.path = Path(path)

    def now(self) -> dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(self.path.read_text().strip())
        except (OSError, ValueError):
            return utcnow()
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def today(clock: Clock) -> dt.date:
    """Today's date in Asia/Jakarta."""
    return today_jakarta(clock.now())
