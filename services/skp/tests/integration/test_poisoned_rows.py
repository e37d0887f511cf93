"""One bad record never stops work for others (issue 15): an SKP stored
before the edge bounded its values (year 9999, a broken snapshot) is set
aside by the deadline-reminder scan, every other SKP is reminded, and the
SKP itself still reads (no 500)."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

from kinerja_devstack.samples import nip, pppk_skp
from kinerja_devstack.testing import running
from kinerja_platform import isolation
from kinerja_platform.spreadsheet import formula_cells
from kinerja_skp.adapters.tables import SkpDocument
from kinerja_skp.service_layer import reminders
from openpyxl import load_workbook
from sqlalchemy import update

from .conftest import INSTANSI


async def test_poisoned_skps_are_set_aside_and_the_others_are_reminded(app, directory, tokens):
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory()
        ids = []
        for n in range(3):
            body = pppk_skp(pegawai_nip=nip(10 + n, born="19910101", appointed="202521", sex=2), mulai="2026-01-01",
                            selesai="2026-12-31")
            await directory(body)
            r = await client.post("/api/v1/skp", json=body, headers=admin)
            assert r.status_code == 201, r.text
            ids.append(uuid.UUID(r.json()["id"]))
        rt = app.state.runtime
        far, broken = ids[0], ids[1]
        async with rt.uow() as session:  # as if stored before the edge checked them
            await session.exec(update(SkpDocument).where(SkpDocument.id == far).values(tanggal_sk=dt.date(9999, 12, 31)))
            doc = await session.get(SkpDocument, broken)
            content = dict(doc.content)
            content["pegawai"] = {**content["pegawai"], "nip": "１２３"}
            await session.exec(update(SkpDocument).where(SkpDocument.id == broken).values(content=content))
        policy = rt.container.policy
        assert await reminders.scan(rt.uow, policy, 3, today=dt.date(2026, 1, 28)) == 1  # the healthy one
        assert str(broken) in {s.row_id for s in isolation.recent("skp-deadline-reminders")}
        # the far one is no error any more: its deadline is just far away; it still reads
        for path in (f"/api/v1/skp/{far}", f"/api/v1/skp/{far}/deadline"):
            r = await client.get(path, headers=admin)
            assert r.status_code == 200, r.text
        r = await client.get("/api/v1/admin/set-aside", headers=tokens("ops", "operator"))
        assert r.status_code == 200 and r.json()["counts"]["skp-deadline-reminders"] >= 1
        r = await client.get("/api/v1/admin/set-aside", headers=admin)
        assert r.status_code == 403


async def test_an_skp_stored_before_the_bounds_still_reads_and_exports(app, directory, tokens):
    """Rows written before the edge bounded values read back without the
    bounds (context STORED): the sheet and the check answer 200; submitting
    asks for a correction (422), never a 500."""
    me = tokens("199503152025212001", "pegawai")
    async with running(app) as client:
        await directory()
        r = await client.post("/api/v1/skp", json=pppk_skp(mulai="2027-01-01", selesai="2027-12-31"), headers=me)
        assert r.status_code == 201, r.text
        sid = uuid.UUID(r.json()["id"])
        async with app.state.runtime.uow() as session:
            doc = await session.get(SkpDocument, sid)
            content = json.loads(json.dumps(doc.content))
            content["pegawai"]["jabatan"] = "Pranata\x1b[31m Komputer\x00"
            content["hasil_kerja"][0]["uraian"] = "=HYPERLINK(\"http://evil.example\",\"klik\")"
            content["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "1" * 40
            content["tanggal_sk"] = "9999-12-31"
            await session.exec(update(SkpDocument).where(SkpDocument.id == sid).values(content=content))
        r = await client.get(f"/api/v1/skp/{sid}/xlsx", headers=me)
        assert r.status_code == 200, r.text[:300]
        wb = load_workbook(io.BytesIO(r.content))
        assert formula_cells(wb) == []
        r = await client.post(f"/api/v1/skp/{sid}/validate", headers=me)
        assert r.status_code == 200, r.text[:300]
        r = await client.post(f"/api/v1/skp/{sid}/submit", json={"version": 1}, headers=me)
        assert r.status_code == 422 and r.json()["code"] == "skp-invalid", r.text[:300]
        # an admin's penilai on it: also a correction first, never a 500
        r = await client.put(f"/api/v1/skp/{sid}/penilai", json={"version": 1, "nip": None, "alasan": "kembali ke direktori"},
                             headers=tokens("admin-dki", "admin", instansi="Pemerintah Provinsi DKI Jakarta"))
        assert r.status_code == 422 and r.json()["code"] == "skp-invalid", r.text[:300]
