"""Composition root of the skp service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from kinerja_platform.runtime import Runtime, create_service_app

from .bootstrap import Container, bootstrap
from .entrypoints import consumers
from .entrypoints.api import router
from .entrypoints.api_files import router as files_router
from .entrypoints.api_intake import router as intake_router
from .service_layer.watch import StatusWatch
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

TAGS = [
    {"name": "skp", "description": "SKP documents: drafts, validation, versions, diff, cascade, submission"},
    {"name": "intake", "description": "Bulk intake from upstream portals (portal tokens)"},
    {"name": "deadlines", "description": "Submission deadlines and the admin's extensions"},
    {"name": "files", "description": "XLSX import/export in the official layout, workbook imports, PDF"},
]


def create_app(settings: Settings | None = None, *, watch: StatusWatch | None = None) -> FastAPI:
    """Build the app. ``watch`` (default: a new one) is the status long poll's
    waiters, given by ``python -m kinerja_skp`` to close it on a signal."""
    settings = settings or Settings()

    def wire(rt: Runtime[Container]) -> Container:
        assert rt.uow is not None and rt.engine is not None
        return bootstrap(settings, uow=rt.uow, engine=rt.engine, watch=watch)

    async def start(rt: Runtime[Container]) -> None:
        await rt.container.start()

    async def stop(rt: Runtime[Container]) -> None:
        await rt.container.stop()

    return create_service_app(
        name="skp",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[files_router, router, intake_router],
        bootstrap=wire,
        consumers=consumers.bind,
        on_start=[start],
        on_stop=[stop],
        openapi_tags=TAGS,
        title="Kinerja SKP",
        description="Penyusunan SKP (Sasaran Kinerja Pegawai): drafts, validation, versions, submission.",
    )
