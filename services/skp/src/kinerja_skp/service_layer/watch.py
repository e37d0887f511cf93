"""Waiting for an SKP's status to change (the long poll of
``GET /api/v1/skp/{id}/status?while_status=...&wait=...``).

A caller registers interest in one SKP *before* it reads the status, then
waits; whatever commits a status change in this process (a submit, a
projected approval event, a delete) calls :meth:`StatusWatch.changed` after
its commit, which wakes every waiter of that SKP. A change committed by
another replica wakes nobody here, so a waiter also wakes every ``recheck``
seconds and reads again: the watch only makes the answer early, never
decides it.

One watch per running service: its container's (``bootstrap.py``); the
use cases that change a status and the long poll get it from there. No I/O:
futures on the running event loop.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from kinerja_platform.db import after_commit


class StatusWatch:
    """Waiters per SKP id, woken when a change of that SKP commits."""

    def __init__(self, max_waiters: int = 10_000):
        #: above this many waiters in the process, a new one does not wait
        #: (its caller answers at once and the client asks again)
        self.max_waiters = max_waiters
        self._waiters: dict[uuid.UUID, set[asyncio.Future[None]]] = {}
        self._count = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        #: set by :meth:`close`: nobody waits any more
        self.closed = False

    @property
    def waiting(self) -> int:
        return self._count

    @contextmanager
    def watching(self, skp_id: uuid.UUID) -> Iterator[asyncio.Future[None] | None]:
        """A future that completes at the next change of ``skp_id``; None
        when the process holds ``max_waiters`` already."""
        if self.closed or self._count >= self.max_waiters:
            yield None
            return
        self._loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = self._loop.create_future()
        self._waiters.setdefault(skp_id, set()).add(fut)
        self._count += 1
        try:
            yield fut
        finally:
            self._count -= 1
            waiters = self._waiters.get(skp_id)
            if waiters is not None:
                waiters.discard(fut)
                if not waiters:
                    del self._waiters[skp_id]
            if not fut.done():
                fut.cancel()

    def changed(self, skp_id: uuid.UUID) -> None:
        """Wake every waiter of ``skp_id`` (call after the change commits)."""
        for fut in self._waiters.get(skp_id, ()):
            if not fut.done():
                fut.set_result(None)

    def close(self) -> None:
        """Wake every waiter and let nobody wait again: the process is shutting
        down, and a long poll should answer now rather than hold the shutdown
        for up to its ``wait``. Safe to call from a signal handler or another
        thread (the waking runs on the event loop)."""
        self.closed = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        for skp_id in list(self._waiters):
            self.changed(skp_id)

    def after_commit(self, session, skp_id: uuid.UUID) -> None:
        """Wake the waiters of ``skp_id`` once ``session``'s transaction commits
        (nobody is woken if it rolls back)."""
        after_commit(session, lambda: self.changed(skp_id))


async def wait_for_change(fut: asyncio.Future[None] | None, timeout: float) -> bool:
    """Wait up to ``timeout`` s for ``fut``; True when it was woken."""
    if fut is None or timeout <= 0:
        return False
    try:
        await asyncio.wait_for(fut, timeout)
    except TimeoutError:
        return False
    return True
