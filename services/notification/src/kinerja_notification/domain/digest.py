"""Digest windows (pure).

Time is cut into windows of ``interval`` seconds, anchored at a local time of
day in Asia/Jakarta (07:00 by default, so a daily digest arrives at the start
of the working day). SKPs that arrived before a window starts are summarised
in one e-mail at that start; so a person gets at most one summary per window,
and its identity (Message-ID, delivery-log key) is a function of the person
and the window alone: two replicas, or a rerun after a crash, cannot send a
second summary for the same window.
"""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_contracts.calendar import to_jakarta

_NAMESPACE = uuid.UUID("6d3c1a4e-2f0b-5c8d-9e7a-1b2c3d4e5f60")


def anchor_seconds(anchor: str) -> int:
    """``"07:00"`` -> seconds after local midnight."""
    hh, mm = anchor.split(":")
    return int(hh) * 3600 + int(mm) * 60


def window_start(now: dt.datetime, interval: int, anchor: str = "07:00") -> dt.datetime:
    """Start (UTC) of the window that contains ``now``."""
    if interval <= 0:
        raise ValueError("interval must be positive")
    offset = to_jakarta(now).utcoffset()  # WIB: UTC+7 all year
    assert offset is not None  # an aware time in an IANA zone always has one
    utc_offset = int(offset.total_seconds())
    shift = anchor_seconds(anchor) - utc_offset  # seconds after UTC midnight where windows start
    ts = int(now.timestamp()) - shift
    start = (ts // interval) * interval + shift
    return dt.datetime.fromtimestamp(start, dt.UTC)


def digest_event_id(nip: str, start: dt.datetime) -> uuid.UUID:
    """The delivery-log key of ``nip``'s summary sent at window ``start``."""
    return uuid.uuid5(_NAMESPACE, f"digest:{nip}:{int(start.timestamp())}")


def digest_message_id(nip: str, start: dt.datetime, domain: str) -> str:
    """Deterministic Message-ID of a summary: the recipient and the window."""
    return f"<digest.{nip}.{start.strftime('%Y%m%dT%H%MZ')}@{domain}>"
