"""The calendar every service shares: the clock in UTC, dates in Asia/Jakarta,
and the Indonesian names of the months.

Instants are stored and sent in UTC (:func:`utcnow`); periods and deadlines
are calendar dates in Asia/Jakarta (:func:`today_jakarta`). Asia/Jakarta (WIB)
is UTC+7 all year, but it is read from the IANA database (``zoneinfo``; the
``tzdata`` package supplies it where the system has none) rather than written
as a fixed offset, so the one definition is also the right one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

__all__ = [
    "Clock",
    "JAKARTA",
    "NAMA_BULAN",
    "utcnow",
    "to_jakarta",
    "today_jakarta",
    "tanggal_indonesia",
]

#: Western Indonesia Time (WIB), the zone of every period and deadline.
JAKARTA = ZoneInfo("Asia/Jakarta")

#: Indonesian month names, January first: ``NAMA_BULAN[d.month - 1]``.
NAMA_BULAN: tuple[str, ...] = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)


#: The one clock style: a function that returns the current instant, aware,
#: in UTC (``utcnow`` in production; a file clock in demos, a manual one in tests).
Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def to_jakarta(moment: dt.datetime) -> dt.datetime:
    """``moment`` in Asia/Jakarta time; a naive datetime is taken as UTC
    (SQLite hands stored instants back without their zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(JAKARTA)


def today_jakarta(now: dt.datetime | None = None) -> dt.date:
    """The calendar date in Asia/Jakarta at instant ``now`` (default: the
    current instant). 23:30 UTC is already the next day in Jakarta."""
    return to_jakarta(now if now is not None else utcnow()).date()


def tanggal_indonesia(day: dt.date) -> str:
    """A date as Indonesian letters write it: ``31 Januari 2026``."""
    return f"{day.day} {NAMA_BULAN[day.month - 1]} {day.year}"
