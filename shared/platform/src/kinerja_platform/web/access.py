"""One log line and the metrics of every HTTP request (pure ASGI: no
``BaseHTTPMiddleware`` task and stream per request).

The line (``"http request"``) carries method, path, route template, status
and ``duration_ms``, with what the correlation middleware bound
(``correlation_id``) and the ids the route is about (``skp_id`` and the like,
from its path parameters; docs/operations.md, "The journey of one SKP"). It
is logged at ``KINERJA_ACCESS_LOG_LEVEL`` (INFO by default); probes and
scrapes (``/healthz``, ``/readyz``, ``/metrics``) at DEBUG.
"""

from __future__ import annotations

import logging
import time

from fastapi import Request

from ..context import SUBJECT_KEYS, bind_subject, subject_fields
from ..logging import get_logger
from ..metrics import UNMATCHED, ServiceMetrics

log = get_logger("kinerja.access")

QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class AccessMiddleware:
    def __init__(self, app, *, metrics: ServiceMetrics | None, level: str = "INFO"):
        self.app = app
        self.metrics = metrics
        self.level = logging.getLevelName(level.upper()) if isinstance(level, str) else level
        self._stdlib = logging.getLogger("kinerja.access")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope.get("method", "")
            if self.metrics is not None:
                self.metrics.observe_request(route, method, status, elapsed)
            path = scope.get("path", "")
            level = logging.DEBUG if path in QUIET_PATHS else self.level
            if self._stdlib.isEnabledFor(level):
                params = scope.get("path_params") or {}
                ids = subject_fields(**{k: params[k] for k in SUBJECT_KEYS if k in params})
                log.log(level, "http request", method=method, path=path, route=route, status=status,
                        duration_ms=round(elapsed * 1000, 2), **ids)


async def bind_route_subject(request: Request) -> None:
    """App-wide dependency: binds the ids named by the route's path
    parameters (``skp_id``, ``evaluation_id``, ``person_id``, ``nip``) to every
    log line of the request. Async on purpose: it runs in the request's own
    context (a plain ``def`` would run in a worker thread's copy of it)."""
    params = request.path_params
    if params:
        bind_subject(**{k: params[k] for k in SUBJECT_KEYS if k in params})
