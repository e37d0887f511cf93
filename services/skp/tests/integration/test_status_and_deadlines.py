"""The SKP status follows the approval service's events (over a real NATS),
and submission deadlines with the admin's extensions."""

from __future__ import annotations

import datetime as dt
import uuid

import nats
from kinerja_contracts.events import ApprovalApproved, ApprovalRequested, ApprovalReturned
from kinerja_contracts.events.envelope import new_envelope
from kinerja_contracts.values import Pegawai
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, pppk_skp
from kinerja_devstack.testing import eventually, running

from .conftest import INSTANSI, NEXT_YEAR


async def publish(nats_url: str, payload) -> None:
    env = new_envelope(payload, correlation_id="test-projection")
    nc = await nats.connect(nats_url)
    try:
        await nc.jetstream().publish(payload.subject, env.model_dump_json().encode(), headers={"Nats-Msg-Id": str(env.event_id)})
    finally:
        await nc.close()


def decision(cls, skp: dict, sequence: int, status: str, **extra):
    c = skp["content"]
    return cls(skp_id=uuid.UUID(skp["id"]), version=skp["version"], content_hash=skp["content_hash"], status=status,
               sequence=sequence, pegawai=Pegawai(**c["pegawai"]), penilai=Pegawai(**c["penilai"]), **extra)


async def test_revisi_unlocks_editing_and_shows_the_note(app, directory, tokens, nats_server):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        skp = (await client.post("/api/v1/skp", json=pppk_skp(**NEXT_YEAR), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}"
        skp = (await client.post(f"{url}/submit", json={"version": 1}, headers=me)).json()
        await publish(nats_server.url, decision(ApprovalRequested, skp, 1, "Pending"))
        note = "Target IKI 1 terlalu rendah; sesuaikan dengan 12 laporan setahun."
        await publish(nats_server.url, decision(ApprovalReturned, skp, 2, "Revisi", catatan_perbaikan=note, decided_by=PENILAI_NIP))

        async def returned():
            body = (await client.get(url, headers=me)).json()
            return body if body["status"] == "Revisi" else None

        body = await eventually(returned)
        assert body["catatan_perbaikan"] == note and body["terkunci"] is False
        assert "edit" in body["allowed_actions"] and "resubmit" in body["allowed_actions"]
        fixed = pppk_skp(**NEXT_YEAR)
        fixed["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
        fixed["hasil_kerja"][0]["iki"][0]["target_bulanan"] = ["1"] * 12
        r = await client.put(url, json={"version": 1, "content": fixed}, headers=me)
        assert r.status_code == 200 and r.json()["version"] == 2
        # a late decision about the replaced version 1 is ignored
        await publish(nats_server.url, decision(ApprovalApproved, skp, 3, "Approved", decided_by=PENILAI_NIP))
        r = await client.post(f"{url}/submit", json={"version": 2}, headers=me)
        assert r.status_code == 200 and r.json()["status"] == "Pending"
        skp2 = r.json()
        await publish(nats_server.url, decision(ApprovalApproved, skp2, 4, "Approved", decided_by=PENILAI_NIP))

        async def approved():
            return (await client.get(url, headers=me)).json()["status"] == "Approved"

        await eventually(approved)
        r = await client.put(url, json={"version": 2, "content": fixed}, headers=me)
        assert r.status_code == 409 and r.json()["code"] == "skp-locked"
        assert "disetujui" in r.json()["detail"]


async def test_submit_after_the_deadline_is_refused_until_an_admin_extends_it(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory()
        draft = pppk_skp(mulai="2026-01-01", selesai="2026-12-31")
        draft["tanggal_sk"] = "2026-01-02"
        skp = (await client.post("/api/v1/skp", json=draft, headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}"
        policy = app.state.runtime.container.policy
        policy.today = lambda: dt.date(2026, 1, 13)
        d = (await client.get(f"{url}/deadline", headers=me)).json()
        assert (d["deadline"], d["dasar"], d["lewat"]) == ("2026-01-12", "sk", True)

        r = await client.post(f"{url}/submit", json={"version": 1}, headers=me)
        assert r.status_code == 409 and r.json()["code"] == "deadline-passed"
        assert "12 Januari 2026" in r.json()["detail"] and INSTANSI in r.json()["detail"]

        r = await client.post("/api/v1/deadline-extensions", json={"tahun": 2026, "sampai": "2026-01-20", "nip": PEGAWAI_NIP},
                              headers=me)
        assert r.status_code == 403  # only an admin extends
        r = await client.post("/api/v1/deadline-extensions", json={
            "tahun": 2026, "sampai": "2026-01-20",
            "unit_kerja": "Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur", "alasan": "Aplikasi gangguan"},
            headers=admin)
        assert r.status_code == 201, r.text
        ext_id = r.json()["id"]
        other_admin = tokens("admin-jabar", "admin", instansi="Pemerintah Provinsi Jawa Barat")
        assert (await client.delete(f"/api/v1/deadline-extensions/{ext_id}", headers=other_admin)).status_code == 404
        assert len((await client.get("/api/v1/deadline-extensions", params={"tahun": 2026}, headers=admin)).json()) == 1
        assert (await client.get(url, headers=me)).json()["deadline"] == "2026-01-20"
        r = await client.post(f"{url}/submit", json={"version": 1}, headers=me)
        assert r.status_code == 200 and r.json()["status"] == "Pending"


async def test_person_extension_and_revoke(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory()
        skp = (await client.post("/api/v1/skp", json=pppk_skp(mulai="2026-01-01", selesai="2026-12-31"), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}"
        app.state.runtime.container.policy.today = lambda: dt.date(2026, 2, 2)
        ext = (await client.post("/api/v1/deadline-extensions", json={"tahun": 2026, "sampai": "2026-02-07", "nip": PEGAWAI_NIP},
                                 headers=admin)).json()
        assert (await client.get(f"{url}/deadline", headers=me)).json()["dasar"] == "perpanjangan"
        assert (await client.delete(f"/api/v1/deadline-extensions/{ext['id']}", headers=admin)).status_code == 204
        r = await client.post(f"{url}/submit", json={"version": 1}, headers=me)
        assert r.status_code == 409 and "31 Januari 2026" in r.json()["detail"]
        r = await client.post("/api/v1/deadline-extensions", json={"tahun": 2026, "sampai": "2026-02-07"}, headers=admin)
        assert r.status_code == 422 and r.json()["code"] == "extension-scope"


async def test_extensions_are_read_once_per_transaction_and_a_grant_or_revoke_is_seen_at_once(app, directory, tokens):
    from kinerja_platform.web.auth import Principal
    from kinerja_skp.service_layer import deadlines, documents

    me = tokens(PEGAWAI_NIP, "pegawai")
    admin = Principal(sub="admin-dki", role="admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory()
        skp = (await client.post("/api/v1/skp", json=pppk_skp(mulai="2026-01-01", selesai="2026-12-31"), headers=me)).json()
        rt = app.state.runtime
        policy = rt.container.policy
        async with rt.uow() as s:
            doc = await documents.get_document(s, uuid.UUID(skp["id"]))
            base = (await deadlines.deadline_of(s, doc, policy)).effective
            assert (await deadlines.deadline_of(s, doc, policy)).effective == base  # second read: from the session
            later = base + dt.timedelta(days=9)
            ext = await deadlines.grant_extension(s, admin, tahun=2026, sampai=later, unit_kerja=None, nip=PEGAWAI_NIP,
                                                  alasan=None)
            assert (await deadlines.deadline_of(s, doc, policy)).effective == later
            await deadlines.revoke_extension(s, admin, ext.id)
            assert (await deadlines.deadline_of(s, doc, policy)).effective == base
        async with rt.uow() as s:  # a new transaction reads afresh
            await deadlines.grant_extension(s, admin, tahun=2026, sampai=later, unit_kerja=None, nip=PEGAWAI_NIP, alasan=None)
        assert (await client.get(f"/api/v1/skp/{skp['id']}", headers=me)).json()["deadline"] == later.isoformat()


async def test_late_skps_of_an_instansi(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory()
        draft = pppk_skp(mulai="2026-01-01", selesai="2026-12-31")
        draft["tanggal_sk"], draft["tanggal_terima_sk"] = "2025-12-29", "2026-01-02"
        skp = (await client.post("/api/v1/skp", json=draft, headers=me)).json()
        policy = app.state.runtime.container.policy
        policy.today = lambda: dt.date(2026, 1, 12)  # 10 days after receiving the SK: not late yet
        d = (await client.get(f"/api/v1/skp/{skp['id']}/deadline", headers=me)).json()
        assert (d["deadline"], d["dasar"]) == ("2026-01-12", "terima-sk")
        assert (await client.get("/api/v1/deadlines/terlambat", params={"tahun": 2026}, headers=admin)).json() == []
        policy.today = lambda: dt.date(2026, 1, 15)
        late = (await client.get("/api/v1/deadlines/terlambat", params={"tahun": 2026}, headers=admin)).json()
        assert [(x["nip"], x["status"], x["hari_terlambat"]) for x in late] == [(PEGAWAI_NIP, "Draft", 3)]
        other = tokens("admin-jabar", "admin", instansi="Pemerintah Provinsi Jawa Barat")
        assert (await client.get("/api/v1/deadlines/terlambat", params={"tahun": 2026}, headers=other)).json() == []
        assert (await client.get("/api/v1/deadlines/terlambat", params={"tahun": 2026}, headers=me)).status_code == 403


async def test_a_write_checks_the_pegawai_s_other_skps_and_the_extensions_read_together(app, directory, tokens):
    """Create and submit read the pegawai's other SKPs (the same period, an
    overlapping one, last year's) and the deadline extensions in one
    statement: each still counts for what it did as a read of its own."""
    me = tokens(PEGAWAI_NIP, "pegawai")
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory()
        unit = pppk_skp()["pegawai"]["unit_kerja"]
        for ext in ({"tahun": 2027, "sampai": "2027-02-20", "nip": PEGAWAI_NIP},
                    {"tahun": 2027, "sampai": "2027-02-10", "unit_kerja": unit},
                    {"tahun": 2026, "sampai": "2026-03-01", "nip": PEGAWAI_NIP}):  # another year: not this SKP's
            assert (await client.post("/api/v1/deadline-extensions", json=ext, headers=admin)).status_code == 201
        assert (await client.post("/api/v1/skp", json=pppk_skp(mulai="2026-01-01", selesai="2026-12-31"),
                                  headers=me)).status_code == 201
        r = await client.post("/api/v1/skp", json=pppk_skp(**NEXT_YEAR), headers=me)
        assert r.status_code == 201 and r.json()["deadline"] == "2027-02-20"  # the latest extension that applies
        skp = r.json()
        assert "skp-mutasi" not in {w["rule"] for w in skp["validation"]["warnings"]}
        again = await client.post("/api/v1/skp", json=pppk_skp(**NEXT_YEAR), headers=me)
        assert again.status_code == 409 and again.json()["skp_id"] == skp["id"]
        r = await client.post("/api/v1/skp", json=pppk_skp(mulai="2027-07-01", selesai="2027-12-31"), headers=me)
        assert r.status_code == 201 and r.json()["deadline"] == "2027-07-11"  # 10 days after it starts: later
        assert "skp-mutasi" in {w["rule"] for w in r.json()["validation"]["warnings"]}
        app.state.runtime.container.policy.today = lambda: dt.date(2027, 2, 15)  # past 31 January, within the extension
        r = await client.post(f"/api/v1/skp/{skp['id']}/submit", json={"version": 1}, headers=me)
        assert r.status_code == 200 and r.json()["status"] == "Pending" and r.json()["deadline"] == "2027-02-20"
