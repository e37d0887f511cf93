"""``kinerja-chaos``: drive many SKPs through mixed approval flows while
services are SIGKILLed and restarted and nats-server is restarted, then check
that nothing was lost, doubled or left inconsistent.

    uv run kinerja-chaos --flows 1000 --concurrency 40 --time-limit 900
    uv run kinerja-chaos --flows 1000 --replicas 2 --nats-cluster

The system runs as processes (kinerja_devstack.procs.Stack) on fresh
PostgreSQL databases (``--database-url``, default the local server) and a
private nats-server, or with ``--nats-cluster`` three nats-servers clustered
on loopback with every stream replicated three times (then each "NATS
restart" SIGKILLs one node and starts it again). ``--replicas N`` starts N
processes of every service; they share their service's database and durable
consumers, a kill takes one replica, and the driver spreads its HTTP calls
over the replicas in turn. Every service connects as its own NATS user
(kinerja_platform.messaging.bus_auth). The driver is a careful client: every
write carries an Idempotency-Key and is retried through crashes; a 409 that
shows the write already happened counts as success. Before the first kill
every pegawai and penilai is written into the directory service (skp takes
an SKP's people from it) and the run waits until skp's projection has them.

When the flows are done (the kills go on), the evaluation service's clock
(a file, KINERJA_EVALUATION_CLOCK_FILE) moves to 10 January of the SKPs'
year: its scheduler - one replica at a time, holding the lease - opens that
January's monthly period and the year's annual one, and each approved pegawai
gets one "period opened" e-mail per period.

At the end it checks, for every SKP: the same status in skp and approval,
the status the driver expects, an evaluation plan exactly for the approved
ones; each scheduled period opened once (one event per period in the
stream); for every pegawai: one e-mail per return, per approval and per
period opened for an approved SKP (distinct
Message-IDs; a resend with the same Message-ID after a crash between the SMTP
"250" and the commit is reported apart, as ``resent_same_message_id``); no unsent outbox row in any service; nothing
in the dead-letter stream. It prints flows, kills, restarts, lost,
duplicated, inconsistent, and exits non-zero when any of the last three is
not zero.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .databases import TestDatabases
from .natsserver import NatsCluster, NatsServer
from .procs import SERVICES, Stack, instance_name
from .samples import pppk_skp

INSTANSI = "Pemerintah Provinsi DKI Jakarta"
ADMIN_NIP = "198001012005011001"
FLOW_KINDS = ("approve", "return-approve", "return-only", "reassign-approve", "return-twice-approve")


def chaos_nip(n: int, *, offset_days: int = 0, sex: int = 2) -> str:
    born = dt.date(1985, 1, 1) + dt.timedelta(days=offset_days + n // 1000)
    return f"{born:%Y%m%d}201901{sex}{n % 1000:03d}"


@dataclass
class Flow:
    n: int
    kind: str
    pegawai: str
    penilai: str
    alt_penilai: str
    skp_id: str | None = None
    version: int = 1
    expected_status: str = "Draft"
    returns: int = 0
    approvals: int = 0
    current_penilai: str = ""
    done: bool = False
    error: str | None = None

    @property
    def pegawai_email(self) -> str:
        return f"pegawai{self.n}@chaos.example"


@dataclass
class Counters:
    kills: int = 0
    service_restarts: int = 0
    nats_restarts: int = 0
    retries: int = 0
    per_service: dict = field(default_factory=lambda: collections.Counter())
    #: nats-server nodes killed and restarted, by node (cluster runs)
    per_node: dict = field(default_factory=lambda: collections.Counter())


@dataclass
class Schedule:
    """The scheduled part of the run: the evaluation service reads "now" from
    ``clock_file``; moving it to 10 January of ``year`` (08:00 in Jakarta)
    makes the scheduler open the periods of :attr:`period_ids`."""

    clock_file: Path
    year: int
    #: most pegawai named in one period event (the evaluation's event_chunk default)
    chunk: int = 500

    @property
    def period_ids(self) -> tuple[str, ...]:
        # the default period policy for PPPK Paruh Waktu (the sample SKP's
        # jenis pegawai): monthly and annual periods, both open on 1 January
        return (f"{self.year}-01/PPPK_PARUH_WAKTU/monthly", f"{self.year}/PPPK_PARUH_WAKTU/annual")

    def move(self) -> None:
        self.clock_file.write_text(dt.datetime(self.year, 1, 10, 1, 0, tzinfo=dt.UTC).isoformat())

    def events_expected(self, approved: int) -> int:
        """PeriodOpened events: one per period and chunk of recipients (one when nobody)."""
        return len(self.period_ids) * max(1, -(-approved // self.chunk))


class Driver:
    def __init__(self, stack: Stack, tokens, deadline: float, counters: Counters):
        self.stack = stack
        self.tokens = tokens
        self.deadline = deadline
        self.c = counters
        self.http = httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=200))
        self._turn = collections.Counter()

    def base_url(self, service: str) -> str:
        """The next replica of ``service`` in turn (a retry goes to the next one)."""
        urls = self.stack.urls(service)
        self._turn[service] += 1
        return urls[self._turn[service] % len(urls)]

    async def call(self, method: str, service: str, path: str, *, who: tuple[str, str], json_body=None,
                   idem: str | None = None, headers: dict | None = None) -> httpx.Response:
        h = {"Authorization": "Bearer " + self.tokens(*who), **(headers or {})}
        if idem:
            h["Idempotency-Key"] = idem
        while True:
            if time.monotonic() > self.deadline:
                raise TimeoutError(f"{method} {service}{path}: time limit reached")
            try:
                r = await self.http.request(method, self.base_url(service) + path, json=json_body, headers=h)
            except httpx.HTTPError:
                self.c.retries += 1
                await asyncio.sleep(0.3)
                continue
            if r.status_code >= 500 or (r.status_code == 409 and r.json().get("code") == "idempotency-in-progress"):
                self.c.retries += 1
                await asyncio.sleep(0.5)
                continue
            return r

    async def wait_status(self, f: Flow, service: str, status: str, *, version: int | None = None, timeout: float = 300):
        path = f"/api/v1/skp/{f.skp_id}" if service == "skp" else f"/api/v1/approvals/{f.skp_id}"
        who = (f.pegawai, "pegawai") if service == "skp" else (ADMIN_NIP, "admin")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r = await self.call("GET", service, path, who=who)
            if r.status_code == 200:
                body = r.json()
                if body["status"] == status and (version is None or body["version"] == version):
                    return body
            await asyncio.sleep(0.3)
        raise TimeoutError(f"SKP {f.skp_id} not {status} in {service} after {timeout}s")

    # --- steps -------------------------------------------------------------
    async def create(self, f: Flow) -> None:
        year = dt.date.today().year + 1  # next year's SKP: its submission deadline is ahead
        body = pppk_skp(f.pegawai, f.penilai, pegawai_email=f.pegawai_email, penilai_email=f"penilai{f.penilai[-4:]}@chaos.example",
                        pegawai_nama=f"Pegawai Chaos {f.n}", mulai=f"{year}-01-01", selesai=f"{year}-12-31")
        body["atasan_pejabat_penilai"] = None  # the penilai has no superior in the seeded directory
        r = await self.call("POST", "skp", "/api/v1/skp", who=(f.pegawai, "pegawai"), json_body=body, idem=f"create-{f.n}")
        if r.status_code == 201:
            f.skp_id, f.version = r.json()["id"], r.json()["version"]
        elif r.status_code == 409 and r.json().get("code") == "skp-exists":
            f.skp_id = r.json()["skp_id"]
        else:
            raise RuntimeError(f"create: {r.status_code} {r.text[:300]}")
        f.current_penilai = f.penilai

    async def submit(self, f: Flow, step: str) -> None:
        r = await self.call("POST", "skp", f"/api/v1/skp/{f.skp_id}/submit", who=(f.pegawai, "pegawai"),
                            json_body={"version": f.version}, idem=f"submit-{f.n}-{step}")
        if not (r.status_code == 200 or (r.status_code == 409 and r.json().get("status_skp") == "Pending")):
            raise RuntimeError(f"submit: {r.status_code} {r.text[:300]}")
        f.expected_status = "Pending"
        await self.wait_status(f, "approval", "Pending", version=f.version)

    async def decide(self, f: Flow, action: str, step: str) -> None:
        body = {"version": f.version}
        if action == "return":
            body["catatan_perbaikan"] = "Target IKI belum sesuai; mohon perbaiki satuan dan angka target."
        r = await self.call("POST", "approval", f"/api/v1/approvals/{f.skp_id}/{action}", who=(f.current_penilai, "atasan"),
                            json_body=body, idem=f"{action}-{f.n}-{step}")
        target = "Approved" if action == "approve" else "Revisi"
        if not (r.status_code == 200 or (r.status_code == 409 and r.json().get("status_skp") == target)):
            raise RuntimeError(f"{action}: {r.status_code} {r.text[:300]}")
        f.expected_status = target
        if action == "approve":
            f.approvals += 1
        else:
            f.returns += 1

    async def edit(self, f: Flow, step: str) -> None:
        await self.wait_status(f, "skp", "Revisi")
        while True:
            cur = (await self.call("GET", "skp", f"/api/v1/skp/{f.skp_id}", who=(f.pegawai, "pegawai"))).json()
            content = cur["content"]
            marker = f"perbaikan {step}"
            if content["lampiran"]["konsekuensi"][-1:] == [marker]:
                f.version = cur["version"]  # our edit went through before a crash
                return
            content["lampiran"]["konsekuensi"].append(marker)
            r = await self.call("PUT", "skp", f"/api/v1/skp/{f.skp_id}", who=(f.pegawai, "pegawai"),
                                json_body={"content": content}, headers={"If-Match": f'"{cur["version"]}"'})
            if r.status_code == 200:
                f.version = r.json()["version"]
                return
            if r.status_code != 409:
                raise RuntimeError(f"edit: {r.status_code} {r.text[:300]}")

    async def reassign(self, f: Flow) -> None:
        r = await self.call("POST", "approval", f"/api/v1/approvals/{f.skp_id}/reassign", who=(ADMIN_NIP, "admin"),
                            json_body={"version": f.version, "penilai": {"nip": f.alt_penilai, "nama": f"Plt Penilai {f.alt_penilai[-4:]}",
                                       "email": f"penilai{f.alt_penilai[-4:]}@chaos.example"}, "reason": "penilai salah"},
                            idem=f"reassign-{f.n}")
        if r.status_code not in (200, 409):
            raise RuntimeError(f"reassign: {r.status_code} {r.text[:300]}")
        f.current_penilai = f.alt_penilai

    async def run(self, f: Flow) -> None:
        try:
            await self.create(f)
            await self.submit(f, "1")
            if f.kind == "approve":
                await self.decide(f, "approve", "1")
            elif f.kind == "return-only":
                await self.decide(f, "return", "1")
            elif f.kind in ("return-approve", "return-twice-approve"):
                rounds = 2 if f.kind == "return-twice-approve" else 1
                for i in range(rounds):
                    await self.decide(f, "return", str(i + 1))
                    await self.edit(f, str(i + 1))
                    await self.submit(f, str(i + 2))
                await self.decide(f, "approve", "1")
            elif f.kind == "reassign-approve":
                await self.reassign(f)
                await self.decide(f, "approve", "1")
            f.done = True
        except Exception as exc:  # recorded; counted as inconsistent
            f.error = repr(exc)[:300]


async def seed_directory(stack: Stack, driver: Driver, plan: list[Flow], penilais: list[str]) -> None:
    """Every pegawai under their penilai, through the directory's API (skp takes an SKP's people
    from it), before any kill; wait until skp's projection has them all."""
    from .directory_seed import person_item, seed_people_async, wait_until_known_async

    items = [person_item(p, None, nama=f"Penilai Chaos {p[-4:]}", email=f"penilai{p[-4:]}@chaos.example") for p in penilais]
    items += [person_item(f.pegawai, f.penilai, nama=f"Pegawai Chaos {f.n}", email=f.pegawai_email, jenis_asn="PPPK_PARUH_WAKTU")
              for f in plan]
    headers = {"Authorization": "Bearer " + driver.tokens("chaos-portal", "portal")}
    await seed_people_async(driver.http, stack.url("directory"), headers, items)
    await wait_until_known_async(driver.http, stack.url("skp"), headers, [i["nip"] for i in items], timeout=120)


async def killer(stack: Stack, stop: asyncio.Event, counters: Counters, rng: random.Random, interval: tuple[float, float],
                 nats_restarts: int) -> None:
    """SIGKILL a random service process every few seconds, restart it;
    restart NATS ``nats_restarts`` times (in a cluster: SIGKILL one node).
    With replicas, the next kill waits until the restarted replica is ready."""
    # early, so short runs restart NATS too; a cluster's node at the first tick
    # (with replicas, the kills that follow wait for each restarted replica)
    first = 1 if isinstance(stack.nats, NatsCluster) else 2
    nats_at = [first + 4 * i for i in range(nats_restarts)]
    tick = 0
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=rng.uniform(*interval))
            return
        except TimeoutError:
            pass
        tick += 1
        if nats_at and tick >= nats_at[0]:
            nats_at.pop(0)
            await restart_nats(stack, counters, rng)
            continue
        victim, replica = rng.choice(stack.instances())
        stack.child(victim, replica).kill()
        counters.kills += 1
        counters.per_service[instance_name(victim, replica)] += 1
        await asyncio.sleep(rng.uniform(0.2, 1.5))
        stack.start_service(victim, replica)
        counters.service_restarts += 1
        if stack.replicas > 1:
            # one replica down at a time: the next kill waits until this one
            # serves again, so each service always has a replica running
            await asyncio.to_thread(stack.wait_healthy, 120, (victim,), "/readyz", (replica,))


async def restart_nats(stack: Stack, counters: Counters, rng: random.Random) -> None:
    """SIGKILL the nats-server (in a cluster: one node, at random) and start it
    again on its port and store; a cluster node is back once it is healthy."""
    nats = stack.nats
    assert nats is not None
    node = rng.randrange(len(nats.nodes))
    nats.nodes[node].stop(kill=True)
    await asyncio.sleep(rng.uniform(0.5, 2.0))
    if isinstance(nats, NatsCluster):
        await asyncio.to_thread(nats.restart, node)
    else:
        nats.start()
    counters.nats_restarts += 1
    counters.per_node[f"n{node + 1}"] += 1


async def run_schedule(driver: Driver, flows: list[Flow], schedule: Schedule, report: dict, timeout: float = 180) -> None:
    """Once every approved SKP has its evaluation plan, move the clock and
    wait until the scheduler opened the periods (the kills go on meanwhile)."""
    approved = [f for f in flows if f.done and f.expected_status == "Approved"]
    end = time.monotonic() + timeout
    pending = approved
    while pending and time.monotonic() < end:
        codes = await asyncio.gather(*(driver.call("GET", "evaluation", f"/api/v1/plans/{f.skp_id}", who=(ADMIN_NIP, "admin"))
                                       for f in pending))
        pending = [f for f, r in zip(pending, codes, strict=True) if r.status_code != 200]
        if pending:
            await asyncio.sleep(1)
    schedule.move()
    opened: set[str] = set()
    while time.monotonic() < end:
        r = await driver.call("GET", "evaluation", "/api/v1/periods", who=(ADMIN_NIP, "admin"))
        opened = {p["period_id"] for p in r.json()} if r.status_code == 200 else set()
        if opened >= set(schedule.period_ids):
            break
        await asyncio.sleep(0.5)
    report["periods_opened"] = sorted(opened)
    missing = set(schedule.period_ids) - opened
    if missing:
        report["inconsistent"] += len(missing)
        report["details"].append(f"the scheduler did not open {sorted(missing)} within {timeout:.0f}s")


async def _check_schedule(stack: Stack, flows: list[Flow], schedule: Schedule, report: dict) -> None:
    """Each period's opening announced exactly once: the stream holds one
    PeriodOpened event per period (and chunk), whatever replica opened it."""
    approved = sum(f.expected_status == "Approved" for f in flows)
    want = schedule.events_expected(approved)
    got = await stream_count(stack, "kinerja.evaluation.period_opened")
    report["scheduled_events"] = got
    if got < want:
        report["lost"] += want - got
        report["details"].append(f"{got} PeriodOpened events in the stream, expected {want}")
    elif got > want:
        report["duplicated"] += got - want
        report["details"].append(f"{got} PeriodOpened events in the stream, expected {want}")


async def count_rows(url: str, sql: str) -> int:
    from sqlalchemy import text

    from kinerja_platform.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar_one()
    finally:
        await engine.dispose()


async def bus_connect(stack: Stack):
    """A NATS connection to every node, as the notification service's user
    (its JetStream API rights are enough to read stream state)."""
    import nats

    assert stack.nats is not None and stack.nats_url
    password = stack.nats.passwords.get("notification")
    return await nats.connect(servers=stack.nats_url.split(","), user="notification" if password else None,
                              password=password, max_reconnect_attempts=10, reconnect_time_wait=0.5)


async def dlq_count(stack: Stack) -> int:
    nc = await bus_connect(stack)
    try:
        info = await nc.jetstream().stream_info("KINERJA_DLQ")
        return info.state.messages
    except Exception:
        return 0
    finally:
        await nc.close()


async def stream_replicas(stack: Stack) -> dict:
    """The event stream's replica count and, in a cluster, its leader and
    whether every follower is current; the scheduler lease bucket's replicas."""
    nc = await bus_connect(stack)
    try:
        js = nc.jetstream()
        info = await js.stream_info("KINERJA")
        cluster = info.cluster
        # the evaluation scheduler's lease (a key-value bucket, a stream underneath)
        try:
            lease_replicas = (await js.stream_info("KV_kinerja-evaluation-scheduler")).config.num_replicas
        except Exception:  # the scheduler never took its lease
            lease_replicas = None
        return {"replicas": info.config.num_replicas, "leader": cluster.leader if cluster else None,
                "followers_current": [r.current for r in (cluster.replicas or [])] if cluster else [],
                "lease_replicas": lease_replicas}
    finally:
        await nc.close()


async def stream_count(stack: Stack, subject: str) -> int:
    """Messages on ``subject`` in the event stream."""
    nc = await bus_connect(stack)
    try:
        info = await nc.jetstream().stream_info("KINERJA", subjects_filter=subject)
        return sum((info.state.subjects or {}).values())
    finally:
        await nc.close()


async def verify(stack: Stack, driver: Driver, flows: list[Flow], db_urls: dict[str, str], quiet_seconds: float = 5,
                 schedule: Schedule | None = None, report: dict | None = None) -> dict:
    report = report if report is not None else {"lost": 0, "duplicated": 0, "inconsistent": 0, "details": []}
    sem = asyncio.Semaphore(20)
    await _check_statuses(driver, flows, report, sem)
    await _check_plans(driver, flows, report, sem)
    if schedule is not None:
        await _check_schedule(stack, flows, schedule, report)
    await _check_mail(stack, flows, db_urls, report, quiet_seconds, periods=len(schedule.period_ids) if schedule else 0)
    await _check_leftovers(stack, db_urls, report)
    return report


async def _check_statuses(driver: Driver, flows: list[Flow], report: dict, sem: asyncio.Semaphore) -> None:
    """Wait until skp and approval agree for every SKP (or time out); count
    the SKPs where they do not, and the flows that did not finish."""

    async def states(f: Flow) -> tuple[Flow, str, str]:
        async with sem:
            a = await driver.call("GET", "approval", f"/api/v1/approvals/{f.skp_id}", who=(ADMIN_NIP, "admin"))
            s = await driver.call("GET", "skp", f"/api/v1/skp/{f.skp_id}", who=(f.pegawai, "pegawai"))
        a_status = a.json().get("status") if a.status_code == 200 else f"http-{a.status_code}"
        s_status = s.json().get("status") if s.status_code == 200 else f"http-{s.status_code}"
        return f, s_status, a_status

    pending = [f for f in flows if f.skp_id]
    end = time.monotonic() + 120
    mismatched: list[tuple[Flow, str, str]] = []
    while pending and time.monotonic() < end:
        results = await asyncio.gather(*(states(f) for f in pending))
        mismatched = [r for r in results if not (r[1] == r[2] == r[0].expected_status)]
        pending = [m[0] for m in mismatched]
        if pending:
            await asyncio.sleep(1)
    for f, s_status, a_status in mismatched:
        report["inconsistent"] += 1
        report["details"].append(f"SKP {f.skp_id} ({f.kind}): expected {f.expected_status}, skp {s_status}, approval {a_status}")
    for f in flows:
        if f.error or not f.skp_id:
            report["inconsistent"] += 1
            report["details"].append(f"flow {f.n} ({f.kind}) did not finish: {f.error}")


async def _check_plans(driver: Driver, flows: list[Flow], report: dict, sem: asyncio.Semaphore) -> None:
    """Evaluation plans exist exactly for the approved SKPs."""

    async def plan_check(f: Flow) -> str | None:
        want = f.expected_status == "Approved"
        end2 = time.monotonic() + 30
        while True:
            async with sem:
                r = await driver.call("GET", "evaluation", f"/api/v1/plans/{f.skp_id}", who=(ADMIN_NIP, "admin"))
            if (r.status_code == 200) == want:
                return None
            if not want or time.monotonic() > end2:
                return f"evaluation plan for {f.skp_id}: expected {want}, got HTTP {r.status_code}"
            await asyncio.sleep(1)

    for problem in await asyncio.gather(*(plan_check(f) for f in flows if f.skp_id)):
        if problem:
            report["inconsistent"] += 1
            report["details"].append(problem)


def _read_mail(mail_dir: Path) -> list[dict]:
    """Message-ID and recipients of every .eml file the sink wrote (cheaper
    than its HTTP API when thousands of mails are there)."""
    from email.parser import BytesHeaderParser
    from email.utils import getaddresses

    parser = BytesHeaderParser()
    out = []
    for path in sorted(mail_dir.glob("*.eml")):
        h = parser.parsebytes(path.read_bytes())
        to = [addr for _name, addr in getaddresses(h.get_all("To", []))]
        out.append({"message_id": h.get("Message-ID", ""), "to": to})
    return out


async def _check_mail(stack: Stack, flows: list[Flow], db_urls: dict[str, str], report: dict,
                      quiet_seconds: float, periods: int = 0) -> None:
    """Wait until the sink is quiet and no delivery is pending, then count the
    e-mails each pegawai got against the ones their flow should send (and one
    per period opened, ``periods``, for an approved SKP)."""
    last, stable_since = -1, time.monotonic()
    end = time.monotonic() + 120
    while time.monotonic() < end:
        count = len(list((stack.var_dir / "mail").glob("*.eml")))
        pending_mail = await count_rows(db_urls["notification"], "SELECT count(*) FROM delivery WHERE status = 'pending'")
        if count != last or pending_mail:
            last, stable_since = count, time.monotonic()
        elif time.monotonic() - stable_since > quiet_seconds:
            break
        await asyncio.sleep(1)
    msgs = _read_mail(stack.var_dir / "mail")
    ids = collections.Counter(m["message_id"] for m in msgs)
    # A mail sent again with the same Message-ID (the service died between the
    # SMTP server's 250 and its commit) is recognisable downstream, where mail
    # systems collapse it; it is counted apart. A second *distinct* mail for
    # one expected notification is a duplicate.
    report["resent_same_message_id"] = sum(c - 1 for c in ids.values() if c > 1)
    unique = {m["message_id"]: m for m in msgs}.values()
    by_rcpt = collections.Counter(r for m in unique for r in m["to"])
    for f in flows:
        want = f.returns + f.approvals + (periods if f.expected_status == "Approved" else 0)
        got = by_rcpt.get(f.pegawai_email, 0)
        if got < want:
            report["lost"] += want - got
            report["details"].append(f"pegawai {f.n}: {got} of {want} e-mails")
        elif got > want:
            report["duplicated"] += got - want
            report["details"].append(f"pegawai {f.n}: {got} e-mails, expected {want}")
    report["mails"] = len(msgs)


async def _check_leftovers(stack: Stack, db_urls: dict[str, str], report: dict) -> None:
    """No outbox row left unsent in any service, no message dead-lettered."""
    for svc in SERVICES:
        unsent = await count_rows(db_urls[svc], "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        if unsent:
            report["lost"] += unsent
            report["details"].append(f"{svc}: {unsent} outbox rows unsent")
    dead = await dlq_count(stack)
    report["dead_letters"] = dead
    report["stream"] = await stream_replicas(stack)
    if dead:
        report["details"].append(f"{dead} messages in the dead-letter stream")
        report["inconsistent"] += dead


async def run_chaos(*, flows: int, concurrency: int, time_limit: float, seed: int, database_url: str | None,
                    kill_interval: tuple[float, float] = (2.0, 5.0), nats_restarts: int = 2, kinds: tuple[str, ...] = FLOW_KINDS,
                    var_dir: Path | None = None, out=sys.stdout, replicas: int = 1, nats_cluster: bool = False) -> dict:
    """The whole run (see the module's docstring); the report's lost,
    duplicated and inconsistent are zero when nothing went wrong."""
    from kinerja_platform.settings import CommonSettings
    from kinerja_platform.web.auth import mint_token

    rng = random.Random(seed)
    secret = CommonSettings().jwt_secret
    token_cache: dict[tuple[str, str], str] = {}

    def tokens(sub: str, role: str) -> str:
        if (sub, role) not in token_cache:
            token_cache[(sub, role)] = mint_token(sub, role, secret=secret, instansi=INSTANSI)
        return token_cache[(sub, role)]

    dbs = TestDatabases(database_url)
    var = var_dir or Path(tempfile.mkdtemp(prefix="kinerja-chaos-"))
    (var / "logs").mkdir(parents=True, exist_ok=True)
    nats_server: NatsServer | NatsCluster = (
        NatsCluster(str(var / "nats"), auth=True, log_dir=str(var / "logs")) if nats_cluster
        else NatsServer(store_dir=str(var / "nats"), log_file=str(var / "logs" / "nats.log"), auth=True)
    )
    schedule = Schedule(var / "evaluation-now.txt", dt.date.today().year + 1)
    db_urls = {s: dbs.new(f"chaos_{s}") for s in SERVICES}
    stack = Stack.on_free_ports(var, database_urls=db_urls, replicas=replicas,
                                extra_env={"KINERJA_LOG_FORMAT": "json", "KINERJA_IDEMPOTENCY_STALE_AFTER": "3",
                                           "KINERJA_CONSUMER_ACK_WAIT": "5", "KINERJA_NOTIFICATION_DIGEST_DEFAULT": "false",
                                           "KINERJA_NOTIFICATION_RATE_LIMIT_PER_SECOND": "0",
                                           # the scheduler: a tick every 0.5 s; a killed leader's lease ends after 5 s
                                           "KINERJA_EVALUATION_CLOCK_FILE": str(schedule.clock_file),
                                           "KINERJA_EVALUATION_SCHEDULER_INTERVAL": "0.5",
                                           "KINERJA_EVALUATION_SCHEDULER_LEASE_TTL": "5"})
    nats_server.start()
    stack.nats = nats_server
    stack.nats_url = nats_server.url
    counters = Counters()
    t0 = time.monotonic()
    try:
        stack.start(timeout=180)
        penilais = [chaos_nip(i, offset_days=4000, sex=1) for i in range(max(2, flows // 10))]
        plan = [
            Flow(n=i, kind=rng.choice(kinds), pegawai=chaos_nip(i), penilai=penilais[i % len(penilais)],
                 alt_penilai=penilais[(i + 1) % len(penilais)])
            for i in range(flows)
        ]
        driver = Driver(stack, tokens, t0 + time_limit, counters)
        await seed_directory(stack, driver, plan, penilais)
        stop = asyncio.Event()
        kill_task = asyncio.create_task(killer(stack, stop, counters, rng, kill_interval, nats_restarts))
        sem = asyncio.Semaphore(concurrency)
        finished = 0

        async def one(f: Flow) -> None:
            nonlocal finished
            async with sem:
                await driver.run(f)
            finished += 1
            if finished % max(1, flows // 20) == 0:
                print(f"  {finished}/{flows} flows, {counters.kills} kills, {counters.nats_restarts} NATS restarts, "
                      f"{time.monotonic() - t0:.0f}s", file=out, flush=True)

        await asyncio.gather(*(one(f) for f in plan))
        report: dict = {"lost": 0, "duplicated": 0, "inconsistent": 0, "details": []}
        try:  # the scheduled part, while the kills go on
            await run_schedule(driver, plan, schedule, report)
            print(f"  scheduler opened {report['periods_opened']}, {time.monotonic() - t0:.0f}s", file=out, flush=True)
        except Exception as exc:
            report["inconsistent"] += 1
            report["details"].append(f"scheduled part failed: {exc!r}")
        stop.set()
        await kill_task
        for s, r in stack.instances():  # everything up again before checking
            if not stack.child(s, r).alive():
                stack.start_service(s, r)
        stack.wait_healthy(120)
        driver.deadline = time.monotonic() + 600  # verification gets its own time
        try:
            report = await verify(stack, driver, plan, db_urls, schedule=schedule, report=report)
        except Exception as exc:  # still report what the run did
            report = {"lost": -1, "duplicated": -1, "inconsistent": -1, "details": [f"verification failed: {exc!r}"]}
        await driver.http.aclose()
        report.update(
            flows=flows, finished=sum(f.done for f in plan), kills=counters.kills, service_restarts=counters.service_restarts,
            nats_restarts=counters.nats_restarts, retries=counters.retries, kinds=dict(collections.Counter(f.kind for f in plan)),
            kills_per_service=dict(counters.per_service), nats_kills_per_node=dict(counters.per_node),
            replicas=replicas, nats_nodes=len(nats_server.nodes), seconds=round(time.monotonic() - t0, 1),
        )
        return report
    finally:
        stack.stop()
        nats_server.cleanup()
        dbs.cleanup()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Chaos run: mixed SKP flows while services and NATS are killed and restarted")
    p.add_argument("--flows", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=40)
    p.add_argument("--time-limit", type=float, default=1200, help="seconds; the run stops driving after this")
    p.add_argument("--seed", type=int, default=int(time.time()))
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                   help="PostgreSQL server where fresh databases are created (empty string: SQLite)")
    p.add_argument("--kill-every", type=float, nargs=2, default=(2.0, 5.0), metavar=("MIN", "MAX"))
    p.add_argument("--nats-restarts", type=int, default=2,
                   help="how often NATS is SIGKILLed and restarted (with --nats-cluster: one node each time)")
    p.add_argument("--replicas", type=int, default=1, help="processes of every service (default 1)")
    p.add_argument("--nats-cluster", action="store_true",
                   help="three nats-servers clustered on loopback, streams replicated three times")
    p.add_argument("--var-dir", type=Path, help="where logs, mail and NATS data go (default: a temporary folder)")
    a = p.parse_args(argv)
    if a.replicas < 1:
        p.error("--replicas must be at least 1")
    print(f"chaos: {a.flows} flows, concurrency {a.concurrency}, {a.replicas} replica(s) of each service, "
          f"{'a 3-node NATS cluster' if a.nats_cluster else 'one nats-server'}, seed {a.seed}", flush=True)
    report = asyncio.run(run_chaos(flows=a.flows, concurrency=a.concurrency, time_limit=a.time_limit, seed=a.seed,
                                   database_url=a.database_url or None, kill_interval=tuple(a.kill_every),
                                   nats_restarts=a.nats_restarts, replicas=a.replicas, nats_cluster=a.nats_cluster,
                                   var_dir=a.var_dir))
    details = report.pop("details")
    print(json.dumps(report, indent=2))
    for d in details[:50]:
        print("  -", d)
    print(f"flows {report['flows']}, kills {report['kills']}, restarts {report['service_restarts']} services + "
          f"{report['nats_restarts']} nats, lost {report['lost']}, duplicated {report['duplicated']}, "
          f"inconsistent {report['inconsistent']} (resent with the same Message-ID: {report.get('resent_same_message_id', 0)})")
    sys.exit(0 if report["lost"] == report["duplicated"] == report["inconsistent"] == 0 else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
