"""People through the API: idempotent upsert, mutasi from a date, who
appraises whom on a date, the history of versions, people without NIP."""

from __future__ import annotations

from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP

from .conftest import DKI, UNIT

SUBJECT = "kinerja.directory.person_changed"


async def test_put_is_idempotent_and_a_noop_writes_nothing(harness):
    async with harness() as h:
        await h.seed()
        before = await h.events(SUBJECT)
        assert len(before) == 3
        r = await h.put(PEGAWAI_NIP)
        assert r.status_code == 200, r.text
        assert r.json() == {"person_id": PEGAWAI_NIP, "status": "unchanged", "version": 1, "perubahan": None}
        assert len(await h.events(SUBJECT)) == 3  # no event
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}/history", headers=h.who.portal)
        assert [v["version"] for v in r.json()["versions"]] == [1]  # no version


async def test_a_created_person_is_an_event_with_the_whole_record(harness):
    async with harness() as h:
        await h.seed()
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}", headers=h.who.admin)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["version"] == 1 and body["record"]["unit_kerja"].startswith("Suku Dinas Pendidikan")
        [event] = [e for e in await h.events(SUBJECT) if e["data"]["person_id"] == PEGAWAI_NIP]
        assert event["event_type"] == "directory.person_changed" and event["actor"]["sub"] == "portal-dki"
        data = event["data"]
        assert data["version"] == 1 and data["perubahan"] == "baru"
        assert data["record"] == body["record"]
        assert data["record"]["atasan_id"] == PENILAI_NIP and data["record"]["email"] == "siti.rahma@example.go.id"


async def test_a_mutasi_closes_the_previous_record_and_answers_the_penilai_by_date(harness):
    async with harness() as h:
        await h.seed()
        # from 1 March 2026 the pegawai reports to the atasan pejabat penilai directly
        r = await h.put(PEGAWAI_NIP, headers=h.who.admin, atasan_id=ATASAN_PEJABAT_PENILAI_NIP, berlaku_mulai="2026-03-01",
                        jabatan="Pengadministrasi Perkantoran")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "updated" and r.json()["version"] == 2 and r.json()["perubahan"] == "mutasi"

        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}/penilai", params={"tanggal": "2026-02-28"},
                               headers=h.who.pegawai)
        assert r.status_code == 200, r.text
        chain = r.json()
        assert chain["penilai"]["person_id"] == PENILAI_NIP and chain["penilai"]["nama"].startswith("Budi")
        assert chain["atasan_pejabat_penilai"]["person_id"] == ATASAN_PEJABAT_PENILAI_NIP
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}/penilai", params={"tanggal": "2026-03-01"},
                               headers=h.who.pegawai)
        chain = r.json()
        assert chain["penilai_id"] == ATASAN_PEJABAT_PENILAI_NIP and chain["atasan_pejabat_penilai_id"] is None
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}/penilai", params={"tanggal": "2025-08-31"},
                               headers=h.who.pegawai)
        assert r.status_code == 404 and r.json()["code"] == "no-record-on-date"

        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}", headers=h.who.pegawai)  # today: 2 March 2026
        body = r.json()
        assert [(x["berlaku_mulai"], x["berlaku_sampai"]) for x in body["riwayat"]] == [
            ("2025-09-01", "2026-02-28"), ("2026-03-01", None)]
        assert body["record"]["jabatan"] == "Pengadministrasi Perkantoran"

        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}/history", headers=h.who.pegawai)
        v1, v2 = r.json()["versions"]
        assert (v1["actor_sub"], v1["source"], v1["perubahan"]) == ("portal-dki", "api", "baru")
        assert (v2["actor_sub"], v2["actor_role"], v2["perubahan"]) == ("admin-dki", "admin", "mutasi")
        assert sorted(v2["changed_fields"]) == ["atasan_id", "jabatan"]
        assert v2["before"]["atasan_id"] == PENILAI_NIP and v2["record"]["atasan_id"] == ATASAN_PEJABAT_PENILAI_NIP
        [event] = [e for e in await h.events(SUBJECT) if e["data"]["version"] == 2]
        assert [x["berlaku_sampai"] for x in event["data"]["riwayat"]] == ["2026-02-28", None]


async def test_a_person_without_nip_appraises_a_jpt(harness):
    async with harness() as h:
        await h.seed()
        r = await h.client.post("/api/v1/people", headers={**h.who.portal, "Idempotency-Key": "gub-1"}, json={
            "nama": "Gubernur Provinsi DKI Jakarta", "jabatan": "Gubernur", "berlaku_mulai": "2025-01-01"})
        assert r.status_code == 201, r.text
        gub = r.json()["person_id"]
        assert gub.startswith("tn-") and r.headers["location"] == f"/api/v1/people/{gub}"
        again = await h.client.post("/api/v1/people", headers={**h.who.portal, "Idempotency-Key": "gub-1"}, json={
            "nama": "Gubernur Provinsi DKI Jakarta", "jabatan": "Gubernur", "berlaku_mulai": "2025-01-01"})
        assert again.json()["person_id"] == gub  # a retry does not create a second governor
        r = await h.put(ATASAN_PEJABAT_PENILAI_NIP, jenis_jabatan="JPT", atasan_id=gub, berlaku_mulai="2020-01-01")
        assert r.status_code == 200, r.text
        r = await h.client.get(f"/api/v1/people/{ATASAN_PEJABAT_PENILAI_NIP}/penilai", headers=h.who.boss)
        chain = r.json()
        assert chain["penilai"]["person_id"] == gub and chain["penilai"]["nip"] is None
        assert chain["penilai"]["jenis_asn"] is None
        r = await h.client.post("/api/v1/people", headers=h.who.portal, json={
            "nama": "Siti", "nip": PEGAWAI_NIP, "berlaku_mulai": "2025-01-01"})
        assert r.status_code == 422 and r.json()["code"] == "person-has-nip"


async def test_bad_input_names_every_field_and_unknown_units_are_refused(harness):
    async with harness() as h:
        await h.seed()
        r = await h.client.put(f"/api/v1/people/{PEGAWAI_NIP}", headers=h.who.portal,
                               json={"nama": "", "email": "nope", "berlaku_mulai": "kemarin", "golongan": "IX"})
        assert r.status_code == 422
        paths = {e["path"] for e in r.json()["errors"]}
        assert {"body.nama", "body.email", "body.berlaku_mulai", "body.golongan"} <= paths
        r = await h.put(PEGAWAI_NIP, unit_id="tidak-ada")
        assert r.status_code == 422 and r.json()["code"] == "unit-unknown"
        r = await h.put("199503152025212002", nip=PEGAWAI_NIP)
        assert r.status_code == 422 and r.json()["errors"][0]["path"] == "nip"
        r = await h.put(PEGAWAI_NIP, instansi="Pemerintah Kota Bandung")
        assert r.status_code == 422 and r.json()["code"] == "instansi-mismatch"


async def test_list_filters_searches_and_pages_on_a_date(harness):
    async with harness() as h:
        await h.seed()
        r = await h.client.get("/api/v1/people", headers=h.who.admin, params={"limit": 2})
        page = r.json()
        assert r.status_code == 200 and page["total"] == 3 and len(page["items"]) == 2 and page["tanggal"] == "2026-03-02"
        names = [p["nama"] for p in page["items"]]
        r = await h.client.get("/api/v1/people", headers=h.who.admin, params={"limit": 2, "offset": 2})
        assert len(r.json()["items"]) == 1 and r.json()["items"][0]["nama"] not in names
        r = await h.client.get("/api/v1/people", headers=h.who.admin, params={"q": "budi"})
        assert [p["person_id"] for p in r.json()["items"]] == [PENILAI_NIP]
        r = await h.client.get("/api/v1/people", headers=h.who.admin, params={"atasan_id": PENILAI_NIP})
        assert [p["person_id"] for p in r.json()["items"]] == [PEGAWAI_NIP]
        r = await h.client.get("/api/v1/people", headers=h.who.admin, params={"tanggal": "2025-08-31"})
        assert r.json()["total"] == 2  # the pegawai's first record starts 1 September 2025
        r = await h.client.get("/api/v1/people", headers=h.who.admin, params={"unit_id": UNIT, "aktif": True})
        assert r.json()["total"] == 3


async def test_units_are_idempotent_versioned_and_published(harness):
    async with harness() as h:
        await h.seed()
        r = await h.client.put(f"/api/v1/units/{UNIT}", headers=h.who.admin, json={
            "nama": "Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur"})
        assert r.status_code == 200 and r.json()["status"] == "unchanged" and r.json()["version"] == 1
        r = await h.client.put(f"/api/v1/units/{UNIT}", headers=h.who.admin, json={"nama": "Sudin Pendidikan JT I"})
        assert r.json()["status"] == "updated" and r.json()["version"] == 2
        events = await h.events("kinerja.directory.unit_changed")
        assert [e["data"]["version"] for e in events] == [1, 2]
        assert events[1]["data"]["unit"] == {"unit_id": UNIT, "instansi": DKI, "nama": "Sudin Pendidikan JT I",
                                             "induk_id": None, "aktif": True}
        assert events[1]["data"]["changed_fields"] == ["nama"]
        r = await h.client.get("/api/v1/units", headers=h.who.portal)
        assert [u["unit"]["nama"] for u in r.json()] == ["Sudin Pendidikan JT I"]
        r = await h.client.get("/api/v1/units", headers=h.who.admin_bdg)
        assert r.json() == []  # another instansi's units are not listed
        # the same code in another instansi is another unit
        r = await h.client.put(f"/api/v1/units/{UNIT}", headers=h.who.admin_bdg, json={"nama": "Dinas Bandung"})
        assert r.status_code == 201
