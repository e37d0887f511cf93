"""One SKP's journey over real processes, found again by its id alone
(``kinerja-trail <skp_id>``, docs/operations.md, "The journey of one SKP"),
and the services' ``/metrics`` counting what the journey did.

create -> submit (skp) -> inbox (approval) -> approve (approval) -> Approved
(skp) -> plan (evaluation) -> two mails (notification)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from kinerja_devstack.procs import SERVICES
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, pppk_skp
from kinerja_devstack.testing import wait_for
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.e2e

TRAIL = str(Path(sys.executable).with_name("kinerja-trail"))
DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "kinerja.json"


def samples(text: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out.setdefault(s.name, []).append(s)
    return out


def counter(text: str, name: str, **labels: str) -> float:
    return sum(s.value for s in samples(text).get(name, []) if all(s.labels.get(k) == v for k, v in labels.items()))


def test_the_trail_of_one_skp_and_the_metrics_of_its_journey(stack, tokens):
    pegawai = tokens(PEGAWAI_NIP, "pegawai")
    atasan = tokens(PENILAI_NIP, "atasan")
    skp_url, appr_url = stack.url("skp"), stack.url("approval")
    with httpx.Client(timeout=10) as http:
        def metrics(service: str) -> str:
            r = http.get(f"{stack.url(service)}/metrics")  # no token
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain"), r.text[:300]
            return r.text

        before = {svc: metrics(svc) for svc in ("approval", "notification")}

        r = http.post(f"{skp_url}/api/v1/skp", json=pppk_skp(), headers=pegawai)
        assert r.status_code == 201, r.text
        skp_id = r.json()["id"]
        r = http.post(f"{skp_url}/api/v1/skp/{skp_id}/submit", json={"version": 1}, headers=pegawai)
        assert r.status_code == 200, r.text
        wait_for(lambda: [i for i in http.get(f"{appr_url}/api/v1/inbox", headers=atasan).json()["items"]
                          if i["skp_id"] == skp_id])
        r = http.post(f"{appr_url}/api/v1/approvals/{skp_id}/approve", json={"version": 1}, headers=atasan)
        assert r.status_code == 200, r.text
        wait_for(lambda: http.get(f"{skp_url}/api/v1/skp/{skp_id}", headers=pegawai).json()["status"] == "Approved")
        wait_for(lambda: http.get(f"{stack.url('evaluation')}/api/v1/plans/{skp_id}", headers=pegawai).status_code == 200)

        # --- the trail: one command, the SKP's id, every service it passed, in time order
        def the_trail() -> list[dict]:
            out = subprocess.run([TRAIL, skp_id, "--json"], cwd=stack.var_dir.parent, capture_output=True,
                                 text=True, timeout=30)
            recs = [json.loads(x) for x in out.stdout.splitlines()]
            mails = [x for x in recs if x["service"] == "notification" and x["event"] == "mail sent"]
            return len(mails) >= 2 and recs  # type: ignore[return-value]

        recs = wait_for(the_trail, timeout=30)
        assert [r["timestamp"] for r in recs] == sorted(r["timestamp"] for r in recs)
        assert {"skp", "approval", "evaluation", "notification"} <= {r["service"] for r in recs}

        def first(service: str, event: str, **fields) -> int:
            for i, rec in enumerate(recs):
                if rec["service"] == service and rec["event"] == event and all(rec.get(k) == v for k, v in fields.items()):
                    return i
            raise AssertionError(f"no {service} {event} {fields} in the trail:\n" + "\n".join(map(json.dumps, recs)))

        create = first("skp", "http request", route="/api/v1/skp", method="POST", status=201)
        submit = first("skp", "http request", route="/api/v1/skp/{skp_id}/submit", status=200)
        inbox = first("approval", "event handled", event_type="skp.submitted", outcome="processed")
        approve = first("approval", "http request", route="/api/v1/approvals/{skp_id}/approve", status=200)
        approved = first("skp", "event handled", event_type="approval.approved", outcome="processed")
        plan = first("evaluation", "event handled", event_type="approval.approved", outcome="processed")
        first("notification", "event handled", event_type="approval.requested", outcome="processed")
        first("notification", "event handled", event_type="approval.approved", outcome="processed")
        assert create < submit < inbox < approve < min(approved, plan)
        # every line that names the SKP names it right, and the event lines name its pegawai too
        assert all(r.get("skp_id", skp_id) == skp_id for r in recs)
        assert all(recs[i]["nip"] == PEGAWAI_NIP for i in (create, submit, inbox, approve, approved, plan))
        for rec in recs:
            if rec["event"] in ("http request", "event handled"):
                assert rec["level"] == "info" and rec["duration_ms"] >= 0 and rec["correlation_id"]

        # the readable form of the same command (what docs/operations.md shows)
        out = subprocess.run([TRAIL, skp_id], cwd=stack.var_dir.parent, capture_output=True, text=True, timeout=30)
        assert out.returncode == 0 and len(out.stdout.splitlines()) == len(recs)
        assert re.search(r" approval info http request .*route=/api/v1/approvals/\{skp_id\}/approve", out.stdout)

        # --- the metrics counted the journey
        after = {svc: metrics(svc) for svc in SERVICES}
        name = "kinerja_events_handled_total"
        submitted = dict(event_type="skp.submitted", outcome="processed")
        assert counter(after["approval"], name, **submitted) >= counter(before["approval"], name, **submitted) + 1
        assert counter(after["notification"], "kinerja_mail_sent_total") >= \
            counter(before["notification"], "kinerja_mail_sent_total") + 2
        assert counter(after["skp"], "kinerja_http_requests_total", route="/api/v1/skp/{skp_id}/submit",
                       method="POST", status="200") >= 1
        assert counter(after["skp"], "kinerja_outbox_published_total") >= 1
        for svc, text in after.items():
            assert skp_id not in text and PEGAWAI_NIP not in text and PENILAI_NIP not in text, svc

        # --- every metric of the Grafana dashboard is one that some service exposes
        exposed = set().union(*(samples(text) for text in after.values()))
        dashboard = json.loads(DASHBOARD.read_text())
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                for metric in re.findall(r"\b((?:kinerja|process)_[a-z0-9_]+)", target["expr"]):
                    assert metric in exposed, (panel["title"], metric)
