"""Composition root of the notification service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from kinerja_contracts.runtime import Runtime, create_service_app

from .adapters.smtp import SmtpSender
from .entrypoints.consumers import configure, consumers
from .service_layer import mail
from .service_layer.delivery import DeliveryWorker
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def start_worker(rt: Runtime) -> None:
        configure(domain=settings.message_id_domain, base_url=settings.common.public_base_url)
        sender = SmtpSender(settings.smtp_host, settings.smtp_port, starttls=settings.smtp_starttls,
                            username=settings.smtp_username, password=settings.smtp_password, timeout=settings.smtp_timeout)
        worker = DeliveryWorker(rt.sessions, sender, mail_from=settings.mail_from,
                                poll_interval=settings.delivery_poll_interval, max_attempts=settings.delivery_max_attempts)
        mail.delivery_wakeups.append(worker.wake)
        rt.extras["delivery"] = worker
        await worker.start()

    async def stop_worker(rt: Runtime) -> None:
        worker = rt.extras.get("delivery")
        if worker:
            if worker.wake in mail.delivery_wakeups:
                mail.delivery_wakeups.remove(worker.wake)
            await worker.stop()

    return create_service_app(
        name="notification",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[],
        consumers=consumers,
        on_start=[start_worker],
        on_stop=[stop_worker],
        title="Kinerja Notification",
        description="E-mail to staff on every step that needs a person.",
    )
