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
        kill_interval=(1.0, 2.5),
        nats_restarts=1,
        var_dir=tmp_path / "var",
    )
    assert report["finished"] == 40, report["details"]
    assert report["kills"] >= 3 and report["nats_restarts"] == 1, report
    assert (report["lost"], report["duplicated"], report["inconsistent"]) == (0, 0, 0), report["details"]
