"""Composition root of the approval service."""

from __future__ import annotations

from kinerja_contracts.calendar import Clock

from pathlib import Path

from fastapi import FastAPI
from kinerja_platform.runtime import Runtime, create_service_app

from .bootstrap import Container, bootstrap
from .entrypoints import api, consumers, inbox_api, penugasan_api
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

DESCRIPTION = """Persetujuan SKP: the Draft -> Pending -> Revisi / Approved workflow.

- the atasan's inbox (own SKPs and those of the penilai they act for as Plt/Plh), oldest first;
- decisions on one exact version (approve, return with a Catatan Perbaikan, approve many);
- reassignment to another pejabat penilai by an admin of the instansi;
- an append-only audit trail; reminders for SKPs that wait too long.

See docs/approval.md."""


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the app. ``clock`` (default: UTC now) drives delegation dates and the escalation scan."""
    settings = settings or Settings()

    def wire(rt: Runtime[Container]) -> Container:
        assert rt.uow is not None
        return bootstrap(settings, uow=rt.uow, clock=clock)

    async def start(rt: Runtime[Container]) -> None:
        await rt.container.start()

    async def stop(rt: Runtime[Container]) -> None:
        await rt.container.stop()

    return create_service_app(
        name="approval",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[inbox_api.router, api.router, penugasan_api.router],
        bootstrap=wire,
        consumers=consumers.bind,
        on_start=[start],
        on_stop=[stop],
        title="Kinerja Approval",
        description=DESCRIPTION,
    )
