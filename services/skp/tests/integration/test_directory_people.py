"""Who an SKP names comes from the directory (issue 14 item 2): the abuses that
worked when the SKP named its own penilai, on every write path, and the admin
override that the audit trail records."""

from __future__ import annotations

import datetime as dt
import json

from kinerja_devstack.samples import (
    ATASAN_PEJABAT_PENILAI_NIP,
    PEGAWAI_NIP,
    PENILAI_NIP,
    directory_record_of,
    nip,
    person,
    pppk_skp,
)
from kinerja_devstack.testing import running
from sqlalchemy import text

from .conftest import INSTANSI, NEXT_YEAR

FRIEND = nip(11, born="19880808", appointed="201203")
OUTSIDER = nip(12, born="19870707", appointed="201104")
BANDUNG = "Pemerintah Kota Bandung"


def friend_record(**kw) -> dict:
    return directory_record_of(person(FRIEND, "Teman Sekantor", email="teman@example.go.id"), None, **kw)


def outsider_record() -> dict:
    p = person(OUTSIDER, "Pejabat Kota Bandung", email="bdg@example.go.id")
    p["instansi"] = BANDUNG
    return directory_record_of(p, None)


def without_people(skp: dict) -> dict:
    return {k: v for k, v in skp.items() if k not in ("pegawai", "penilai", "atasan_pejabat_penilai")}


async def test_a_pegawai_cannot_name_a_friend_or_an_outsider_as_penilai(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory(pppk_skp(), records=[friend_record(), outsider_record()])
        for chosen in (FRIEND, OUTSIDER):
            r = await client.post("/api/v1/skp", json=pppk_skp(penilai_nip=chosen), headers=me)
            assert r.status_code == 422, r.text
            body = r.json()
            assert r.headers["content-type"].startswith("application/problem+json")
            assert body["code"] == "penilai-mismatch" and body["field"] == "penilai.nip"
            assert PENILAI_NIP in body["detail"] and "admin" in body["detail"]  # names the directory's penilai, and who can change it
        # nor through an update, a workbook or bulk intake
        skp = (await client.post("/api/v1/skp", json=pppk_skp(), headers=me)).json()
        r = await client.put(f"/api/v1/skp/{skp['id']}", json={"version": 1, "content": pppk_skp(penilai_nip=FRIEND)},
                             headers=me)
        assert r.status_code == 422 and r.json()["code"] == "penilai-mismatch"
        r = await client.post("/api/v1/skp/bulk", json={"items": [pppk_skp(penilai_nip=FRIEND, **NEXT_YEAR)]},
                              headers=tokens("portal-dki", "portal", instansi=INSTANSI))
        item = r.json()["items"][0]
        assert item["status"] == "invalid" and item["errors"][0] == {
            "path": "items[0].penilai.nip", "type": "penilai-mismatch", "message": item["errors"][0]["message"]}
        # the atasan pejabat penilai too
        forged = pppk_skp(**NEXT_YEAR)
        forged["atasan_pejabat_penilai"]["nip"] = FRIEND
        r = await client.post("/api/v1/skp", json=forged, headers=me)
        assert r.status_code == 422 and r.json()["field"] == "atasan_pejabat_penilai.nip"


async def test_a_workbook_cannot_name_another_penilai(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory(pppk_skp(), records=[friend_record()])
        skp = (await client.post("/api/v1/skp", json=pppk_skp(), headers=me)).json()
        xlsx = (await client.get(f"/api/v1/skp/{skp['id']}/xlsx", headers=me)).content
        await client.delete(f"/api/v1/skp/{skp['id']}", params={"version": 1}, headers=me)
        # the directory moves her under the friend; her old workbook names Budi
        await directory(records=[directory_record_of(person(PEGAWAI_NIP, "Siti Rahmawati"), FRIEND, berlaku_mulai="2025-09-01")])
        r = await client.post("/api/v1/skp/xlsx", files={"file": ("skp.xlsx", xlsx)}, headers=me)
        assert r.status_code == 422 and r.json()["code"] == "penilai-mismatch", r.text


async def test_another_persons_nip_with_my_email_keeps_the_directorys_addresses(app, directory, tokens):
    """The attacker names the real penilai but with their own address, so that
    the penilai's mail would come to them: the snapshot and the event carry the
    directory's addresses."""
    me = tokens(PEGAWAI_NIP, "pegawai")
    forged = pppk_skp(penilai_email="attacker@evil.example", pegawai_email="attacker@evil.example", **NEXT_YEAR)
    forged["atasan_pejabat_penilai"]["email"] = "attacker@evil.example"
    forged["penilai"]["nama"] = "Nama Palsu"
    async with running(app) as client:
        await directory()
        r = await client.post("/api/v1/skp", json=forged, headers=me)
        assert r.status_code == 201, r.text
        c = r.json()["content"]
        assert (c["pegawai"]["email"], c["penilai"]["email"], c["atasan_pejabat_penilai"]["email"]) == (
            "siti.rahma@example.go.id", "budi.santoso@example.go.id", "ratna.dewi@example.go.id")
        assert c["penilai"]["nama"] == "Budi Santoso, S.Pd., M.M."
        r = await client.post(f"/api/v1/skp/{r.json()['id']}/submit", json={"version": 1}, headers=me)
        assert r.status_code == 200, r.text
        async with app.state.engine.connect() as conn:
            payload = (await conn.execute(text("SELECT payload FROM outbox"))).scalar_one()
        data = json.loads(bytes(payload))["data"]
        assert "attacker@evil.example" not in json.dumps(data)
        assert data["penilai"]["email"] == "budi.santoso@example.go.id"


async def test_people_may_be_left_out_and_come_from_the_directory(app, directory, tokens):
    async with running(app) as client:
        await directory()
        r = await client.post("/api/v1/skp", json=without_people(pppk_skp()), headers=tokens(PEGAWAI_NIP, "pegawai"))
        assert r.status_code == 201, r.text
        c = r.json()["content"]
        assert (c["pegawai"]["nip"], c["penilai"]["nip"], c["atasan_pejabat_penilai"]["nip"]) == (
            PEGAWAI_NIP, PENILAI_NIP, ATASAN_PEJABAT_PENILAI_NIP)
        assert c["pegawai"]["instansi"] == INSTANSI
        # a portal names the pegawai by NIP only
        body = {**without_people(pppk_skp(**NEXT_YEAR)), "pegawai": {"nip": PEGAWAI_NIP}}
        r = await client.post("/api/v1/skp", json=body, headers=tokens("portal-dki", "portal", instansi=INSTANSI))
        assert r.status_code == 201 and r.json()["content"]["penilai"]["nip"] == PENILAI_NIP
        r = await client.post("/api/v1/skp", json=without_people(pppk_skp()), headers=tokens("portal-dki", "portal", instansi=INSTANSI))
        assert r.status_code == 422 and r.json()["field"] == "pegawai.nip"


async def test_a_pegawai_the_directory_does_not_hold_active_here_is_refused(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        r = await client.post("/api/v1/skp", json=pppk_skp(), headers=me)  # unknown
        assert r.status_code == 422 and r.json()["code"] == "pegawai-not-in-directory" and r.json()["field"] == "pegawai.nip"
        unknown = r.json()
        await directory()
        r = await client.post("/api/v1/skp", json=pppk_skp(), headers=tokens(PEGAWAI_NIP, "pegawai", instansi=BANDUNG))
        assert r.status_code == 422 and r.json()["code"] == "pegawai-not-in-directory"
        # another instansi's person answers exactly like an unknown one
        r = await client.post("/api/v1/skp", json=pppk_skp(), headers=tokens("admin-bdg", "admin", instansi=BANDUNG))
        assert r.status_code == 422 and r.json()["detail"] == unknown["detail"]
        # one who has left
        gone = directory_record_of(person(PEGAWAI_NIP, "Siti Rahmawati"), PENILAI_NIP, aktif=False, berlaku_mulai="2025-09-01")
        await directory(records=[gone])
        r = await client.post("/api/v1/skp", json=pppk_skp(), headers=me)
        assert r.status_code == 422 and r.json()["code"] == "pegawai-not-in-directory"


async def test_no_penilai_in_the_directory_is_refused(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory(records=[directory_record_of(person(PEGAWAI_NIP, "Siti Rahmawati"), None)])
        r = await client.post("/api/v1/skp", json=without_people(pppk_skp()), headers=me)
        assert r.status_code == 422 and r.json()["code"] == "penilai-not-in-directory" and r.json()["field"] == "penilai"
        # a superior of another instansi never appraises
        await directory(records=[outsider_record(),
                                 directory_record_of(person(PEGAWAI_NIP, "Siti Rahmawati"), OUTSIDER)])
        r = await client.post("/api/v1/skp", json=pppk_skp(penilai_nip=OUTSIDER), headers=me)
        assert r.status_code == 422 and r.json()["code"] == "penilai-not-in-directory"


async def test_an_admin_of_the_instansi_overrides_the_penilai_and_the_trail_says_so(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory(pppk_skp(), records=[friend_record(), outsider_record()])
        skp = (await client.post("/api/v1/skp", json=pppk_skp(), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}/penilai"
        body = {"version": 1, "nip": FRIEND, "alasan": "Atasan langsung cuti besar; SK 800/12/2025"}
        # who may not
        assert (await client.put(url, json=body, headers=me)).status_code == 403
        assert (await client.put(url, json=body, headers=tokens(PENILAI_NIP, "atasan"))).status_code == 403
        assert (await client.put(url, json=body, headers=tokens("admin-bdg", "admin", instansi=BANDUNG))).status_code == 403
        assert (await client.put(url, json=body, headers=tokens("admin-x", "admin"))).status_code == 403
        # whom not: a person of another instansi, the pegawai herself, someone unknown
        for bad in (OUTSIDER, PEGAWAI_NIP, nip(99)):
            r = await client.put(url, json={**body, "nip": bad}, headers=admin)
            assert r.status_code == 422 and r.json()["code"] == "penilai-override-invalid", r.text
        r = await client.put(url, json=body, headers=admin)
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["version"] == 2 and out["content"]["penilai"]["nip"] == FRIEND
        assert out["content"]["penilai"]["email"] == "teman@example.go.id"
        assert out["content"]["atasan_pejabat_penilai"] is None  # the friend has no superior in the directory
        assert {k: out["penilai_override"][k] for k in ("nip", "alasan", "by", "role")} == {
            "nip": FRIEND, "alasan": body["alasan"], "by": "admin-dki", "role": "admin"}
        versions = (await client.get(f"/api/v1/skp/{skp['id']}/versions", headers=me)).json()
        assert [(v["version"], v["created_by"], (v["penilai_override"] or {}).get("nip")) for v in versions] == [
            (1, PEGAWAI_NIP, None), (2, "admin-dki", FRIEND)]
        assert (await client.get(f"/api/v1/skp/{skp['id']}", headers=tokens(FRIEND, "atasan"))).status_code == 200
        # the pegawai's later edits keep the admin's penilai, and cannot name the directory's one instead
        r = await client.put(f"/api/v1/skp/{skp['id']}", json={"version": 2, "content": without_people(
            {**pppk_skp(), "tempat": "Jakarta"})}, headers=me)
        assert r.status_code == 200 and r.json()["content"]["penilai"]["nip"] == FRIEND
        r = await client.put(f"/api/v1/skp/{skp['id']}", json={"version": 3, "content": pppk_skp()}, headers=me)
        assert r.status_code == 422 and r.json()["code"] == "penilai-mismatch"
        # given back to the directory
        r = await client.put(url, json={"version": 3, "nip": None, "alasan": "Atasan langsung kembali bertugas"}, headers=admin)
        assert r.status_code == 200 and r.json()["content"]["penilai"]["nip"] == PENILAI_NIP
        assert r.json()["penilai_override"] is None
        # a submitted SKP is locked
        app.state.runtime.container.policy.today = lambda: dt.date(2025, 9, 5)  # before the sample's deadline
        r = await client.post(f"/api/v1/skp/{skp['id']}/submit", json={"version": 4}, headers=me)
        assert r.status_code == 200, r.text
        r = await client.put(url, json={**body, "version": 4}, headers=admin)
        assert r.status_code == 409


async def test_rantai_penilai_answers_who_an_skp_would_name_and_nobody_elses(app, directory, tokens):
    url = "/api/v1/skp/rantai-penilai"
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        r = await client.get(url, headers=me)
        assert r.status_code == 404 and r.json()["code"] == "pegawai-not-in-directory"
        unknown = r.json()["detail"]
        await directory(records=[outsider_record()])
        r = await client.get(url, headers=me)
        assert r.status_code == 404  # not yet in the projection: the wait of the process tests polls this
        await directory()
        r = await client.get(url, params={"tanggal": "2025-10-01"}, headers=me)
        assert r.status_code == 200, r.text
        assert (r.json()["tanggal"], r.json()["penilai"]["nip"], r.json()["atasan_pejabat_penilai"]["nip"]) == (
            "2025-10-01", PENILAI_NIP, ATASAN_PEJABAT_PENILAI_NIP)
        assert r.json()["penilai"]["email"] == "budi.santoso@example.go.id"
        # someone else's chain: as unknown, for a pegawai, an atasan, and an admin or portal of another instansi
        for who, params in ((tokens(PENILAI_NIP, "atasan"), {"nip": PEGAWAI_NIP}),
                            (tokens(FRIEND, "pegawai"), {"nip": PEGAWAI_NIP}),
                            (tokens("admin-bdg", "admin", instansi=BANDUNG), {"nip": PEGAWAI_NIP}),
                            (tokens("portal-bdg", "portal", instansi=BANDUNG), {"nip": PEGAWAI_NIP})):
            r = await client.get(url, params={**params, "tanggal": "2025-10-01"}, headers=who)
            assert r.status_code == 404 and r.json()["code"] == "pegawai-not-in-directory", r.text
        r = await client.get(url, params={"nip": OUTSIDER}, headers=tokens("admin-dki", "admin", instansi=INSTANSI))
        assert r.status_code == 404 and r.json()["detail"] == unknown.replace(PEGAWAI_NIP, OUTSIDER)  # like an unknown one
        r = await client.get(url, params={"nip": PEGAWAI_NIP}, headers=tokens("portal-dki", "portal", instansi=INSTANSI))
        assert r.status_code == 200 and r.json()["pegawai"]["nip"] == PEGAWAI_NIP
        assert (await client.get(url, headers=tokens("admin-dki", "admin", instansi=INSTANSI))).status_code == 422
        # the outsider has no superior: 422 naming the field
        r = await client.get(url, headers=tokens(OUTSIDER, "pegawai"))
        assert r.status_code == 422 and r.json()["code"] == "penilai-not-in-directory"


async def test_a_workbook_import_of_one_instansi_never_overwrites_another_instansis_draft(app, directory, tokens):
    """The XLSX import (sheet 'Daftar SKP') applies the bulk rule: a pegawai of another
    instansi answers like an unknown one, and the other instansi's draft stays as it was."""
    from kinerja_devstack.testing import eventually
    from kinerja_skp.adapters.xlsx_batch import write_batch
    from kinerja_skp.domain.model import SkpContent

    theirs = pppk_skp(**NEXT_YEAR)
    for who in ("pegawai", "penilai", "atasan_pejabat_penilai"):
        theirs[who]["instansi"] = BANDUNG
    forged = {**pppk_skp(**NEXT_YEAR), "tempat": "ditimpa"}  # the same NIP and periode, claimed for DKI
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory(theirs)
        r = await client.post("/api/v1/skp", json=theirs, headers=tokens("portal-bdg", "portal", instansi=BANDUNG))
        assert r.status_code == 201, r.text
        skp_id = r.json()["id"]
        r = await client.post("/api/v1/skp/imports", headers=admin, files={"file": (
            "daftar.xlsx", write_batch([SkpContent.model_validate(forged)]),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
        assert r.status_code == 202, r.text

        async def done():
            job = (await client.get(r.headers["Location"], headers=admin)).json()
            return job if job["status"] == "done" else None

        job = await eventually(done, timeout=30)
        assert job["summary"].get("invalid") == 1 and not job["summary"].get("updated"), job["summary"]
        assert job["report"][0]["errors"][0]["type"] == "pegawai-not-in-directory"
        doc = (await client.get(f"/api/v1/skp/{skp_id}", headers=tokens("admin-bdg", "admin", instansi=BANDUNG))).json()
        assert doc["version"] == 1 and doc["content"].get("tempat") is None
