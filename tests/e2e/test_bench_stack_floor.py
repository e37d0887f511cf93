"""The stack's floor (bench/stack_floor.py) still runs end to end.

Not a timed test: a short run of the documented command; it must measure
every operation it names, print the per-flow floor and leave no database
behind.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

ROOT = Path(__file__).resolve().parents[2]
DB_URL = os.environ.get("KINERJA_TEST_DATABASE_URL", "")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.bench,
    pytest.mark.skipif(
        not DB_URL.startswith("postgresql"), reason="bench/stack_floor.py needs PostgreSQL (KINERJA_TEST_DATABASE_URL)"
    ),
]


async def _floor_databases() -> set[str]:
    conn = await asyncpg.connect(DB_URL)
    try:
        rows = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE 'kbench_stackfloor_%'")
    finally:
        await conn.close()
    return {r["datname"] for r in rows}


def test_stack_floor_measures_every_operation(tmp_path):
    before = asyncio.run(_floor_databases())
    out = tmp_path / "floor.json"
    cmd = [sys.executable, "-m", "bench.stack_floor", "--seconds", "1", "--concurrency", "2",
           "--events", "100", "--mails", "20", "--database-url", DB_URL, "--json", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "costs the services at least" in proc.stdout

    fig = json.loads(out.read_text())
    assert fig["http"]["operations"] > 0
    assert fig["event"]["operations"] == 100
    assert fig["mail"]["operations"] == 20
    for op in ("http", "event", "mail"):
        assert fig[op]["cpu_ms_per_op"] > 0, op
    expected = sum(fig["counts"][n] * fig[op]["cpu_ms_per_op"]
                   for n, op in (("requests", "http"), ("events", "event"), ("mails", "mail")))
    assert fig["services_floor_ms_per_flow"] == pytest.approx(expected)
    assert asyncio.run(_floor_databases()) == before  # its own database is dropped
