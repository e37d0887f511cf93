"""A background task that runs one step every N seconds (scans, schedulers).

Every step runs with a fresh correlation id, so its logs and the events it
writes can be followed on their own. A failing step is logged and tried again
at the next interval; ``stop()`` cancels the task and waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from .context import bind, new_correlation_id
from .logging import get_logger

log = get_logger(__name__)


class PeriodicTask:
    def __init__(self, name: str, step: Callable[[], Awaitable[object]], interval: float):
        self.name = name
        self.step = step
        self.interval = interval
        self.runs = 0
        self._task: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def _loop(self) -> None:
        while True:
            bind(new_correlation_id(), task=self.name)
            try:
                await self.step()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep going; the next interval retries
                log.warning("periodic step failed", task=self.name, error=repr(exc))
            self.runs += 1
            await asyncio.sleep(self.interval)
