"""Two replicas of every service on a three-node NATS cluster, inside
`make test-all`: mixed flows while one NATS node is SIGKILLed and restarted
and service replicas are SIGKILLed and restarted (one at a time, so each
service keeps a replica serving), then the evaluation scheduler - two
replicas, one lease - opens the next year's periods. Nothing may be lost,
doubled or left inconsistent; every mail goes once, each period opens once.
The full run is `uv run kinerja-chaos --flows 1000 --replicas 2 --nats-cluster`
(docs/reliability.md)."""

from __future__ import annotations

import os

import pytest
from kinerja_devstack.chaos import run_chaos

pytestmark = [pytest.mark.e2e, pytest.mark.chaos, pytest.mark.timeout(900)]


async def test_two_replicas_on_a_nats_cluster_lose_double_and_break_nothing(tmp_path):
    report = await run_chaos(
        flows=30,
        concurrency=3,
        time_limit=400,
        seed=20261201,
        database_url=os.environ.get("KINERJA_TEST_DATABASE_URL"),
        kill_interval=(0.5, 1.5),
        nats_restarts=1,
        replicas=2,
        nats_cluster=True,
        var_dir=tmp_path / "var",
    )
    assert (report["replicas"], report["nats_nodes"]) == (2, 3), report
    assert report["finished"] == 30, report["details"]
    # one NATS node killed and back; at least one service replica killed and back
    assert report["nats_restarts"] == 1 and report["kills"] >= 1, report
    # the services made the stream, and evaluation its lease bucket, on all three nodes
    assert (report["stream"]["replicas"], report["stream"]["lease_replicas"]) == (3, 3), report
    assert report["periods_opened"] and report["scheduled_events"] == 2, report
    assert (report["lost"], report["duplicated"], report["inconsistent"]) == (0, 0, 0), report["details"]
