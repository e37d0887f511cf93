"""The approval service's composition: every object the routes, the
consumers and the escalation scan use, built in one place (cosmicpython's
``bootstrap.py``) and held by the runtime as ``runtime.container``.

``main.py`` calls :func:`bootstrap` once the database is up; tests reach
the same objects through ``app.state.runtime.container``.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinerja_contracts.calendar import Clock, utcnow
from kinerja_platform.db import UnitOfWork

from .service_layer.escalation import EscalationScanner
from .settings import Settings


@dataclass
class Container:
    settings: Settings
    uow: UnitOfWork
    #: the current time (UTC): delegation dates and the escalation scan; injectable in tests
    clock: Clock
    #: reminders for SKPs that wait too long (started only when enabled)
    escalation: EscalationScanner

    async def start(self) -> None:
        if self.settings.escalation_enabled:
            await self.escalation.start()

    async def stop(self) -> None:
        await self.escalation.stop()


def bootstrap(settings: Settings, *, uow: UnitOfWork, clock: Clock | None = None) -> Container:
    """Wire the approval service; ``clock`` defaults to UTC now."""
    clock = clock or utcnow
    scanner = EscalationScanner(uow, settings.escalation_policy(), settings.escalation_scan_seconds, clock)
    return Container(settings=settings, uow=uow, clock=clock, escalation=scanner)
