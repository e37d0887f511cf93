"""One bad record never stops work for others.

Every background scan and worker (deadline reminders, escalation, the
evaluation scheduler, digests, the mail worker, the outbox relay) handles its
rows one by one inside :func:`isolated`: a row that raises is *set aside*:
logged with its id and the error, counted, remembered for admins
(``GET /api/v1/admin/set-aside`` on every service), and the scan goes on with
the next row. Where the row has a state of its own the caller also marks it
(a delivery ends ``failed``, an outbox row stops being retried), so it is not
tried again; a row without one is simply tried again at the next scan, alone.

The registry is per process and bounded (the last ``KEEP`` rows, and a count
per scan since the start); the log line is the durable record.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from .logging import get_logger

log = get_logger(__name__)
KEEP = 200


@dataclass(frozen=True)
class SetAside:
    """One row a scan or worker could not handle."""

    scan: str
    row_id: str
    error: str
    at: dt.datetime

    def as_dict(self) -> dict:
        d = asdict(self)
        d["at"] = self.at.isoformat()
        return d


_lock = threading.Lock()
_recent: deque[SetAside] = deque(maxlen=KEEP)
_counts: Counter[str] = Counter()


def set_aside(scan: str, row_id: object, exc: BaseException) -> SetAside:
    """Record that ``scan`` set ``row_id`` aside because of ``exc``."""
    item = SetAside(scan=scan, row_id=str(row_id), error=f"{type(exc).__name__}: {exc}"[:1000], at=dt.datetime.now(dt.UTC))
    with _lock:
        _recent.append(item)
        _counts[scan] += 1
    log.error("row set aside", scan=scan, row_id=item.row_id, error=item.error)
    return item


@contextmanager
def isolated(scan: str, row_id: object) -> Iterator[None]:
    """Run the body for one row; an exception sets the row aside instead of
    ending the scan (cancellation still propagates)."""
    try:
        yield
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        set_aside(scan, row_id, exc)


def recent(scan: str | None = None) -> list[SetAside]:
    """The rows set aside lately (newest last), of one scan or all."""
    with _lock:
        return [s for s in _recent if scan is None or s.scan == scan]


def counts() -> dict[str, int]:
    """Rows set aside per scan since the process started."""
    with _lock:
        return dict(_counts)
