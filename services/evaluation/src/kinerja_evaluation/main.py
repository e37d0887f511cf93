"""Composition root of the evaluation service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from kinerja_platform.runtime import Runtime, create_service_app

from .adapters.clock import Clock
from .bootstrap import Container, bootstrap
from .entrypoints import consumers
from .entrypoints.api import router
from .entrypoints.api_dokumen import router as dokumen_router
from .entrypoints.api_penilai import router as penilai_router
from .entrypoints.api_rekap import router as rekap_router
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()

    def wire(rt: Runtime[Container]) -> Container:
        assert rt.uow is not None
        return bootstrap(settings, uow=rt.uow, js=rt.js, clock=clock)

    async def start(rt: Runtime[Container]) -> None:
        await rt.container.start()

    async def stop(rt: Runtime[Container]) -> None:
        await rt.container.stop()

    return create_service_app(
        name="evaluation",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[router, rekap_router, penilai_router, dokumen_router],
        bootstrap=wire,
        consumers=consumers.bind,
        on_start=[start],
        on_stop=[stop],
        title="Kinerja Evaluation",
        description="Evaluasi kinerja: periode, realisasi, capaian, rating, predikat, rekap, keberatan "
                    "(evaluation periods, achievement, ratings, rekap, objections). See docs/evaluation.md.",
        openapi_tags=[{"name": "evaluation", "description": "Rencana, evaluasi, realisasi, penilaian, keberatan"},
                      {"name": "rekap", "description": "Periode, kehadiran, rekap bulanan, hasil tahunan, capaian organisasi"}],
    )
