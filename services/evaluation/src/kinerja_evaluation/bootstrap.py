"""The evaluation service's composition: every object the routes, the
consumers and the scheduler use, built in one place (cosmicpython's
``bootstrap.py``) and held by the runtime as ``runtime.container``.

``main.py`` calls :func:`bootstrap` once the database and NATS are up (the
scheduler's lease lives in a JetStream key-value bucket); tests reach the
same objects through ``app.state.runtime.container``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kinerja_platform.db import UnitOfWork

from .adapters.clock import Clock, FileClock, today, utcnow
from .adapters.lease import Lease
from .service_layer.scheduler import Scheduler
from .settings import Settings


@dataclass
class Container:
    settings: Settings
    uow: UnitOfWork
    #: "now" for the scheduler and the deadlines (a file clock in demos, a manual one in tests)
    clock: Clock
    #: opens, reminds and closes periods (acts only while holding the lease)
    scheduler: Scheduler

    def today(self) -> dt.date:
        """Today in Asia/Jakarta, from the clock."""
        return today(self.clock)

    async def start(self) -> None:
        if self.settings.scheduler_enabled:
            self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()


def bootstrap(settings: Settings, *, uow: UnitOfWork, js, clock: Clock | None = None) -> Container:
    """Wire the evaluation service; ``js`` is the JetStream context (the
    scheduler's lease); ``clock`` defaults to the file clock of the settings,
    else the system clock."""
    clock = clock or (FileClock(settings.clock_file) if settings.clock_file else utcnow)
    lease = Lease(js, bucket=settings.scheduler_bucket, ttl=settings.scheduler_lease_ttl,
                  replicas=settings.common.nats_stream_replicas)
    return Container(settings=settings, uow=uow, clock=clock, scheduler=Scheduler(uow, lease, clock, settings))
