"""Rendering pages: one Jinja2 environment, the layout's context, and filters.

Every page extends ``base.html`` (skip link, navigation by role, one ``<main>``,
``lang="id"``). :func:`render` adds what every template may use: ``viewer``,
``csrf_token`` (every form carries it as the hidden field ``csrftoken``; scripts
send it as the ``X-CSRFToken`` header), ``flash`` messages, and ``nav`` (the
active menu item).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from .viewer import current

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
JAKARTA = ZoneInfo("Asia/Jakarta")

templates = Jinja2Templates(directory=str(TEMPLATES))

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")

#: the SKP statuses as people read them
STATUS_LABEL = {"Draft": "Draf", "Pending": "Menunggu persetujuan", "Revisi": "Dikembalikan untuk revisi",
                "Approved": "Disetujui"}


def tanggal(value: Any) -> str:
    """A date (or datetime, shown in WIB) as ``5 Januari 2026``."""
    if value in (None, ""):
        return "-"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        local = value.astimezone(JAKARTA) if value.tzinfo else value
        return f"{local.day} {BULAN[local.month - 1]} {local.year} {local:%H.%M} WIB"
    if isinstance(value, dt.date):
        return f"{value.day} {BULAN[value.month - 1]} {value.year}"
    return str(value)


def status_label(value: Any) -> str:
    return STATUS_LABEL.get(str(value), str(value))


templates.env.filters["tanggal"] = tanggal
templates.env.filters["status_label"] = status_label
templates.env.globals["BULAN"] = BULAN


def flash(request: Request, message: str, kind: str = "info") -> None:
    """A message shown once, on the next page this person opens."""
    request.session.setdefault("flash", []).append({"message": message, "kind": kind})


def csrf_token(request: Request) -> str:
    getter = request.scope.get("csrftoken")
    return getter() if callable(getter) else ""


def render(request: Request, template: str, status_code: int = 200, *, nav: str = "", title: str = "",
           **context: Any) -> HTMLResponse:
    messages = request.session.pop("flash", []) if "session" in request.scope else []
    ctx = {"viewer": current(request) if "session" in request.scope else None, "csrf_token": csrf_token(request),
           "flash": messages, "nav": nav, "title": title, **context}
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)
