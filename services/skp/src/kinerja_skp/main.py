"""Composition root of the skp service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from kinerja_contracts.runtime import create_service_app

from .entrypoints.api import router
from .entrypoints.api_intake import router as intake_router
from .entrypoints.consumers import consumers
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        name="skp",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[router, intake_router],
        consumers=consumers,
        title="Kinerja SKP",
        description="Penyusunan SKP (Sasaran Kinerja Pegawai): drafts, validation, versions, submission.",
    )
