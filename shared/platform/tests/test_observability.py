"""The log binding of one SKP's trail, the access line, the request metrics,
the trail command and the trace context of events, on small apps (no bus).

The whole journey over real services is tests/e2e/test_trail_and_metrics.py."""

from __future__ import annotations

import io
import json
import logging
import uuid
from types import SimpleNamespace

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from kinerja_platform import trail
from kinerja_platform.context import bind, bind_owner, bind_subject, configure_subject_logging, event_subject
from kinerja_platform.logging import get_logger, setup_logging
from kinerja_platform.metrics import ServiceMetrics
from kinerja_platform.tracing import Tracing, inject
from kinerja_platform.web.access import AccessMiddleware
from kinerja_platform.web.middleware import CorrelationMiddleware
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

SKP = "0b6f1f8e-3c1a-4c55-9a52-5a1f0f7e9d11"
NIP = "199503152025212001"


@pytest.fixture
def lines(caplog):
    """The log records (structlog's event dicts) written since the fixture started, INFO and up."""
    setup_logging("INFO", "json", service="test")
    caplog.set_level(logging.INFO)
    caplog.clear()

    def read() -> list[dict]:
        out = [dict(r.msg) for r in caplog.records if isinstance(r.msg, dict)]
        caplog.clear()
        return out

    yield read
    configure_subject_logging(person_ids=True)


def test_bind_subject_puts_the_skp_and_the_nip_on_every_line_until_the_next_context(lines):
    log = get_logger("kinerja.test")
    bind("cid-1")
    bind_subject(skp_id=uuid.UUID(SKP), nip=NIP, evaluation_id=None)
    log.info("one")
    log.warning("two")
    bind("cid-2")  # the next request or message starts clean
    log.info("three")
    one, two, three = lines()
    for rec in (one, two):
        assert rec["skp_id"] == SKP and rec["nip"] == NIP and rec["correlation_id"] == "cid-1"
        assert "evaluation_id" not in rec
    assert "skp_id" not in three and "nip" not in three and three["correlation_id"] == "cid-2"


def test_without_person_ids_only_the_skp_is_bound(lines):
    configure_subject_logging(person_ids=False)
    bind("cid-3")
    bind_subject(skp_id=SKP, nip=NIP, person_id=NIP)
    get_logger("kinerja.test").info("about an skp")
    (rec,) = lines()
    assert rec["skp_id"] == SKP and "nip" not in rec and "person_id" not in rec
    assert NIP not in json.dumps(rec)


def test_event_subject_names_the_skp_and_its_pegawai():
    data = SimpleNamespace(skp_id=uuid.UUID(SKP), pegawai=SimpleNamespace(nip=NIP, nama="Siti"))
    assert event_subject(data) == {"skp_id": SKP, "nip": NIP}
    assert event_subject(SimpleNamespace(person_id="P-1")) == {"person_id": "P-1"}
    assert event_subject(SimpleNamespace(period_id="2026-03")) == {}


def _app(metrics: ServiceMetrics, level: str = "INFO") -> FastAPI:
    app = FastAPI()
    router = APIRouter(prefix="/api/v1/skp")
    log = get_logger("kinerja.test")

    @router.post("/{skp_id}/submit")
    async def submit(skp_id: str) -> dict:
        log.info("submitting")
        return {"ok": True}

    @router.get("/{skp_id}/owner")
    async def owner(skp_id: str) -> dict:
        bind_owner(SKP, NIP)  # what a service does where it loads the SKP
        log.info("loaded")
        return {}

    @router.get("/{skp_id}/boom")
    async def boom(skp_id: str) -> dict:
        raise RuntimeError("boom")

    app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {}

    app.add_middleware(AccessMiddleware, metrics=metrics, level=level)
    app.add_middleware(CorrelationMiddleware)
    return app


async def _call(app: FastAPI, method: str, path: str, **kw) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        return await c.request(method, path, **kw)


def _samples(metrics: ServiceMetrics, name: str) -> dict[tuple, float]:
    text = generate_latest(metrics.registry).decode()
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            if s.name == name:
                out[tuple(sorted(s.labels.items()))] = s.value
    return out


async def test_one_info_line_per_request_with_the_skp_and_metrics_by_route_template(lines):
    metrics = ServiceMetrics("test")
    app = _app(metrics)
    r = await _call(app, "POST", f"/api/v1/skp/{SKP}/submit", headers={"X-Correlation-ID": "cid-sub"})
    assert r.status_code == 200
    inside, access = lines()
    assert inside["event"] == "submitting" and inside["skp_id"] == SKP and inside["correlation_id"] == "cid-sub"
    assert access["event"] == "http request" and access["level"] == "info" and access["logger"] == "kinerja.access"
    assert access["skp_id"] == SKP and access["correlation_id"] == "cid-sub"
    assert access["status"] == 200 and access["method"] == "POST" and access["route"] == "/api/v1/skp/{skp_id}/submit"
    assert access["duration_ms"] >= 0

    assert (await _call(app, "GET", f"/api/v1/skp/{SKP}/boom")).status_code == 500
    assert (await _call(app, "GET", f"/no/such/{SKP}")).status_code == 404
    assert (await _call(app, "GET", "/healthz")).status_code == 200
    recs = lines()
    assert [(x.get("status"), x.get("route")) for x in recs if x["event"] == "http request"] == [
        (500, "/api/v1/skp/{skp_id}/boom"), (404, "<unmatched>")]  # /healthz at DEBUG

    counts = _samples(metrics, "kinerja_http_requests_total")
    assert counts[(("method", "POST"), ("route", "/api/v1/skp/{skp_id}/submit"), ("status", "200"))] == 1
    assert counts[(("method", "GET"), ("route", "/api/v1/skp/{skp_id}/boom"), ("status", "500"))] == 1
    assert counts[(("method", "GET"), ("route", "<unmatched>"), ("status", "404"))] == 1
    buckets = _samples(metrics, "kinerja_http_request_duration_seconds_count")
    assert buckets[(("method", "POST"), ("route", "/api/v1/skp/{skp_id}/submit"))] == 1
    text = (await metrics.render())[0].decode()
    assert SKP not in text and NIP not in text  # labels are templates, never ids


async def test_the_access_level_is_a_setting(lines):
    app = _app(ServiceMetrics("test"), level="DEBUG")
    logging.getLogger().setLevel(logging.INFO)
    assert (await _call(app, "POST", f"/api/v1/skp/{SKP}/submit")).status_code == 200
    assert [x["event"] for x in lines()] == ["submitting"]  # the access line is at DEBUG now


def test_trail_keeps_the_skp_lines_and_their_correlations_in_time_order():
    other = str(uuid.uuid4())
    logs = [
        {"timestamp": "2026-12-01T10:00:02Z", "service": "approval", "event": "event handled", "skp_id": SKP,
         "correlation_id": "c-submit", "level": "info"},
        {"timestamp": "2026-12-01T10:00:01Z", "service": "skp", "event": "http request", "skp_id": SKP,
         "correlation_id": "c-submit", "level": "info"},
        {"timestamp": "2026-12-01T10:00:03Z", "service": "notification", "event": "mail sent",
         "correlation_id": "c-submit", "level": "info"},
        {"timestamp": "2026-12-01T10:00:04Z", "service": "skp", "event": "http request", "skp_id": other,
         "correlation_id": "c-submit", "level": "info"},  # another SKP in the same request: not this trail
        {"timestamp": "2026-12-01T10:00:00Z", "service": "skp", "event": "unrelated", "correlation_id": "c-x"},
    ]
    text = "\n".join(["not json", *map(json.dumps, logs)])
    found = trail.trail(SKP.upper(), trail.records(text.splitlines()))
    assert [(r["service"], r["event"]) for r in found] == [
        ("skp", "http request"), ("approval", "event handled"), ("notification", "mail sent")]


def test_trail_command_reads_files_and_says_when_nothing_matches(tmp_path):
    (tmp_path / "skp.log").write_text(json.dumps({"timestamp": "t1", "service": "skp", "level": "info",
                                                  "event": "http request", "skp_id": SKP, "status": 200}) + "\n")
    out = io.StringIO()
    assert trail.main([SKP, str(tmp_path / "skp.log")], out=out) == 0
    assert out.getvalue().startswith("t1 skp info http request") and "status=200" in out.getvalue()
    assert trail.main([str(uuid.uuid4()), str(tmp_path / "skp.log")], out=io.StringIO()) == 1


async def test_tracing_off_writes_no_trace_header_and_on_continues_the_trace_through_event_headers():
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    headers: dict[str, str] = {}
    inject(headers)
    assert headers == {}
    assert not Tracing.from_endpoint("skp", None).enabled

    exporter = InMemorySpanExporter()
    tracing = Tracing.from_endpoint("approval", None, exporter=exporter)
    assert tracing.tracer is not None
    with tracing.tracer.start_as_current_span("POST /api/v1/skp/{skp_id}/submit"):
        inject(headers)  # what the outbox does when it writes an event
    assert headers["traceparent"].startswith("00-")
    with tracing.consumer_span("skp.submitted", headers, "approval--skp-submitted"):
        emitted: dict[str, str] = {}
        inject(emitted)  # an event written by the handler
    tracing.shutdown()
    request, handled = sorted(exporter.get_finished_spans(), key=lambda s: s.start_time or 0)
    assert handled.parent is not None and handled.parent.span_id == request.context.span_id
    assert handled.context.trace_id == request.context.trace_id
    assert emitted["traceparent"].split("-")[1] == format(request.context.trace_id, "032x")


async def test_periodic_steps_count_in_the_metrics_of_the_service_that_started_them():
    import asyncio

    from kinerja_platform.periodic import PeriodicTask

    metrics = ServiceMetrics("test")
    metrics.use()  # what the runtime's lifespan does before the service starts its tasks
    calls = []

    async def step():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database away")

    task = PeriodicTask("scan", step, 0.01)
    task.start()
    for _ in range(200):
        if task.runs >= 3:
            break
        await asyncio.sleep(0.01)
    await task.stop()
    runs = _samples(metrics, "kinerja_periodic_runs_total")
    assert runs[(("outcome", "failed"), ("task", "scan"))] == 1
    assert runs[(("outcome", "ok"), ("task", "scan"))] == task.runs - 1


async def test_the_owners_nip_is_bound_only_on_a_request_about_that_skp(lines):
    app = _app(ServiceMetrics("test"))
    assert (await _call(app, "GET", f"/api/v1/skp/{SKP}/owner")).status_code == 200
    loaded, access = lines()
    assert loaded["nip"] == NIP and access["nip"] == NIP and access["skp_id"] == SKP
    other = str(uuid.uuid4())  # a request about another SKP (a bulk item, say) does not take this one's NIP
    assert (await _call(app, "GET", f"/api/v1/skp/{other}/owner")).status_code == 200
    assert all("nip" not in rec for rec in lines())
    bind("cid-event")
    bind_owner(SKP, NIP)  # outside a request: nothing
    get_logger("kinerja.test").info("in a handler")
    assert "nip" not in lines()[0]


def test_a_call_below_the_level_is_dropped_before_any_processor_runs(capsys):
    import structlog

    setup_logging("WARNING", "json", service="test")
    try:
        # the first processor asks the stdlib logger's level (structlog.stdlib.filter_by_level), so the
        # rest of the chain (context, timestamps, rendering) never runs for a dropped call
        assert structlog.get_config()["processors"][0] is structlog.stdlib.filter_by_level
        log = get_logger("kinerja.test.level")
        log.info("not written")
        log.warning("written")
        out = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert [e["event"] for e in out] == ["written"]
    finally:
        setup_logging("INFO", "json", service="test")


def test_a_logger_cached_before_a_second_setup_follows_the_new_chain_and_capture_logs():
    """setup_logging again (a second app in one process, as the test suites
    do) must not leave loggers cached under the first call on the old chain:
    structlog's capture_logs changes the configured list in place, and a
    logger holding a list of its own would log past it (an audit line the
    scoping test then missed)."""
    from structlog.testing import capture_logs

    setup_logging("INFO", "json", service="first")
    log = get_logger(f"kinerja.test.cached.{uuid.uuid4().hex}")
    with capture_logs():
        log.warning("first use: the logger is cached now")
    setup_logging("INFO", "json", service="second")
    with capture_logs() as logs:
        log.warning("after the second setup", audit=True)
    assert [(e["event"], e.get("audit")) for e in logs] == [("after the second setup", True)]
    setup_logging("INFO", "json", service="test")
