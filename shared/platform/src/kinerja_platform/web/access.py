"""One log line and the metrics of every HTTP request (pure ASGI: no
``BaseHTTPMiddleware`` task and stream per request).

The line (``"http request"``) carries method, path, route template, status
and ``duration_ms``, with what the correlation middleware bound
(``correlation_id``) and the ids the route is about (``skp_id`` and the like,
from its path parameters, on every line of the request:
``context.bind_route_scope``; docs/operations.md, "The journey of one SKP"). It
is logged at ``KINERJA_ACCESS_LOG_LEVEL`` (INFO by default); probes and
scrapes (``/healthz``, ``/readyz``, ``/metrics``) at DEBUG.
"""

from __future__ import annotations

import logging
import time

from ..context import bind_route_scope
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
        bind_route_scope(scope)  # the route's ids (skp_id, ...) on every line of the request
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
                log.log(level, "http request", method=method, path=path, route=route, status=status,
                        duration_ms=round(elapsed * 1000, 2))
