"""Benchmark: bulk intake of 16,426 SKP drafts (DKI Jakarta's PPPK Paruh
Waktu, 2026) into the skp service on PostgreSQL, in one call.

    uv run python bench/skp_bulk_intake.py [--n 16426] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Starts a nats-server and the skp service (uvicorn, one process) on a fresh
PostgreSQL database, writes the drafts' pegawai and penilai into skp's
projection of the directory (not timed: skp fills every draft's people from
it, so the timed call includes those lookups), posts the drafts to ``POST /api/v1/skp/bulk`` with a
portal token and prints seconds and drafts/s; then posts the same call again
(the retry: every item ``unchanged``). For scale it also times a bare
asyncpg ``COPY`` of the same rows (documents + versions) into scratch tables
of the same database: the floor any implementation pays for the writes.
Not a test: nothing is asserted except the answer's counts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
import uuid

import httpx
from kinerja_platform.settings import CommonSettings
from kinerja_platform.web.auth import mint_token
from kinerja_devstack.databases import TestDatabases
from kinerja_devstack.natsserver import NatsServer, free_port
from kinerja_devstack.samples import pppk_skp

INSTANSI = "Pemerintah Provinsi DKI Jakarta"
UNITS = [f"Suku Dinas Pendidikan Wilayah {w} Kota Administrasi Jakarta {k}" for k in ("Timur", "Barat", "Utara", "Selatan", "Pusat")
         for w in ("I", "II")] + [f"Kelurahan {n}" for n in ("Cipinang", "Kampung Melayu", "Menteng", "Kebon Jeruk", "Tebet")]
JABATAN = [f"Pengelola Layanan Operasional {i}" for i in range(153)]


def generate(n: int) -> list[dict]:
    """``n`` distinct, valid PPPK Paruh Waktu drafts for 2026 (153 kinds of position)."""
    out = []
    for i in range(n):
        born = dt.date(1980, 1, 1) + dt.timedelta(days=(i // 900) * 37)
        nip = f"{born:%Y%m%d}202521{1 + i % 2}{i % 900:03d}"
        penilai = f"{dt.date(1970, 1, 1) + dt.timedelta(days=(i // 40) % 5000):%Y%m%d}200501{1 + i % 2}{i % 40:03d}"
        d = pppk_skp(pegawai_nip=nip, penilai_nip=penilai, pegawai_nama=f"Pegawai PPPK Paruh Waktu {i}",
                     pegawai_email=f"pppk{i}@jakarta.go.id", mulai="2026-01-01", selesai="2026-12-31")
        unit = UNITS[i % len(UNITS)]
        d["pegawai"]["unit_kerja"] = d["penilai"]["unit_kerja"] = unit
        d["pegawai"]["jabatan"] = JABATAN[i % len(JABATAN)]
        d["atasan_pejabat_penilai"] = None
        d["tanggal_sk"] = "2026-01-02"
        d["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
        d["hasil_kerja"][0]["iki"][0]["target_bulanan"] = ["1"] * 12
        out.append(d)
    return out


async def copy_baseline(url: str, items: list[dict]) -> float:
    """Seconds for asyncpg COPY of the same rows (pre-serialised) into scratch tables."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("CREATE TEMP TABLE b_doc (LIKE skp_document INCLUDING DEFAULTS)")
        await conn.execute("CREATE TEMP TABLE b_ver (LIKE skp_version INCLUDING DEFAULTS)")
        now = dt.datetime.now(dt.UTC)
        t0 = time.perf_counter()
        docs, vers = [], []
        for d in items:
            data = json.dumps(d, sort_keys=True, separators=(",", ":"))
            h = hashlib.sha256(data.encode()).hexdigest()
            i = uuid.uuid4()
            docs.append((i, d["pegawai"]["nip"], d["pegawai"]["nama"], 2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                         d["jenis_pegawai"], d["pegawai"]["unit_kerja"], INSTANSI, d["penilai"]["nip"], "Draft", 1, data, h,
                         0, None, dt.date(2026, 1, 2), "bench", now, now))
            vers.append((i, 1, data, h, "bench", now))
        cols = ["id", "nip", "nama", "tahun", "periode_mulai", "periode_selesai", "jenis_pegawai", "unit_kerja", "instansi",
                "penilai_nip", "status", "version", "content", "content_hash", "approval_sequence", "catatan_perbaikan",
                "tanggal_sk", "created_by", "created_at", "updated_at"]
        async with conn.transaction():
            await conn.copy_records_to_table("b_doc", records=docs, columns=cols)
            await conn.copy_records_to_table("b_ver", records=vers,
                                             columns=["skp_id", "version", "content", "content_hash", "created_by", "created_at"])
        return time.perf_counter() - t0
    finally:
        await conn.close()


async def seed_directory_projection(url: str, items: list[dict]) -> None:
    """The drafts' pegawai (under their penilai) in skp's own projection of the directory, as
    if the directory service had published them (this bench runs skp alone; skp takes an
    SKP's people from that projection). Not timed."""
    from kinerja_devstack.samples import directory_records_of_skp
    from kinerja_devstack.testing import apply_records
    from kinerja_platform.db import UnitOfWork, create_engine, session_factory

    records = list({r["person_id"]: r for d in items for r in directory_records_of_skp(d)}.values())
    engine = create_engine(url)
    try:
        uow = UnitOfWork(session_factory(engine))
        for start in range(0, len(records), 2000):
            async with uow() as session:
                await apply_records(session, records[start:start + 2000])
    finally:
        await engine.dispose()


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"skp exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("skp did not become ready")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=16_426)
    p.add_argument("--database-url", default=os.environ.get("KINERJA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    a = p.parse_args()

    dbs = TestDatabases(a.database_url)
    nats = NatsServer().start()
    url = dbs.new("bench_skp")
    port = free_port()
    env = {**os.environ, "KINERJA_SKP_DATABASE_URL": url, "NATS_URL": nats.url, "KINERJA_SKP_PORT": str(port),
           "KINERJA_LOG_LEVEL": "WARNING", "KINERJA_SKP_REMINDER_INTERVAL_SECONDS": "0", "KINERJA_ALLOW_DEV_JWT_SECRET": "true"}
    proc = subprocess.Popen([sys.executable, "-m", "kinerja_skp"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        items = generate(a.n)
        asyncio.run(seed_directory_projection(url, items))
        body = json.dumps({"items": items}).encode()
        token = mint_token("portal-bkd-dki", "portal", secret=CommonSettings().jwt_secret, instansi=INSTANSI)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with httpx.Client(timeout=600) as http:
            t0 = time.perf_counter()
            r = http.post(f"{base}/api/v1/skp/bulk", content=body, headers=headers)
            first = time.perf_counter() - t0
            r.raise_for_status()
            summary = r.json()["summary"]
            assert summary["created"] == a.n, summary
            t0 = time.perf_counter()
            r = http.post(f"{base}/api/v1/skp/bulk", content=body, headers=headers)
            retry = time.perf_counter() - t0
            assert r.json()["summary"]["unchanged"] == a.n, r.json()["summary"]
        baseline = asyncio.run(copy_baseline(url, items))
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"skp bulk intake: {a.n} drafts, request body {len(body) / 1e6:.1f} MB, PostgreSQL, {os.cpu_count()} cores, "
              f"load average {load}")
        print(f"  first call (all created):   {first:7.2f} s  {a.n / first:8.0f} drafts/s")
        print(f"  retry (all unchanged):      {retry:7.2f} s  {a.n / retry:8.0f} drafts/s")
        print(f"  baseline asyncpg COPY:      {baseline:7.2f} s  {a.n / baseline:8.0f} drafts/s  (service/COPY = {first / baseline:.1f}x)")
        print(f"  target: < 60 s -> {'OK' if first < 60 else 'TOO SLOW'}")
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        nats.cleanup()
        dbs.cleanup()


if __name__ == "__main__":
    main()
