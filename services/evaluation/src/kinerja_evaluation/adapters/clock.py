"""Clocks of the evaluation service, in the one clock style
(:data:`kinerja_contracts.calendar.Clock`: a callable returning the current
instant in UTC).

``utcnow`` in production; :class:`FileClock` reads the time from a file (the
end-to-end tests and demos move time by rewriting it). In-process tests use
``kinerja_devstack.testing.ManualClock``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kinerja_contracts.calendar import Clock, today_jakarta, utcnow

__all__ = ["Clock", "FileClock", "today", "utcnow"]


class FileClock:
    """Reads an ISO datetime from ``path`` on every call (system time when absent)."""

    def __init__(self, path: str):
        self.path = Path(path)

    def __call__(self) -> dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(self.path.read_text().strip())
        except (OSError, ValueError):
            return utcnow()
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def today(clock: Clock) -> dt.date:
    """Today's date in Asia/Jakarta."""
    return today_jakarta(clock())
