"""A small chaos run inside `make test-all`: mixed flows while services are
SIGKILLed and restarted and nats-server restarts once. The full run is
`uv run kinerja-chaos --flows 1000` (docs/reliability.md)."""

from __future__ import annotations

import os

import pytest
from kinerja_devstack.chaos import run_chaos

pytestmark = [pytest.mark.e2e, pytest.mark.chaos, pytest.mark.timeout(2000)]


async def test_small_chaos_run_loses_doubles_and_breaks_nothing(tmp_path):
    report = await run_chaos(
        flows=40,
        concurrency=4,
        time_limit=900,
        seed=20261125,
        database_url=os.environ.get("KINERJA_TEST_DATABASE_URL"),
        # the flows of this run take about 10 s on a quiet machine: a kill every
        # 0.4-1.0 s gives several kills however fast they go (2 in one CI run at 1.0-2.5 s)
        kill_interval=(0.4, 1.0),
        nats_restarts=1,
        var_dir=tmp_path / "var",
    )
    assert report["finished"] == 40, report["details"]
    assert report["kills"] >= 3 and report["nats_restarts"] == 1, report
    assert (report["lost"], report["duplicated"], report["inconsistent"]) == (0, 0, 0), report["details"]
