"""Metrics and traces of the real apps (docs/operations.md, "Metrics", "Traces"):
every metric of the Grafana dashboard is exposed, and with an OTLP endpoint set
one trace runs from the skp request through the event into approval's handler
(a real OTLP/HTTP receiver, a real nats-server)."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from kinerja_approval.main import create_app as approval_app
from kinerja_approval.settings import Settings as ApprovalSettings
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, directory_records_of_skp, pppk_skp
from kinerja_devstack.testing import eventually, running, seed_projection
from kinerja_notification.main import create_app as notification_app
from kinerja_notification.settings import Settings as NotificationSettings
from kinerja_platform.messaging.outbox import OutboxMessage
from kinerja_platform.settings import CommonSettings
from kinerja_skp.main import create_app as skp_app
from kinerja_skp.settings import Settings as SkpSettings
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from prometheus_client.parser import text_string_to_metric_families

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "kinerja.json"
#: the names a family's samples may have
SUFFIXES = ("", "_total", "_bucket", "_sum", "_count", "_created")


def exposed_names(text: str) -> set[str]:
    """Every sample name the exposition declares (also of families without samples yet)."""
    names: set[str] = set()
    for fam in text_string_to_metric_families(text):
        names.update(fam.name + s for s in SUFFIXES)
        names.update(s.name for s in fam.samples)
    return names


def dashboard_metrics() -> dict[str, str]:
    """metric name -> the title of a panel that graphs it."""
    dashboard = json.loads(DASHBOARD.read_text())
    found: dict[str, str] = {}
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            for name in re.findall(r"\b((?:kinerja|process)_[a-z0-9_]+)", target["expr"]):
                found[name] = panel["title"]
    return found


async def test_every_metric_of_the_dashboard_is_exposed_and_needs_no_token(new_database, nats_server, smtp_sink):
    common = CommonSettings(nats_url=nats_server.url)
    names: set[str] = set()
    app = notification_app(NotificationSettings(database_url=new_database("obs_n"), smtp_port=smtp_sink.port,
                                                common=common))
    async with running(app) as c:
        # an outbox row given up after its last attempt: the scrape reads it from the database
        runtime = app.state.runtime
        async with runtime.uow() as session:
            session.add(OutboxMessage(id=uuid.uuid4(), subject="kinerja.test", payload=b"{}", headers="{}",
                                      created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                                      attempts=runtime.relay.max_attempts, last_error="refused"))
        r = await c.get("/metrics")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        names |= exposed_names(r.text)
        assert "kinerja_mail_pending 0.0" in r.text and "kinerja_outbox_backlog 0.0" in r.text
        assert "kinerja_outbox_set_aside 1.0" in r.text and "kinerja_outbox_oldest_unpublished_age_seconds 0.0" in r.text
        await runtime.relay.stop()  # a row waits: the backlog and its age show it
        async with runtime.uow() as session:
            session.add(OutboxMessage(id=uuid.uuid4(), subject="kinerja.test", payload=b"{}", headers="{}",
                                      created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)))
        text = (await c.get("/metrics")).text
        age = float(re.search(r"^kinerja_outbox_oldest_unpublished_age_seconds (\S+)$", text, re.M).group(1))
        assert "kinerja_outbox_backlog 1.0" in text and 600 <= age < 700
    wanted = dashboard_metrics()
    assert {"kinerja_http_requests_total", "kinerja_events_handled_total", "kinerja_outbox_backlog",
            "kinerja_mail_sent_total", "kinerja_mail_failed_total"} <= set(wanted)
    missing = {name: title for name, title in wanted.items() if name not in names}
    assert not missing, missing


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP trace receiver: keeps every exported span."""

    spans: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource in request.resource_spans:
            service = next(a.value.string_value for a in resource.resource.attributes if a.key == "service.name")
            for scope in resource.scope_spans:
                self.spans.extend((service, s) for s in scope.spans)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


async def test_one_trace_runs_from_the_submit_request_through_the_event_into_approval(
    new_database, nats_server, tokens,
):
    _Collector.spans = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        common = CommonSettings(nats_url=nats_server.url, relay_poll_interval=0.2,
                                otel_exporter_otlp_endpoint=f"http://127.0.0.1:{server.server_port}")
        skp = skp_app(SkpSettings(database_url=new_database("obs_s"), enforce_deadlines=False,
                                  reminder_interval_seconds=0, common=common))
        approval = approval_app(ApprovalSettings(database_url=new_database("obs_a"), escalation_enabled=False,
                                                 common=common))
        pegawai, atasan = tokens(PEGAWAI_NIP, "pegawai"), tokens(PENILAI_NIP, "atasan")
        async with running(approval) as appr, running(skp) as s:
            for app in (skp, approval):  # both take the SKP's people from the directory (docs/security.md)
                await seed_projection(app, directory_records_of_skp(pppk_skp()))
            r = await s.post("/api/v1/skp", json=pppk_skp(), headers=pegawai)
            assert r.status_code == 201, r.text
            skp_id = r.json()["id"]
            r = await s.post(f"/api/v1/skp/{skp_id}/submit", json={"version": 1}, headers=pegawai)
            assert r.status_code == 200, r.text

            async def in_inbox():
                items = (await appr.get("/api/v1/inbox", headers=atasan)).json()["items"]
                return [i for i in items if i["skp_id"] == skp_id]

            await eventually(in_inbox)
        # both apps stopped: their span processors exported everything
        spans = _Collector.spans
        submit = [s for svc, s in spans if svc == "kinerja-skp" and s.name == "POST /api/v1/skp/{skp_id}/submit"]
        handled = [s for svc, s in spans if svc == "kinerja-approval" and s.name == "handle skp.submitted"]
        assert len(submit) == 1 and len(handled) == 1, [(svc, s.name) for svc, s in spans]
        assert handled[0].trace_id == submit[0].trace_id  # one trace across HTTP and NATS
        assert handled[0].parent_span_id == submit[0].span_id
        assert skp_id not in str(handled[0].attributes)  # the span names templates, not records
    finally:
        server.shutdown()
        server.server_close()
