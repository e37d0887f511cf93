"""Composition root of the notification service."""

from __future__ import annotations

from kinerja_contracts.calendar import Clock

from pathlib import Path

from fastapi import FastAPI
from kinerja_platform.runtime import Runtime, create_service_app
from prometheus_client.core import CounterMetricFamily
from sqlalchemy import func, select

from .adapters.tables import Delivery

from .bootstrap import Container, bootstrap
from .entrypoints import consumers
from .entrypoints.api import router
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def watch_mail(rt: Runtime[Container]) -> None:
    """The mail metrics on /metrics (docs/operations.md, "Metrics"): mails
    sent and given up by this process's worker, and the mails waiting."""
    worker = rt.container.delivery
    rt.metrics.collect("mail", lambda: [
        CounterMetricFamily("kinerja_mail_sent", "e-mails accepted by the SMTP server (this process)",
                            value=worker.sent),
        CounterMetricFamily("kinerja_mail_failed", "e-mails given up: refused for good or out of attempts (this process)",
                            value=worker.failed),
    ])
    pending = rt.metrics.gauge("kinerja_mail_pending", "e-mails waiting to be sent or retried (read at scrape time)")
    count_pending = select(func.count()).select_from(Delivery).where(Delivery.status == "pending")  # type: ignore[arg-type]
    engine = rt.engine

    async def read_pending() -> None:
        assert engine is not None
        async with engine.connect() as conn:
            pending.set((await conn.execute(count_pending)).scalar_one())

    rt.metrics.on_scrape("mail", read_pending)

TAGS = [
    {"name": "deliveries", "description": "Log pengiriman e-mail, kirim ulang (delivery log, resend)"},
    {"name": "recipients", "description": "Direktori penerima dan preferensi (recipient directory, preferences)"},
]


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               sender: object | None = None) -> FastAPI:
    """Build the app. ``clock`` and ``sender`` are for tests (the digest's
    notion of now; an SMTP sender wrapper)."""
    settings = settings or Settings()

    def wire(rt: Runtime[Container]) -> Container:
        assert rt.uow is not None
        return bootstrap(settings, uow=rt.uow, sessions=rt.sessions, clock=clock, sender=sender)

    async def start(rt: Runtime[Container]) -> None:
        await rt.container.start()
        watch_mail(rt)

    async def stop(rt: Runtime[Container]) -> None:
        await rt.container.stop()

    return create_service_app(
        name="notification",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[router],
        bootstrap=wire,
        consumers=consumers.bind,
        on_start=[start],
        on_stop=[stop],
        title="Kinerja Notification",
        description=(
            "E-mail kepada pegawai, pejabat penilai dan atasan pada setiap langkah yang perlu tindakan "
            "(e-mail to staff on every step that needs a person): log pengiriman per (event, penerima), "
            "kirim ulang, direktori penerima, dan preferensi ringkasan (digest)."
        ),
        openapi_tags=TAGS,
    )
