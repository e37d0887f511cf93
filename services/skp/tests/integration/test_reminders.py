"""Deadline reminders: once per SKP per deadline, deterministic event ids."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from kinerja_devstack.samples import PEGAWAI_NIP, nip, pppk_skp
from kinerja_devstack.testing import running
from kinerja_skp.service_layer import reminders
from sqlalchemy import text

from .conftest import INSTANSI


async def outbox(app) -> list[dict]:
    async with app.state.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT id, subject, payload FROM outbox ORDER BY created_at"))).all()
    return [{"id": str(uuid.UUID(str(r.id))), "subject": r.subject, **json.loads(bytes(r.payload))} for r in rows]


async def test_reminder_once_per_skp_and_deadline(app, directory, tokens):
    admin = tokens("admin-dki", "admin", instansi=INSTANSI)
    async with running(app) as client:
        await directory()
        a = (await client.post("/api/v1/skp", json=pppk_skp(mulai="2026-01-01", selesai="2026-12-31"),
                               headers=tokens(PEGAWAI_NIP, "pegawai"))).json()
        late = pppk_skp(pegawai_nip=nip(3, born="19910101", appointed="202521", sex=2), mulai="2026-01-01", selesai="2026-12-31")
        late["tanggal_sk"] = "2026-01-20"  # due 30 January
        await directory(late)
        await client.post("/api/v1/skp", json=late, headers=admin)
        rt = app.state.runtime
        policy = rt.container.policy

        assert await reminders.scan(rt.uow, policy, 3, today=dt.date(2026, 1, 20)) == 0
        assert await reminders.scan(rt.uow, policy, 3, today=dt.date(2026, 1, 28)) == 2
        assert await reminders.scan(rt.uow, policy, 3, today=dt.date(2026, 1, 29)) == 0  # once per deadline
        events = [e for e in await outbox(app) if e["subject"] == "kinerja.skp.deadline_approaching"]
        by_skp = {e["data"]["skp_id"]: e for e in events}
        assert by_skp[a["id"]]["data"]["deadline"] == "2026-01-31" and by_skp[a["id"]]["data"]["days_left"] == 3
        assert by_skp[a["id"]]["id"] == str(reminders.reminder_event_id(uuid.UUID(a["id"]), dt.date(2026, 1, 31)))
        assert by_skp[a["id"]]["data"]["pegawai"]["email"] == "siti.rahma@example.go.id"

        # an extension moves the deadline: one more reminder before the new one; a Pending SKP gets none
        await client.post("/api/v1/deadline-extensions", json={"tahun": 2026, "sampai": "2026-02-10", "nip": PEGAWAI_NIP},
                          headers=admin)
        assert await reminders.scan(rt.uow, policy, 3, today=dt.date(2026, 2, 8)) == 1
        policy.today = lambda: dt.date(2026, 2, 9)
        await client.post(f"/api/v1/skp/{a['id']}/submit", json={"version": 1}, headers=tokens(PEGAWAI_NIP, "pegawai"))
        assert await reminders.scan(rt.uow, policy, 3, today=dt.date(2026, 2, 9)) == 0
