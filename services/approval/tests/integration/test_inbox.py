"""The atasan's inbox: oldest first, counts, filters, detail with diff, bulk approve."""

from __future__ import annotations

import uuid

from kinerja_devstack.samples import PENILAI_NIP, nip, pppk_skp
from kinerja_devstack.testing import assert_documented

NOTE = "Target IKI rhk-1 harus 12 laporan, bukan 4."


async def test_oldest_first_with_counts_filters_and_pages(harness, who):
    async with harness() as h:
        a = await h.submit(content=pppk_skp(pegawai_nip=nip(11), mulai="2025-09-01", selesai="2025-12-31"))
        h.clock.advance(hours=1)
        b_content = pppk_skp(pegawai_nip=nip(12), mulai="2026-01-01", selesai="2026-12-31")
        b_content["jenis_pegawai"] = "PNS"
        b = await h.submit(content=b_content)
        h.clock.advance(hours=1)
        c_content = pppk_skp(pegawai_nip=nip(13), mulai="2026-01-01", selesai="2026-12-31")
        c_content["pegawai"]["unit_kerja"] = "Suku Dinas Pendidikan Wilayah II"
        c = await h.submit(content=c_content)
        await h.submit(content=pppk_skp(pegawai_nip=nip(14), penilai_nip=nip(99)))  # someone else's inbox

        async def inbox(**params):
            r = await h.client.get("/api/v1/inbox", params=params, headers=who.penilai)
            assert r.status_code == 200, r.text
            return r.json()

        all_ = await inbox()
        assert [i["skp_id"] for i in all_["items"]] == [str(a), str(b), str(c)]
        assert all_["count"] == 3 and all_["counts"] == {"sendiri": 3, "delegasi": 0}
        assert all_["oldest_pending_since"] == all_["items"][0]["pending_since"]

        page = await inbox(limit=2, offset=1)
        assert [i["skp_id"] for i in page["items"]] == [str(b), str(c)] and page["count"] == 3

        # the totals come with the page's rows (window aggregates); past the end they are counted apart
        past = await inbox(limit=2, offset=5)
        assert past["items"] == [] and past["count"] == 3 and past["counts"] == {"sendiri": 3, "delegasi": 0}
        assert past["oldest_pending_since"] == all_["oldest_pending_since"]
        none = await inbox(unit_kerja="Tidak Ada")
        assert none["items"] == [] and none["count"] == 0 and none["oldest_pending_since"] is None
        assert "snapshot" not in all_["items"][0]  # the inbox does not even load it (deferred, raiseload)

        assert [i["skp_id"] for i in (await inbox(jenis_pegawai="PNS"))["items"]] == [str(b)]
        wil2 = await inbox(unit_kerja="Suku Dinas Pendidikan Wilayah II")
        assert [i["skp_id"] for i in wil2["items"]] == [str(c)] and wil2["count"] == 1
        y2026 = await inbox(periode_dari="2026-01-01", periode_sampai="2026-12-31")
        assert [i["skp_id"] for i in y2026["items"]] == [str(b), str(c)]
        y2025 = await inbox(periode_sampai="2025-12-31")
        assert [i["skp_id"] for i in y2025["items"]] == [str(a)]

        r = await h.client.get("/api/v1/inbox", params={"jenis_pegawai": "Honorer", "limit": 0}, headers=who.penilai)
        assert r.status_code == 422 and {"query.jenis_pegawai", "query.limit"} <= {e["path"] for e in r.json()["errors"]}
        r = await h.client.get("/api/v1/inbox", headers=who.pegawai)
        assert r.status_code == 403


async def test_detail_shows_what_changed_since_the_returned_version(harness, who):
    async with harness() as h:
        skp = await h.submit(1)
        r = await h.client.get(f"/api/v1/inbox/{skp}", headers=who.penilai)
        assert r.status_code == 200, r.text
        d = r.json()
        assert_documented(h.app, "GET", "/api/v1/inbox/{skp_id}", 200, d)  # the snapshot as SkpSnapshot
        assert d["returned"] is None and d["diff"] is None
        assert d["allowed_actions"] == ["approve", "return", ] and d["snapshot"]["hasil_kerja"][0]["id"] == "rhk-1"

        await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": NOTE}, headers=who.penilai)
        fixed = pppk_skp()
        fixed["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
        await h.deliver(h.submission(skp, 2, content=fixed, resubmission=True))

        d = (await h.client.get(f"/api/v1/inbox/{skp}", headers=who.penilai)).json()
        assert d["case"]["version"] == 2
        assert d["returned"]["version"] == 1 and d["returned"]["catatan_perbaikan"] == NOTE and d["returned"]["by"] == PENILAI_NIP
        assert d["diff"] == [{"path": "hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai", "kind": "changed",
                              "before": "4", "after": "12"}]
        assert (await h.client.get(f"/api/v1/inbox/{skp}", headers=who.other)).status_code == 403

        # returned again and resubmitted without any change: an empty diff, not "never returned"
        await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 2, "catatan_perbaikan": "Cek lagi target TW IV."},
                            headers=who.penilai)
        await h.deliver(h.submission(skp, 2, content=fixed, resubmission=True))
        d = (await h.client.get(f"/api/v1/inbox/{skp}", headers=who.penilai)).json()
        assert d["returned"]["version"] == 2 and d["diff"] == []
        assert (await h.client.get(f"/api/v1/inbox/{uuid.uuid4()}", headers=who.penilai)).status_code == 404


async def test_bulk_approve_answers_per_item(harness, who):
    async with harness() as h:
        ok1 = await h.submit(content=pppk_skp(pegawai_nip=nip(21)))
        ok2 = await h.submit(content=pppk_skp(pegawai_nip=nip(22)))
        stale = await h.submit(content=pppk_skp(pegawai_nip=nip(23)))
        theirs = await h.submit(content=pppk_skp(pegawai_nip=nip(24), penilai_nip=nip(99)))
        missing = uuid.uuid4()
        items = [
            {"skp_id": str(ok1), "version": 1},
            {"skp_id": str(stale), "version": 7},
            {"skp_id": str(theirs), "version": 1},
            {"skp_id": str(missing), "version": 1},
            {"skp_id": str(ok2), "version": 1},
            {"skp_id": str(ok1), "version": 1},  # twice in one batch
        ]
        r = await h.client.post("/api/v1/approvals/batch-approve", json={"items": items}, headers=who.penilai)
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["approved"], body["refused"]) == (2, 4)
        got = [(x["skp_id"], x["status"], x["code"]) for x in body["results"]]
        assert got == [
            (str(ok1), 200, None),
            (str(stale), 409, "stale-version"),
            (str(theirs), 403, "not-your-decision"),
            (str(missing), 404, "approval-not-found"),
            (str(ok2), 200, None),
            (str(ok1), 409, "transition-refused"),
        ]
        assert body["results"][0]["case"]["status"] == "Approved"
        assert len(await h.events("approval.approved")) == 2
        assert (await h.client.get("/api/v1/inbox", headers=who.penilai)).json()["count"] == 1  # the stale one


async def test_bulk_approve_limits(harness, who):
    async with harness(batch_max_items=2) as h:
        items = [{"skp_id": str(uuid.uuid4()), "version": 1} for _ in range(3)]
        r = await h.client.post("/api/v1/approvals/batch-approve", json={"items": items}, headers=who.penilai)
        assert r.status_code == 422 and r.json()["code"] == "batch-too-large"
        r = await h.client.post("/api/v1/approvals/batch-approve", json={"items": []}, headers=who.penilai)
        assert r.status_code == 422
