"""Fixtures for the approval service in-process: real database (SQLite or
PostgreSQL), real nats-server, and an injectable clock."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from contextlib import asynccontextmanager

import pytest
from kinerja_approval.main import create_app
from kinerja_approval.service_layer.cases import on_submitted
from kinerja_approval.settings import Settings
from kinerja_contracts.events import SkpResubmitted, SkpSubmitted
from kinerja_contracts.events.envelope import new_envelope
from kinerja_platform.messaging import OutboxMessage
from kinerja_platform.settings import CommonSettings
from kinerja_contracts.values import Actor
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, nip, pppk_skp
from kinerja_devstack.testing import running
from sqlmodel import select

DKI = "Pemerintah Provinsi DKI Jakarta"
NEW_PENILAI = nip(501, born="19820214", appointed="200604")
PLT = nip(777, born="19850505", appointed="201003")
OTHER_ATASAN = nip(888, born="19800101", appointed="200501")


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: dt.datetime | None = None):
        self.now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw) -> dt.datetime:
        self.now += dt.timedelta(**kw)
        return self.now


class Harness:
    """A running approval app plus helpers to feed it skp's events."""

    def __init__(self, app, client, clock: Clock):
        self.app, self.client, self.clock = app, client, clock

    @property
    def rt(self):
        return self.app.state.runtime

    def submission(self, skp_id: uuid.UUID, version: int = 1, *, content: dict | None = None,
                   penilai_nip: str = PENILAI_NIP, resubmission: bool = False, **kw):
        content = content or pppk_skp(penilai_nip=penilai_nip, **kw)
        cls = SkpResubmitted if resubmission else SkpSubmitted
        payload = cls(
            skp_id=skp_id, version=version,
            content_hash=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
            periode=content["periode"], jenis_pegawai=content["jenis_pegawai"], pegawai=content["pegawai"],
            penilai=content["penilai"], atasan_pejabat_penilai=content.get("atasan_pejabat_penilai"),
            unit_kerja=content["pegawai"]["unit_kerja"], instansi=content["pegawai"]["instansi"], snapshot=content,
        )
        return new_envelope(payload, correlation_id="test", actor=Actor(sub=content["pegawai"]["nip"], role="pegawai"))

    async def deliver(self, env) -> bool:
        """Hand a submission to the service as its consumer would."""
        async with self.rt.uow() as session:
            return await on_submitted(session, env, resubmission=isinstance(env.data, SkpResubmitted), now=self.clock())

    async def submit(self, version: int = 1, skp_id: uuid.UUID | None = None, **kw) -> uuid.UUID:
        skp_id = skp_id or uuid.uuid4()
        assert await self.deliver(self.submission(skp_id, version, **kw))
        return skp_id

    async def events(self, event_type: str | None = None, skp_id: uuid.UUID | None = None) -> list[dict]:
        async with self.rt.uow() as session:
            rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.created_at))).all()
        out = [json.loads(r.payload) for r in rows]
        if event_type:
            out = [e for e in out if e["event_type"] == event_type]
        if skp_id:
            out = [e for e in out if e["data"].get("skp_id") == str(skp_id)]
        return out

    async def history(self, skp_id, headers) -> list[dict]:
        r = await self.client.get(f"/api/v1/approvals/{skp_id}/history", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()["transitions"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings_for(new_database, nats_server) -> Callable[..., Settings]:
    def make(**kw) -> Settings:
        kw.setdefault("escalation_enabled", False)
        return Settings(database_url=new_database("approval"), common=CommonSettings(nats_url=nats_server.url), **kw)

    return make


@pytest.fixture
def harness(settings_for, clock):
    @asynccontextmanager
    async def start(**kw):
        app = create_app(settings_for(**kw), clock=clock)
        async with running(app) as client:
            yield Harness(app, client, clock)

    return start


@pytest.fixture
def who(tokens):
    """Authorization headers of the cast."""

    class Who:
        pegawai = tokens(PEGAWAI_NIP, "pegawai")
        penilai = tokens(PENILAI_NIP, "atasan")
        new_penilai = tokens(NEW_PENILAI, "atasan")
        plt = tokens(PLT, "atasan")
        other = tokens(OTHER_ATASAN, "atasan")
        admin = tokens("admin-dki", "admin", instansi=DKI)
        admin_elsewhere = tokens("admin-bdg", "admin", instansi="Pemerintah Kota Bandung")
        admin_unscoped = tokens("admin-x", "admin")

    return Who
