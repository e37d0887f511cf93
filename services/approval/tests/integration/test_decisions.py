"""Approve / return one exact version, through the real API, DB and NATS."""

from __future__ import annotations

import asyncio
import uuid

from kinerja_approval.adapters.tables import ApprovalTransition
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP
from kinerja_devstack.testing import eventually
from sqlalchemy import select


async def test_submit_then_approve_emits_events_with_increasing_sequence(harness, who):
    async with harness() as h:
        skp = await h.submit()
        r = await h.client.get("/api/v1/inbox", headers=who.penilai)
        assert r.status_code == 200
        body = r.json()
        assert body["count"] == 1 and body["items"][0]["skp_id"] == str(skp)
        assert body["items"][0]["status"] == "Pending" and body["items"][0]["version"] == 1

        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.penilai)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "Approved" and r.json()["pending_since"] is None
        # the answer is built from the values the UPDATE wrote (no refresh): it must match what is stored
        stored = await h.client.get(f"/api/v1/approvals/{skp}", headers=who.penilai)
        assert stored.status_code == 200 and stored.json() == r.json() and r.json()["sequence"] == 2
        t = ApprovalTransition.__table__  # a Core query: binds the UUID on SQLite and PostgreSQL alike
        async with h.rt.engine.connect() as conn:
            trail = (await conn.execute(select(t.c.sequence, t.c.from_status, t.c.to_status)
                                        .where(t.c.skp_id == skp).order_by(t.c.sequence))).all()
        assert [tuple(t) for t in trail] == [(1, "Draft", "Pending"), (2, "Pending", "Approved")]
        assert (await h.client.get("/api/v1/inbox", headers=who.penilai)).json()["count"] == 0

        events = await h.events(skp_id=skp)
        assert [e["event_type"] for e in events] == ["approval.requested", "approval.approved"]
        assert [e["data"]["sequence"] for e in events] == [1, 2]
        approved = events[1]
        assert approved["data"]["decided_by"] == PENILAI_NIP and approved["data"]["on_behalf_of"] is None
        assert approved["data"]["snapshot"]["pegawai"]["nip"] == PEGAWAI_NIP
        assert approved["actor"] == {"sub": PENILAI_NIP, "role": "atasan", "on_behalf_of": None}
        # the relay publishes them
        async def sent():
            async with h.rt.engine.connect() as conn:
                from sqlalchemy import text
                return (await conn.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))).scalar_one() == 0
        await eventually(sent)


async def test_return_requires_a_note_and_reaches_revisi(harness, who):
    async with harness() as h:
        skp = await h.submit()
        for note in ("", "terlalu", "         pendek   "):
            r = await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": note}, headers=who.penilai)
            assert r.status_code == 422, r.text
            assert r.json()["code"] == "catatan-perbaikan-required"
        r = await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1}, headers=who.penilai)
        assert r.status_code == 422 and r.json()["errors"][0]["path"] == "body.catatan_perbaikan"

        note = "Target IKI rhk-1 harus 12 laporan, bukan 4."
        r = await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": note}, headers=who.penilai)
        assert r.status_code == 200 and r.json()["status"] == "Revisi"
        (ev,) = await h.events("approval.returned", skp)
        assert ev["data"]["catatan_perbaikan"] == note and ev["data"]["status"] == "Revisi" and ev["data"]["sequence"] == 2


async def test_refused_transitions_name_the_allowed_actions(harness, who):
    async with harness() as h:
        skp = await h.submit()
        assert (await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.penilai)).status_code == 200
        for path, body in (("approve", {"version": 1}), ("return", {"version": 1, "catatan_perbaikan": "Masih ada yang salah di sini"})):
            r = await h.client.post(f"/api/v1/approvals/{skp}/{path}", json=body, headers=who.penilai)
            assert r.status_code == 409, r.text
            p = r.json()
            assert p["code"] == "transition-refused" and p["status_skp"] == "Approved" and p["allowed_actions"] == []
            assert r.headers["content-type"].startswith("application/problem+json")
        # Revisi: no decision either; the answer names what may happen (the pegawai's edit / resubmit)
        skp2 = await h.submit()
        await h.client.post(f"/api/v1/approvals/{skp2}/return", json={"version": 1, "catatan_perbaikan": "Lengkapi rencana aksi."}, headers=who.penilai)
        r = await h.client.post(f"/api/v1/approvals/{skp2}/approve", json={"version": 1}, headers=who.penilai)
        assert r.status_code == 409 and r.json()["status_skp"] == "Revisi"
        assert r.json()["allowed_actions"] == ["edit", "resubmit"] and "edit, resubmit" in r.json()["detail"]


async def test_only_the_penilai_and_only_atasan_role_decide(harness, who, tokens):
    async with harness() as h:
        skp = await h.submit()
        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.other)
        assert r.status_code == 403 and r.json()["code"] == "not-your-decision"
        # the penilai's NIP with another role is still not a decision
        for role in ("pegawai", "admin", "portal"):
            r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1},
                                    headers=tokens(PENILAI_NIP, role, instansi="Pemerintah Provinsi DKI Jakarta"))
            assert r.status_code == 403, (role, r.text)
        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1})
        assert r.status_code == 401
        r = await h.client.post(f"/api/v1/approvals/{uuid.uuid4()}/approve", json={"version": 1}, headers=who.penilai)
        assert r.status_code == 404 and r.json()["code"] == "approval-not-found"


async def test_a_decision_on_a_stale_version_or_hash_is_refused(harness, who):
    async with harness() as h:
        skp = await h.submit(1)
        await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": "Perbaiki target bulanan."}, headers=who.penilai)
        env = h.submission(skp, 2, resubmission=True, pegawai_nama="Siti Rahmawati, S.Kom.")
        assert await h.deliver(env)
        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.penilai)
        assert r.status_code == 409 and r.json()["code"] == "stale-version" and r.json()["current_version"] == 2
        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 2, "content_hash": "0" * 64}, headers=who.penilai)
        assert r.status_code == 409 and r.json()["code"] == "stale-version"
        r = await h.client.post(f"/api/v1/approvals/{skp}/approve",
                                json={"version": 2, "content_hash": env.data.content_hash}, headers=who.penilai)
        assert r.status_code == 200, r.text
        (ev,) = await h.events("approval.approved", skp)
        assert ev["data"]["version"] == 2 and ev["data"]["content_hash"] == env.data.content_hash


async def test_two_racing_decisions_exactly_one_wins(harness, who):
    """Approve and return at once, many times: one 200 and one 409 each time,
    and exactly one decision in the audit trail."""
    async with harness() as h:
        for _ in range(6):
            skp = await h.submit()
            approve = h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.penilai)
            ret = h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": "Kembalikan: target salah."},
                                headers=who.penilai)
            results = await asyncio.gather(approve, ret)
            codes = sorted(r.status_code for r in results)
            assert codes == [200, 409], [r.text for r in results]
            assert results[[r.status_code for r in results].index(409)].json()["code"] in ("decision-conflict", "transition-refused")
            rows = await h.history(skp, who.penilai)
            assert [t["action"] for t in rows] == ["submit", rows[1]["action"]] and len(rows) == 2
            decided = [e for e in await h.events(skp_id=skp) if e["event_type"] != "approval.requested"]
            assert len(decided) == 1


async def test_two_approvals_racing_exactly_one_wins(harness, who):
    async with harness() as h:
        skp = await h.submit()
        results = await asyncio.gather(*(
            h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.penilai) for _ in range(4)
        ))
        assert sorted(r.status_code for r in results) == [200, 409, 409, 409]
        assert len(await h.events("approval.approved", skp)) == 1


async def test_redelivered_or_late_submissions_change_nothing(harness, who):
    async with harness() as h:
        skp = uuid.uuid4()
        env = h.submission(skp, 1)
        assert await h.deliver(env) is True
        assert await h.deliver(env) is False  # the same event again
        assert await h.deliver(h.submission(skp, 1)) is False  # the same submission, another event id
        assert len(await h.events("approval.requested", skp)) == 1
        await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.penilai)
        assert await h.deliver(h.submission(skp, 1)) is False  # late duplicate after the decision
        rows = await h.history(skp, who.penilai)
        assert [(t["from_status"], t["to_status"]) for t in rows] == [("Draft", "Pending"), ("Pending", "Approved")]


async def test_submission_through_nats_reaches_the_inbox(harness, who, nats_server):
    import nats

    async with harness() as h:
        skp = uuid.uuid4()
        env = h.submission(skp, 1)
        consumers = h.app.state.consumers
        duplicates = consumers.duplicates
        nc = await nats.connect(nats_server.url)
        try:
            js = nc.jetstream()
            data = env.model_dump_json().encode()
            # the same event twice inside the stream's de-duplication window ...
            for _ in range(2):
                await js.publish(env.data.subject, data, headers={"Nats-Msg-Id": str(env.event_id)})

            async def arrived():
                items = (await h.client.get("/api/v1/inbox", headers=who.penilai)).json()["items"]
                return [i for i in items if i["skp_id"] == str(skp)]

            await eventually(arrived)
            # ... and once more as if re-published after the window: the consumer's inbox skips it
            await js.publish(env.data.subject, data, headers={"Nats-Msg-Id": f"later-{env.event_id}"})
            await eventually(lambda: asyncio.sleep(0, consumers.duplicates > duplicates))
        finally:
            await nc.close()
        assert len(await h.events("approval.requested", skp)) == 1
        assert len(await h.history(skp, who.penilai)) == 1


async def test_the_database_refuses_the_second_of_two_interleaved_decisions(harness, who):
    """Both deciders read the case before either writes: the compare-and-set on
    ``sequence`` lets only the first through, whatever the interleaving."""
    import pytest
    from kinerja_approval.adapters.tables import ApprovalCase
    from kinerja_approval.service_layer import cases
    from kinerja_contracts.lifecycle import SkpAction
    from kinerja_contracts.values import Role
    from kinerja_platform.web.auth import Principal
    from kinerja_platform.web.errors import ProblemError

    async with harness() as h:
        skp = await h.submit()
        me = Principal(sub=PENILAI_NIP, role=Role.atasan)
        async with h.rt.uow() as a, h.rt.uow() as b:
            seen_a, seen_b = await a.get(ApprovalCase, skp), await b.get(ApprovalCase, skp)  # both read first
            assert seen_a.status == seen_b.status == "Pending"
            await cases.decide(a, skp, SkpAction.approve, me, version=1)
            await a.commit()
            with pytest.raises(ProblemError) as exc:
                await cases.decide(b, skp, SkpAction.return_, me, version=1, catatan_perbaikan="Terlambat: sudah disetujui")
            assert exc.value.status == 409 and exc.value.code == "decision-conflict"
            await b.rollback()
        rows = await h.history(skp, who.penilai)
        assert [t["action"] for t in rows] == ["submit", "approve"]


async def test_a_repeated_idempotency_key_replays_the_decision(harness, who):
    async with harness() as h:
        skp = await h.submit()
        headers = {**who.penilai, "Idempotency-Key": "approve-once"}
        first = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=headers)
        again = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=headers)
        assert first.status_code == again.status_code == 200
        assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
        assert len(await h.events("approval.approved", skp)) == 1
