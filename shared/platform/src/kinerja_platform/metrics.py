"""Prometheus metrics of one service (``GET /metrics``; docs/operations.md, "Metrics").

Each app has its own :class:`ServiceMetrics` with its own registry (tests run
several apps in one process). Labels never hold a person or a record: HTTP
requests are counted by route *template* (``/api/v1/skp/{skp_id}``), events by
consumer and event type; no NIP, no SKP id, no e-mail address.

The hot paths (a request, a handled event) only increment counters and
observe histograms; whatever needs the database (the outbox backlog, the mail
queue) is read when ``/metrics`` is scraped, by the :meth:`ServiceMetrics.on_scrape`
hooks.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select

from .logging import get_logger

log = get_logger(__name__)

#: seconds; a request or an event handled in this service
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: the route label of a request that matched no route (a 404 for any path: never the path itself)
UNMATCHED = "<unmatched>"

ScrapeHook = Callable[[], Awaitable[None] | None]


class ServiceMetrics:
    """The metrics every service exposes, and the hooks that refresh gauges at scrape time."""

    def __init__(self, service: str):
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        ProcessCollector(registry=r)  # CPU seconds, memory, open files of this process
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        self.http_requests = Counter(
            "kinerja_http_requests", "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"], registry=r)
        self.http_duration = Histogram(
            "kinerja_http_request_duration_seconds", "time to answer an HTTP request, by route template and method",
            ["route", "method"], buckets=LATENCY_BUCKETS, registry=r)
        self.events_handled = Counter(
            "kinerja_events_handled",
            "events taken from the bus, by consumer, event type and outcome "
            "(processed, duplicate, retry, dead-lettered)",
            ["consumer", "event_type", "outcome"], registry=r)
        self.event_duration = Histogram(
            "kinerja_event_handling_duration_seconds",
            "time to handle an event (its batch's transaction when it was handled in a batch), by event type",
            ["event_type"], buckets=LATENCY_BUCKETS, registry=r)
        self.outbox_published = Counter(
            "kinerja_outbox_published", "outbox events published to JetStream by this process", registry=r)
        self.outbox_publish_failures = Counter(
            "kinerja_outbox_publish_failures", "relay passes that left outbox rows unpublished", registry=r)
        self.outbox_backlog = Gauge(
            "kinerja_outbox_backlog", "outbox events not yet published (read at scrape time)", registry=r)
        self.outbox_oldest_age = Gauge(
            "kinerja_outbox_oldest_unpublished_age_seconds",
            "age of the oldest outbox event not yet published; 0 when none waits (read at scrape time)", registry=r)
        self.outbox_set_aside = Gauge(
            "kinerja_outbox_set_aside", "outbox events given up after their last attempt (read at scrape time)",
            registry=r)
        self.periodic_runs = Counter(
            "kinerja_periodic_runs", "steps of the background tasks (scans, schedulers, digests), by task and outcome "
            "(ok, failed)", ["task", "outcome"], registry=r)
        self.periodic_duration = Histogram(
            "kinerja_periodic_run_duration_seconds", "time of one step of a background task, by task",
            ["task"], buckets=LATENCY_BUCKETS, registry=r)
        self._scrape_hooks: dict[str, ScrapeHook] = {}
        self._collectors: dict[str, Collector] = {}
        self._gauges: dict[str, Gauge] = {}
        self._http_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._event_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    # -- hot paths --------------------------------------------------------------------------------------------------

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        children = self._http_children.get(key)
        if children is None:  # labels() costs a lock and a dict lookup each: keep the children
            children = self._http_children[key] = (
                self.http_requests.labels(route, method, str(status)), self.http_duration.labels(route, method))
        children[0].inc()
        children[1].observe(seconds)

    def observe_event(self, consumer: str, event_type: str, outcome: str, seconds: float) -> None:
        key = (consumer, event_type, outcome)
        children = self._event_children.get(key)
        if children is None:
            children = self._event_children[key] = (
                self.events_handled.labels(consumer, event_type, outcome), self.event_duration.labels(event_type))
        children[0].inc()
        children[1].observe(seconds)

    def observe_periodic(self, task: str, outcome: str, seconds: float) -> None:
        self.periodic_runs.labels(task, outcome).inc()
        self.periodic_duration.labels(task).observe(seconds)

    def use(self) -> None:
        """Make these the metrics of the current context: the background
        tasks started from it (the service's lifespan) report here
        (:func:`current_metrics`)."""
        _current.set(self)

    # -- scrape -----------------------------------------------------------------------------------------------------

    def on_scrape(self, key: str, hook: ScrapeHook) -> None:
        """Run ``hook`` (sync or async) before each scrape, to set gauges
        from the database; a failing hook is logged and leaves its gauges as
        they were. A second hook of the same ``key`` (the app started again)
        replaces the first."""
        self._scrape_hooks[key] = hook

    def gauge(self, name: str, documentation: str) -> Gauge:
        """A gauge of the service's own (made once; the same one on a restart of the app)."""
        gauge = self._gauges.get(name)
        if gauge is None:
            gauge = self._gauges[name] = Gauge(name, documentation, registry=self.registry)
        return gauge

    def collect(self, key: str, collect: Callable[[], Iterable[Any]]) -> None:
        """Metric families built at scrape time by ``collect``, for values a
        service counts already (e.g. the mail worker's sent and failed
        mails); replaces an earlier one of the same ``key``."""
        old = self._collectors.pop(key, None)
        if old is not None:
            self.registry.unregister(old)
        self._collectors[key] = collector = CallbackCollector(collect)
        self.registry.register(collector)

    async def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        for hook in list(self._scrape_hooks.values()):
            try:
                result = hook()
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                log.warning("a metrics scrape hook failed; its gauges keep their last values", error=repr(exc)[:300])
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def watch_outbox(self, engine: Any, *, max_attempts: int = 20) -> None:
        """Read the outbox backlog at each scrape (one query on the index of unsent rows)."""
        from .messaging.outbox import OutboxMessage

        table = OutboxMessage.__table__
        stmt = select(
            func.count(),
            func.min(case((table.c.attempts < max_attempts, table.c.created_at))),
            func.coalesce(func.sum(case((table.c.attempts >= max_attempts, 1), else_=0)), 0),
        ).where(table.c.sent_at.is_(None))

        async def read_backlog() -> None:
            async with engine.connect() as conn:
                count, oldest, set_aside = (await conn.execute(stmt)).one()
            self.outbox_backlog.set(count - set_aside)
            self.outbox_set_aside.set(set_aside)
            self.outbox_oldest_age.set(_age(oldest))

        self.on_scrape("outbox", read_backlog)


#: the metrics of the running service, in its lifespan's context and the tasks started from it
_current: ContextVar[ServiceMetrics | None] = ContextVar("kinerja_metrics", default=None)


def current_metrics() -> ServiceMetrics | None:
    """The metrics of the service whose lifespan started the current task (None outside one)."""
    return _current.get()


def _age(when: dt.datetime | str | None) -> float:
    if when is None:
        return 0.0
    if isinstance(when, str):  # SQLite hands an aggregate back as text
        when = dt.datetime.fromisoformat(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (dt.datetime.now(dt.UTC) - when).total_seconds())


class CallbackCollector(Collector):
    """Metric families built at scrape time by ``collect``, for values a
    service already counts (e.g. the mail worker's sent and failed mails)."""

    def __init__(self, collect: Callable[[], Iterable[Any]]):
        self._collect = collect

    def collect(self) -> Iterable[Any]:
        return self._collect()

    def describe(self) -> Iterable[Any]:
        return ()  # nothing to check at registration: the names are the service's own
