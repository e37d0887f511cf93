"""Composition root of the directory service."""

from __future__ import annotations

from kinerja_contracts.calendar import Clock

from pathlib import Path

from fastapi import FastAPI
from kinerja_platform.runtime import Runtime, create_service_app

from .bootstrap import Container, bootstrap
from .entrypoints import api_imports, api_people, api_units
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

DESCRIPTION = """Direktori: people and units as the upstream HR system sees them, the source of truth for
who a person is, their instansi, their e-mail, and who appraises them.

- dated records (berlaku_mulai / berlaku_sampai): a mutasi from a date closes the previous record;
- idempotent upserts from portals (one, bulk JSON, or a CSV/XLSX import with progress and a per-row report)
  and corrections by admins, each scoped to the token's instansi;
- every change is a version, audited, and published as `kinerja.directory.person_changed` / `unit_changed`.

See docs/directory.md."""


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the app. ``clock`` (default: UTC now) decides "today" and the audit times."""
    settings = settings or Settings()

    def wire(rt: Runtime[Container]) -> Container:
        assert rt.uow is not None
        return bootstrap(settings, uow=rt.uow, clock=clock)

    async def stop(rt: Runtime[Container]) -> None:
        await rt.container.stop()

    return create_service_app(
        name="directory",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[api_people.router, api_units.router, api_imports.router],
        bootstrap=wire,
        on_stop=[stop],
        title="Kinerja Directory",
        description=DESCRIPTION,
    )
