"""One bad record never stops work for others (issue 15): an SKP stored
before the edge bounded its values (year 9999, a broken snapshot) is set
aside by the deadline-reminder scan, every other SKP is reminded, and the
SKP itself still reads (no 500)."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_devstack.samples import nip, pppk_skp
from kinerja_devstack.testing import running
from kinerja_platform import isolation
from kinerja_skp.adapters.tables import SkpDocument
from kinerja_skp.service_layer import reminders
from sqlalchemy import update

from .conftest import INSTANSI


async def test_poisoned_skps_are_set_aside_and_the_others_are_reminded(app, tokens):
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        ids = []
        for n in range(3):
            body = pppk_skp(pegawai_nip=nip(10 + n, born="19910101", appointed="202521", sex=2), mulai="2026-01-01",
                            selesai="2026-12-31")
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
        policy = rt.extras["policy"]
        assert await reminders.scan(rt.uow, policy, 3, today=dt.date(2026, 1, 28)) == 1  # the healthy one
        assert str(broken) in {s.row_id for s in isolation.recent("skp-deadline-reminders")}
        # the far one is no error any more: its deadline is just far away; it still reads
        for path in (f"/api/v1/skp/{far}", f"/api/v1/skp/{far}/deadline"):
            r = await client.get(path, headers=admin)
            assert r.status_code == 200, r.text
        r = await client.get("/api/v1/admin/set-aside", headers=tokens("ops", "admin"))
        assert r.status_code == 200 and r.json()["counts"]["skp-deadline-reminders"] >= 1
        r = await client.get("/api/v1/admin/set-aside", headers=admin)
        assert r.status_code == 403
