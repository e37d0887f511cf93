"""An SKP approved after a period's realisasi deadline but before the
scheduler's close tick: the period is not measured for it (N/A), never
scored 0 (docs/evaluation.md "Which periods an SKP is scored in")."""

from __future__ import annotations

import datetime as dt

from kinerja_devstack.samples import DKI, PEGAWAI_NIP, nip, pppk_skp
from kinerja_devstack.testing import eventually, running

from .conftest import approved, at, publish

d = dt.date
SEP = "2025-09/PPPK_PARUH_WAKTU/monthly"
OCT = "2025-10/PPPK_PARUH_WAKTU/monthly"
LATE = nip(6, born="19960303", appointed="202521")


async def test_plan_approved_between_deadline_and_close_tick_is_not_scored_for_that_period(app, clock, tokens):
    late_skp = pppk_skp(pegawai_nip=LATE)
    admin = tokens("198001012005011001", "admin", instansi=DKI)
    async with running(app) as client:
        await publish(app, approved())  # on time: September opens with it
        sched = app.state.runtime.container.scheduler
        await eventually(lambda: sched.spans())
        assert f"open:{SEP}" in await sched.run_once()
        clock.set(at(d(2025, 10, 6)))  # the day after the deadline; the close tick has not run yet
        await publish(app, approved(late_skp))

        async def listed():
            r = await client.get("/api/v1/evaluations", params={"nip": LATE}, headers=admin)
            return r.status_code == 200 and r.json()

        # the annual evaluation shows the plan arrived; September (still open until the tick) was not joined
        rows = await eventually(listed)
        assert {e["period_id"] for e in rows} == {"2025/PPPK_PARUH_WAKTU/annual"}
        done = await sched.run_once()
        assert f"close:{SEP}" in done and f"open:{OCT}" in done
        rows = (await client.get("/api/v1/evaluations", params={"nip": LATE}, headers=admin)).json()
        assert {e["period_id"] for e in rows} == {OCT, "2025/PPPK_PARUH_WAKTU/annual"}
        # October filled in full: the annual average has no September 0 in it
        oct_id = next(e["id"] for e in rows if e["period_id"] == OCT)
        me = tokens(LATE, "pegawai")
        body = {"version": 1, "items": [{"iki_id": "iki-1", "nilai": 1}, {"iki_id": "iki-2", "nilai": 100},
                                        {"iki_id": "iki-3", "nilai": 1}]}
        r = await client.put(f"/api/v1/evaluations/{oct_id}/realisasi", json=body, headers=me)
        assert r.status_code == 200 and r.json()["capaian_hasil_kerja"] == 100.0, r.text
        clock.set(at(d(2025, 11, 6)))
        await sched.run_once()
        r = await client.get(f"/api/v1/hasil-tahunan/{LATE}/2025", headers=me)
        assert r.status_code == 200, r.text
        periode = {p["period_id"]: p["capaian_hasil_kerja"] for p in r.json()[0]["periode"]}
        # November is open with nothing entered yet (0 so far); September, which it could never fill, is absent:
        # (100 + 0) / 2 = 50, not (0 + 100 + 0) / 3 = 33.33
        assert periode == {OCT: 100.0, "2025-11/PPPK_PARUH_WAKTU/monthly": 0.0}
        assert r.json()[0]["rata_rata_capaian"] == 50.0
        # the one approved on time keeps its September, scored 0 for entering nothing
        mine = (await client.get("/api/v1/evaluations", params={"nip": PEGAWAI_NIP, "period_id": SEP},
                                 headers=admin)).json()
        assert len(mine) == 1 and mine[0]["capaian"] == 0.0
