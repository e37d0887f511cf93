"""Fixtures of the skp integration tests: the app on a fresh database (SQLite
or PostgreSQL) and the session's real nats-server."""

from __future__ import annotations

import pytest
from kinerja_devstack.samples import directory_records_of_skp, pppk_skp
from kinerja_devstack.testing import seed_projection
from kinerja_platform.settings import CommonSettings
from kinerja_skp.main import create_app
from kinerja_skp.settings import Settings

INSTANSI = "Pemerintah Provinsi DKI Jakarta"
#: a period whose deadline (31 January 2027) lies ahead of the test machine's clock
NEXT_YEAR = {"mulai": "2027-01-01", "selesai": "2027-12-31"}


@pytest.fixture
def settings(new_database, nats_server) -> Settings:
    return Settings(database_url=new_database("skp"), common=CommonSettings(nats_url=nats_server.url))


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def directory(app):
    """``await directory(*skps, records=[...])``: put the people the sample SKPs name
    (each pegawai under its penilai, the penilai under the atasan pejabat penilai;
    kinerja_devstack.samples.directory_records_of_skp) and any further directory
    records into the running app's directory projection. With no argument at
    all: the people of the DKI sample SKP."""

    async def seed(*skps: dict, records: list[dict] | tuple = ()) -> None:
        if not skps and not records:
            skps = (pppk_skp(),)
        out = [r for s in skps for r in directory_records_of_skp(s)]
        await seed_projection(app, [*out, *records])

    return seed
