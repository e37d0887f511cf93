"""The skp service in-process: real database (SQLite or PostgreSQL), real NATS."""

from __future__ import annotations

import pytest
from kinerja_platform.settings import CommonSettings
from kinerja_devstack.samples import PEGAWAI_NIP, pppk_skp
from kinerja_devstack.testing import running
from kinerja_skp.main import create_app
from kinerja_skp.settings import Settings


@pytest.fixture
def app(new_database, nats_server):
    return create_app(Settings(database_url=new_database("skp"), common=CommonSettings(nats_url=nats_server.url)))


async def test_create_read_update_with_version(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        r = await client.post("/api/v1/skp", json=pppk_skp(), headers=me)
        assert r.status_code == 201, r.text
        skp = r.json()
        assert r.headers["ETag"] == '"1"'

        body = {"content": {**pppk_skp(), "tempat": "Jakarta"}}
        r = await client.put(f"/api/v1/skp/{skp['id']}", json=body, headers={**me, "If-Match": '"1"'})
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 2

        # a write on the old version is refused, never silently applied
        r = await client.put(f"/api/v1/skp/{skp['id']}", json=body, headers={**me, "If-Match": '"1"'})
        assert r.status_code == 409
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "stale-version"


async def test_someone_elses_skp_is_forbidden(app, directory, tokens):
    async with running(app) as client:
        await directory()
        r = await client.post("/api/v1/skp", json=pppk_skp(), headers=tokens(PEGAWAI_NIP, "pegawai"))
        assert r.status_code == 201
        other = tokens("199001012015011999", "pegawai")
        r = await client.get(f"/api/v1/skp/{r.json()['id']}", headers=other)
        assert r.status_code == 403


async def test_validation_error_names_every_field(app, directory, tokens):
    bad = pppk_skp()
    del bad["periode"]["mulai"]
    bad["pegawai"]["nip"] = "123"
    async with running(app) as client:
        await directory()
        r = await client.post("/api/v1/skp", json=bad, headers=tokens(PEGAWAI_NIP, "pegawai"))
    assert r.status_code == 422
    paths = {e["path"] for e in r.json()["errors"]}
    assert {"body.periode.mulai", "body.pegawai.nip"} <= paths


async def test_idempotency_key_replays_first_result(app, directory, tokens):
    me = {**tokens(PEGAWAI_NIP, "pegawai"), "Idempotency-Key": "create-1"}
    async with running(app) as client:
        await directory()
        first = await client.post("/api/v1/skp", json=pppk_skp(), headers=me)
        again = await client.post("/api/v1/skp", json=pppk_skp(), headers=me)
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert again.headers.get("idempotent-replayed") == "true"
        other_body = await client.post("/api/v1/skp", json=pppk_skp(mulai="2025-10-01"), headers=me)
        assert other_body.status_code == 422 and other_body.json()["code"] == "idempotency-key-reused"
