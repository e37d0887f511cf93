"""The chosen stack's floor: what one HTTP request, one consumed event and one
mail cost on FastAPI, SQLAlchemy, FastStream and aiosmtplib with no Kinerja
code in them.

    uv run --frozen python -m bench.stack_floor [--seconds 15] [--concurrency 16]

``bench.floor`` is the infrastructure floor (bare asyncpg and nats-py: what
PostgreSQL and NATS cost). This is the floor of the libraries the services
are built on (README, "Chosen dependencies"), measured the way the services
use them, each in a process of its own so that its CPU can be read from
/proc (bench/procstat.py):

- **http**: a FastAPI app under uvicorn, started as the services start theirs
  (``uvicorn.Config(app, log_config=None)``). One ``POST`` with a JSON body
  of about the size of an SKP line set, validated by a pydantic model; one
  SQLAlchemy Core ``INSERT`` in its own transaction (``AsyncEngine.begin()``);
  a small JSON answer. Driven by aiohttp from this process.
- **event**: a FastStream ``NatsBroker`` with one durable pull subscriber
  (``PullSub(batch_size=32)``, manual ack), typed with a pydantic model of the
  size of an event envelope; per fetched batch one SQLAlchemy Core
  ``INSERT`` of its rows in one transaction; every message acked. The
  events are published by this process (not counted) once the consumer
  idles, to a nats-server of the run's own (kinerja_devstack, as bench.flow
  starts it).
- **mail**: one aiosmtplib connection kept open, one small MIME message
  per send, to the benchmark's SMTP sink (bench/sink.py, not counted).

It prints CPU milliseconds per operation of the process doing the work and,
from the counts of one Kinerja flow (``bench.flow``: HTTP requests by the
driver, events consumed, mails), what a flow costs at least on this stack
before any of Kinerja's own code runs. Not a test; nothing here is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import time
import uuid

import aiohttp
import asyncpg
from pydantic import BaseModel, Field

from .procstat import cpu_seconds

#: a request body and an event of about the size Kinerja's are (bench.flow
#: prints the average event size: about 3.5 KB)
LINES = 12
TEXT = "Meningkatnya kualitas layanan administrasi kepegawaian " * 4


def _body() -> dict:
    return {"tahun": 2026, "nip": "196501011990011000",
            "lines": [{"kode": f"RHK-{i}", "uraian": TEXT, "target": i + 1, "satuan": "dokumen"}
                      for i in range(LINES)]}


# the models of the processes under measurement (at module level: FastAPI and
# FastStream resolve the handlers' annotations by name)


class Line(BaseModel):
    kode: str = Field(max_length=40)
    uraian: str = Field(max_length=2000)
    target: float
    satuan: str = Field(max_length=40)


class Draft(BaseModel):
    tahun: int
    nip: str = Field(pattern=r"^\d{18}$")
    lines: list[Line]


class Created(BaseModel):
    id: uuid.UUID
    lines: int


class Envelope(BaseModel):
    event_id: uuid.UUID
    event_type: str
    occurred_at: str
    data: Draft


# --- the processes under measurement ------------------------------------------------------------


def serve_http(port: int, dsn: str) -> None:
    """A FastAPI app: validate a body, one INSERT in a transaction, answer."""
    import uvicorn
    from fastapi import FastAPI
    from sqlalchemy import Column, MetaData, String, Table, Text, insert
    from sqlalchemy.ext.asyncio import create_async_engine

    table = Table("stack_floor_http", MetaData(), Column("id", String(36), primary_key=True), Column("body", Text))
    engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=10)
    app = FastAPI()

    @app.post("/drafts", status_code=201)
    async def create(draft: Draft) -> Created:
        new_id = uuid.uuid4()
        async with engine.begin() as conn:
            await conn.execute(insert(table).values(id=str(new_id), body=draft.model_dump_json()))
        return Created(id=new_id, lines=len(draft.lines))

    uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None)).run()


def serve_events(nats_url: str, dsn: str, stream: str) -> None:
    """A FastStream pull subscriber: validate, one INSERT per batch, ack."""
    from contextvars import ContextVar

    from faststream import AckPolicy, BaseMiddleware, FastStream
    from faststream.nats import JStream, NatsBroker, PullSub
    from sqlalchemy import Column, MetaData, String, Table, Text, insert
    from sqlalchemy.ext.asyncio import create_async_engine

    table = Table("stack_floor_events", MetaData(), Column("id", String(36), primary_key=True), Column("body", Text))
    engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=4)
    raw_message: ContextVar = ContextVar("raw_message")

    class RawMessage(BaseMiddleware):
        """Hands the nats-py message to the handler, as the services'
        DeliveryMiddleware does (a ``msg: NatsMessage`` parameter would cost
        a thread hop per message in FastStream's dependency injection)."""

        async def consume_scope(self, call_next, msg):
            raw_message.set(msg.raw_message)
            return await call_next(msg)

    async def decode(msg) -> Envelope:  # the body straight into the model, as the services decode
        return Envelope.model_validate_json(msg.body)

    # as the services run theirs (kinerja_platform.runtime.connect_broker):
    # FastStream's per-message log lines at DEBUG, no dependency injection
    quiet = logging.getLogger("bench.stack_floor.faststream")
    quiet.setLevel(logging.WARNING)
    broker = NatsBroker(nats_url, middlewares=[RawMessage], logger=quiet, log_level=logging.DEBUG, apply_types=False)
    app = FastStream(broker, logger=None)
    pending: list = []

    @broker.subscriber(f"{stream.lower()}.>", stream=JStream(stream, declare=False), durable="stack-floor",
                       pull_sub=PullSub(batch_size=32, timeout=1.0), ack_policy=AckPolicy.MANUAL,
                       decoder=decode, no_reply=True)
    async def handle(event: Envelope) -> None:
        # the messages of one fetch run as concurrent tasks (FastStream's pull
        # loop); the first one writes what has gathered in one transaction
        pending.append((event, raw_message.get()))
        await asyncio.sleep(0)
        if not pending:
            return
        batch = pending[:]
        pending.clear()
        async with engine.begin() as conn:
            await conn.execute(insert(table), [{"id": str(e.event_id), "body": e.event_type} for e, _ in batch])
        for _, m in batch:
            await m.ack()

    asyncio.run(app.run())


# --- the driver ---------------------------------------------------------------------------------


async def _wait_port(port: int, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            _, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bench.stack_floor", *args], env=os.environ.copy())


async def _measure_http(dsn: str, seconds: float, concurrency: int) -> dict:
    port = _free_port()
    proc = _spawn("serve-http", str(port), dsn)
    try:
        await _wait_port(port)
        url = f"http://127.0.0.1:{port}/drafts"
        body = json.dumps(_body())
        async with aiohttp.ClientSession(headers={"content-type": "application/json"}) as http:
            async def one() -> None:
                async with http.post(url, data=body) as r:
                    if r.status != 201:
                        raise RuntimeError(f"answer {r.status}: {await r.text()}")
                    await r.read()

            for _ in range(200):  # warm-up: connections, statement cache
                await one()
            done = 0
            cpu0 = cpu_seconds(proc.pid) or 0.0
            stop = time.monotonic() + seconds

            async def worker() -> None:
                nonlocal done
                while time.monotonic() < stop:
                    await one()
                    done += 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            cpu = (cpu_seconds(proc.pid) or 0.0) - cpu0
        return {"operations": done, "cpu_ms_per_op": 1000 * cpu / done, "per_second": done / seconds}
    finally:
        proc.terminate()
        proc.wait(10)


async def _measure_events(dsn: str, nats_url: str, count: int) -> dict:
    import nats
    from nats.js.api import StorageType, StreamConfig

    stream = f"STACKFLOOR{uuid.uuid4().hex[:8].upper()}"
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=stream, subjects=[f"{stream.lower()}.>"], storage=StorageType.FILE))
    await js.add_consumer(stream, durable_name="stack-floor", ack_policy="explicit", max_ack_pending=2000)
    event = {"event_type": "bench.stack_floor", "occurred_at": "2026-12-01T00:00:00Z", "data": _body()}
    proc = _spawn("serve-events", nats_url, dsn, stream)
    try:
        # once the consumer has a pull request waiting it has started and is
        # idle: its CPU from then on is the events' (the driver publishes them)
        t0 = time.monotonic()
        while (await js.consumer_info(stream, "stack-floor")).num_waiting == 0:
            if proc.poll() is not None or time.monotonic() - t0 > 60:
                raise RuntimeError("the consumer process did not start pulling")
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        cpu0 = cpu_seconds(proc.pid) or 0.0
        for _ in range(count):
            await js.publish(f"{stream.lower()}.e", json.dumps({**event, "event_id": str(uuid.uuid4())}).encode())
        t0 = time.monotonic()
        while True:
            info = await js.consumer_info(stream, "stack-floor")
            if info.num_pending == 0 and info.num_ack_pending == 0 and info.ack_floor.consumer_seq >= count:
                break
            if time.monotonic() - t0 > 300:
                raise RuntimeError("the consumer did not drain the stream in 300 s")
            await asyncio.sleep(0.05)
        cpu = (cpu_seconds(proc.pid) or 0.0) - cpu0
        rows = await _count_rows(dsn, "stack_floor_events")
        if rows != count:
            raise RuntimeError(f"{rows} of {count} events written")
        return {"operations": count, "cpu_ms_per_op": 1000 * cpu / count}
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(10)
        await js.delete_stream(stream)
        await nc.close()


async def _count_rows(dsn: str, table: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(f"SELECT count(*) FROM {table}")
    finally:
        await conn.close()


async def _measure_mail(count: int) -> dict:
    import aiosmtplib

    port = _free_port()
    sink = subprocess.Popen([sys.executable, "-m", "bench.sink", str(port)], stdout=subprocess.DEVNULL)
    try:
        await _wait_port(port)
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        text = ("From: kinerja@example.go.id\r\nTo: pegawai@example.go.id\r\nSubject: SKP disetujui\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT * 3 + "\r\n")
        for _ in range(50):
            await client.sendmail("kinerja@example.go.id", ["pegawai@example.go.id"], text)
        t0 = time.process_time()
        for _ in range(count):
            await client.sendmail("kinerja@example.go.id", ["pegawai@example.go.id"], text)
        cpu = time.process_time() - t0
        await client.quit()
        return {"operations": count, "cpu_ms_per_op": 1000 * cpu / count}
    finally:
        sink.terminate()
        sink.wait(10)


async def _prepare(dsn: str) -> str:
    """A database of its own for this run (dropped at the end)."""
    name = f"kbench_stackfloor_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    own = dsn.rsplit("/", 1)[0] + "/" + name
    conn = await asyncpg.connect(own)
    await conn.execute("CREATE TABLE stack_floor_http (id varchar(36) PRIMARY KEY, body text)")
    await conn.execute("CREATE TABLE stack_floor_events (id varchar(36) PRIMARY KEY, body text)")
    await conn.close()
    return own


async def _drop(dsn: str, own: str) -> None:
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'DROP DATABASE IF EXISTS "{own.rsplit("/", 1)[1]}" WITH (FORCE)')
    await conn.close()


async def run(a: argparse.Namespace) -> dict:
    from kinerja_devstack.natsserver import NatsServer

    own = await _prepare(a.database_url)
    nats_srv = NatsServer().start()  # the nats-server bench.flow runs, a store of its own
    a.nats_url = nats_srv.url
    try:
        http = await _measure_http(own, a.seconds, a.concurrency)
        print(f"http:  {http['cpu_ms_per_op']:.2f} ms CPU per request in the server ({http['operations']} requests)",
              flush=True)
        events = await _measure_events(own, a.nats_url, a.events)
        print(f"event: {events['cpu_ms_per_op']:.2f} ms CPU per consumed event ({events['operations']} events)",
              flush=True)
        mail = await _measure_mail(a.mails)
        print(f"mail:  {mail['cpu_ms_per_op']:.2f} ms CPU per mail in the sender ({mail['operations']} mails)",
              flush=True)
    finally:
        nats_srv.stop()
        await _drop(a.database_url, own)
    per_flow = (a.requests_per_flow * http["cpu_ms_per_op"] + a.events_per_flow * events["cpu_ms_per_op"]
                + a.mails_per_flow * mail["cpu_ms_per_op"])
    print(f"\none flow ({a.requests_per_flow} requests, {a.events_per_flow} consumed events, {a.mails_per_flow} mails)"
          f" costs the services at least {per_flow:.1f} ms of CPU on this stack, before any Kinerja code")
    return {"http": http, "event": events, "mail": mail, "services_floor_ms_per_flow": per_flow,
            "counts": {"requests": a.requests_per_flow, "events": a.events_per_flow, "mails": a.mails_per_flow}}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "serve-http":
        serve_http(int(argv[1]), argv[2])
        return
    if argv and argv[0] == "serve-events":
        serve_events(argv[1], argv[2], argv[3])
        return
    p = argparse.ArgumentParser(prog="python -m bench.stack_floor", description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=15.0, help="HTTP load, seconds (default 15)")
    p.add_argument("--concurrency", type=int, default=16, help="HTTP requests in flight (default 16)")
    p.add_argument("--events", type=int, default=5000, help="events consumed (default 5000)")
    p.add_argument("--mails", type=int, default=2000, help="mails sent (default 2000)")
    p.add_argument("--requests-per-flow", type=int, default=5,
                   help="HTTP requests of one flow (default 5; bench.flow: create, submit, approve and its"
                        " 'driver polls/flow', 2.0: the inbox read and the status long poll)")
    p.add_argument("--events-per-flow", type=int, default=6,
                   help="events consumed per flow (default 6: SkpSubmitted by approval, ApprovalRequested by skp"
                        " and notification, ApprovalApproved by skp, notification and evaluation)")
    p.add_argument("--mails-per-flow", type=int, default=2, help="mails per flow (default 2)")
    p.add_argument("--database-url", default=os.environ.get("KINERJA_BENCH_DATABASE_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--json", help="also write the figures to this file")
    a = p.parse_args(argv)
    out = asyncio.run(run(a))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
