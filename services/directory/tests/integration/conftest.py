"""Fixtures for the directory service in-process: real database (SQLite or
PostgreSQL), real nats-server, an injectable clock, and the cast."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import asynccontextmanager

import pytest
from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP
from kinerja_devstack.testing import running
from kinerja_directory.main import create_app
from kinerja_directory.settings import Settings
from kinerja_platform.messaging import OutboxMessage
from kinerja_platform.settings import CommonSettings
from sqlmodel import select

DKI = "Pemerintah Provinsi DKI Jakarta"
BANDUNG = "Pemerintah Kota Bandung"
UNIT = "sudin-pend-jt-1"
#: 2026-03-02 09:00 WIB
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime = NOW):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def person(pid: str = PEGAWAI_NIP, **kw) -> dict:
    """A record as a portal sends it (the pegawai of the README tour by default)."""
    body = {
        "nama": "Siti Rahmawati", "jenis_asn": "PPPK_PARUH_WAKTU", "pangkat_golongan": "IX",
        "jabatan": "Pengelola Umum Operasional", "jenis_jabatan": "administrasi", "unit_id": UNIT,
        "email": "siti.rahma@example.go.id", "atasan_id": PENILAI_NIP, "berlaku_mulai": "2025-09-01",
    }
    if pid == PENILAI_NIP:
        body.update(nama="Budi Santoso, S.Pd., M.M.", jenis_asn="PNS", pangkat_golongan="Pembina IV/a",
                    jabatan="Kepala Seksi Sarana dan Prasarana", email="budi.santoso@example.go.id",
                    atasan_id=ATASAN_PEJABAT_PENILAI_NIP, berlaku_mulai="2020-01-01")
    elif pid == ATASAN_PEJABAT_PENILAI_NIP:
        body.update(nama="Dra. Hj. Ratna Dewi, M.Si.", jenis_asn="PNS", pangkat_golongan="Pembina Utama Muda IV/c",
                    jabatan="Kepala Suku Dinas Pendidikan Wilayah I", email="ratna.dewi@example.go.id",
                    atasan_id=None, berlaku_mulai="2020-01-01")
    body.update(kw)
    return body


class Harness:
    def __init__(self, app, client, clock, who):
        self.app, self.client, self.clock, self.who = app, client, clock, who

    @property
    def rt(self):
        return self.app.state.runtime

    async def events(self, subject: str | None = None) -> list[dict]:
        async with self.rt.uow() as session:
            rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.created_at))).all()
        return [json.loads(r.payload) for r in rows if subject is None or r.subject == subject]

    async def put(self, pid: str = PEGAWAI_NIP, headers=None, **kw):
        return await self.client.put(f"/api/v1/people/{pid}", json=person(pid, **kw), headers=headers or self.who.portal)

    async def seed(self) -> None:
        """The unit and the chain pegawai -> penilai -> atasan pejabat penilai, in DKI."""
        r = await self.client.put(f"/api/v1/units/{UNIT}", headers=self.who.portal, json={
            "nama": "Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur"})
        assert r.status_code in (200, 201), r.text
        for nip in (ATASAN_PEJABAT_PENILAI_NIP, PENILAI_NIP, PEGAWAI_NIP):
            r = await self.put(nip)
            assert r.status_code in (200, 201), r.text


@pytest.fixture
def who(tokens):
    class Who:
        portal = tokens("portal-dki", "portal", instansi=DKI)
        admin = tokens("admin-dki", "admin", instansi=DKI)
        admin_bdg = tokens("admin-bdg", "admin", instansi=BANDUNG)
        portal_bdg = tokens("portal-bdg", "portal", instansi=BANDUNG)
        admin_unscoped = tokens("admin-x", "admin")
        portal_unscoped = tokens("portal-x", "portal")
        pegawai = tokens(PEGAWAI_NIP, "pegawai")
        penilai = tokens(PENILAI_NIP, "atasan")
        boss = tokens(ATASAN_PEJABAT_PENILAI_NIP, "atasan")
        stranger = tokens("199001012015011999", "pegawai")

    return Who


@pytest.fixture
def settings_for(new_database, nats_server):
    def make(**kw) -> Settings:
        common = CommonSettings(nats_url=nats_server.url, relay_poll_interval=0.2)
        return Settings(database_url=new_database("directory"), common=common, **kw)

    return make


@pytest.fixture
def harness(settings_for, who):
    @asynccontextmanager
    async def start(**kw):
        clock = Clock()
        app = create_app(settings_for(**kw), clock=clock)
        async with running(app) as client:
            yield Harness(app, client, clock, who)

    return start
