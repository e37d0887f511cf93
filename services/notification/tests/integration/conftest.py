"""The notification service in-process: real database, a private nats-server,
and the real in-process SMTP server of the devstack (``smtp_sink``).

Addresses come from the directory only: every test database is migrated and
its directory projection seeded with the examples' cast (:func:`directory_db`)
before the app starts, as the directory's ``person_changed`` events would
have left it; :func:`seed` adds people to a running app's projection."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterable

import nats
import pytest
from kinerja_contracts.events import PersonChanged
from kinerja_contracts.events.envelope import EventPayload, new_envelope
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_contracts.values import Pegawai
from kinerja_platform.db import UnitOfWork, create_engine, run_migrations, session_factory
from kinerja_platform.directory_view import apply_person_changed
from kinerja_platform.settings import CommonSettings
from kinerja_notification.domain import examples as ex
from kinerja_notification.main import MIGRATIONS, create_app
from kinerja_notification.settings import Settings

#: the people of the examples, as the directory holds them (the same addresses as the samples carry)
CAST = [ex.pegawai(), ex.penilai(), ex.penilai_baru(), ex.atasan()]


def person_changed(p: Pegawai, version: int = 1, **kw) -> PersonChanged:
    """The directory's event for ``p`` (one open-ended record from 2020); ``kw`` overrides record fields."""
    record = DirectoryRecord(**{
        "person_id": p.nip, "nip": p.nip, "nama": p.nama, "jabatan": p.jabatan, "unit_kerja": p.unit_kerja,
        "instansi": p.instansi or ex.INSTANSI, "email": p.email, "berlaku_mulai": dt.date(2020, 1, 1), **kw})
    return PersonChanged(person_id=p.nip, version=version, perubahan="baru" if version == 1 else "koreksi",
                         record=record, riwayat=[record])


async def _apply(uow: UnitOfWork, people: Iterable[Pegawai | PersonChanged]) -> None:
    async with uow() as session:
        for p in people:
            await apply_person_changed(session, p if isinstance(p, PersonChanged) else person_changed(p))


async def seed(app, people: Iterable[Pegawai | PersonChanged]) -> None:
    """Put ``people`` into a running app's directory projection."""
    await _apply(app.state.runtime.uow, people)


async def directory_db(url: str, people: Iterable[Pegawai | PersonChanged] = CAST) -> str:
    """Migrate the database at ``url`` and seed its directory projection; returns ``url``."""
    await asyncio.to_thread(run_migrations, url, MIGRATIONS)
    engine = create_engine(url)
    try:
        await _apply(UnitOfWork(session_factory(engine)), people)
    finally:
        await engine.dispose()
    return url


def make_settings(db_url: str, nats_url: str, sink, **kw) -> Settings:
    base = dict(
        database_url=db_url, smtp_port=sink.port, delivery_poll_interval=0.2, retry_base_seconds=0.2,
        retry_max_seconds=0.5, rate_limit_per_second=0, digest_tick_seconds=3600,
        link_base_url="https://kinerja.example.go.id",
        rerating_window_seconds=0,  # mails at once; test_rerating_window.py sets a window
        common=CommonSettings(nats_url=nats_url, consumer_ack_wait=5),
    )
    base.update(kw)
    return Settings(**base)


@pytest.fixture
async def settings(new_database, nats_server, smtp_sink):
    return make_settings(await directory_db(new_database("notification")), nats_server.url, smtp_sink)


@pytest.fixture
def app(settings):
    return create_app(settings)


class Bus:
    """Publishes envelopes to JetStream as another service's relay would."""

    def __init__(self, url: str):
        self.url = url
        self.nc = None

    async def publish(self, payload: EventPayload, *, event_id: uuid.UUID | None = None, msg_id: str | None = None,
                      correlation_id: str = "test-correlation"):
        env = new_envelope(payload, correlation_id=correlation_id, event_id=event_id)
        if self.nc is None:
            self.nc = await nats.connect(self.url)
        js = self.nc.jetstream()
        await js.publish(payload.subject, env.model_dump_json().encode(),
                         headers={"Nats-Msg-Id": msg_id or str(env.event_id), "X-Correlation-ID": correlation_id})
        return env

    async def close(self):
        if self.nc is not None:
            await self.nc.close()


@pytest.fixture
async def bus(nats_server):
    b = Bus(nats_server.url)
    yield b
    await b.close()


async def wait_for(predicate, timeout: float = 15.0):
    """``eventually`` for a plain (non-async) predicate."""
    from kinerja_devstack.testing import eventually

    async def check():
        return predicate()

    return await eventually(check, timeout=timeout, interval=0.05)
