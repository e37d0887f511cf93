"""Clocks: the scheduler and the deadlines ask a :class:`Clock` for "now".

``SystemClock`` in production; ``FileClock`` reads the time from a file (the
end-to-end tests and demos move time by rewriting it); ``ManualClock`` is
advanced by tests in-process.
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


class ManualClock:
    """A clock that stands still until :meth:`advance` or :meth:`set`."""

    def __init__(self, start: dt.datetime):
        self._now = start if start.tzinfo else start.replace(tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    def advance(self, **delta: float) -> None:
        self._now += dt.timedelta(**delta)


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
