"""Composition root of the skp service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from kinerja_contracts.runtime import create_service_app

from .entrypoints.api import router
from .entrypoints.api_files import router as files_router
from .entrypoints.api_intake import router as intake_router
from .entrypoints.consumers import consumers
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


async def _cancel_imports(rt) -> None:
    """Stop background imports on shutdown (their jobs stay 'running'; re-upload to redo)."""
    for task in list(rt.extras.get("import_tasks", ())):
        task.cancel()


TAGS = [
    {"name": "skp", "description": "SKP documents: drafts, validation, versions, diff, cascade, submission"},
    {"name": "intake", "description": "Bulk intake from upstream portals (portal tokens)"},
    {"name": "deadlines", "description": "Submission deadlines and the admin's extensions"},
    {"name": "files", "description": "XLSX import/export in the official layout, workbook imports, PDF"},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        name="skp",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[files_router, router, intake_router],
        consumers=consumers,
        on_stop=[_cancel_imports],
        openapi_tags=TAGS,
        title="Kinerja SKP",
        description="Penyusunan SKP (Sasaran Kinerja Pegawai): drafts, validation, versions, submission.",
    )
