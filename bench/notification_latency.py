"""Latency from the approve request to the pegawai's e-mail in the SMTP sink.

Starts the whole system as processes (``kinerja_devstack.procs.Stack``) on
PostgreSQL and a private nats-server, prepares N pending SKPs (create +
submit; the penilai's mails are let through first), then sends N approve
requests at a steady rate and measures, per flow, from the moment the HTTP
approve request starts to the moment the sink received the "SKP Anda telah
disetujui" mail (the sink stamps ``received_at`` on arrival; same machine,
same clock). The path: approval service (HTTP, DB commit + outbox) -> relay
-> NATS JetStream -> notification consumer (processed_event + delivery row) -> delivery
worker -> SMTP -> sink.

Baseline in the same run: the bare HTTP round trip to the approval service's
/healthz.

    uv run python bench/notification_latency.py --flows 300 --rate 10

Needs PostgreSQL (``--database-url``, default $KINERJA_TEST_DATABASE_URL or
postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from kinerja_platform.settings import CommonSettings
from kinerja_platform.web.auth import mint_token
from kinerja_devstack.databases import TestDatabases
from kinerja_devstack.natsserver import NatsServer
from kinerja_devstack.procs import SERVICES, Stack
from kinerja_devstack.samples import PENILAI_NIP, nip, pppk_skp


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def headers(sub: str, role: str) -> dict[str, str]:
    s = CommonSettings()
    return {"Authorization": "Bearer " + mint_token(sub, role, secret=s.jwt_secret, audience=s.jwt_audience)}


async def wait_until(check, timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(interval)
    raise TimeoutError(f"{what}: not reached in {timeout}s")


async def prepare(http: httpx.AsyncClient, stack: Stack, n: int) -> dict[str, dict]:
    """N SKPs pending in one penilai's inbox; returns email -> inbox item."""
    sem = asyncio.Semaphore(8)
    flows: dict[str, dict] = {}

    async def one(i: int) -> None:
        pg_nip, email = nip(i), f"pegawai{i}@bench.example.go.id"
        me = headers(pg_nip, "pegawai")
        async with sem:
            r = await http.post(f"{stack.url('skp')}/api/v1/skp", headers=me,
                                json=pppk_skp(pegawai_nip=pg_nip, pegawai_email=email, pegawai_nama=f"Pegawai {i}"))
            r.raise_for_status()
            skp = r.json()
            r = await http.post(f"{stack.url('skp')}/api/v1/skp/{skp['id']}/submit", headers=me,
                                json={"version": skp["version"]})
            r.raise_for_status()
        flows[skp["id"]] = {"email": email}

    await asyncio.gather(*(one(i) for i in range(n)))
    atasan = headers(PENILAI_NIP, "atasan")

    async def inbox_full():
        items: list = []
        while True:  # the inbox is paged
            page = (await http.get(f"{stack.url('approval')}/api/v1/inbox", headers=atasan,
                                   params={"limit": 500, "offset": len(items)})).json()["items"]
            items += page
            if len(page) < 500:
                break
        return items if len([i for i in items if i["skp_id"] in flows]) == n else None

    for item in await wait_until(inbox_full, 120, "all SKPs in the inbox"):
        if item["skp_id"] in flows:
            flows[item["skp_id"]]["version"] = item["version"]

    async def penilai_mails_out():
        msgs = (await http.get(f"{stack.mail_url}/api/messages", params={"to": "budi.santoso@example.go.id"})).json()
        return len(msgs) >= n

    await wait_until(penilai_mails_out, 120, "the penilai's mails")
    return flows


async def measure(http: httpx.AsyncClient, stack: Stack, flows: dict[str, dict], rate: float) -> dict:
    atasan = headers(PENILAI_NIP, "atasan")
    http_ms: list[float] = []

    async def approve(skp_id: str, flow: dict) -> None:
        flow["t0"] = time.time()
        t = time.perf_counter()
        r = await http.post(f"{stack.url('approval')}/api/v1/approvals/{skp_id}/approve",
                            headers={**atasan, "X-Correlation-ID": flow["cid"]}, json={"version": flow["version"]})
        http_ms.append((time.perf_counter() - t) * 1000)
        flow["t_http_done"] = time.time()
        r.raise_for_status()

    tasks = []
    for i, flow in enumerate(flows.values()):
        flow["cid"] = f"bench-{i:04d}"
    start = time.perf_counter()
    for i, (skp_id, flow) in enumerate(flows.items()):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(approve(skp_id, flow)))
    await asyncio.gather(*tasks)

    by_cid = {f["cid"]: f for f in flows.values()}

    async def all_arrived():
        msgs = (await http.get(f"{stack.mail_url}/api/messages")).json()
        got = {}
        for m in msgs:
            cid = m["headers"].get("X-Correlation-ID")
            if cid in by_cid and "disetujui" in m["subject"] and by_cid[cid]["email"] in m["to"]:
                got[cid] = m["received_at"]
        return got if len(got) == len(by_cid) else None

    arrived = await wait_until(all_arrived, 180, "all approval mails", interval=1.0)
    latencies = [(arrived[c] - f["t0"]) * 1000 for c, f in by_cid.items()]
    for c, f in by_cid.items():
        f["t_mail"] = arrived[c]

    health_ms = []
    for _ in range(len(flows)):
        t = time.perf_counter()
        (await http.get(f"{stack.url('approval')}/healthz")).raise_for_status()
        health_ms.append((time.perf_counter() - t) * 1000)
    return {"mail_ms": latencies, "approve_http_ms": http_ms, "healthz_ms": health_ms,
            "flows": {f["cid"]: {k: f[k] for k in ("t0", "t_http_done", "t_mail")} for f in by_cid.values()}}


def stages(log: Path, flows: dict) -> dict:
    """Split each flow at the notification consumer's commit (its "Processed"
    log line, INFO level): upstream (approval HTTP, outbox relay, JetStream,
    consumer) and downstream (delivery worker, SMTP, sink)."""
    import datetime as dt

    processed = {}
    for line in log.read_text().splitlines():
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if d.get("consumer") == "notification--approval-approved" and d.get("event") == "Processed":
            processed[d.get("correlation_id")] = dt.datetime.fromisoformat(d["timestamp"].replace("Z", "+00:00")).timestamp()
    up = [(processed[c] - f["t0"]) * 1000 for c, f in flows.items() if c in processed]
    down = [(f["t_mail"] - processed[c]) * 1000 for c, f in flows.items() if c in processed]
    return {"upstream_ms": summary("request -> notification commit", up) if up else None,
            "downstream_ms": summary("notification commit -> sink", down) if down else None}


def summary(name: str, values: list[float]) -> dict:
    return {"name": name, "n": len(values), "p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99),
            "max": max(values), "mean": statistics.fmean(values)}


async def run(args) -> dict:
    dbs = TestDatabases(args.database_url)
    nats = NatsServer().start()
    var = Path(tempfile.mkdtemp(prefix="kinerja-bench-"))
    stack = Stack.on_free_ports(
        var, nats_url=nats.url, database_urls={s: dbs.new(f"bench_{s}") for s in SERVICES},
        # the sample SKP's period is in the past: let its first submission through
        extra_env={"KINERJA_LOG_LEVEL": args.log_level, "KINERJA_LOG_FORMAT": "json",
                   "KINERJA_SKP_ENFORCE_DEADLINES": "false"},
    )
    print(f"logs: {var / 'logs'}", flush=True)
    try:
        await asyncio.to_thread(stack.start, 180)
        async with httpx.AsyncClient(timeout=30) as http:
            flows = await prepare(http, stack, args.flows)
            result = await measure(http, stack, flows, args.rate)
        if args.log_level in ("INFO", "DEBUG"):
            result["stages"] = stages(var / "logs" / "notification.log", result["flows"])
    finally:
        stack.stop()
        nats.cleanup()
        dbs.cleanup()
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--flows", type=int, default=300)
    p.add_argument("--rate", type=float, default=10.0, help="approve requests per second")
    p.add_argument("--database-url", default=os.environ.get("KINERJA_TEST_DATABASE_URL")
                   or "postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--log-level", default="WARNING")
    p.add_argument("--out", default="bench/results/notification_latency.json")
    args = p.parse_args()
    result = asyncio.run(run(args))
    rows = [summary("approve request -> mail in sink", result["mail_ms"]),
            summary("approve HTTP round trip", result["approve_http_ms"]),
            summary("baseline: GET /healthz round trip", result["healthz_ms"])]
    load = os.getloadavg()
    print(f"\n{args.flows} flows at {args.rate}/s, PostgreSQL + nats-server, 4 services + SMTP sink as processes; "
          f"{os.cpu_count()} CPUs, load average after the run {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n")
    print(f"{'measure':<36} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for r in rows:
        print(f"{r['name']:<36} {r['n']:>5} {r['p50']:>9.1f} {r['p95']:>9.1f} {r['p99']:>9.1f} {r['max']:>9.1f}")
    for extra in (result.get("stages") or {}).values():
        if extra:
            rows.append(extra)
            r = extra
            print(f"{r['name']:<36} {r['n']:>5} {r['p50']:>9.1f} {r['p95']:>9.1f} {r['p99']:>9.1f} {r['max']:>9.1f}")
    ratio = rows[0]["p99"] / rows[2]["p99"]
    print(f"\np99 mail latency / p99 /healthz round trip = {ratio:.1f}x;  p99 < 1 s: {rows[0]['p99'] < 1000}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"flows": args.flows, "rate": args.rate, "cpus": os.cpu_count(),
                                          "loadavg_after": load, "summary": rows,
                                          "p99_ratio_to_healthz": ratio}, indent=2))
    sys.exit(0 if rows[0]["p99"] < 1000 else 1)


if __name__ == "__main__":
    main()
