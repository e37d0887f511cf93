"""Benchmark: close one monthly evaluation period for N pegawai on PostgreSQL.

Seeds N approved plans, N open evaluations of one month and three realisasi
per pegawai (90 % of them entered something), then times
``close_period`` - the same function the scheduler calls - against a
baseline measured in the same run: a bare ``UPDATE`` touching the same rows.

    uv run python bench/evaluation_close_month.py            # 100,000 pegawai
    uv run python bench/evaluation_close_month.py --n 20000

The database URL comes from ``KINERJA_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``); a scratch database is
created and dropped. Not a test: it prints its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import time
import uuid
from pathlib import Path

import asyncpg
from kinerja_platform.db import UnitOfWork, create_engine, run_migrations, session_factory
from kinerja_devstack.samples import pppk_skp
from kinerja_evaluation.domain.periods import Kind, make_period
from kinerja_contracts.skp import SkpSnapshot
from kinerja_evaluation.domain.plan import build_plan, measured_counts
from kinerja_evaluation.main import MIGRATIONS
from kinerja_evaluation.service_layer.ids import evaluation_id
from kinerja_evaluation.service_layer.periods import close_period, open_period, remind_period
from sqlalchemy import text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("KINERJA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PERIOD = make_period(Kind.monthly, "PPPK_PARUH_WAKTU", 2026, 3)
NEXT = make_period(Kind.monthly, "PPPK_PARUH_WAKTU", 2026, 4)


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def seed(url: str, n: int) -> None:
    skp = pppk_skp(mulai="2026-01-01", selesai="2026-12-31")
    lines = [x.model_dump(mode="json") for x in build_plan(SkpSnapshot.model_validate(skp))]
    rencana, counts = json.dumps(lines), json.dumps(measured_counts(lines))
    snapshot = json.dumps(skp)
    now = dt.datetime.now(dt.UTC)
    conn = await asyncpg.connect(dsn(url))
    try:
        plans, evals, reals = [], [], []
        for i in range(n):
            nip = f"1995{(i % 12) + 1:02d}152026{i % 2 + 1}{i % 100_000:05d}"
            skp_id = uuid.uuid4()
            unit = f"Perangkat Daerah {i % 45:02d}"
            pegawai = json.dumps({"nip": nip, "nama": f"Pegawai {i}", "unit_kerja": unit, "jabatan": "Pengelola Umum Operasional"})
            plans.append((skp_id, nip, "197806102005011002", "PPPK_PARUH_WAKTU", unit, 1, "h" * 64, pegawai,
                          json.dumps(skp["penilai"]), '{"mulai": "2026-01-01", "selesai": "2026-12-31"}', snapshot, now,
                          None, "Pemerintah Provinsi DKI Jakarta", dt.date(2026, 1, 1), dt.date(2026, 12, 31), rencana, counts))
            eid = evaluation_id(PERIOD.period_id, skp_id)
            evals.append((eid, PERIOD.period_id, "monthly", 2026, 3, skp_id, nip, "197806102005011002", None,
                          "PPPK_PARUH_WAKTU", unit, "open", 3, i % 10 != 0, None, "{}", 1, now))
            if i % 10 != 0:
                for k, cap in ((1, 100.0), (2, 90.0), (3, 120.0 if i % 3 else 60.0)):
                    reals.append((eid, f"iki-{k}", cap / 100, "https://bukti.example.go.id/x", cap, now))
        await conn.copy_records_to_table("evaluation_plan", records=plans, columns=[
            "skp_id", "nip", "penilai_nip", "jenis_pegawai", "unit_kerja", "version", "content_hash", "pegawai", "penilai",
            "periode", "snapshot", "created_at", "atasan_pejabat_penilai", "instansi", "periode_mulai", "periode_selesai", "rencana",
            "jumlah_iki_periode"])
        await conn.copy_records_to_table("evaluation", records=evals, columns=[
            "id", "period_id", "kind", "tahun", "bulan", "skp_id", "nip", "penilai_nip", "atasan_nip", "jenis_pegawai",
            "unit_kerja", "status", "jumlah_iki", "has_input", "capaian", "umpan_balik", "version", "updated_at"])
        await conn.copy_records_to_table("realisasi", records=reals, columns=[
            "evaluation_id", "iki_id", "nilai", "bukti_dukung", "capaian", "updated_at"])
        await conn.execute(
            "INSERT INTO evaluation_period (period_id, kind, jenis_pegawai, mulai, selesai, deadline, status, opened_at) "
            "VALUES ($1, 'monthly', 'PPPK_PARUH_WAKTU', $2, $3, $4, 'open', now())",
            PERIOD.period_id, PERIOD.mulai, PERIOD.selesai, PERIOD.deadline)
        await conn.execute("VACUUM ANALYZE")  # a settled table (hint bits set) for both timings
    finally:
        await conn.close()


async def main(n: int) -> None:
    name = f"bench_evaluation_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn(ADMIN_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(run_migrations, url, Path(MIGRATIONS))
        t0 = time.perf_counter()
        await seed(url, n)
        print(f"seeded {n:,} plans, {n:,} evaluations, {n * 27 // 10:,} realisasi in {time.perf_counter() - t0:.1f} s")
        engine = create_engine(url)
        uow = UnitOfWork(session_factory(engine))
        # baseline: a bare UPDATE of the same rows (then rolled back)
        async with engine.connect() as conn:
            tx = await conn.begin()
            t0 = time.perf_counter()
            res = await conn.execute(text("UPDATE evaluation SET updated_at = now() WHERE period_id = :p AND status = 'open'"),
                                     {"p": PERIOD.period_id})
            baseline = time.perf_counter() - t0
            await tx.rollback()
        vac = await asyncpg.connect(dsn(url))
        await vac.execute("VACUUM ANALYZE evaluation")  # drop the baseline's dead rows before the close
        await vac.close()
        t0 = time.perf_counter()
        async with uow() as session:
            reminded = await remind_period(session, PERIOD, PERIOD.deadline - dt.timedelta(days=2))
        remind = time.perf_counter() - t0
        t0 = time.perf_counter()
        async with uow() as session:
            evaluated, missing = await close_period(session, PERIOD)
        close = time.perf_counter() - t0
        t0 = time.perf_counter()
        async with uow() as session:
            opened = await open_period(session, NEXT, NEXT.mulai)
        open_s = time.perf_counter() - t0
        async with engine.connect() as conn:
            closed = (await conn.execute(text("SELECT count(*), round(avg(capaian)::numeric, 2) FROM evaluation "
                                              "WHERE period_id = :p AND status = 'closed'"), {"p": PERIOD.period_id})).one()
        await engine.dispose()
        assert closed[0] == n == res.rowcount, (closed, n, res.rowcount)
        print(f"baseline bare UPDATE of {res.rowcount:,} rows: {baseline:.2f} s")
        print(f"close_period for {n:,} pegawai: {close:.2f} s  (evaluated {evaluated:,}, missing {missing:,}, "
              f"mean capaian {closed[1]})")
        print(f"ratio close / baseline: {close / baseline:.1f}x   budget 60 s: {'OK' if close < 60 else 'EXCEEDED'}")
        print(f"for information: reminder to {reminded:,} pegawai {remind:.2f} s; opening the next month "
              f"({opened:,} evaluations) {open_s:.2f} s")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000, help="pegawai (default 100,000)")
    asyncio.run(main(p.parse_args().n))
