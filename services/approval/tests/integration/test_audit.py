"""The audit trail: every transition, readable by the parties, never changed."""

from __future__ import annotations

import pytest
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

NOTE = "Uraian RHK kedua terlalu umum; perjelas."


async def test_history_records_every_transition_in_order(harness, who):
    async with harness() as h:
        skp = await h.submit(1)
        h.clock.advance(hours=2)
        await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": NOTE}, headers=who.penilai)
        h.clock.advance(hours=5)
        resub = h.submission(skp, 2, resubmission=True, pegawai_nama="Siti Rahmawati, S.Kom.")
        await h.deliver(resub)
        h.clock.advance(hours=1)
        await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 2}, headers=who.penilai)

        r = await h.client.get(f"/api/v1/approvals/{skp}/history", headers=who.pegawai)
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "Approved"
        rows = body["transitions"]
        assert [(t["sequence"], t["from_status"], t["to_status"], t["action"], t["actor"], t["version"]) for t in rows] == [
            (1, "Draft", "Pending", "submit", PEGAWAI_NIP, 1),
            (2, "Pending", "Revisi", "return", PENILAI_NIP, 1),
            (3, "Revisi", "Pending", "resubmit", PEGAWAI_NIP, 2),
            (4, "Pending", "Approved", "approve", PENILAI_NIP, 2),
        ]
        assert rows[1]["note"] == NOTE and rows[0]["note"] is None
        assert rows[3]["content_hash"] == resub.data.content_hash != rows[1]["content_hash"]
        assert all(t["on_behalf_of"] is None for t in rows)
        times = [t["at"] for t in rows]
        assert times == sorted(times) and len(set(times)) == 4


async def test_history_is_for_the_parties_only(harness, who, tokens):
    async with harness() as h:
        skp = await h.submit()
        for headers in (who.pegawai, who.penilai, who.admin):
            assert (await h.client.get(f"/api/v1/approvals/{skp}/history", headers=headers)).status_code == 200
            assert (await h.client.get(f"/api/v1/approvals/{skp}", headers=headers)).status_code == 200
        for headers in (who.other, who.admin_elsewhere, tokens("199001012015011999", "pegawai")):
            r = await h.client.get(f"/api/v1/approvals/{skp}/history", headers=headers)
            assert r.status_code == 403 and r.json()["code"] == "forbidden"


async def test_no_api_changes_or_deletes_it(harness, who):
    async with harness() as h:
        skp = await h.submit()
        for method in ("PUT", "PATCH", "DELETE", "POST"):
            r = await h.client.request(method, f"/api/v1/approvals/{skp}/history", headers=who.admin, json={})
            assert r.status_code == 405, (method, r.status_code)
        paths = h.app.openapi()["paths"]
        assert set(paths["/api/v1/approvals/{skp_id}/history"]) == {"get"}


async def test_the_database_refuses_update_and_delete_of_audit_rows(harness, who):
    async with harness() as h:
        skp = await h.submit()
        await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": NOTE}, headers=who.penilai)
        before = await h.history(skp, who.penilai)
        engine = h.rt.engine
        for sql in (
            "UPDATE approval_transition SET note = 'disetujui saja' WHERE sequence = 2",
            "DELETE FROM approval_transition",
        ):
            with pytest.raises(DBAPIError) as exc:
                async with engine.begin() as conn:
                    await conn.execute(text(sql))
            assert "append-only" in str(exc.value)
        # a second row for the same transition number cannot be slipped in either
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO approval_transition (skp_id, sequence, from_status, to_status, action, actor, actor_role,"
                        " version, content_hash, at) SELECT skp_id, sequence, from_status, 'Approved', 'approve', actor,"
                        " actor_role, version, content_hash, at FROM approval_transition WHERE sequence = 2"
                    )
                )
        assert await h.history(skp, who.penilai) == before


async def test_the_orm_refuses_to_change_audit_rows(harness):
    from kinerja_approval.adapters.tables import ApprovalTransition, AuditTrailIsAppendOnly
    from sqlmodel import select

    async with harness() as h:
        await h.submit()
        with pytest.raises(AuditTrailIsAppendOnly):
            async with h.rt.uow() as session:
                row = (await session.exec(select(ApprovalTransition))).first()
                row.note = "diubah"
                session.add(row)
                await session.flush()
        with pytest.raises(AuditTrailIsAppendOnly):
            async with h.rt.uow() as session:
                row = (await session.exec(select(ApprovalTransition))).first()
                await session.delete(row)
                await session.flush()
