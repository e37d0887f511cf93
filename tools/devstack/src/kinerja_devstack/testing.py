"""Helpers for tests that run a service app in-process (real DB, real NATS)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager


@asynccontextmanager
async def running(app) -> AsyncIterator[httpx.AsyncClient]:
    """Run ``app``'s lifespan and give an HTTP client bound to it."""
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def eventually(check: Callable[[], Awaitable[object]], timeout: float = 15.0, interval: float = 0.1):
    """Poll ``check`` until it returns a truthy value (returned) or time runs out."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = await check()
            if last:
                return last
        except AssertionError as exc:
            last = exc
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")


def wait_for(fn: Callable[[], object], timeout: float = 20.0, interval: float = 0.2):
    """Synchronous :func:`eventually` for tests that drive processes over HTTP."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not reached in {timeout}s; last={last!r}")


class ManualClock:
    """A clock in the one clock style (call it for "now"; ``now()`` says the
    same) that stands still until :meth:`advance` or :meth:`set`: the clock
    of in-process tests."""

    def __init__(self, start: dt.datetime):
        self._now = start if start.tzinfo else start.replace(tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def __call__(self) -> dt.datetime:
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    def advance(self, **delta: float) -> None:
        self._now += dt.timedelta(**delta)


def assert_documented(app, method: str, path: str, status: int, body: object) -> None:
    """The answer ``body`` fits what the app's OpenAPI document says of
    ``method path`` (the path as documented, e.g. ``/api/v1/skp/{skp_id}``)
    with ``status``: validated as JSON Schema 2020-12, the document's
    components resolving its ``$ref``s. Keeps typed answers honest where the
    value passes through unvalidated (``DocumentedAs``).

    (jsonschema is a development dependency of the workspace, like pytest.)
    """
    import jsonschema

    doc = app.openapi()
    schema = doc["paths"][path][method.lower()]["responses"][str(status)]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**schema, "components": doc["components"]}).validate(body)


_PROJECTION_VERSIONS = itertools.count(1_000_000)


async def seed_projection(app, records: list[dict]) -> None:
    """Write people into a running in-process service's directory projection
    (kinerja_platform.directory_view), as if the directory had published them:
    one ``PersonChanged`` per person, each record the person's whole riwayat
    (items as :func:`kinerja_devstack.samples.directory_record_of` builds them).
    Later calls win over earlier ones (the version grows). For tests that run a
    service without the directory service; process tests seed through its API."""
    async with app.state.runtime.container.uow() as session:
        await apply_records(session, records)


async def apply_records(session, records: list[dict]) -> None:
    """:func:`seed_projection` inside a session the caller holds."""
    from kinerja_contracts.events import PersonChanged
    from kinerja_contracts.events.types import DirectoryRecord
    from kinerja_platform.directory_view import apply_person_changed

    for item in records:
        record = DirectoryRecord.model_validate({"person_id": item.get("person_id") or item["nip"], **item})
        await apply_person_changed(session, PersonChanged(
            person_id=record.person_id, version=next(_PROJECTION_VERSIONS), perubahan="baru", record=record,
            riwayat=[record]))


def set_clock_file(path, day: dt.date, at: dt.time = dt.time(1, 0)) -> None:
    """Write ``day`` at ``at`` UTC (08:00 WIB by default) into a service's clock file
    (``KINERJA_EVALUATION_CLOCK_FILE``): the running process reads its "now" from it."""
    path.write_text(dt.datetime.combine(day, at, tzinfo=dt.UTC).isoformat())


def evaluation_clock_env(clock_file) -> dict[str, str]:
    """Environment that puts the evaluation service on ``clock_file``'s time, with a fast scheduler
    (it opens and closes periods within a second of the clock moving)."""
    return {"KINERJA_EVALUATION_CLOCK_FILE": str(clock_file), "KINERJA_EVALUATION_SCHEDULER_INTERVAL": "0.3",
            "KINERJA_EVALUATION_SCHEDULER_LEASE_TTL": "5"}
