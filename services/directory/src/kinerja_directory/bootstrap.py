"""The directory service's composition: every object the routes use, built
in one place (cosmicpython's ``bootstrap.py``) and held by the runtime as
``runtime.container``.

``main.py`` calls :func:`bootstrap` once the database is up; tests reach
the same objects through ``app.state.runtime.container``.
"""

from __future__ import annotations

from kinerja_contracts.calendar import Clock

import asyncio
from dataclasses import dataclass, field

from kinerja_platform.db import UnitOfWork

from .adapters.tables import utcnow
from .service_layer import imports
from .settings import Settings


@dataclass
class Container:
    settings: Settings
    uow: UnitOfWork
    #: the current time (UTC): "today" of the dated records and the audit times; injectable in tests
    clock: Clock
    #: imports running in the background (cancelled when the service stops)
    import_tasks: set[asyncio.Task] = field(default_factory=set)

    async def stop(self) -> None:
        await imports.cancel_all(self.import_tasks)


def bootstrap(settings: Settings, *, uow: UnitOfWork, clock: Clock | None = None) -> Container:
    """Wire the directory service; ``clock`` defaults to UTC now."""
    return Container(settings=settings, uow=uow, clock=clock or utcnow)
