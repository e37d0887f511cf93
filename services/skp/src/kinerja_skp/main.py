"""Composition root of the skp service."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI
from kinerja_platform.periodic import PeriodicTask
from kinerja_platform.runtime import create_service_app

from .entrypoints.api import router
from .entrypoints.api_files import router as files_router
from .entrypoints.api_intake import router as intake_router
from .entrypoints.consumers import consumers
from .service_layer import reminders
from .service_layer.policy import Policy
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


async def _start_reminders(rt) -> None:
    """The deadline reminder scan, every ``reminder_interval_seconds`` (0: off)."""
    s = rt.settings
    if s.reminder_interval_seconds > 0:
        policy = rt.extras.setdefault("policy", Policy.from_settings(s))
        task = PeriodicTask("skp-deadline-reminders",
                            lambda: reminders.scan_and_log(rt.uow, policy, s.reminder_days_before),
                            s.reminder_interval_seconds)
        task.start()
        rt.extras["reminder_task"] = task


async def _stop_reminders(rt) -> None:
    task = rt.extras.pop("reminder_task", None)
    if task is not None:
        await task.stop()


async def _cancel_imports(rt) -> None:
    """Stop background imports on shutdown. Each records on its job that it
    was interrupted and after how many rows (re-uploading the workbook
    finishes it); they get a few seconds for that before the database goes."""
    tasks = list(rt.extras.get("import_tasks", ()))
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=5)


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
        on_start=[_start_reminders],
        on_stop=[_cancel_imports, _stop_reminders],
        openapi_tags=TAGS,
        title="Kinerja SKP",
        description="Penyusunan SKP (Sasaran Kinerja Pegawai): drafts, validation, versions, submission.",
    )
