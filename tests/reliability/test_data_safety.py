"""Data safety: what a service acknowledged survives crashes.

- The whole system runs as processes on a private PostgreSQL (initdb + pg_ctl
  in a temporary directory, never the shared server) and a private
  nats-server. While a writer keeps creating and submitting SKPs, every
  service is killed with SIGKILL and restarted, and PostgreSQL is stopped
  with ``-m immediate`` (a crash) and started again. Afterwards every write
  that was answered 2xx is still there, every acknowledged submission reached
  the approval service (no event lost), nothing is there twice, every service
  is ready and new writes work.
- Every service opens its SQLite database in WAL mode.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest
from kinerja_devstack.natsserver import free_port
from kinerja_devstack.procs import SERVICES, Stack
from kinerja_devstack.samples import nip
from kinerja_devstack.testing import running

from kinerja_devstack.directory_seed import seed_people, wait_until_known

from .conftest import BOSS, DKI, TOPBOSS, A, directory_record, make_apps, skp_of

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on a free port (run as the ``postgres``
    user when the tests run as root: initdb refuses root)."""

    def __init__(self):
        # not under pytest's tmp_path: the postgres user cannot enter root's 0700 directories
        self.dir = Path(tempfile.mkdtemp(prefix="kinerja-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> PrivatePostgres:
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        return self.start()

    def start(self) -> PrivatePostgres:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start")
        return self

    def crash(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def create(self, db: str) -> str:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", db)
        return self.url(db)


class Writer(threading.Thread):
    """Creates and submits SKPs of new pegawai until stopped; keeps what was acknowledged."""

    #: pegawai written into the directory at a time, ahead of the writer
    BATCH = 500

    def __init__(self, stack: Stack, tokens):
        super().__init__(daemon=True)
        self.stack, self.tokens = stack, tokens
        self.stop_event = threading.Event()
        self.created: dict[str, str] = {}  # skp_id -> nip
        self.submitted: set[str] = set()
        self.errors = 0
        self.n = 0
        self.seeded = 0  # pegawai 1..seeded are in the directory and in skp's projection of it

    @staticmethod
    def nip_of(n: int) -> str:
        """A pegawai never used before in this run: the NIP sequence has three
        digits, so the birth date moves on every thousand (a spinning writer
        once wrapped round to NIPs it had used and got 409 for each)."""
        born = dt.date(1996, 1, 1) + dt.timedelta(days=n // 1000)
        return nip(n, born=born.strftime("%Y%m%d"), appointed="202101")

    def next_nip(self) -> str:
        return self.nip_of(self.n)

    def ensure_seeded(self, upto: int) -> None:
        """skp takes an SKP's people from the directory: write the next pegawai (under A)
        through the directory's API and wait until skp has them (raises while a service is down)."""
        portal = self.tokens("portal-dki", "portal", instansi=DKI)
        while self.seeded < upto:
            batch = [self.nip_of(i) for i in range(self.seeded + 1, self.seeded + 1 + self.BATCH)]
            seed_people(self.stack.url("directory"), portal, [directory_record(x, A) for x in batch], timeout=10)
            wait_until_known(self.stack.url("skp"), portal, [batch[0], batch[-1]], timeout=30)
            self.seeded += self.BATCH

    def run(self) -> None:
        with httpx.Client(base_url=self.stack.url("skp"), timeout=5.0) as client:
            while not self.stop_event.is_set():
                self.n += 1
                pegawai = self.next_nip()
                me = self.tokens(pegawai, "pegawai")
                try:
                    self.ensure_seeded(self.n)
                    r = client.post("/api/v1/skp", json=skp_of(pegawai, A), headers=me)
                    if r.status_code != 201:  # e.g. 503 while PostgreSQL is down: back off, not spin
                        self.errors += 1
                        time.sleep(0.1)
                        continue
                    skp_id = r.json()["id"]
                    self.created[skp_id] = pegawai
                    r = client.post(f"/api/v1/skp/{skp_id}/submit", json={"version": 1}, headers=me)
                    if r.status_code == 200:
                        self.submitted.add(skp_id)
                    else:
                        self.errors += 1
                except (httpx.HTTPError, TimeoutError):
                    self.errors += 1
                    time.sleep(0.1)


def _wait(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"{what} not within {timeout}s (last: {last!r})")


@pytest.mark.e2e
@pytest.mark.chaos
def test_acknowledged_writes_survive_service_and_postgres_crashes(tmp_path, nats_server, tokens):
    pg = PrivatePostgres().init()
    stack = Stack.on_free_ports(
        tmp_path / "var", nats_url=nats_server.url,
        database_urls={svc: pg.create(f"safety_{svc}") for svc in SERVICES},
        extra_env={"KINERJA_SKP_ENFORCE_DEADLINES": "false", "KINERJA_RELAY_POLL_INTERVAL": "0.5",
                   "KINERJA_LOG_FORMAT": "json"},
    )
    writer = Writer(stack, tokens)
    last = nip(999, born="19970101", appointed="202201")  # the pegawai of the write after the crashes
    try:
        stack.start(timeout=120)
        portal = tokens("portal-dki", "portal", instansi=DKI)
        seed_people(stack.url("directory"), portal, [directory_record(TOPBOSS, None), directory_record(BOSS, TOPBOSS),
                                                     directory_record(A, BOSS), directory_record(last, A)])
        wait_until_known(stack.url("skp"), portal, [TOPBOSS, BOSS, A, last])
        writer.start()
        _wait(lambda: len(writer.submitted) >= 5, 60, "first submissions")
        for svc in SERVICES:  # SIGKILL each service mid-run, restart it
            stack.children[svc].kill()
            time.sleep(0.5)
            stack.start_service(svc)
            stack.wait_healthy(120, services=(svc,))
            time.sleep(1.0)
        before = len(writer.submitted)
        pg.crash()  # PostgreSQL crashes mid-run ...
        time.sleep(1.5)
        pg.start()  # ... and comes back
        _wait(lambda: len(writer.submitted) >= before + 5, 90, "writes after the PostgreSQL restart")
        writer.stop_event.set()
        writer.join(30)

        stack.wait_healthy(60)
        created, submitted = dict(writer.created), set(writer.submitted)
        assert len(submitted) >= 15, (len(created), len(submitted), writer.errors)
        with httpx.Client(timeout=10.0) as client:
            # every acknowledged create and submit is still there
            for skp_id, pegawai in created.items():
                r = client.get(f"{stack.url('skp')}/api/v1/skp/{skp_id}", headers=tokens(pegawai, "pegawai"))
                assert r.status_code == 200, (skp_id, r.text)
                if skp_id in submitted:
                    assert r.json()["status"] == "Pending", r.json()["status"]
            # every acknowledged submission reached the approval service, once (the admin's list of the
            # instansi shows every case, routed to a penilai by the directory or waiting unrouted)
            admin = tokens("admin-dki", "admin", instansi=DKI)

            def all_cases():
                ids: list[str] = []
                while True:  # page through the whole list (at most 500 a page)
                    r = client.get(f"{stack.url('approval')}/api/v1/approvals",
                                   params={"status": "Pending", "limit": 500, "offset": len(ids)}, headers=admin)
                    if r.status_code != 200:
                        return False
                    page = [i["skp_id"] for i in r.json()["items"]]
                    ids += page
                    if len(page) < 500:
                        break
                return submitted <= set(ids) and len(ids) == len(set(ids)) and ids

            ids = _wait(all_cases, 90, "approval cases for every acknowledged submission")
            assert len(ids) == len(set(ids))
            # and the system works: a new write
            me = tokens(last, "pegawai")
            r = client.post(f"{stack.url('skp')}/api/v1/skp", json=skp_of(last, A), headers=me)
            assert r.status_code == 201, r.text
    finally:
        writer.stop_event.set()
        stack.stop()
        pg.stop()


@pytest.mark.parametrize("service", SERVICES)
async def test_sqlite_databases_run_in_wal_mode(tmp_path, nats_server, service):
    db = tmp_path / f"{service}.db"

    class Dbs:  # the SQLite file of this test, whatever the test backend is
        def new(self, name):
            return f"sqlite:///{db}"

    app = make_apps(Dbs(), nats_server.url, 1, None)[service]
    async with running(app):
        engine = app.state.runtime.engine
        async with engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        assert mode == "wal"
    # WAL is a property of the file: a plain connection sees it too
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
