"""GET /api/v1/skp/{id}/status: the status without the content, and the long
poll that answers as soon as the approval service's decision is applied
(events over a real NATS)."""

from __future__ import annotations

import asyncio
import time
import uuid

from kinerja_contracts.events import ApprovalApproved, ApprovalRequested
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, directory_records_of_skp, pppk_skp
from kinerja_devstack.testing import running, seed_projection
from kinerja_skp.adapters.tables import SkpDocument
from kinerja_skp.main import create_app
from sqlalchemy import update

from .conftest import NEXT_YEAR
from .test_status_and_deadlines import decision, publish


async def test_status_answers_without_the_content_and_with_the_same_access_as_a_read(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await seed_projection(app, directory_records_of_skp(pppk_skp()))
        skp = (await client.post("/api/v1/skp", json=pppk_skp(**NEXT_YEAR), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}/status"
        r = await client.get(url, headers=me)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body == {"id": skp["id"], "status": "Draft", "version": 1, "approval_sequence": 0, "terkunci": False,
                        "catatan_perbaikan": None, "updated_at": body["updated_at"]}
        assert (await client.get(url, headers=tokens(PENILAI_NIP, "atasan"))).json()["status"] == "Draft"
        r = await client.get(url, headers=tokens("199001012020121099", "pegawai"))
        assert r.status_code == 403 and r.json()["code"] == "not-your-skp"
        r = await client.get(f"/api/v1/skp/{uuid.uuid4()}/status", headers=me)
        assert r.status_code == 404 and r.json()["code"] == "skp-not-found"
        r = await client.get(url, params={"wait": 31}, headers=me)
        assert r.status_code == 422
        r = await client.get(url, params={"while_status": "Menunggu"}, headers=me)
        assert r.status_code == 422


async def test_a_wait_on_an_unchanged_status_ends_after_wait_seconds(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await seed_projection(app, directory_records_of_skp(pppk_skp()))
        skp = (await client.post("/api/v1/skp", json=pppk_skp(**NEXT_YEAR), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}/status"
        t0 = time.monotonic()
        r = await client.get(url, params={"while_status": "Draft", "wait": 0.6}, headers=me)
        assert r.status_code == 200 and r.json()["status"] == "Draft"
        assert time.monotonic() - t0 >= 0.6
        # a status other than the one waited on answers at once
        t0 = time.monotonic()
        r = await client.get(url, params={"while_status": "Pending", "wait": 20}, headers=me)
        assert r.json()["status"] == "Draft" and time.monotonic() - t0 < 5


async def test_the_long_poll_answers_when_the_approval_is_applied_not_at_its_recheck(settings, tokens, nats_server):
    # no periodic re-read during this test: only the wake-up after the
    # projection's commit can end the wait before its 25 s
    app = create_app(settings.model_copy(update={"status_recheck_seconds": 60.0}))
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await seed_projection(app, directory_records_of_skp(pppk_skp()))
        skp = (await client.post("/api/v1/skp", json=pppk_skp(**NEXT_YEAR), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}/status"
        r = await client.get(url, params={"while_status": "Draft", "wait": 0}, headers=me)
        assert r.json()["status"] == "Draft"
        # a submit in this process wakes a waiter on Draft
        waiter = asyncio.create_task(client.get(url, params={"while_status": "Draft", "wait": 25}, headers=me))
        await asyncio.sleep(0.3)
        assert not waiter.done()
        skp = (await client.post(f"/api/v1/skp/{skp['id']}/submit", json={"version": 1}, headers=me)).json()
        r = await asyncio.wait_for(waiter, 5)
        assert r.json()["status"] == "Pending"

        waiter = asyncio.create_task(client.get(url, params={"while_status": "Pending", "wait": 25}, headers=me))
        await asyncio.sleep(0.3)
        # ApprovalRequested keeps it Pending: the waiter wakes, reads, and waits on
        await publish(nats_server.url, decision(ApprovalRequested, skp, 1, "Pending"))
        await asyncio.sleep(1.0)
        assert not waiter.done()
        published = time.monotonic()
        await publish(nats_server.url, decision(ApprovalApproved, skp, 2, "Approved", decided_by=PENILAI_NIP))
        r = await asyncio.wait_for(waiter, 10)
        assert r.status_code == 200
        assert r.json()["status"] == "Approved" and r.json()["approval_sequence"] == 2 and r.json()["terkunci"] is True
        assert time.monotonic() - published < 5


async def test_a_change_this_process_did_not_make_is_seen_at_the_recheck(settings, tokens):
    # as when another replica applies the decision: nothing here wakes the
    # waiter, its periodic re-read (KINERJA_SKP_STATUS_RECHECK_SECONDS) sees it
    app = create_app(settings.model_copy(update={"status_recheck_seconds": 0.3}))
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await seed_projection(app, directory_records_of_skp(pppk_skp()))
        skp = (await client.post("/api/v1/skp", json=pppk_skp(**NEXT_YEAR), headers=me)).json()
        waiter = asyncio.create_task(
            client.get(f"/api/v1/skp/{skp['id']}/status", params={"while_status": "Draft", "wait": 25}, headers=me))
        await asyncio.sleep(0.5)
        assert not waiter.done()
        t = SkpDocument.__table__  # a Core UPDATE: binds the UUID on SQLite and PostgreSQL alike
        async with app.state.runtime.engine.begin() as conn:
            await conn.execute(update(t).where(t.c.id == uuid.UUID(skp["id"])).values(status="Pending"))
        changed = time.monotonic()
        r = await asyncio.wait_for(waiter, 10)
        assert r.json()["status"] == "Pending" and time.monotonic() - changed < 3
