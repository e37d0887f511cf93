"""CPU budget per step of the flow: what each HTTP request, with the events and mails it causes, costs
every process, in milliseconds of CPU.

    uv run python -m bench.steps --flows 300        (PostgreSQL on 127.0.0.1, a private nats-server)

The whole-flow benchmark (bench/flow.py) runs every step at once, so a
profile can only say where CPU goes, not what one step costs. This one runs
the flow's steps one phase at a time on the same system (the same stack,
directory and driver as bench/flow.py): ``--flows`` creates, then as many
submits, inbox reads, approves and status reads, ``--concurrency`` at a time.
After each phase it waits until every consequence is over (the mails of the
phase have arrived and every process is idle again), and reads each
process's CPU time (utime + stime, /proc) and the CPU of the PostgreSQL
backends of the run's databases. A phase's CPU, less what the process spends
when idle over the same time (measured before the phases: relays, schedulers,
NATS heartbeats), divided by the number of steps, is that step's cost in
that process.

So the submit row holds skp's request, approval's handling of SkpSubmitted
(opening the case), skp's handling of ApprovalRequested, the notification
service's mail to the penilai, and the database and NATS work of all of them;
the approve row the same for the decision and the pegawai's mail. The sum of
the rows is the CPU of one complete flow, comparable to bench/flow.py's "CPU
per flow" (which runs the steps concurrently, so it batches more).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from kinerja_devstack.natsserver import NatsCluster, NatsServer, free_port
from kinerja_devstack.procs import SERVICES, Stack
from kinerja_platform.settings import CommonSettings
from sqlalchemy.engine import make_url

from . import procstat
from .flow import Driver, Http, MailClock, _pids, _start_nats, _start_sink, admin, pegawai_nip, penilai_nip, \
    seed_bench_people, wait_consumers_drained
from kinerja_devstack.samples import pppk_skp

#: the phases, in order: (key, what one step is)
PHASES = (
    ("create", "POST /api/v1/skp (create a draft: validation, the directory check, the version row; no event)"),
    ("submit", "POST /api/v1/skp/{id}/submit, the case opened, the penilai's mail"),
    ("inbox", "GET /api/v1/inbox (the penilai's inbox)"),
    ("approve", "POST /api/v1/approvals/{id}/approve, Approved in skp, the plan built, the pegawai's mail"),
    ("status", "GET /api/v1/skp/{id}/status (the status read that ends the long poll)"),
)


async def _gather(n: int, concurrency: int, one) -> list[float]:
    """Run ``one(i)`` for i in 0..n-1, ``concurrency`` at a time; the wall time of each."""
    sem = asyncio.Semaphore(concurrency)
    times: list[float] = []

    async def run(i: int) -> None:
        async with sem:
            t0 = time.perf_counter()
            await one(i)
            times.append(time.perf_counter() - t0)

    await asyncio.gather(*(run(i) for i in range(n)))
    return times


class Meter:
    """CPU seconds of every process and of the run's PostgreSQL backends, read together."""

    def __init__(self, pids: dict[str, int], databases: set[str]):
        self.pids = pids
        self.backends = procstat.BackendCpu(databases)
        #: CPU seconds per second the whole system uses when nothing happens (set by :meth:`measure_idle`)
        self.idle_total = 0.0

    def read(self) -> dict[str, float]:
        self.backends.sample()
        out = {name: procstat.cpu_seconds(pid) or 0.0 for name, pid in self.pids.items()}
        out["postgresql"] = sum(self.backends.last.values())
        return out

    async def measure_idle(self, seconds: float) -> dict[str, float]:
        """CPU seconds per second of each process while nothing happens (relays, schedulers, heartbeats)."""
        t0, c0 = time.monotonic(), self.read()
        await asyncio.sleep(seconds)
        rate = {k: v / (time.monotonic() - t0) for k, v in _diff(self.read(), c0).items()}
        self.idle_total = sum(rate.values())
        return rate

    async def idle(self, window: float = 1.0, timeout: float = 60.0) -> None:
        """Wait until the system uses, over ``window``, no more than half as much again as at rest (+10 ms)."""
        deadline = time.monotonic() + timeout
        before = self.read()
        while time.monotonic() < deadline:
            await asyncio.sleep(window)
            now = self.read()
            if sum(now.values()) - sum(before.values()) <= 1.5 * self.idle_total * window + 0.01:
                return
            before = now
        raise TimeoutError(f"the system did not come to rest within {timeout:.0f} s")


class Steps:
    """The flow's steps for pegawai ``i`` (bench/flow.py's people), one call each."""

    def __init__(self, drv: Driver, per_penilai: int):
        self.drv, self.per_penilai = drv, per_penilai
        self.ids: dict[int, str] = {}
        self.versions: dict[int, int] = {}
        self.inbox_version: dict[int, int] = {}

    def as_peg(self, i: int) -> dict:
        return self.drv.auth(pegawai_nip(i), "pegawai")

    def as_pen(self, i: int) -> dict:
        return self.drv.auth(penilai_nip(i // self.per_penilai), "atasan")

    async def create(self, i: int) -> None:
        pen = penilai_nip(i // self.per_penilai)
        body = pppk_skp(pegawai_nip(i), pen, pegawai_email=f"p{pegawai_nip(i)}@bench.kinerja.test",
                        penilai_email=f"a{pen}@bench.kinerja.test", mulai=self.drv.mulai, selesai=self.drv.selesai)
        body["atasan_pejabat_penilai"] = None  # the seeded penilai have no superior
        r = await self.drv.http.post(f"{self.drv.skp()}/api/v1/skp", json=body, headers=self.as_peg(i))
        assert r.status_code == 201, r.text[:300]
        self.ids[i], self.versions[i] = r.json()["id"], r.json()["version"]

    async def submit(self, i: int) -> None:
        r = await self.drv.http.post(f"{self.drv.skp()}/api/v1/skp/{self.ids[i]}/submit",
                                     json={"version": self.versions[i]}, headers=self.as_peg(i))
        assert r.status_code == 200, r.text[:300]

    async def inbox(self, i: int) -> None:
        r = await self.drv.http.get(f"{self.drv.approval()}/api/v1/inbox", headers=self.as_pen(i))
        assert r.status_code == 200, r.text[:300]
        mine = {self.ids.get(j): j for j in range(i - i % self.per_penilai, i - i % self.per_penilai + self.per_penilai)}
        for item in r.json()["items"]:
            if item["skp_id"] in mine:
                self.inbox_version[mine[item["skp_id"]]] = item["version"]

    async def approve(self, i: int) -> None:
        r = await self.drv.http.post(f"{self.drv.approval()}/api/v1/approvals/{self.ids[i]}/approve",
                                     json={"version": self.inbox_version[i]}, headers=self.as_pen(i))
        assert r.status_code == 200, r.text[:300]

    async def status(self, i: int) -> None:
        r = await self.drv.http.get(f"{self.drv.skp()}/api/v1/skp/{self.ids[i]}/status", headers=self.as_peg(i))
        assert r.status_code == 200 and r.json()["status"] == "Approved", r.text[:300]


def _diff(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}


async def _phase(key: str, what: str, step, a: argparse.Namespace, meter: Meter, mail: MailClock,
                 idle_rate: dict[str, float]) -> dict:
    """Run one phase (``a.flows`` steps), wait until its consequences are over, and say its CPU per step."""
    mails_before = mail.messages
    t_start, before = time.monotonic(), meter.read()
    driver_before = time.process_time()
    walls = await _gather(a.flows, a.concurrency, step)
    if key in ("submit", "approve"):  # one mail per step: to the penilai, then to the pegawai
        deadline = time.monotonic() + 120
        while mail.messages - mails_before < a.flows and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    await meter.idle(timeout=120)
    elapsed = time.monotonic() - t_start
    used = _diff(meter.read(), before)
    per_step = {k: max(0.0, v - idle_rate.get(k, 0.0) * elapsed) * 1000 / a.flows for k, v in used.items()}
    walls.sort()
    out = {
        "what": what, "cpu_ms_per_step": {k: round(v, 3) for k, v in per_step.items()},
        "services_ms": round(sum(v for k, v in per_step.items() if k in SERVICES), 3),
        "total_ms": round(sum(per_step.values()), 3),
        "driver_ms": round((time.process_time() - driver_before) * 1000 / a.flows, 3),
        "mails": mail.messages - mails_before,
        "http_p50_ms": round(walls[len(walls) // 2] * 1000, 2),
        "seconds": round(elapsed, 2),
    }
    print(f"  {key:<8} services {out['services_ms']:7.2f} ms/step, all processes {out['total_ms']:7.2f} ms/step",
          flush=True)
    return out


async def run_steps(a: argparse.Namespace) -> dict:
    run = uuid.uuid4().hex[:6]
    dbs = {svc: f"ksteps_{run}_{svc}" for svc in SERVICES}
    servers: list[NatsServer | NatsCluster] = []
    var = Path(tempfile.mkdtemp(prefix="kinerja-steps-"))
    for name in dbs.values():
        await admin(a.database_url, f'CREATE DATABASE "{name}"')
    stack: Stack | None = None
    sink = None
    try:
        a.nats_cluster = False
        nats_srv = _start_nats(a, var, servers)
        mail = MailClock()
        smtp_port = free_port()
        sink = await _start_sink(smtp_port)
        reader = asyncio.create_task(mail.follow(sink.stdout))
        stack = Stack.on_free_ports(
            var, nats_url=nats_srv.url,
            database_urls={s: make_url(a.database_url).set(database=n).render_as_string(hide_password=False)
                           for s, n in dbs.items()},
            extra_env={"KINERJA_LOG_LEVEL": "WARNING", "KINERJA_LOG_FORMAT": "json",
                       "KINERJA_NOTIFICATION_RATE_LIMIT_PER_SECOND": "0"},
            mail_sink=False,
        )
        stack.smtp_port = smtp_port
        print(f"starting the services on PostgreSQL ({', '.join(dbs.values())}) ...", flush=True)
        await asyncio.to_thread(stack.start, 180)
        pids = _pids(stack, nats_srv, sink.pid)
        print(f"seeding {a.flows} pegawai ...", flush=True)
        await asyncio.to_thread(seed_bench_people, stack, a.flows, a.per_penilai)
        await wait_consumers_drained(nats_srv.url)
        meter = Meter(pids, set(dbs.values()))
        await asyncio.sleep(a.settle_seconds)  # the directory's events and the start-up work die down
        idle_rate = await meter.measure_idle(a.idle_seconds)
        result: dict = {"flows": a.flows, "concurrency": a.concurrency, "phases": {},
                        "idle_cpu_per_s": {k: round(v, 4) for k, v in idle_rate.items()},
                        "started_at": dt.datetime.now(dt.UTC).isoformat()}

        connector = aiohttp.TCPConnector(limit=a.concurrency * 2, keepalive_timeout=2.0)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
            drv = Driver(Http(session), stack.urls("skp"), stack.urls("approval"), mail, CommonSettings().jwt_secret,
                         a.per_penilai, 0.05, 60.0)
            flow = Steps(drv, a.per_penilai)
            steps = {"create": flow.create, "submit": flow.submit, "inbox": flow.inbox, "approve": flow.approve,
                     "status": flow.status}
            for key, what in PHASES:
                result["phases"][key] = await _phase(key, what, steps[key], a, meter, mail, idle_rate)
        reader.cancel()
        return result
    finally:
        if stack is not None:
            await asyncio.to_thread(stack.stop)
        if sink is not None and sink.returncode is None:
            sink.terminate()
            await sink.wait()
        for srv in servers:
            srv.cleanup()
        for name in dbs.values():
            try:
                await admin(a.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:
                print("could not drop", name, exc)
        shutil.rmtree(var, ignore_errors=True)


def report(r: dict) -> str:
    """The budget as a Markdown table: a row per step, a column per process, ms of CPU."""
    procs = [k for k in next(iter(r["phases"].values()))["cpu_ms_per_step"] if k != "postgresql"] + ["postgresql"]
    head = "| step | " + " | ".join(procs) + " | services | all |"
    lines = [f"CPU budget per step, ms ({r['flows']} steps per phase, concurrency {r['concurrency']}):", "",
             head, "|" + " --- |" * (len(procs) + 3)]
    totals = {p: 0.0 for p in procs}
    for key, ph in r["phases"].items():
        cells = ph["cpu_ms_per_step"]
        for p in procs:
            totals[p] += cells.get(p, 0.0)
        lines.append(f"| {key} | " + " | ".join(f"{cells.get(p, 0.0):.2f}" for p in procs)
                     + f" | {ph['services_ms']:.2f} | {ph['total_ms']:.2f} |")
    services = sum(v for k, v in totals.items() if k in SERVICES)
    lines.append("| **one flow** | " + " | ".join(f"{totals[p]:.2f}" for p in procs)
                 + f" | {services:.2f} | {sum(totals.values()):.2f} |")
    lines.append("")
    lines += [f"- {k}: {ph['what']}; HTTP p50 {ph['http_p50_ms']} ms; driver {ph['driver_ms']} ms/step" for k, ph in
              r["phases"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--flows", type=int, default=300, help="steps per phase (default 300)")
    p.add_argument("--concurrency", type=int, default=16, help="steps in flight (default 16)")
    p.add_argument("--per-penilai", type=int, default=10, help="pegawai per penilai (default 10)")
    p.add_argument("--idle-seconds", type=float, default=5.0, help="how long the idle CPU is measured (default 5)")
    p.add_argument("--settle-seconds", type=float, default=5.0,
                   help="wait after seeding before the idle CPU is measured (default 5)")
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--json", help="also write the figures to this file")
    a = p.parse_args(argv)
    if a.flows < 1:
        p.error("--flows must be at least 1")
    result = asyncio.run(run_steps(a))
    print(report(result))
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(result, indent=2))
        print(f"figures written to {a.json}")


if __name__ == "__main__":
    main()
