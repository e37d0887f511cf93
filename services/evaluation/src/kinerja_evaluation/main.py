"""Composition root of the evaluation service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from kinerja_platform.runtime import Runtime, create_service_app

from .adapters.clock import Clock, FileClock, SystemClock
from .adapters.lease import Lease
from .entrypoints import consumers as consumers_module
from .entrypoints.api import router
from .entrypoints.api_rekap import router as rekap_router
from .service_layer.scheduler import Scheduler
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    clock = clock or (FileClock(settings.clock_file) if settings.clock_file else SystemClock())

    async def start_scheduler(rt: Runtime) -> None:
        rt.extras["clock"] = clock
        lease = Lease(rt.js, bucket=settings.scheduler_bucket, ttl=settings.scheduler_lease_ttl)
        scheduler = Scheduler(rt.uow, lease, clock, settings)
        rt.extras["scheduler"] = scheduler
        if settings.scheduler_enabled:
            scheduler.start()

    async def stop_scheduler(rt: Runtime) -> None:
        scheduler = rt.extras.get("scheduler")
        if scheduler:
            await scheduler.stop()

    return create_service_app(
        name="evaluation",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[router, rekap_router],
        consumers=consumers_module.consumers,
        on_start=[start_scheduler],
        on_stop=[stop_scheduler],
        title="Kinerja Evaluation",
        description="Evaluasi kinerja: periode, realisasi, capaian, rating, predikat, rekap, keberatan "
                    "(evaluation periods, achievement, ratings, rekap, objections). See docs/evaluation.md.",
        openapi_tags=[{"name": "evaluation", "description": "Rencana, evaluasi, realisasi, penilaian, keberatan"},
                      {"name": "rekap", "description": "Periode, kehadiran, rekap bulanan, hasil tahunan, capaian organisasi"}],
    )
