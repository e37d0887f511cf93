"""The infrastructure floor: what bare asyncpg and nats-py do on this machine.

Each "floor flow" makes the same number of database commits and JetStream
publishes as one Kinerja flow did in the same run (measured there:
``xact_commit`` of the services' databases and messages added to the
KINERJA stream, per flow). A commit is one ``INSERT`` of a row of the
average event size in its own transaction; a publish carries the average
event size and a ``Nats-Msg-Id`` and waits for the stream's ack, as the
outbox relay does. The floor runs with the same concurrency as the flows,
from one Python process, with the services stopped.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import nats
from nats.js.api import StorageType, StreamConfig

FLOOR_STREAM = "KINERJA_BENCH_FLOOR"


async def run_floor(
    *,
    database_dsn: str,
    nats_url: str,
    commits: int,
    publishes: int,
    payload_bytes: int,
    concurrency: int,
    duration: float,
    pool_size: int = 20,
    stream_replicas: int = 1,
) -> dict:
    payload = b"x" * max(1, payload_bytes)
    pool = await asyncpg.create_pool(database_dsn, min_size=min(pool_size, concurrency), max_size=min(pool_size, concurrency))
    await pool.execute("CREATE TABLE IF NOT EXISTS floor_rows (id uuid PRIMARY KEY, body bytea NOT NULL, at timestamptz NOT NULL DEFAULT now())")
    nc = await nats.connect(servers=nats_url.split(","))  # a cluster: every node, comma-separated
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=FLOOR_STREAM, subjects=["kinerja-bench-floor.>"], storage=StorageType.FILE,
                                     duplicate_window=120.0, num_replicas=stream_replicas))
    done = 0
    steps = _interleave(commits, publishes)
    stop_at = time.monotonic() + duration

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < stop_at:
            for step in steps:
                if step == "c":
                    async with pool.acquire() as conn:
                        await conn.execute("INSERT INTO floor_rows (id, body) VALUES ($1, $2)", uuid.uuid4(), payload)
                else:
                    await js.publish("kinerja-bench-floor.event", payload, headers={"Nats-Msg-Id": str(uuid.uuid4())})
            done += 1

    t0 = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - t0
    await nc.close()
    await pool.close()
    return {
        "flows": done,
        "seconds": round(elapsed, 2),
        "flows_per_s": done / elapsed if elapsed else 0.0,
        "commits_per_flow": commits,
        "publishes_per_flow": publishes,
        "payload_bytes": payload_bytes,
        "concurrency": concurrency,
        "pool_size": min(pool_size, concurrency),
    }


def _interleave(commits: int, publishes: int) -> list[str]:
    """Spread the publishes evenly among the commits (c c p c c p ...)."""
    steps: list[str] = []
    total = commits + publishes
    for i in range(total):
        # Bresenham-like: a publish whenever its share of the sequence is due
        if publishes and (i + 1) * publishes // total > len([s for s in steps if s == "p"]):
            steps.append("p")
        else:
            steps.append("c")
    return steps
