"""Whole-flow benchmark of Kinerja on PostgreSQL and NATS.

    uv run python -m bench.flow --duration 60 --concurrency 64     (or: make bench)

Starts nats-server, the services (as processes, via
``kinerja_devstack.procs.Stack``) on fresh PostgreSQL databases and an SMTP
sink (bench/sink.py, its own process, stamping each mail's arrival),
then drives complete flows at a fixed concurrency for a fixed duration:

    uv run python -m bench.flow --replicas 2 --nats-cluster   (BENCH_ARGS for make bench)

``--replicas N`` starts N processes of every service (sharing the service's
database and durable consumers); the driver sends each request to the next
replica in turn. ``--nats-cluster`` runs three nats-servers clustered on
loopback with the streams (and the floor's stream) replicated three times.

    create a draft -> submit -> (read the penilai's inbox until it is there)
    -> approve -> (wait until skp shows Approved) and (wait for the pegawai's mail)

A flow counts when both the Approved status and the "disetujui" e-mail are
seen. Every flow uses its own pegawai NIP; a penilai has ~10 pegawai. Before
the run (not timed) the pegawai and penilai are written into the directory
service (``--people`` of them; skp takes an SKP's people from the directory)
and the run waits until skp's projection has them. The
driver listens on NATS for ApprovalRequested and reads the inbox once that
event went by (then polls with a short backoff). It waits for Approved with
one long poll of ``GET /api/v1/skp/{id}/status?while_status=Pending&wait=25``
(``--approved-by poll``: GETs of the SKP after ApprovalApproved went by, as
before that endpoint existed). Its reads load the services about as much as a
portal would, not a poll loop.

Reports flows/s, p50/p95/p99 of every hop, CPU seconds per flow per process
(services, nats-server, the PostgreSQL backends of the run's databases, this
driver), RSS at rest and peak RSS per service; then runs the infrastructure
floor (bench/floor.py) with the same commits and publishes per flow and
prints flows/s divided by the floor's flows/s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import nats
from kinerja_platform.settings import CommonSettings
from kinerja_platform.web.auth import mint_token
from kinerja_devstack.directory_seed import person_item, seed_people, wait_until_known
from kinerja_devstack.natsserver import NatsCluster, NatsServer, free_port
from kinerja_devstack.procs import SERVICES, Stack, instance_name
from kinerja_devstack.samples import DKI, pppk_skp
from sqlalchemy.engine import make_url

from . import procstat
from .floor import run_floor

HOPS = (
    ("create_http", "POST /skp (create draft), HTTP latency"),
    ("submit_http", "POST /skp/{id}/submit, HTTP latency"),
    ("submit_to_inbox", "submit response -> visible in the penilai's inbox"),
    ("approve_http", "POST /approvals/{id}/approve, HTTP latency"),
    ("approve_to_approved", "approve response -> Approved in skp"),
    ("approve_to_mail", "approve response -> pegawai's mail in the sink"),
    ("event_to_mail", "ApprovalApproved occurred_at -> mail in the sink"),
    ("flow", "whole flow (create request -> last of Approved/mail)"),
)


# --- identities --------------------------------------------------------------

def nip_of(i: int, *, born_from: dt.date, sex: int) -> str:
    """A structurally valid 18-digit NIP: YYYYMMDD birth, YYYYMM appointment,
    sex digit, 3-digit sequence; unique per ``i``."""
    born = born_from + dt.timedelta(days=i // 1000)
    appointed = f"{born.year + 25}{(i % 12) + 1:02d}"
    return f"{born:%Y%m%d}{appointed}{sex}{i % 1000:03d}"


def pegawai_nip(i: int) -> str:
    return nip_of(i, born_from=dt.date(1985, 1, 1), sex=2)


def penilai_nip(j: int) -> str:
    return nip_of(j, born_from=dt.date(1965, 1, 1), sex=1)


# --- arrivals at the SMTP sink (bench/sink.py) ---------------------------

def seed_bench_people(stack: Stack, people: int, per_penilai: int) -> None:
    """The flows' pegawai (0 .. people-1) under their penilai, through the directory's API: skp
    takes every SKP's people from the directory. Waits until skp's projection has them (not timed)."""
    penilai = [penilai_nip(j) for j in range((people + per_penilai - 1) // per_penilai)]
    items = [person_item(p, None, nama=f"Penilai {p[-5:]}", email=f"a{p}@bench.kinerja.test") for p in penilai]
    items += [person_item(pegawai_nip(i), penilai_nip(i // per_penilai), nama=f"Pegawai {i}",
                          email=f"p{pegawai_nip(i)}@bench.kinerja.test", jenis_asn="PPPK_PARUH_WAKTU") for i in range(people)]
    portal = {"Authorization": "Bearer " + mint_token("bench-portal", "portal", secret=CommonSettings().jwt_secret,
                                                      instansi=DKI)}
    seed_people(stack.url("directory"), portal, items, timeout=300)
    wait_until_known(stack.url("skp"), portal, [penilai[0], penilai[-1], pegawai_nip(0), pegawai_nip(people - 1)],
                     timeout=300)


class MailClock:
    """Reads the sink's arrival stamps (bench/sink.py, its own process):
    remembers when mail for each address arrived and wakes whoever waits."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.waiters: dict[str, asyncio.Future] = {}
        self.messages = 0

    async def follow(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            stamp, _, rcpts = line.decode().rstrip("\n").partition("\t")
            if rcpts:
                self.arrived_at(float(stamp), rcpts.split(","))

    def arrived_at(self, now: float, rcpt_tos: list[str]) -> None:
        self.messages += 1
        for rcpt in rcpt_tos:
            if not rcpt.startswith("p"):
                continue  # the penilai's "menunggu persetujuan" mail: counted only
            fut = self.waiters.pop(rcpt, None)
            if fut is not None and not fut.done():
                fut.set_result(now)
            else:
                self.arrived[rcpt] = now

    async def wait(self, address: str, timeout: float) -> float:
        if address in self.arrived:
            return self.arrived.pop(address)
        fut = asyncio.get_running_loop().create_future()
        self.waiters[address] = fut
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.waiters.pop(address, None)


# --- one flow ------------------------------------------------------------------

class FlowError(Exception):
    pass


@dataclass
class Reply:
    status_code: int
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Http:
    """The driver's HTTP client: aiohttp, keep-alive, the whole body read.

    httpx (with httpcore, anyio and h11 under it) cost the driver about 21 ms
    of CPU per flow, most of the driver's time, on the same two cores as the
    system under test; aiohttp's C-accelerated client costs a fraction."""

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session

    async def request(self, method: str, url: str, *, json_body=None, headers=None) -> Reply:
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers = {**(headers or {}), "Content-Type": "application/json"}
        async with self.session.request(method, url, data=data, headers=headers) as resp:
            return Reply(resp.status, await resp.read())

    async def get(self, url: str, *, headers=None) -> Reply:
        return await self.request("GET", url, headers=headers)

    async def post(self, url: str, *, json=None, headers=None) -> Reply:
        return await self.request("POST", url, json_body=json, headers=headers)


@dataclass
class Driver:
    http: Http
    #: the base URL of every replica of skp and of approval (each request goes to the next in turn)
    skp_urls: list[str]
    approval_urls: list[str]
    mail: MailClock
    secret: str
    per_penilai: int
    poll_cap: float
    timeout: float
    #: wait for Approved with skp's long poll (else: GET the SKP with backoff)
    long_poll: bool = True
    event_at: dict[str, float] = field(default_factory=dict)
    tokens: dict[tuple[str, str], dict] = field(default_factory=dict)
    #: (subject, skp_id) -> future set when the driver sees that event on NATS
    seen: dict[tuple[str, str], asyncio.Future] = field(default_factory=dict)
    #: next year's period: its submission deadline is still ahead
    mulai: str = f"{dt.date.today().year + 1}-01-01"
    selesai: str = f"{dt.date.today().year + 1}-12-31"
    _turn: int = 0

    def skp(self) -> str:
        """The base URL of the next skp replica."""
        self._turn += 1
        return self.skp_urls[self._turn % len(self.skp_urls)]

    def approval(self) -> str:
        """The base URL of the next approval replica."""
        self._turn += 1
        return self.approval_urls[self._turn % len(self.approval_urls)]

    def saw(self, subject: str, skp_id: str) -> None:
        fut = self.seen.get((subject, skp_id))
        if fut is None:
            fut = self.seen[(subject, skp_id)] = asyncio.get_running_loop().create_future()
        if not fut.done():
            fut.set_result(time.time())

    async def after_event(self, subject: str, skp_id: str) -> None:
        """Wait until the event that makes the next state visible went by (then
        a GET confirms it): polls only once or twice instead of all along."""
        fut = self.seen.get((subject, skp_id))
        if fut is None:
            fut = self.seen[(subject, skp_id)] = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(asyncio.shield(fut), self.timeout / 3)
        except TimeoutError:
            pass  # the poll below reports it
        finally:
            self.seen.pop((subject, skp_id), None)

    def auth(self, nip: str, role: str) -> dict:
        key = (nip, role)
        if key not in self.tokens:
            self.tokens[key] = {"Authorization": "Bearer " + mint_token(nip, role, secret=self.secret)}
        return self.tokens[key]

    async def poll(self, check, what: str, counter: list[int]) -> float:
        delay, deadline = 0.005, time.monotonic() + self.timeout
        while True:
            counter[0] += 1
            if await check():
                return time.time()
            if time.monotonic() > deadline:
                raise FlowError(f"timed out polling: {what}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.poll_cap)

    async def until_approved(self, sid: str, headers: dict, counter: list[int]) -> float:
        """Ask skp's status endpoint to answer once the SKP is no longer
        Pending (its long poll): one request per flow instead of a poll loop."""
        deadline = time.monotonic() + self.timeout
        url = f"{self.skp()}/api/v1/skp/{sid}/status"
        while True:
            counter[0] += 1
            wait = max(0.0, min(25.0, deadline - time.monotonic()))
            resp = await self.http.get(f"{url}?while_status=Pending&wait={wait:.1f}", headers=headers)
            if resp.status_code != 200:
                raise FlowError(f"status {resp.status_code}: {resp.text[:200]}")
            status = resp.json()["status"]
            if status == "Approved":
                return time.time()
            if status != "Pending" or time.monotonic() >= deadline:
                raise FlowError(f"SKP {sid} is {status}, not Approved")

    async def run(self, i: int) -> dict[str, float]:
        peg, pen = pegawai_nip(i), penilai_nip(i // self.per_penilai)
        peg_mail, pen_mail = f"p{peg}@bench.kinerja.test", f"a{pen}@bench.kinerja.test"
        as_peg, as_pen = self.auth(peg, "pegawai"), self.auth(pen, "atasan")
        body = pppk_skp(peg, pen, pegawai_email=peg_mail, penilai_email=pen_mail, mulai=self.mulai, selesai=self.selesai)
        body["atasan_pejabat_penilai"] = None  # the seeded penilai have no superior
        t0 = time.time()
        r = await self.http.post(f"{self.skp()}/api/v1/skp", json=body, headers=as_peg)
        t1 = time.time()
        if r.status_code != 201:
            raise FlowError(f"create {r.status_code}: {r.text[:200]}")
        skp = r.json()
        sid = skp["id"]
        r = await self.http.post(f"{self.skp()}/api/v1/skp/{sid}/submit", json={"version": skp["version"]}, headers=as_peg)
        t2 = time.time()
        if r.status_code != 200:
            raise FlowError(f"submit {r.status_code}: {r.text[:200]}")
        found: dict = {}
        polls = [0]

        async def in_inbox() -> bool:
            resp = await self.http.get(f"{self.approval()}/api/v1/inbox", headers=as_pen)
            for item in resp.json()["items"]:
                if item["skp_id"] == sid:
                    found.update(item)
                    return True
            return False

        # the inbox row commits with ApprovalRequested in approval's outbox
        await self.after_event("kinerja.approval.requested", sid)
        t3 = await self.poll(in_inbox, f"inbox of {pen} for {sid}", polls)
        t3b = time.time()
        r = await self.http.post(f"{self.approval()}/api/v1/approvals/{sid}/approve", json={"version": found["version"]},
                                 headers=as_pen)
        t4 = time.time()
        if r.status_code != 200:
            raise FlowError(f"approve {r.status_code}: {r.text[:200]}")

        async def approved() -> bool:
            resp = await self.http.get(f"{self.skp()}/api/v1/skp/{sid}", headers=as_peg)
            return resp.json()["status"] == "Approved"

        mail_task = asyncio.ensure_future(self.mail.wait(peg_mail, self.timeout))
        try:
            if self.long_poll:
                t5 = await self.until_approved(sid, as_peg, polls)
            else:
                # skp applies ApprovalApproved after it is published
                await self.after_event("kinerja.approval.approved", sid)
                t5 = await self.poll(approved, f"Approved in skp for {sid}", polls)
            t6 = await mail_task
        except TimeoutError as exc:
            raise FlowError("timed out waiting for mail") from exc
        finally:
            mail_task.cancel()
        out = {
            "create_http": t1 - t0,
            "submit_http": t2 - t1,
            "submit_to_inbox": t3 - t2,
            "approve_http": t4 - t3b,
            "approve_to_approved": t5 - t4,
            "approve_to_mail": t6 - t4,
            "flow": max(t5, t6) - t0,
            "done_at": max(t5, t6),
            "polls": polls[0],
        }
        ev = self.event_at.pop(sid, None)
        if ev is not None:
            out["event_to_mail"] = t6 - ev
        return out


# --- helpers -----------------------------------------------------------------

def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


async def admin(base: str, sql: str) -> None:
    u = make_url(base)
    conn = await asyncpg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                                 password=u.password, database=u.database or "postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def commits_of(base: str, names: list[str]) -> dict[str, int]:
    """Committed transactions so far of each database of ``names`` (PostgreSQL's statistics, flushed first)."""
    u = make_url(base)
    conn = await asyncpg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                                 password=u.password, database=u.database or "postgres")
    try:
        await conn.execute("SELECT pg_stat_force_next_flush()")
        rows = await conn.fetch("SELECT datname, xact_commit FROM pg_stat_database WHERE datname = ANY($1)", names)
        return {name: 0 for name in names} | {r["datname"]: int(r["xact_commit"]) for r in rows}
    finally:
        await conn.close()


async def stream_state(nats_url: str) -> tuple[int, int]:
    nc = await nats.connect(servers=nats_url.split(","))
    try:
        info = await nc.jetstream().stream_info("KINERJA")
        return info.state.messages, info.state.bytes
    finally:
        await nc.close()


async def wait_consumers_drained(nats_url: str, timeout: float = 300.0) -> float:
    """Wait until every durable consumer of the KINERJA stream has handled all
    it was given (nothing pending, nothing unacknowledged), so that a run
    measures its flows and not the tail of the directory seeding (each
    service projects every seeded person: thousands of events that would
    otherwise be handled during the measurement). Returns the seconds waited."""
    nc = await nats.connect(servers=nats_url.split(","))
    start = time.monotonic()
    try:
        js = nc.jetstream()
        while True:
            busy = [(c.name, c.num_pending, c.num_ack_pending) for c in await js.consumers_info("KINERJA")
                    if c.num_pending or c.num_ack_pending]
            if not busy:
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"consumers still busy after {timeout:.0f} s: {busy[:5]}")
            await asyncio.sleep(0.5)
    finally:
        await nc.close()


def machine_facts(base: str) -> dict:
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    try:
        pg = subprocess.run(["psql", base, "-Atc", "SELECT version()"], capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        pg = "?"
    try:
        from kinerja_devstack.natsserver import nats_server_binary

        ns = subprocess.run([nats_server_binary(), "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        ns = "?"
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_mb": mem, "python": platform.python_version(),
            "kernel": platform.release(), "postgresql": pg.split(" on ")[0], "nats_server": ns,
            "loadavg_before": open("/proc/loadavg").read().split()[:3]}


# --- the benchmark -------------------------------------------------------------

async def bench(a: argparse.Namespace) -> dict:
    """One whole run; its databases and nats-server go away even on Ctrl-C or an error."""
    run = uuid.uuid4().hex[:6]
    dbs = {svc: f"kbench_{run}_{svc}" for svc in SERVICES}
    floor_db = f"kbench_{run}_floor"
    servers: list[NatsServer | NatsCluster] = []
    try:
        return await _bench(a, dbs, floor_db, servers)
    finally:
        for srv in servers:
            srv.cleanup()
        for name in [*dbs.values(), floor_db]:
            try:
                await admin(a.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:
                print("could not drop", name, exc)


async def _bench(a: argparse.Namespace, dbs: dict[str, str], floor_db: str, servers: list[NatsServer | NatsCluster]) -> dict:
    base = a.database_url
    var = Path(a.var_dir or tempfile.mkdtemp(prefix="kinerja-bench-"))
    var.mkdir(parents=True, exist_ok=True)
    result: dict = {"args": vars(a), "machine": machine_facts(base), "started_at": dt.datetime.now(dt.UTC).isoformat()}
    for name in [*dbs.values(), floor_db]:
        await admin(base, f'CREATE DATABASE "{name}"')
    nats_srv = _start_nats(a, var, servers)
    mail = MailClock()
    smtp_port = free_port()
    sink = await _start_sink(smtp_port)
    sink_reader = asyncio.create_task(mail.follow(sink.stdout))
    env = _service_env(a)
    if isinstance(nats_srv, NatsCluster):
        env.setdefault("KINERJA_NATS_STREAM_REPLICAS", str(nats_srv.stream_replicas))
    stack = Stack.on_free_ports(
        var, nats_url=nats_srv.url, replicas=a.replicas,
        database_urls={s: make_url(base).set(database=n).render_as_string(hide_password=False) for s, n in dbs.items()},
        extra_env=env, mail_sink=False,
    )
    stack.smtp_port = smtp_port
    try:
        print(f"starting {len(nats_srv.nodes)} nats-server(s), {a.replicas} replica(s) of each service on PostgreSQL "
              f"({', '.join(dbs.values())}); logs in {var}", flush=True)
        await asyncio.to_thread(stack.start, 180)
        result["service_processes"] = [instance_name(s, r) for s, r in stack.instances()]
        pids = _pids(stack, nats_srv, sink.pid)
        (var / "pids.json").write_text(json.dumps(pids))  # for a profiler: py-spy record -p PID
        people = a.people or int((a.warmup + a.duration) * 100) + a.concurrency
        print(f"seeding the directory with {people} pegawai and their penilai ...", flush=True)
        await asyncio.to_thread(seed_bench_people, stack, people, a.per_penilai)
        drained = await wait_consumers_drained(nats_srv.url)
        print(f"every service has projected the directory ({drained:.1f} s after skp had)", flush=True)
        await asyncio.sleep(a.rest_settle)
        result["rss_at_rest_mb"] = {s: round(procstat.memory_mb(p).get("rss", 0), 1) for s, p in pids.items()}
        print("RSS at rest (MB):", result["rss_at_rest_mb"], flush=True)

        nc = await nats.connect(servers=nats_srv.url.split(","))
        driver_event_at: dict[str, float] = {}
        drv_box: list[Driver] = []

        on_event = _event_watcher(driver_event_at, drv_box)
        await nc.subscribe("kinerja.approval.approved", cb=on_event)
        await nc.subscribe("kinerja.approval.requested", cb=on_event)
        commits0 = await commits_of(base, list(dbs.values()))
        msgs0, bytes0 = await stream_state(nats_srv.url)

        # keep-alive shorter than uvicorn's 5 s, so the driver never reuses a
        # connection the server is closing at that moment
        connector = aiohttp.TCPConnector(limit=a.concurrency * 2, keepalive_timeout=2.0)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=a.timeout)) as session:
            http = Http(session)
            drv = Driver(http, stack.urls("skp"), stack.urls("approval"), mail, CommonSettings().jwt_secret,
                         a.per_penilai, a.poll_cap, a.timeout, long_poll=a.approved_by == "long-poll",
                         event_at=driver_event_at)
            drv_box.append(drv)
            backends = procstat.BackendCpu(set(dbs.values()))
            results: list[dict] = []
            errors: list[str] = []
            counter = iter(range(10**9))
            t_begin = time.time()
            t_start = t_begin + a.warmup
            t_end = t_start + a.duration
            marks: dict[str, dict] = {}

            async def worker() -> None:
                while time.time() < t_end:
                    i = next(counter)
                    try:
                        results.append(await drv.run(i))
                    except (FlowError, aiohttp.ClientError, TimeoutError, KeyError, ValueError) as exc:
                        errors.append(repr(exc)[:300])
                        if len(errors) >= 20 and not results:
                            raise SystemExit(f"every flow fails; first error: {errors[0]}") from exc

            def snapshot() -> dict:
                return {"t": time.time(), "cpu": {s: procstat.cpu_seconds(p) for s, p in pids.items()},
                        "driver": sum(os.times()[:2]), "machine": procstat.machine_cpu(), "mails": mail.messages,
                        "done": len(results)}

            async def sampler() -> None:
                while True:
                    backends.sample()
                    if "start" not in marks and time.time() >= t_start:
                        backends.start()
                        marks["start"] = snapshot()
                        print(f"warm-up done; measuring {a.duration:.0f} s at concurrency {a.concurrency}", flush=True)
                    await asyncio.sleep(0.25)

            sampler_task = asyncio.create_task(sampler())
            progress = asyncio.create_task(_progress(results, errors, t_begin))
            workers = [asyncio.create_task(worker()) for _ in range(a.concurrency)]
            await asyncio.sleep(max(0.0, t_end - time.time()))
            backends.sample()
            marks["end"] = snapshot()
            pg_cpu = backends.used()
            print("measurement window over; letting in-flight flows finish", flush=True)
            done, pending = await asyncio.wait(workers, timeout=a.timeout + 5)
            for t in pending:
                t.cancel()
            sampler_task.cancel()
            progress.cancel()
        await asyncio.sleep(1.0)
        result["rss_after_load_mb"] = {s: round(procstat.memory_mb(p).get("rss", 0), 1) for s, p in pids.items()}
        result["peak_rss_mb"] = {s: round(procstat.memory_mb(p).get("peak", 0), 1) for s, p in pids.items()}
        msgs1, bytes1 = await stream_state(nats_srv.url)
        await nc.close()
    finally:
        await asyncio.to_thread(stack.stop)
        if sink.returncode is None:
            sink.terminate()
            await sink.wait()
        sink_reader.cancel()
    commits1 = await commits_of(base, list(dbs.values()))

    _flow_figures(result, results, errors, marks, pids, pg_cpu)
    flows_in_window = max(1, result["flows"]["completed_in_window"])
    result["postgresql_cpu_ms_per_flow_by_service"] = {svc: round(pg_cpu.get(db, 0.0) * 1000 / flows_in_window, 2)
                                                       for svc, db in dbs.items()}
    total_flows = len(results)
    commits_per_flow = (sum(commits1.values()) - sum(commits0.values())) / max(1, total_flows)
    pubs_per_flow = (msgs1 - msgs0) / max(1, total_flows)
    avg_bytes = int((bytes1 - bytes0) / max(1, msgs1 - msgs0))
    result["per_flow"] = {"db_commits": round(commits_per_flow, 2), "jetstream_publishes": round(pubs_per_flow, 2),
                          "avg_stream_message_bytes": avg_bytes,
                          # whose database the commits are in: where the PostgreSQL CPU per flow goes
                          "db_commits_by_service": {svc: round((commits1[db] - commits0[db]) / max(1, total_flows), 2)
                                                    for svc, db in dbs.items()}}

    # --- the floor, same run, services stopped ---
    if not a.skip_floor:
        await _floor(a, result, floor_db, nats_srv.url, commits_per_flow, pubs_per_flow, avg_bytes,
                     stream_replicas=nats_srv.stream_replicas if isinstance(nats_srv, NatsCluster) else 1)
    nats_srv.stop()
    if not a.keep:
        shutil.rmtree(var, ignore_errors=True)
    result["finished_at"] = dt.datetime.now(dt.UTC).isoformat()
    return result


def _start_nats(a: argparse.Namespace, var: Path, servers: list[NatsServer | NatsCluster]) -> NatsServer | NatsCluster:
    """One nats-server, or with --nats-cluster three clustered on loopback (put in ``servers`` before starting)."""
    srv: NatsServer | NatsCluster = (NatsCluster(str(var / "nats"), log_dir=str(var)) if a.nats_cluster
                                     else NatsServer(store_dir=str(var / "nats"), log_file=str(var / "nats.log")))
    servers.append(srv)
    srv.start()
    return srv


def _pids(stack: Stack, nats_srv: NatsServer | NatsCluster, sink_pid: int) -> dict[str, int]:
    """The process id of every service replica, nats-server node and the sink."""
    pids = {instance_name(s, r): stack.child(s, r).proc.pid for s, r in stack.instances()}
    for i, node in enumerate(nats_srv.nodes):
        pids["nats-server" if len(nats_srv.nodes) == 1 else f"nats-n{i + 1}"] = node.proc.pid
    pids["smtp sink"] = sink_pid
    return pids


async def _start_sink(smtp_port: int) -> asyncio.subprocess.Process:
    """bench/sink.py in a process of its own, once it says it is ready."""
    sink = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.sink", str(smtp_port),
                                                stdout=asyncio.subprocess.PIPE, cwd=str(Path(__file__).parent.parent))
    assert sink.stdout is not None
    if (await sink.stdout.readline()).strip() != b"ready":
        raise RuntimeError("the SMTP sink did not start")
    return sink


def _service_env(a: argparse.Namespace) -> dict[str, str]:
    # the notification service caps mail at 20/s by default (to spare a real
    # SMTP relay): that alone would cap the flows at 10/s; the sink needs no cap
    env = {"KINERJA_LOG_LEVEL": a.log_level, "KINERJA_LOG_FORMAT": "json",
           "KINERJA_NOTIFICATION_RATE_LIMIT_PER_SECOND": "0"}
    for kv in a.env:
        k, _, v = kv.partition("=")
        env[k] = v
    return env


def _event_watcher(driver_event_at: dict[str, float], drv_box: list[Driver]):
    """A NATS callback: when each SKP was approved (the event's time), and
    every requested/approved event passed to the driver once it exists."""

    async def on_event(msg) -> None:
        env_ = json.loads(msg.data)
        sid = env_["data"]["skp_id"]
        if msg.subject == "kinerja.approval.approved":
            driver_event_at[sid] = dt.datetime.fromisoformat(env_["occurred_at"]).timestamp()
        if drv_box:
            drv_box[0].saw(msg.subject, sid)

    return on_event


async def _floor(a: argparse.Namespace, result: dict, floor_db: str, nats_url: str, commits_per_flow: float,
                 pubs_per_flow: float, avg_bytes: int, stream_replicas: int = 1) -> None:
    """The bare asyncpg + nats-py floor with the flow's commits and publishes, and the ratio to it."""
    print(f"floor: {round(commits_per_flow)} commits + {round(pubs_per_flow)} publishes per flow, "
          f"concurrency {a.concurrency}, {a.floor_duration:.0f} s", flush=True)
    floor = await run_floor(
        database_dsn=make_url(a.database_url).set(database=floor_db).render_as_string(hide_password=False).replace("+asyncpg", ""),
        nats_url=nats_url, commits=max(1, round(commits_per_flow)), publishes=max(1, round(pubs_per_flow)),
        payload_bytes=avg_bytes, concurrency=a.concurrency, duration=a.floor_duration, stream_replicas=stream_replicas,
    )
    result["floor"] = floor
    result["ratio_to_floor"] = result["flows"]["flows_per_s"] / floor["flows_per_s"] if floor["flows_per_s"] else None


def _flow_figures(result: dict, results: list[dict], errors: list[str], marks: dict[str, dict], pids: dict[str, int],
                  pg_cpu: dict) -> None:
    """The figures of the flows into ``result``: flows/s in the measurement
    window, per-hop percentiles, CPU seconds per flow, the machine's load."""
    s, e = marks["start"], marks["end"]
    window = e["t"] - s["t"]
    in_window = [r for r in results if s["t"] <= r["done_at"] <= e["t"]]
    flows = len(in_window)
    total_flows = len(results)
    result["flows"] = {"completed_in_window": flows, "window_s": round(window, 2), "flows_per_s": flows / window,
                       "completed_total": total_flows, "errors": len(errors), "first_errors": errors[:5],
                       "mails_in_window": e["mails"] - s["mails"], "driver_polls_per_flow": sum(r["polls"] for r in results) / max(1, total_flows)}
    result["hops_ms"] = {}
    for hop, _ in HOPS:
        vals = [r[hop] for r in in_window if hop in r]
        result["hops_ms"][hop] = {"n": len(vals), **{f"p{p}": round(pct(vals, p) * 1000, 1) for p in (50, 95, 99)},
                                  "max": round(max(vals) * 1000, 1) if vals else None}
    cpu = {k: (e["cpu"][k] - s["cpu"][k]) for k in pids if e["cpu"][k] is not None and s["cpu"][k] is not None}
    cpu["postgresql (backends of the run's databases)"] = sum(pg_cpu.values())
    cpu["driver (this process: HTTP client)"] = e["driver"] - s["driver"]
    machine_busy = e["machine"][0] - s["machine"][0]
    accounted = sum(cpu.values())
    result["cpu_s_per_flow"] = {k: round(v / max(1, flows), 5) for k, v in cpu.items()}
    processes = result.get("service_processes", list(SERVICES))
    if len(processes) > len(SERVICES):  # replicas: each service's processes together
        for svc in SERVICES:
            mine = [p for p in processes if p == svc or p.startswith(svc + "-")]
            result["cpu_s_per_flow"][f"{svc} (all {len(mine)} replicas)"] = round(sum(cpu[p] for p in mine) / max(1, flows), 5)
    result["cpu_s_per_flow"]["kinerja services total"] = round(sum(cpu[x] for x in processes) / max(1, flows), 5)
    result["cpu_s_per_flow"]["everything measured"] = round(accounted / max(1, flows), 5)
    result["machine_cpu"] = {"busy_cores_avg": round(machine_busy / window, 2), "of_cores": os.cpu_count(),
                             "other_processes_cores_avg": round(max(0.0, machine_busy - accounted) / window, 2)}


async def _progress(results: list, errors: list, t0: float) -> None:
    last = 0
    while True:
        await asyncio.sleep(5)
        n = len(results)
        print(f"  t={time.time() - t0:5.1f}s flows done={n} (+{(n - last) / 5:.1f}/s) errors={len(errors)}", flush=True)
        last = n


def report(r: dict) -> str:
    f = r["flows"]
    lines = [
        "",
        f"Kinerja flow benchmark - {r['machine']['cpus']} CPUs ({r['machine']['cpu_model']}), "
        f"{r['machine']['postgresql']}, nats-server {r['machine']['nats_server']}",
        f"concurrency {r['args']['concurrency']}, {r['args'].get('replicas', 1)} replica(s) of each service, "
        f"{'3-node NATS cluster' if r['args'].get('nats_cluster') else 'one nats-server'}, "
        f"window {f['window_s']} s (after {r['args']['warmup']} s warm-up)",
        f"complete flows: {f['completed_in_window']} in window -> {f['flows_per_s']:.1f} flows/s "
        f"(errors {f['errors']}, mails {f['mails_in_window']}, driver polls/flow {f['driver_polls_per_flow']:.1f})",
        "",
        f"{'hop':<22}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}  what",
    ]
    for hop, what in HOPS:
        h = r["hops_ms"][hop]
        lines.append(f"{hop:<22}{h['p50']:>10}{h['p95']:>10}{h['p99']:>10}{str(h['max']):>10}  {what}")
    lines += ["", "CPU seconds per flow:"]
    for k, v in r["cpu_s_per_flow"].items():
        lines.append(f"  {k:<52}{v * 1000:8.2f} ms")
    m = r["machine_cpu"]
    lines.append(f"  machine busy {m['busy_cores_avg']} of {m['of_cores']} cores on average; "
                 f"other processes {m['other_processes_cores_avg']} cores")
    lines += ["", f"{'process':<14}{'RSS at rest MB':>16}{'after load MB':>15}{'peak MB':>10}"]
    for s in r["rss_at_rest_mb"]:
        lines.append(f"{s:<14}{r['rss_at_rest_mb'][s]:>16}{r['rss_after_load_mb'][s]:>15}{r['peak_rss_mb'][s]:>10}")
    p = r["per_flow"]
    lines.append(f"\nper flow: {p['db_commits']} database commits, {p['jetstream_publishes']} JetStream publishes "
                 f"(avg {p['avg_stream_message_bytes']} B)")
    if "db_commits_by_service" in p:
        lines.append(f"{'database of':<14}{'commits/flow':>14}{'PostgreSQL CPU ms/flow':>24}")
        for svc, n in p["db_commits_by_service"].items():
            lines.append(f"{svc:<14}{n:>14}{r.get('postgresql_cpu_ms_per_flow_by_service', {}).get(svc, 0.0):>24}")
    if "floor" in r:
        fl = r["floor"]
        lines.append(f"floor (bare asyncpg + nats-py, {fl['commits_per_flow']} commits + {fl['publishes_per_flow']} "
                     f"publishes per flow): {fl['flows_per_s']:.1f} flows/s")
        lines.append(f"RATIO flows/s / floor flows/s = {r['ratio_to_floor']:.3f}")
    return "\n".join(lines)


def markdown(r: dict) -> str:
    """The figures as Markdown tables (what docs/performance.md shows)."""
    f, m = r["flows"], r["machine_cpu"]
    out = [
        f"- concurrency {r['args']['concurrency']}, {r['args'].get('replicas', 1)} replica(s) of each service, "
        f"{'3-node NATS cluster' if r['args'].get('nats_cluster') else 'one nats-server'}, "
        f"window {f['window_s']} s after {r['args']['warmup']} s warm-up, "
        f"started {r['started_at'][:19]}Z",
        f"- **{f['flows_per_s']:.1f} complete flows/s** ({f['completed_in_window']} in the window; "
        f"{f['errors']} flows failed; {f['driver_polls_per_flow']:.1f} status reads per flow)",
        f"- machine busy {m['busy_cores_avg']} of {m['of_cores']} cores; other people's processes used "
        f"{m['other_processes_cores_avg']} cores on average",
        f"- per flow: {r['per_flow']['db_commits']} database commits, {r['per_flow']['jetstream_publishes']} JetStream "
        f"publishes (avg {r['per_flow']['avg_stream_message_bytes']} B)",
    ]
    if "floor" in r:
        fl = r["floor"]
        out.append(f"- floor: {fl['flows_per_s']:.1f} flows/s ({fl['commits_per_flow']} commits + "
                   f"{fl['publishes_per_flow']} publishes per flow, bare asyncpg + nats-py) -> "
                   f"**ratio {r['ratio_to_floor']:.3f}**")
    out += ["", "| hop | p50 ms | p95 ms | p99 ms | max ms |", "| --- | ---: | ---: | ---: | ---: |"]
    for hop, what in HOPS:
        h = r["hops_ms"][hop]
        out.append(f"| {what} | {h['p50']} | {h['p95']} | {h['p99']} | {h['max']} |")
    out += ["", "| process | CPU ms per flow | RSS at rest MB | RSS after load MB | peak RSS MB |",
            "| --- | ---: | ---: | ---: | ---: |"]
    for k, v in r["cpu_s_per_flow"].items():
        short = k.split(" (")[0]
        # a service's replicas together ("skp (all 2 replicas)"): no one process's memory
        mem = ["", "", ""] if "(all " in k else [r[x].get(short, "") for x in ("rss_at_rest_mb", "rss_after_load_mb", "peak_rss_mb")]
        out.append(f"| {k} | {v * 1000:.1f} | {mem[0]} | {mem[1]} | {mem[2]} |")
    by_svc = r["per_flow"].get("db_commits_by_service")
    if by_svc:
        out += ["", "| database of | commits per flow | PostgreSQL CPU ms per flow |", "| --- | ---: | ---: |"]
        for svc, n in by_svc.items():
            out.append(f"| {svc} | {n} | {r.get('postgresql_cpu_ms_per_flow_by_service', {}).get(svc, 0.0)} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=60.0, help="measurement window, seconds (default 60)")
    p.add_argument("--concurrency", type=int, default=64, help="flows in flight (default 64)")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of load before the window (default 5)")
    p.add_argument("--floor-duration", type=float, default=15.0, help="seconds of the floor run (default 15)")
    p.add_argument("--skip-floor", action="store_true")
    p.add_argument("--per-penilai", type=int, default=10, help="pegawai per penilai (default 10)")
    p.add_argument("--people", type=int, default=0,
                   help="pegawai seeded in the directory before the run, one per flow (default: 100 per second of "
                   "warmup and duration, plus the concurrency)")
    p.add_argument("--poll-cap", type=float, default=0.05, help="longest wait between two status polls, s")
    p.add_argument("--approved-by", choices=("long-poll", "poll"), default="long-poll",
                   help="how the driver learns that skp shows Approved: one long poll of GET /api/v1/skp/{id}/status "
                        "(default), or GETs of the SKP after ApprovalApproved went by, backing off to --poll-cap")
    p.add_argument("--timeout", type=float, default=30.0, help="give up a flow step after this many seconds")
    p.add_argument("--rest-settle", type=float, default=5.0, help="idle seconds before RSS at rest is read")
    p.add_argument("--database-url", default=os.environ.get("KINERJA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra environment for the services")
    p.add_argument("--log-level", default="WARNING", help="services' log level during the run (default WARNING)")
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--markdown", action="store_true", help="also print the figures as Markdown tables")
    p.add_argument("--replicas", type=int, default=1, help="processes of every service (default 1)")
    p.add_argument("--nats-cluster", action="store_true",
                   help="three nats-servers clustered on loopback, streams replicated three times (default: one server)")
    p.add_argument("--var-dir", help="where logs and the NATS store go (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the var dir (logs) afterwards")
    a = p.parse_args(argv)
    if a.replicas < 1:
        p.error("--replicas must be at least 1")
    result = asyncio.run(bench(a))
    print(report(result))
    if a.markdown:
        print("\n" + markdown(result))
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(result, indent=2, default=str))
        print(f"figures written to {a.json}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown-of":  # render a saved --json file
        print(markdown(json.loads(Path(sys.argv[2]).read_text())))
    else:
        main()
