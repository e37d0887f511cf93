"""The composition kit: one FastAPI app per service whose lifespan runs the
database, the FastStream broker, the consumers and the outbox relay.

A service's ``main.py`` builds its settings, routers and consumers and calls
:func:`create_service_app`. Everything is created inside the lifespan (no
engine or broker at import time), so tests can start the same app twice.

The service's own objects (clock, policy, repositories' factories, background
tasks) are built by its ``bootstrap``, called once in the lifespan when the
database and the broker are up; the result is the runtime's typed
``container``. The consumers are built from that container too, so event
handlers get what they need by closure, never through a module global.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from faststream.nats import NatsBroker, NatsUserPassword
from sqlalchemy import text

from .db import UnitOfWork, create_engine, run_migrations, session_factory
from .logging import get_logger, setup_logging
from .messaging.asyncapi import asyncapi_document, asyncapi_html
from .messaging.consumer import EventConsumers
from .messaging.provisioning import ensure_streams
from .messaging.relay import OutboxRelay, jetstream_publisher
from .metrics import ServiceMetrics
from .settings import ServiceSettingsBase
from .tracing import Tracing
from .web.access import AccessMiddleware
from .web.auth import TokenVerifier
from .web.errors import install_error_handlers
from .web.idempotency import IdempotencyMiddleware
from .web.middleware import BodyLimitMiddleware, CorrelationMiddleware, TextGuardMiddleware
from .web.health import READY_RESPONSES, Health
from .web.openapi import install_docs, install_openapi

log = get_logger(__name__)

Hook = Callable[["Runtime[Any]"], Awaitable[Any] | Any]

C = TypeVar("C")


class Runtime(Generic[C]):
    """What a running service holds; ``request.app.state.runtime``.

    ``container`` is the service's own composition (its ``bootstrap.py``),
    present while the app runs."""

    def __init__(self, name: str, settings: ServiceSettingsBase):
        self.name = name
        self.settings = settings
        self.engine = None
        self.sessions = None
        self.uow: UnitOfWork | None = None
        self.broker: NatsBroker | None = None
        self.js = None
        self.relay: OutboxRelay | None = None
        #: this service's Prometheus metrics (GET /metrics); a service adds its own through it
        self.metrics = ServiceMetrics(name)
        #: OpenTelemetry traces (off unless an OTLP endpoint is set)
        self.tracing = Tracing.off()
        self._container: C | None = None

    @property
    def container(self) -> C:
        if self._container is None:
            raise RuntimeError(f"the {self.name} service is not started: it has no container yet")
        return self._container

    @container.setter
    def container(self, value: C) -> None:
        self._container = value

    @property
    def nats_connected(self) -> bool:
        try:
            return bool(self.broker and self.broker.connection and self.broker.connection.is_connected)
        except Exception:
            return False


def bus_security(settings: ServiceSettingsBase) -> NatsUserPassword | None:
    """The service's own NATS credentials, when its settings name them."""
    if settings.nats_user is None:
        return None
    password = settings.nats_password.get_secret_value() if settings.nats_password else ""
    return NatsUserPassword(settings.nats_user, password)


async def connect_broker(
    servers: str, *, name: str, timeout: float = 60.0, security: NatsUserPassword | None = None
) -> NatsBroker:
    """Connect, retrying while NATS is not up yet; reconnect forever after."""
    deadline = asyncio.get_running_loop().time() + timeout
    delay = 0.2
    while True:
        broker = NatsBroker(
            [s.strip() for s in servers.split(",")],
            name=name,
            security=security,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            connect_timeout=2,
            logger=logging.getLogger("kinerja.faststream"),
            # FastStream's per-message lines ("Received", "Processed"): at DEBUG,
            # or every event costs two log lines (the consumers log what matters)
            log_level=logging.DEBUG,
            # no FastDepends on the running broker: the envelope decoder already
            # hands each subscriber its typed Envelope, and the dependency
            # injection around every call cost more CPU per event than the old
            # hand-written loop (docs/performance.md). The AsyncAPI document is
            # built by its own broker (messaging/asyncapi.py), which keeps it.
            apply_types=False,
        )
        try:
            await broker.connect()
            return broker
        except Exception as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"cannot connect to NATS at {servers}: {exc}") from exc
            log.warning("NATS not reachable yet; retrying", servers=servers, error=str(exc))
            try:
                await broker.stop()
            except Exception:
                pass
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


async def _call(hook: Hook, runtime: Runtime) -> Any:
    result = hook(runtime)
    if inspect.isawaitable(result):
        result = await result
    return result


def create_service_app(
    *,
    name: str,
    settings: ServiceSettingsBase,
    migrations_dir: Path,
    routers: Sequence[APIRouter] = (),
    bootstrap: Callable[[Runtime[C]], C] | None = None,
    consumers: Callable[[C], EventConsumers] | None = None,
    on_start: Sequence[Hook] = (),
    on_stop: Sequence[Hook] = (),
    title: str,
    description: str,
    version: str = "0.1.0",
    openapi_tags: list[dict] | None = None,
) -> FastAPI:
    common = settings.common
    setup_logging(common.log_level, common.log_format, service=name, person_ids=common.log_person_ids)
    runtime: Runtime[C] = Runtime(name, settings)
    runtime.tracing = Tracing.from_endpoint(name, common.otel_exporter_otlp_endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runtime.metrics.use()  # the background tasks started from here count in this service's metrics
        if settings.run_migrations:
            await asyncio.to_thread(run_migrations, settings.database_url, migrations_dir)
        runtime.engine = create_engine(settings.database_url, pool_size=common.db_pool_size,
                                       max_overflow=common.db_pool_max_overflow, pre_ping=common.db_pool_pre_ping)
        runtime.sessions = session_factory(runtime.engine)
        runtime.uow = UnitOfWork(runtime.sessions)
        app.state.engine = runtime.engine
        runtime.broker = await connect_broker(common.nats_url, name=f"kinerja-{name}", security=bus_security(settings))
        runtime.js = runtime.broker.connection.jetstream()
        await ensure_streams(runtime.js, replicas=common.nats_stream_replicas)
        if bootstrap is not None:
            runtime.container = bootstrap(runtime)
        if consumers is not None:
            event_consumers = consumers(runtime.container)
            app.state.consumers = event_consumers
            event_consumers.bind(runtime.uow, max_deliver=common.consumer_max_deliver, ack_wait=common.consumer_ack_wait,
                                 metrics=runtime.metrics, tracing=runtime.tracing, log_level=common.access_log_level)
            await event_consumers.provision(runtime.js)
            event_consumers.attach(runtime.broker)
        await runtime.broker.start()
        runtime.relay = OutboxRelay(
            runtime.engine,
            jetstream_publisher(runtime.js),
            batch_size=common.relay_batch_size,
            poll_interval=common.relay_poll_interval,
            name=name,
            metrics=runtime.metrics,
        )
        runtime.metrics.watch_outbox(runtime.engine, max_attempts=runtime.relay.max_attempts)
        runtime.uow.on_outbox_commit = runtime.relay.wake  # a commit with events wakes the relay at once
        await runtime.relay.start()
        for hook in on_start:
            await _call(hook, runtime)
        log.info("service started", port=settings.port, database=runtime.engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            for hook in reversed(on_stop):
                try:
                    await _call(hook, runtime)
                except Exception as exc:  # keep stopping the rest
                    log.warning("stop hook failed", error=repr(exc))
            await runtime.relay.stop()
            try:
                await runtime.broker.stop()
            except Exception as exc:
                log.warning("broker stop failed", error=repr(exc))
            await runtime.engine.dispose()
            runtime.tracing.shutdown()
            log.info("service stopped")

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_tags=openapi_tags,
        docs_url=None,  # web/openapi.py serves /docs and /redoc with their own assets
        redoc_url=None,
        # one schema per model: a value type whose input and output JSON Schemas differ
        # (bounded text, dates) would otherwise be split into "X-Input" and "X-Output"
        separate_input_output_schemas=False,
        # OpenTelemetry server spans when tracing is on, nothing when off (tracing.py)
        telemetry=runtime.tracing.fastapi_telemetry(),  # type: ignore[arg-type]
    )
    app.state.runtime = runtime
    app.state.verifier = TokenVerifier(common)
    app.state.consumers = None  # the service's EventConsumers once started
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app)
    # outermost first: correlation id -> access log and metrics -> size limit -> idempotency -> routes
    app.add_middleware(IdempotencyMiddleware, stale_after=common.idempotency_stale_after)
    app.add_middleware(TextGuardMiddleware)  # no control characters in path, query or JSON body (422)
    app.add_middleware(BodyLimitMiddleware, max_bytes=common.max_body_bytes)
    # one log line and the metrics of each request, inside the correlation id
    app.add_middleware(AccessMiddleware, metrics=runtime.metrics, level=common.access_log_level)
    app.add_middleware(CorrelationMiddleware)

    @app.get("/healthz", tags=["ops"], summary="Process is up", response_model=Health)
    async def healthz() -> dict:
        return {"status": "ok", "service": name}

    @app.get("/readyz", tags=["ops"], summary="Database and NATS reachable", responses=READY_RESPONSES)
    async def readyz() -> JSONResponse:
        checks = {"database": "down", "nats": "down"}
        try:
            async with asyncio.timeout(2):
                async with runtime.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception:
            pass
        if runtime.nats_connected:
            checks["nats"] = "ok"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "service": name, "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics (no token; route templates only, nothing personal)",
             response_class=Response, responses={200: {"content": {"text/plain": {}}}})
    async def metrics() -> Response:
        body, content_type = await runtime.metrics.render()
        return Response(body, media_type=content_type)

    add_asyncapi_routes(app, name, title=title, version=version, description=description, servers=common.nats_url)

    for router in routers:
        app.include_router(router)
    from .web.set_aside import router as set_aside_router

    app.include_router(set_aside_router)  # what the background scans set aside (issue 15)
    return app


def add_asyncapi_routes(
    app: FastAPI, name: str, *, title: str, version: str, description: str, servers: str,
) -> None:
    """``/asyncapi.json`` and ``/asyncapi``: what the service consumes and publishes.

    The document is built (once per start) from a broker that is never
    connected, holding the subscribers of the service's running
    ``EventConsumers`` (``app.state.consumers``, made in the lifespan from the
    container) and a documenting publisher per event it publishes."""
    built: dict[str, Any] = {}

    def asyncapi_doc() -> dict[str, Any]:
        consumers = app.state.consumers
        if built.get("consumers") is not consumers or "doc" not in built:
            built["consumers"] = consumers
            built["doc"] = asyncapi_document(name, consumers, title=title, version=version,
                                             description=description, servers=servers)
        return built["doc"]

    @app.get("/asyncapi.json", tags=["ops"], summary="AsyncAPI document: every event consumed and published")
    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(asyncapi_doc())

    @app.get("/asyncapi", tags=["ops"], summary="AsyncAPI document as a page (self-contained, no CDN)",
             response_class=HTMLResponse)
    async def asyncapi_page() -> HTMLResponse:
        return HTMLResponse(asyncapi_html(asyncapi_doc()))


async def get_runtime(request: Request) -> Runtime:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool
    return request.app.state.runtime
