"""An admin of the instansi moves a Pending SKP to another pejabat penilai."""

from __future__ import annotations

from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, person

from .conftest import NEW_PENILAI

NEW = person(NEW_PENILAI, "Agus Wijaya, S.T.", email="agus.wijaya@example.go.id", jabatan="Kepala Seksi Sarpras")


async def test_reassign_moves_the_skp_between_inboxes_and_tells_the_new_penilai(harness, who):
    async with harness() as h:
        skp = await h.submit()
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign",
                                json={"version": 1, "penilai": NEW, "reason": "Atasan tercatat salah."}, headers=who.admin)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "Pending" and r.json()["penilai"]["nip"] == NEW_PENILAI
        assert r.json()["routed_by"] == "admin" and r.json()["penilai"]["email"] == f"{NEW_PENILAI}@example.go.id"
        assert (await h.client.get("/api/v1/inbox", headers=who.penilai)).json()["count"] == 0
        new_inbox = (await h.client.get("/api/v1/inbox", headers=who.new_penilai)).json()
        assert [i["skp_id"] for i in new_inbox["items"]] == [str(skp)]

        (ev,) = await h.events("approval.reassigned", skp)
        d = ev["data"]
        # the identity (and the address mail goes to) is the directory's, not the one the admin typed
        assert d["penilai"]["nip"] == NEW_PENILAI and d["penilai"]["email"] == f"{NEW_PENILAI}@example.go.id"
        assert d["previous_penilai"]["nip"] == PENILAI_NIP and d["reason"] == "Atasan tercatat salah."
        assert d["status"] == "Pending" and d["sequence"] == 2

        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.penilai)
        assert r.status_code == 403  # the old penilai no longer decides
        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.new_penilai)
        assert r.status_code == 200
        rows = await h.history(skp, who.admin)
        assert [(t["action"], t["actor"], t["penilai_nip"]) for t in rows] == [
            ("submit", PEGAWAI_NIP, PENILAI_NIP),
            ("reassign", "admin-dki", NEW_PENILAI),
            ("approve", NEW_PENILAI, NEW_PENILAI),
        ]
        assert rows[1]["note"] == "Atasan tercatat salah."


async def test_reassign_is_refused_outside_scope_state_or_version(harness, who):
    async with harness() as h:
        skp = await h.submit()
        body = {"version": 1, "penilai": NEW}
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json=body, headers=who.admin_elsewhere)
        assert r.status_code == 403 and r.json()["code"] == "other-instansi"
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json=body, headers=who.admin_unscoped)
        assert r.status_code == 403
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json=body, headers=who.penilai)
        assert r.status_code == 403 and r.json()["code"] == "forbidden-role"
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json={**body, "version": 2}, headers=who.admin)
        assert r.status_code == 409 and r.json()["code"] == "stale-version"
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign",
                                json={"version": 1, "penilai": person(PEGAWAI_NIP, "Siti")}, headers=who.admin)
        assert r.status_code == 422 and r.json()["code"] == "penilai-is-pegawai"
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign",
                                json={"version": 1, "penilai": {"nip": "12", "nama": ""}}, headers=who.admin)
        assert r.status_code == 422 and "body.penilai.nip" in {e["path"] for e in r.json()["errors"]}
        # once decided, there is nothing to reassign
        await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": "Perbaiki uraian RHK."},
                            headers=who.penilai)
        r = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json=body, headers=who.admin)
        assert r.status_code == 409 and r.json()["allowed_actions"] == ["edit", "resubmit"]
        assert len(await h.events("approval.reassigned", skp)) == 0


async def test_a_repeated_reassignment_is_a_no_op(harness, who):
    async with harness() as h:
        skp = await h.submit()
        body = {"version": 1, "penilai": NEW}
        first = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json=body, headers=who.admin)
        again = await h.client.post(f"/api/v1/approvals/{skp}/reassign", json=body, headers=who.admin)
        assert first.status_code == again.status_code == 200 and again.json() == first.json()
        assert len(await h.events("approval.reassigned", skp)) == 1
        assert [t["action"] for t in await h.history(skp, who.admin)] == ["submit", "reassign"]


async def test_a_resubmission_naming_the_replaced_penilai_stays_with_the_new_one(harness, who):
    async with harness() as h:
        skp = await h.submit()
        await h.client.post(f"/api/v1/approvals/{skp}/reassign", json={"version": 1, "penilai": NEW}, headers=who.admin)
        await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": "Tambahkan rencana aksi TW IV."},
                            headers=who.new_penilai)
        # the pegawai's document still names the old penilai
        assert await h.deliver(h.submission(skp, 2, resubmission=True, penilai_nip=PENILAI_NIP))
        assert (await h.client.get("/api/v1/inbox", headers=who.penilai)).json()["count"] == 0
        assert (await h.client.get("/api/v1/inbox", headers=who.new_penilai)).json()["count"] == 1
        (req,) = [e for e in await h.events("approval.requested", skp) if e["data"]["resubmission"]]
        assert req["data"]["penilai"]["nip"] == NEW_PENILAI and req["data"]["sequence"] == 4


async def test_an_admin_finds_the_cases_of_their_instansi(harness, who):
    from kinerja_devstack.samples import nip, pppk_skp

    async with harness() as h:
        stuck = await h.submit(content=pppk_skp(pegawai_nip=nip(31)))
        h.clock.advance(hours=1)
        other = await h.submit(content=pppk_skp(pegawai_nip=nip(32), penilai_nip=nip(98)))
        bdg = pppk_skp(pegawai_nip=nip(33))
        bdg["pegawai"]["instansi"] = "Pemerintah Kota Bandung"
        await h.submit(content=bdg)
        r = await h.client.get("/api/v1/approvals", params={"status": "Pending"}, headers=who.admin)
        assert r.status_code == 200, r.text
        assert r.json()["count"] == 2 and [i["skp_id"] for i in r.json()["items"]] == [str(stuck), str(other)]
        r = await h.client.get("/api/v1/approvals", params={"penilai_nip": PENILAI_NIP}, headers=who.admin)
        assert [i["skp_id"] for i in r.json()["items"]] == [str(stuck)]
        r = await h.client.get("/api/v1/approvals", headers=who.admin_elsewhere)
        assert r.json()["count"] == 1
        assert (await h.client.get("/api/v1/approvals", headers=who.admin_unscoped)).status_code == 403
        assert (await h.client.get("/api/v1/approvals", headers=who.penilai)).status_code == 403
