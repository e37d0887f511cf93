"""Composition root of the approval service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from kinerja_contracts.calendar import utcnow
from kinerja_platform.runtime import create_service_app

from .entrypoints import api, inbox_api, penugasan_api
from .entrypoints.consumers import consumers
from .service_layer.escalation import EscalationScanner
from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

DESCRIPTION = """Persetujuan SKP: the Draft -> Pending -> Revisi / Approved workflow.

- the atasan's inbox (own SKPs and those of the penilai they act for as Plt/Plh), oldest first;
- decisions on one exact version (approve, return with a Catatan Perbaikan, approve many);
- reassignment to another pejabat penilai by an admin of the instansi;
- an append-only audit trail; reminders for SKPs that wait too long.

See docs/approval.md."""


def create_app(settings: Settings | None = None, *, clock: Callable[[], dt.datetime] | None = None) -> FastAPI:
    """Build the app. ``clock`` (default: UTC now) drives delegation dates and the escalation scan."""
    settings = settings or Settings()
    clock = clock or utcnow
    scanner = EscalationScanner(settings.escalation_policy(), settings.escalation_scan_seconds, clock)

    def install_clock(rt) -> None:
        rt.extras["clock"] = clock
        rt.extras["escalation"] = scanner

    on_start = [install_clock] + ([scanner.start] if settings.escalation_enabled else [])
    return create_service_app(
        name="approval",
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[inbox_api.router, api.router, penugasan_api.router],
        consumers=consumers,
        on_start=on_start,
        on_stop=[scanner.stop],
        title="Kinerja Approval",
        description=DESCRIPTION,
    )
