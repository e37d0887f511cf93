"""Composition root of the evaluation service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from kinerja_contracts.runtime import create_service_app

from .entrypoints.api import router
from .entrypoints.consumers import consumers
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        name="evaluation",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[router],
        consumers=consumers,
        title="Kinerja Evaluation",
        description="Evaluasi kinerja: periods, realisasi, capaian, ratings, predikat, recaps.",
    )
