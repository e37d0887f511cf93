"""Acting officials (Plt/Plh): recorded by an admin of the instansi, they see
and decide the penilai's SKPs during the dates of the assignment."""

from __future__ import annotations

import datetime as dt

from kinerja_contracts.calendar import today_jakarta
from kinerja_devstack.samples import PENILAI_NIP

from .conftest import PLT


def plh(h, **kw):
    today = today_jakarta(h.clock())
    body = {"delegate_nip": PLT, "penilai_nip": PENILAI_NIP, "jenis": "Plh",
            "mulai": str(today - dt.timedelta(days=1)), "selesai": str(today + dt.timedelta(days=2)),
            "nomor_sk": "800/123/SDP-I/2026"}
    body.update(kw)
    return body


async def test_a_plh_sees_and_decides_on_behalf_of_the_penilai(harness, who):
    async with harness() as h:
        skp = await h.submit()
        assert (await h.client.get("/api/v1/inbox", headers=who.plt)).json()["count"] == 0
        r = await h.client.post("/api/v1/penugasan", json=plh(h), headers=who.admin)
        assert r.status_code == 201, r.text
        assert r.json()["instansi"] == "Pemerintah Provinsi DKI Jakarta" and r.json()["created_by"] == "admin-dki"

        inbox = (await h.client.get("/api/v1/inbox", headers=who.plt)).json()
        assert inbox["count"] == 1 and inbox["counts"] == {"sendiri": 0, "delegasi": 1}
        assert inbox["items"][0]["on_behalf_of"] == PENILAI_NIP
        # the penilai still sees it as their own
        own = (await h.client.get("/api/v1/inbox", headers=who.penilai)).json()
        assert own["counts"] == {"sendiri": 1, "delegasi": 0} and own["items"][0]["on_behalf_of"] is None

        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.plt)
        assert r.status_code == 200, r.text
        (row,) = [t for t in await h.history(skp, who.plt) if t["action"] == "approve"]
        assert row["actor"] == PLT and row["on_behalf_of"] == PENILAI_NIP and row["penilai_nip"] == PENILAI_NIP
        (ev,) = await h.events("approval.approved", skp)
        assert ev["data"]["decided_by"] == PLT and ev["data"]["on_behalf_of"] == PENILAI_NIP
        assert ev["actor"] == {"sub": PLT, "role": "atasan", "on_behalf_of": PENILAI_NIP}


async def test_outside_its_dates_the_assignment_gives_no_power(harness, who):
    async with harness() as h:
        skp = await h.submit()
        r = await h.client.post("/api/v1/penugasan", json=plh(h), headers=who.admin)
        assert r.status_code == 201
        h.clock.advance(days=3)  # past `selesai` in Jakarta
        assert (await h.client.get("/api/v1/inbox", headers=who.plt)).json()["count"] == 0
        r = await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": "Bukan wewenang saya lagi"},
                                headers=who.plt)
        assert r.status_code == 403 and r.json()["code"] == "not-your-decision"


async def test_a_revoked_assignment_gives_no_power(harness, who):
    async with harness() as h:
        skp = await h.submit()
        pid = (await h.client.post("/api/v1/penugasan", json=plh(h), headers=who.admin)).json()["id"]
        assert (await h.client.delete(f"/api/v1/penugasan/{pid}", headers=who.admin_elsewhere)).status_code == 404
        r = await h.client.delete(f"/api/v1/penugasan/{pid}", headers=who.admin)
        assert r.status_code == 200 and r.json()["revoked_at"] is not None
        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.plt)
        assert r.status_code == 403
        listed = (await h.client.get("/api/v1/penugasan", headers=who.admin)).json()
        assert [p["id"] for p in listed] == [pid]  # kept, marked revoked
        today = today_jakarta(h.clock())
        assert (await h.client.get("/api/v1/penugasan", params={"aktif_pada": str(today)}, headers=who.admin)).json() == []


async def test_an_admin_of_another_instansi_cannot_empower_anyone_here(harness, who):
    async with harness() as h:
        skp = await h.submit()
        r = await h.client.post("/api/v1/penugasan", json=plh(h), headers=who.admin_elsewhere)
        assert r.status_code == 201  # recorded for Bandung ...
        assert (await h.client.get("/api/v1/inbox", headers=who.plt)).json()["count"] == 0
        r = await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.plt)
        assert r.status_code == 403  # ... so it reaches no DKI SKP
        assert (await h.client.get("/api/v1/penugasan", headers=who.admin)).json() == []


async def test_penugasan_input_is_checked(harness, who):
    async with harness() as h:
        r = await h.client.post("/api/v1/penugasan", json=plh(h, mulai="2026-02-10", selesai="2026-02-01"), headers=who.admin)
        assert r.status_code == 422 and r.json()["code"] == "penugasan-range-invalid"
        r = await h.client.post("/api/v1/penugasan", json=plh(h, delegate_nip=PENILAI_NIP), headers=who.admin)
        assert r.status_code == 422 and r.json()["code"] == "penugasan-self"
        r = await h.client.post("/api/v1/penugasan", json=plh(h, delegate_nip="123", jenis="Kepala"), headers=who.admin)
        assert r.status_code == 422
        assert {"body.delegate_nip", "body.jenis"} <= {e["path"] for e in r.json()["errors"]}
        r = await h.client.post("/api/v1/penugasan", json=plh(h), headers=who.admin_unscoped)
        assert r.status_code == 403 and r.json()["code"] == "instansi-scope-missing"
        r = await h.client.post("/api/v1/penugasan", json=plh(h), headers=who.penilai)
        assert r.status_code == 403


async def test_a_plh_never_decides_their_own_skp(harness, who):
    from kinerja_devstack.samples import pppk_skp

    async with harness() as h:
        own = await h.submit(content=pppk_skp(pegawai_nip=PLT))  # the Plh's own SKP, penilai = their boss
        other = await h.submit()
        await h.client.post("/api/v1/penugasan", json=plh(h), headers=who.admin)
        inbox = (await h.client.get("/api/v1/inbox", headers=who.plt)).json()
        assert [i["skp_id"] for i in inbox["items"]] == [str(other)]
        r = await h.client.post(f"/api/v1/approvals/{own}/approve", json={"version": 1}, headers=who.plt)
        assert r.status_code == 403 and r.json()["code"] == "not-your-decision"
