"""XLSX export/import, workbook imports with progress, and the PDF, over HTTP."""

from __future__ import annotations

import asyncio
import uuid

from kinerja_contracts.events import ApprovalApproved
from kinerja_devstack.samples import PEGAWAI_NIP, PENILAI_NIP, pppk_skp
from kinerja_devstack.testing import assert_documented, eventually, running
from kinerja_skp.adapters.xlsx_batch import write_batch
from kinerja_skp.domain.model import SkpContent
from kinerja_skp.main import create_app
from kinerja_skp.service_layer import imports

from .conftest import INSTANSI, NEXT_YEAR
from .test_bulk_intake import drafts
from .test_status_and_deadlines import decision, publish

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_xlsx_round_trip_through_the_api(app, directory, tokens):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        skp = (await client.post("/api/v1/skp", json=pppk_skp(), headers=me)).json()
        r = await client.get(f"/api/v1/skp/{skp['id']}/xlsx", headers=me)
        assert r.status_code == 200 and r.headers["content-type"] == XLSX
        workbook = r.content
        # uploading the same workbook changes nothing
        files = {"file": ("skp.xlsx", workbook, XLSX)}
        r = await client.post("/api/v1/skp/xlsx", files=files, headers={**me, "If-Match": '"1"'})
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 1 and r.json()["content_hash"] == skp["content_hash"]
        # an existing SKP needs the version
        r = await client.post("/api/v1/skp/xlsx", files=files, headers=me)
        assert r.status_code == 428
        # a new period creates a draft; someone else's workbook is refused
        other = SkpContent.model_validate(pppk_skp(**NEXT_YEAR))
        from kinerja_skp.adapters.xlsx_writer import write_skp

        r = await client.post("/api/v1/skp/xlsx", files={"file": ("b.xlsx", write_skp(other), XLSX)}, headers=me)
        assert r.status_code == 201 and r.json()["content"]["periode"]["mulai"] == "2027-01-01"
        r = await client.post("/api/v1/skp/xlsx", files={"file": ("b.xlsx", write_skp(other), XLSX)},
                              headers=tokens(PENILAI_NIP, "pegawai"))
        assert r.status_code == 403
        r = await client.post("/api/v1/skp/xlsx", files={"file": ("x.xlsx", b"garbage", XLSX)}, headers=me)
        assert r.status_code == 422 and r.json()["code"] == "xlsx-unreadable"


async def test_pdf_only_for_an_approved_skp(app, directory, tokens, nats_server):
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await directory()
        skp = (await client.post("/api/v1/skp", json=pppk_skp(**NEXT_YEAR), headers=me)).json()
        url = f"/api/v1/skp/{skp['id']}"
        r = await client.get(f"{url}/pdf", headers=me)
        assert r.status_code == 409 and r.json()["code"] == "skp-not-approved"
        skp = (await client.post(f"{url}/submit", json={"version": 1}, headers=me)).json()
        await publish(nats_server.url, decision(ApprovalApproved, skp, 1, "Approved", decided_by=PENILAI_NIP))

        async def approved():
            return (await client.get(url, headers=me)).json()["status"] == "Approved"

        await eventually(approved)
        body = (await client.get(url, headers=me)).json()
        assert body["persetujuan"]["decided_by"] == PENILAI_NIP and body["persetujuan"]["version"] == 1
        assert_documented(app, "GET", "/api/v1/skp/{skp_id}", 200, body)  # persetujuan as Persetujuan
        r = await client.get(f"{url}/pdf", headers=tokens(PENILAI_NIP, "atasan"))
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF") and len(r.content) > 2000


async def test_workbook_import_with_progress_and_row_report(app, directory, tokens):
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    contents = [SkpContent.model_validate(d) for d in drafts(40)]
    workbook = write_batch(contents)
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(workbook))
    ws = wb["Daftar SKP"]
    ws.cell(2 + 3 * 5 + 1, 26).value = None  # SKP #6, its 2nd IKI loses its target
    ws.cell(2 + 3 * 7, 1).value = "199502302025212001"  # SKP #8's first row: an impossible NI PPPK
    buf = io.BytesIO()
    wb.save(buf)
    async with running(app) as client:
        await directory(*drafts(40))
        r = await client.get("/api/v1/skp/imports/template.xlsx")
        assert r.status_code == 200 and r.headers["content-type"] == XLSX
        r = await client.post("/api/v1/skp/imports", files={"file": ("daftar.xlsx", buf.getvalue(), XLSX)}, headers=admin)
        assert r.status_code == 202, r.text
        job_url = r.headers["Location"]

        async def done():
            job = (await client.get(job_url, headers=admin)).json()
            assert job["status"] != "failed", job
            return job if job["status"] == "done" else None

        job = await eventually(done, timeout=60)
        assert job["total"] == job["processed"] == 120
        assert_documented(app, "GET", "/api/v1/skp/imports/{job_id}", 200, job)
        assert job["summary"]["created"] == 40 and job["summary"]["invalid"] == 1 and job["summary"]["skp"] == 41
        rows = {r["row"]: r for r in job["report"]}
        assert len(rows) == 120
        assert rows[18]["status"] == "created" and rows[18]["issues"][0]["rule"] == "target-required"
        assert rows[17]["issues"] == []
        assert rows[23]["status"] == "invalid" and rows[23]["errors"][0]["type"] == "nip-format"
        assert (await client.get(job_url, headers=tokens("someone-else", "admin", instansi=INSTANSI))).status_code == 404

        # importing the same workbook again changes nothing
        r = await client.post("/api/v1/skp/imports", files={"file": ("daftar.xlsx", buf.getvalue(), XLSX)}, headers=admin)
        job2 = await eventually(lambda: _done(client, r.headers["Location"], admin), timeout=60)
        assert job2["summary"]["unchanged"] == 40
        uuid.UUID(job2["id"])


async def _done(client, url, headers):
    job = (await client.get(url, headers=headers)).json()
    return job if job["status"] == "done" else None


async def test_an_import_cut_short_by_a_shutdown_says_so_on_its_job(settings, tokens, monkeypatch):
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    workbook = write_batch([SkpContent.model_validate(d) for d in drafts(3)])
    started = asyncio.Event()

    async def stuck(*args, **kwargs):  # an import still at work when the service is told to stop
        started.set()
        await asyncio.sleep(3600)

    monkeypatch.setattr(imports.bulk, "bulk_upsert", stuck)
    async with running(create_app(settings)) as client:
        r = await client.post("/api/v1/skp/imports", files={"file": ("daftar.xlsx", workbook, XLSX)}, headers=admin)
        assert r.status_code == 202, r.text
        job_url = r.headers["Location"]
        await asyncio.wait_for(started.wait(), 10)
        assert (await client.get(job_url, headers=admin)).json()["status"] == "running"
    monkeypatch.undo()

    async with running(create_app(settings)) as client:  # after the restart
        job = (await client.get(job_url, headers=admin)).json()
    assert job["status"] == "failed" and job["total"] == 9 and job["processed"] == 0
    assert "after 0 of 9 rows" in job["error"] and "upload the same workbook again" in job["error"]


async def test_workbook_import_reads_sifat_target_and_per_period_targets_row_by_row(app, directory, tokens):
    """Issue 16: the Daftar SKP sheet's SIFAT TARGET and TARGET JAN..DES / TW I..IV columns become the IKI's
    sifat_target and target_periode; a cell the shared rule cannot read is reported on its own row."""
    import io

    from openpyxl import load_workbook

    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    wb = load_workbook(io.BytesIO(write_batch([SkpContent.model_validate(d) for d in drafts(2)])))
    ws = wb["Daftar SKP"]
    col = {c.value: c.column for c in ws[1]}
    # SKP 1, its "100 %" IKI (row 3): a level, measured in TW II (at least 30) and TW IV (80-100, stabilize) only
    ws.cell(3, col["SIFAT TARGET"]).value = "tingkat"
    for tw, text in (("I", "N/A"), ("II", "30 (maximize)"), ("III", "N/A"), ("IV", "80 - 100 (stabilize)")):
        ws.cell(3, col[f"TARGET TW {tw}"]).value = text
    ws.cell(6, col["TARGET TW II"]).value = "banyak"  # SKP 2, the same IKI: not a target
    buf = io.BytesIO()
    wb.save(buf)
    async with running(app) as client:
        await directory(*drafts(2))
        r = await client.post("/api/v1/skp/imports", files={"file": ("daftar.xlsx", buf.getvalue(), XLSX)}, headers=admin)
        assert r.status_code == 202, r.text
        job = await eventually(lambda: _done(client, r.headers["Location"], admin), timeout=60)
        rows = {x["row"]: x for x in job["report"]}
        assert job["summary"]["created"] == 1 and job["summary"]["invalid"] == 1, job["summary"]
        assert rows[3]["status"] == "created" and rows[3]["errors"] == []
        assert rows[6]["status"] == "invalid" and "banyak" in str(rows[6]["errors"])
        assert all(rows[n]["errors"] == [] for n in (5, 7))  # the other rows of that SKP are not blamed
        skp = (await client.get(f"/api/v1/skp/{rows[3]['skp_id']}", headers=admin)).json()
        iki = skp["content"]["hasil_kerja"][1]["iki"][0]
        assert iki["sifat_target"] == "tingkat"
        na, tw2, _, tw4 = iki["target_periode"]["triwulan"]
        assert na["na"] is True and tw2["nilai"] == 30 and tw2["polaritas"] == "higher_is_better"
        assert (tw4["minimum"], tw4["maksimum"], tw4["polaritas"]) == (80, 100, "range")
