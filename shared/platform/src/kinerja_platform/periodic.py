"""A background task that runs one step every N seconds (scans, schedulers).

Every step runs with a fresh correlation id, so its logs and the events it
writes can be followed on their own. A failing step is logged and tried again
at the next interval; ``stop()`` cancels the task and waits for it. Each step
counts in the service's ``kinerja_periodic_runs_total`` (by task and outcome)
when the task was started from the service's lifespan.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from .context import bind, new_correlation_id
from .logging import get_logger
from .metrics import current_metrics

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
        metrics = current_metrics()  # the service's, when started from its lifespan (kinerja_periodic_runs_total)
        while True:
            bind(new_correlation_id(), task=self.name)
            start = time.perf_counter()
            outcome = "ok"
            try:
                await self.step()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep going; the next interval retries
                outcome = "failed"
                log.warning("periodic step failed", task=self.name, error=repr(exc))
            if metrics is not None:
                metrics.observe_periodic(self.name, outcome, time.perf_counter() - start)
            self.runs += 1
            await asyncio.sleep(self.interval)
