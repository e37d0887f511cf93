"""Bulk upserts and file imports: idempotent, per-item / per-row results, one
bad item never fails the others, progress while an import runs."""

from __future__ import annotations

import io

from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PEGAWAI_NIP, PENILAI_NIP, nip
from kinerja_devstack.testing import assert_documented, eventually
from openpyxl import Workbook

from .conftest import UNIT, person

SUBJECT = "kinerja.directory.person_changed"


def staff(n: int) -> list[dict]:
    return [{"person_id": nip(i, born="19980101", appointed="202521", sex=1 + i % 2),
             **person(nama=f"Pegawai {i:03d}", email=f"p{i}@example.go.id")} for i in range(n)]


async def test_bulk_is_idempotent_and_reports_each_item(harness):
    async with harness() as h:
        await h.seed()
        items = staff(5)
        items.insert(2, {"person_id": "199503152025212099", **person(email="bukan-email")})
        items.insert(4, {**person(), "nama": "Tanpa id"} | {"nip": None})
        items.append({"person_id": "199503152025212098", **person(nama="Siti\x00Rahmawati")})  # PostgreSQL stores no NUL
        r = await h.client.post("/api/v1/people/bulk", headers=h.who.portal, json={"items": items})
        assert r.status_code == 200, r.text
        body = r.json()
        assert_documented(h.app, "POST", "/api/v1/people/bulk", 200, body)
        assert body["summary"] == {"created": 5, "invalid": 3, "total": 8}
        statuses = [x["status"] for x in body["results"]]
        assert statuses == ["created", "created", "invalid", "created", "invalid", "created", "created", "invalid"]
        assert body["results"][7]["errors"][0]["path"] == "items[7].nama"
        assert body["results"][2]["errors"][0]["path"] == "items[2].email"
        assert body["results"][4]["errors"][0]["path"] == "items[4].person_id"
        events = len(await h.events(SUBJECT))
        again = await h.client.post("/api/v1/people/bulk", headers=h.who.portal, json={"items": items})
        assert again.json()["summary"] == {"unchanged": 5, "invalid": 3, "total": 8}
        assert len(await h.events(SUBJECT)) == events  # a retry publishes nothing
        # a mutasi for some, in the same call as unchanged ones
        items[0]["atasan_id"] = ATASAN_PEJABAT_PENILAI_NIP
        items[0]["berlaku_mulai"] = "2026-01-01"
        r = await h.client.post("/api/v1/people/bulk", headers=h.who.admin, json={"items": items})
        assert r.json()["results"][0] == {"index": 0, "person_id": items[0]["person_id"], "status": "updated",
                                          "version": 2, "perubahan": "mutasi"}
        r = await h.client.get(f"/api/v1/people/{items[0]['person_id']}/history", headers=h.who.admin)
        assert [v["source"] for v in r.json()["versions"]] == ["bulk", "bulk"]
        assert_documented(h.app, "GET", "/api/v1/people/{person_id}/history", 200, r.json())
        assert any(v["before"] for v in r.json()["versions"])  # the mutasi's record before it is checked too


async def test_the_same_person_twice_in_one_bulk_is_two_versions(harness):
    async with harness() as h:
        await h.seed()
        items = [{"nip": PEGAWAI_NIP, **person(berlaku_mulai="2026-01-01", jabatan="Staf A")},
                 {"nip": PEGAWAI_NIP, **person(berlaku_mulai="2026-02-01", jabatan="Staf B")}]
        r = await h.client.post("/api/v1/people/bulk", headers=h.who.portal, json={"items": items})
        assert [x["version"] for x in r.json()["results"]] == [2, 3], r.text
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}", headers=h.who.portal)
        assert [x["jabatan"] for x in r.json()["riwayat"]] == ["Pengelola Umum Operasional", "Staf A", "Staf B"]


CSV = f"""nip;nama;jenis_asn;pangkat_golongan;jabatan;jenis_jabatan;unit_id;email;aktif;atasan_id;berlaku_mulai
{ATASAN_PEJABAT_PENILAI_NIP};Dra. Hj. Ratna Dewi, M.Si.;PNS;Pembina Utama Muda IV/c;Kepala Suku Dinas Pendidikan Wilayah I;JPT;{UNIT};ratna.dewi@example.go.id;ya;;01/01/2020
{PENILAI_NIP};Budi Santoso, S.Pd., M.M.;PNS;Pembina IV/a;Kepala Seksi Sarana dan Prasarana;administrasi;{UNIT};budi.santoso@example.go.id;ya;{ATASAN_PEJABAT_PENILAI_NIP};01/01/2020
{PEGAWAI_NIP};Siti Rahmawati;PPPK_PARUH_WAKTU;IX;Pengelola Umum Operasional;administrasi;{UNIT};siti.rahma@example.go.id;ya;{PENILAI_NIP};01/09/2025
199503152025212002;Rina;HONORER;;;;{UNIT};;ya;{PENILAI_NIP};01/09/2025
199503152025212003;Dewi;PPPK;IX;Staf;administrasi;unit-lain;;ya;{PENILAI_NIP};01/09/2025

199503152025212004;Ayu;PPPK;IX;Staf;administrasi;{UNIT};;mungkin;{PENILAI_NIP};2025-09-01
"""


async def _finished(h, job_id, headers):
    async def done():
        r = await h.client.get(f"/api/v1/imports/{job_id}", headers=headers)
        return r.json() if r.json()["status"] != "running" else None

    return await eventually(done, timeout=30)


async def test_a_csv_import_reports_every_row_and_is_idempotent(harness):
    async with harness() as h:
        r = await h.client.put(f"/api/v1/units/{UNIT}", headers=h.who.portal, json={"nama": "Sudin Pendidikan JT I"})
        assert r.status_code == 201
        r = await h.client.post("/api/v1/imports", headers=h.who.portal,
                                files={"file": ("pegawai.csv", CSV.encode(), "text/csv")})
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        assert r.headers["location"] == f"/api/v1/imports/{job_id}"
        job = await _finished(h, job_id, h.who.admin)  # any portal/admin of the instansi reads it
        assert job["status"] == "done" and job["total"] == 6 and job["processed"] == 6, job
        assert job["summary"] == {"created": 3, "invalid": 3, "baris": 6}
        assert_documented(h.app, "GET", "/api/v1/imports/{job_id}", 200, job)
        report = {row["baris"]: row for row in job["report"]}
        assert sorted(report) == [2, 3, 4, 5, 6, 8]  # line numbers in the file (the blank line 7 skipped)
        assert report[4]["status"] == "created" and report[4]["person_id"] == PEGAWAI_NIP
        assert report[5]["errors"][0]["path"] == "jenis_asn"
        assert report[6]["code"] == "unit-unknown"
        assert report[8]["errors"][0]["path"] == "aktif"
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}/penilai", headers=h.who.pegawai)
        assert r.json()["atasan_pejabat_penilai"]["jenis_jabatan"] == "JPT"
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}/history", headers=h.who.portal)
        assert r.json()["versions"][0]["source"] == "import"
        # the same file again: nothing changes
        events = len(await h.events(SUBJECT))
        r = await h.client.post("/api/v1/imports", headers=h.who.portal,
                                files={"file": ("pegawai.csv", CSV.encode(), "text/csv")})
        job = await _finished(h, r.json()["id"], h.who.portal)
        assert job["summary"] == {"unchanged": 3, "invalid": 3, "baris": 6}
        assert len(await h.events(SUBJECT)) == events
        # another instansi's job answers like an unknown one
        r = await h.client.get(f"/api/v1/imports/{job_id}", headers=h.who.admin_bdg)
        assert r.status_code == 404 and r.json()["code"] == "import-not-found"


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Pegawai"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def test_an_xlsx_import_shows_progress_and_refuses_a_bad_header(harness):
    async with harness() as h:
        await h.seed()
        header = ["NIP", "Nama", "Atasan_ID", "Berlaku_Mulai", "Aktif"]
        rows = [[p["person_id"], p["nama"], PENILAI_NIP, "2025-09-01", "ya"] for p in staff(250)]
        rows.append([199503152025212005, "Angka", PENILAI_NIP, "2025-09-01", "ya"])  # a NIP typed as a number
        r = await h.client.post("/api/v1/imports", headers=h.who.portal, files={
            "file": ("pegawai.xlsx", _xlsx([header, *rows]), "application/octet-stream")})
        assert r.status_code == 202, r.text
        seen: set[int] = set()

        async def done():
            j = (await h.client.get(f"/api/v1/imports/{r.json()['id']}", headers=h.who.portal)).json()
            seen.add(j["processed"])
            return j if j["status"] != "running" else None

        job = await eventually(done, timeout=60, interval=0.02)
        assert job["summary"] == {"created": 250, "invalid": 1, "baris": 251}, job["summary"]
        assert job["report"][-1]["errors"][0]["path"] == "nip"
        assert job["processed"] == 251 and seen <= {0, 100, 200, 251}  # progress moves chunk by chunk
        bad = _xlsx([["nip", "nama", "golongan"], [PEGAWAI_NIP, "Siti", "IX"]])
        r = await h.client.post("/api/v1/imports", headers=h.who.portal, files={"file": ("x.xlsx", bad, "x")})
        job = await _finished(h, r.json()["id"], h.who.portal)
        assert job["status"] == "failed" and "golongan" in job["error"] and "berlaku_mulai" in job["error"]


async def test_progress_is_reported_after_each_committed_chunk(harness):
    from kinerja_directory.service_layer import people

    async with harness() as h:
        await h.seed()
        principal = h.app.state.verifier.verify(h.who.portal["Authorization"].split()[1])
        reported: list[int] = []

        async def progress(n: int) -> None:
            async with h.rt.uow() as session:  # what a reader of the job would see: the chunk is committed
                from kinerja_directory.adapters.repository import DirectoryRepository

                assert (await DirectoryRepository(session).person(staff(250)[n - 1]["person_id"])) is not None
            reported.append(n)

        items = people.parse_items(staff(250))
        results = await people.upsert_many(h.rt.uow, principal, items, now=h.clock(), source="bulk", progress=progress)
        assert reported == [100, 200, 250] and {r.status for r in results} == {"created"}


async def test_the_sample_directory_of_make_run_and_the_documented_example_file(harness, tokens):
    """``make run`` seeds the README tour's people once; docs/examples/directory-pegawai.csv imports the same."""
    from pathlib import Path

    from kinerja_devstack.samples import DKI, directory_people, seed_directory

    async with harness() as h:
        seeder = tokens("kinerja-dev-seed", "portal", instansi=DKI)
        assert await seed_directory(h.client, seeder) == f"seeded 3 people of {DKI}"
        assert await seed_directory(h.client, seeder) == f"holds 3 people of {DKI}; not seeded"
        r = await h.client.get(f"/api/v1/people/{PEGAWAI_NIP}/penilai", headers=h.who.pegawai)
        chain = r.json()
        assert chain["penilai_id"] == PENILAI_NIP and chain["atasan_pejabat_penilai_id"] == ATASAN_PEJABAT_PENILAI_NIP
        example = Path(__file__).resolve().parents[4] / "docs" / "examples" / "directory-pegawai.csv"
        r = await h.client.post("/api/v1/imports", headers=seeder,
                                files={"file": (example.name, example.read_bytes(), "text/csv")})
        job = await _finished(h, r.json()["id"], seeder)
        # the example file is the sample directory: every row is already there
        assert job["summary"] == {"unchanged": len(directory_people()), "baris": len(directory_people())}, job
