"""The skp service's composition: every object the routes, the consumers
and the background tasks use, built in one place (cosmicpython's
``bootstrap.py``) and held by the runtime as ``runtime.container``.

``main.py`` calls :func:`bootstrap` once the database is up; tests reach
the same objects through ``app.state.runtime.container``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from kinerja_platform.db import UnitOfWork
from kinerja_platform.periodic import PeriodicTask
from sqlalchemy.ext.asyncio import AsyncEngine

from .service_layer import imports, reminders
from .service_layer.policy import Policy
from .service_layer.watch import StatusWatch
from .settings import Settings


@dataclass
class Container:
    settings: Settings
    uow: UnitOfWork
    #: plain connections for the status long poll (autocommit: no transaction)
    engine: AsyncEngine
    #: rencana aksi, deadline rules and the clock (``policy.today``)
    policy: Policy
    #: waiters of the status long poll, woken after a status change commits
    watch: StatusWatch
    #: workbook imports running in the background
    import_tasks: set[asyncio.Task] = field(default_factory=set)
    #: the deadline reminder scan (None: off)
    reminders: PeriodicTask | None = None

    async def start(self) -> None:
        if self.reminders is not None:
            self.reminders.start()

    async def stop(self) -> None:
        await imports.cancel_all(self.import_tasks)
        if self.reminders is not None:
            await self.reminders.stop()


def bootstrap(settings: Settings, *, uow: UnitOfWork, engine: AsyncEngine, policy: Policy | None = None,
              watch: StatusWatch | None = None) -> Container:
    """Wire the skp service. ``policy`` and ``watch`` may be given (tests, and
    ``python -m kinerja_skp``, which closes the watch on a shutdown signal)."""
    policy = policy or Policy.from_settings(settings)
    task = None
    if settings.reminder_interval_seconds > 0:
        task = PeriodicTask("skp-deadline-reminders",
                            lambda: reminders.scan_and_log(uow, policy, settings.reminder_days_before),
                            settings.reminder_interval_seconds)
    # the status read is one SELECT: in autocommit it is that statement alone, without a BEGIN before it and
    # a ROLLBACK when the connection goes back to the pool (three round trips to the database become one)
    return Container(settings=settings, uow=uow, engine=engine.execution_options(isolation_level="AUTOCOMMIT"),
                     policy=policy, watch=watch or StatusWatch(),
                     reminders=task)
