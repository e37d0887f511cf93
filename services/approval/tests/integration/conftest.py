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
from kinerja_approval.service_layer.cases import follow_directory, on_submitted
from kinerja_approval.settings import Settings
from kinerja_contracts.events import PersonChanged, SkpResubmitted, SkpSubmitted
from kinerja_contracts.events.envelope import new_envelope
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_platform.directory_view import apply_person_changed
from kinerja_platform.messaging import OutboxMessage
from kinerja_platform.settings import CommonSettings
from kinerja_contracts.values import Actor
from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP, nip, pppk_skp
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


#: the directory of the cast (person -> direct superior), all of DKI, seeded when a harness starts
CAST = {
    ATASAN_PEJABAT_PENILAI_NIP: None, PENILAI_NIP: ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP: PENILAI_NIP,
    NEW_PENILAI: ATASAN_PEJABAT_PENILAI_NIP, PLT: ATASAN_PEJABAT_PENILAI_NIP, OTHER_ATASAN: ATASAN_PEJABAT_PENILAI_NIP,
}
SINCE = dt.date(2020, 1, 1)


def record(person_id: str, atasan: str | None, *, instansi: str = DKI, aktif: bool = True,
           mulai: dt.date = SINCE, email: str | None = None, nama: str | None = None) -> DirectoryRecord:
    """One dated directory record of a person with a NIP."""
    return DirectoryRecord(person_id=person_id, nip=person_id, nama=nama or f"Orang {person_id[-4:]}",
                           jenis_asn="PNS", instansi=instansi, email=email or f"{person_id}@example.go.id",
                           aktif=aktif, atasan_id=atasan, berlaku_mulai=mulai)


class Harness:
    """A running approval app plus helpers to feed it skp's and the directory's events."""

    def __init__(self, app, client, clock: Clock):
        self.app, self.client, self.clock = app, client, clock
        self.versions: dict[str, int] = {}

    def person_changed(self, *riwayat: DirectoryRecord):
        """The directory's event for a person whose records are now ``riwayat`` (oldest first)."""
        pid = riwayat[0].person_id
        self.versions[pid] = self.versions.get(pid, 0) + 1
        closed = [r.model_copy(update={"berlaku_sampai": nxt.berlaku_mulai - dt.timedelta(days=1)})
                  for r, nxt in zip(riwayat, riwayat[1:], strict=False)] + [riwayat[-1]]
        payload = PersonChanged(person_id=pid, version=self.versions[pid], perubahan="baru" if self.versions[pid] == 1
                                else "mutasi", record=closed[-1], riwayat=closed)
        return new_envelope(payload, correlation_id="test", actor=Actor(sub="portal-dki", role="portal"))

    async def directory(self, *riwayat: DirectoryRecord, follow: bool = True) -> int:
        """Hand a directory change to the service as its consumer does (projection, then the
        Pending cases follow it); the number of cases moved."""
        env = self.person_changed(*riwayat)
        async with self.rt.uow() as session:
            if await apply_person_changed(session, env.data) and follow:
                return await follow_directory(session, env.data.person_id, self.clock())
        return 0

    async def seed_cast(self) -> None:
        for person_id, atasan in CAST.items():
            await self.directory(record(person_id, atasan), follow=False)

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

    async def submit(self, version: int = 1, skp_id: uuid.UUID | None = None, *, in_directory: bool = True,
                     **kw) -> uuid.UUID:
        """Submit an SKP. ``in_directory``: a pegawai (or penilai) the directory does not know yet is
        added to it first, with the penilai the SKP names as their superior (so that tests about
        other things read as before); the tests of routing pass False and set the directory up."""
        skp_id = skp_id or uuid.uuid4()
        env = self.submission(skp_id, version, **kw)
        if in_directory:
            d = env.data
            if d.penilai.nip not in self.versions:
                await self.directory(record(d.penilai.nip, ATASAN_PEJABAT_PENILAI_NIP, instansi=d.instansi or DKI),
                                     follow=False)
            if d.pegawai.nip not in self.versions:
                await self.directory(record(d.pegawai.nip, d.penilai.nip, instansi=d.instansi or DKI), follow=False)
        assert await self.deliver(env)
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
            h = Harness(app, client, clock)
            await h.seed_cast()
            yield h

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
