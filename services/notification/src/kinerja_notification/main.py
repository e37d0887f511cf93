"""Composition root of the notification service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from kinerja_contracts.calendar import utcnow
from kinerja_platform.runtime import Runtime, create_service_app

from .adapters.smtp import SmtpSender
from .entrypoints.api import router
from .entrypoints.consumers import consumers
from .service_layer import mail
from .service_layer.delivery import DeliveryWorker
from .service_layer.digest import DigestTask
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

TAGS = [
    {"name": "deliveries", "description": "Log pengiriman e-mail, kirim ulang (delivery log, resend)"},
    {"name": "recipients", "description": "Direktori penerima dan preferensi (recipient directory, preferences)"},
]


def create_app(settings: Settings | None = None, *, clock: Callable[[], dt.datetime] = utcnow,
               sender: object | None = None) -> FastAPI:
    """Build the app. ``clock`` and ``sender`` are for tests (the digest's
    notion of now; an SMTP sender wrapper)."""
    settings = settings or Settings()

    async def start(rt: Runtime) -> None:
        mail.config.domain = settings.message_id_domain
        mail.config.base_url = settings.link_base_url or settings.common.public_base_url
        mail.config.default_locale = settings.default_locale
        mail.config.digest_default = settings.digest_default
        senders = [sender] if sender is not None else [
            SmtpSender(settings.smtp_host, settings.smtp_port, starttls=settings.smtp_starttls,
                       use_tls=settings.smtp_use_tls, username=settings.smtp_username,
                       password=settings.smtp_password, timeout=settings.smtp_timeout)
            for _ in range(max(1, settings.smtp_connections))
        ]
        worker = DeliveryWorker(
            rt.sessions, senders, mail_from=settings.mail_from, poll_interval=settings.delivery_poll_interval,
            max_attempts=settings.delivery_max_attempts, batch_size=settings.delivery_batch_size,
            retry_base=settings.retry_base_seconds, retry_max=settings.retry_max_seconds,
            rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst,
            lease_seconds=settings.delivery_lease_seconds,
        )
        digest = DigestTask(rt.uow, interval=settings.digest_interval_seconds, anchor=settings.digest_anchor,
                            tick=settings.digest_tick_seconds, clock=clock)
        mail.workers.append(worker)
        rt.extras.update(delivery=worker, digest=digest)
        await worker.start()
        await digest.start()

    async def stop(rt: Runtime) -> None:
        worker, digest = rt.extras.get("delivery"), rt.extras.get("digest")
        if digest:
            await digest.stop()
        if worker:
            if worker in mail.workers:
                mail.workers.remove(worker)
            await worker.stop()

    return create_service_app(
        name="notification",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[router],
        consumers=consumers,
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
