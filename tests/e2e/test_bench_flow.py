"""The whole-flow benchmark (bench/flow.py) still runs end to end.

Not a timed test: it runs the documented command for a few seconds at a low
concurrency and checks that it completes flows without errors, prints the
ratio to the floor and writes every figure docs/performance.md reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DB_URL = os.environ.get("KINERJA_TEST_DATABASE_URL", "")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.bench,
    pytest.mark.skipif(
        not DB_URL.startswith("postgresql"), reason="bench/flow.py needs PostgreSQL (KINERJA_TEST_DATABASE_URL)"
    ),
]


@pytest.mark.parametrize(("approved_by", "scale"), [
    pytest.param("long-poll", [], id="long-poll"),
    pytest.param("poll", [], id="poll"),
    # two replicas of every service on a three-node NATS cluster (docs/performance.md, "Replicas")
    # (a longer window: ten processes and three nodes on two cores may finish no flow in 3 s; a CI run saw 0)
    pytest.param("long-poll", ["--replicas", "2", "--nats-cluster", "--duration", "12", "--warmup", "4"],
                 id="replicas-cluster"),
])
def test_bench_flow_runs_and_reports_every_figure(tmp_path, approved_by, scale):
    out = tmp_path / "flow.json"
    cmd = [
        sys.executable, "-m", "bench.flow",
        "--duration", "3", "--concurrency", "2", "--warmup", "1",
        "--floor-duration", "1", "--rest-settle", "0", "--approved-by", approved_by,
        "--database-url", DB_URL, "--json", str(out), *scale,
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "RATIO flows/s / floor flows/s = " in proc.stdout

    fig = json.loads(out.read_text())
    assert fig["flows"]["errors"] == 0, fig["flows"]["first_errors"]
    assert fig["flows"]["completed_in_window"] > 0
    for hop in ("create_http", "submit_http", "submit_to_inbox", "approve_http", "approve_to_approved",
                "approve_to_mail", "flow"):
        assert fig["hops_ms"][hop]["n"] > 0 and fig["hops_ms"][hop]["p99"] > 0, hop
    for svc in ("skp", "approval", "evaluation", "notification"):
        assert fig["cpu_s_per_flow"][svc] > 0, svc
        assert 0 < fig["rss_at_rest_mb"][svc] <= fig["peak_rss_mb"][svc], svc
    assert fig["per_flow"]["jetstream_publishes"] >= 3  # SkpSubmitted, ApprovalRequested, ApprovalApproved
    # the commits per flow broken down by service database add up to the total, and each service commits
    by_svc = fig["per_flow"]["db_commits_by_service"]
    assert abs(sum(by_svc.values()) - fig["per_flow"]["db_commits"]) < 0.05 * len(by_svc), fig["per_flow"]
    for svc in ("skp", "approval", "evaluation", "notification"):
        assert by_svc[svc] > 0, by_svc
    # /proc counts in 10 ms ticks: a few flows in 3 s may leave one database's backends at 0
    assert sum(fig["postgresql_cpu_ms_per_flow_by_service"].values()) > 0, fig
    assert fig["floor"]["flows_per_s"] > 0 and fig["ratio_to_floor"] > 0
    if approved_by == "long-poll" and not scale:  # one status request per flow, beside the inbox reads
        assert fig["flows"]["driver_polls_per_flow"] < 4, fig["flows"]
    if scale:  # every replica served (the driver takes them in turn) and every node ran
        for svc in ("skp", "approval"):
            assert fig["cpu_s_per_flow"][f"{svc}-2"] > 0 and fig["cpu_s_per_flow"][f"{svc} (all 2 replicas)"] > 0, svc
        assert [k for k in fig["rss_at_rest_mb"] if k.startswith("nats-n")] == ["nats-n1", "nats-n2", "nats-n3"]


def test_bench_steps_prints_a_cpu_budget_per_step(tmp_path):
    """bench/steps.py (docs/performance.md, "CPU budget per step"): every phase completes, its mails arrive,
    and the services' CPU per step is measured for each step of the flow."""
    out = tmp_path / "steps.json"
    cmd = [sys.executable, "-m", "bench.steps", "--flows", "12", "--concurrency", "4", "--idle-seconds", "2", "--settle-seconds", "3",
           "--database-url", DB_URL, "--json", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "| **one flow** |" in proc.stdout
    fig = json.loads(out.read_text())
    assert list(fig["phases"]) == ["create", "submit", "inbox", "approve", "status"]
    assert fig["phases"]["submit"]["mails"] >= 12 and fig["phases"]["approve"]["mails"] >= 12
    assert fig["phases"]["create"]["cpu_ms_per_step"]["skp"] > 0
    assert fig["phases"]["approve"]["cpu_ms_per_step"]["approval"] > 0
    assert fig["phases"]["approve"]["cpu_ms_per_step"]["notification"] > 0
    assert all(ph["services_ms"] > 0 for ph in fig["phases"].values())
