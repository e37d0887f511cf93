"""Plans stored before the shared per-period target rule (or by an older
version of it) are rebuilt from their SKP snapshot by the scheduler's first
tick after a start (docs/evaluation.md "Plans stored under an older rule")."""

from __future__ import annotations

from kinerja_devstack.samples import PEGAWAI_NIP, nip, pppk_skp
from kinerja_devstack.testing import eventually, running
from kinerja_evaluation.adapters.lease import Lease
from kinerja_evaluation.adapters.tables import EvaluationPlan, Realisasi
from kinerja_evaluation.service_layer.scheduler import Scheduler
from sqlalchemy import select

from .conftest import approved, publish

SEP = "2025-09/PPPK_PARUH_WAKTU/monthly"
OLD_FIELDS = ("bulanan", "triwulan", "tahunan", "sifat_target", "sifat_catatan")


def as_stored_before_the_rule(line: dict) -> dict:
    """A plan line as the code before the shared rule stored it: every annual target split over the months
    like a count ("100 %" over Sep-Dec: 25 a month, 75 in TW IV), no resolved per-period targets."""
    old = {k: v for k, v in line.items() if k not in OLD_FIELDS}
    if line["satuan"] == "%":
        old["target_bulanan"] = [None] * 8 + [25.0] * 4
        old["target_triwulan"] = [None, None, 25.0, 75.0]
    return old


async def test_a_plan_stored_before_the_rule_is_rebuilt_once_and_a_bad_one_is_set_aside(app, tokens):
    ev = approved()
    other = approved(pppk_skp(pegawai_nip=nip(8, born="19950505", appointed="202521")))
    me = tokens(PEGAWAI_NIP, "pegawai")
    async with running(app) as client:
        await publish(app, ev)
        await publish(app, other)
        rt = app.state.runtime
        first: Scheduler = rt.container.scheduler

        async def two_plans():
            async with rt.uow() as s:
                return len((await s.exec(select(EvaluationPlan.skp_id))).all()) == 2

        await eventually(two_plans)
        assert f"open:{SEP}" in await first.run_once()
        eid = (await client.get("/api/v1/evaluations", params={"period_id": SEP}, headers=me)).json()[0]["id"]
        body = {"version": 1, "items": [{"iki_id": "iki-1", "nilai": 1}, {"iki_id": "iki-2", "nilai": 30},
                                        {"iki_id": "iki-3", "nilai": 1}]}
        r = await client.put(f"/api/v1/evaluations/{eid}/realisasi", json=body, headers=me)
        assert r.status_code == 200 and r.json()["capaian_hasil_kerja"] == 76.67, r.text  # (100 + 30 + 100) / 3
        # what a database written before the rule holds: the "100 %" target split 25 a month, and the capaian
        # it gave (30 against 25: 120), no rule version; the other plan's snapshot is unreadable
        async with rt.uow() as s:
            plan = await s.get(EvaluationPlan, ev.skp_id)
            plan.rencana = [as_stored_before_the_rule(x) for x in plan.rencana]
            plan.jumlah_iki_periode, plan.aturan_target = None, None
            real = await s.get(Realisasi, (eid, "iki-2"))
            real.capaian = 120.0
            bad = await s.get(EvaluationPlan, other.skp_id)
            bad.snapshot, bad.aturan_target = {"hasil_kerja": "not a list"}, None
        stale = (await client.get(f"/api/v1/evaluations/{eid}", headers=me)).json()
        assert stale["capaian_hasil_kerja"] == 106.67 and stale["version"] == 2  # (100 + 120 + 100) / 3
        sep_target = (await client.get(f"/api/v1/plans/{ev.skp_id}", headers=me)).json()["rencana"][1]
        assert sep_target["target_bulanan"][8] == 25.0 and sep_target["sifat_target"] is None

        # the process restarts: the new scheduler's first tick rebuilds before doing anything else
        await first.lease.release()
        s = rt.settings
        restarted = Scheduler(rt.uow, Lease(rt.js, bucket=s.scheduler_bucket, ttl=s.scheduler_lease_ttl),
                              first.clock, s)
        assert await restarted.rebuild_stale_plans() == (1, 1)  # the good one rebuilt, the bad one set aside
        plan = (await client.get(f"/api/v1/plans/{ev.skp_id}", headers=me)).json()
        line = plan["rencana"][1]
        assert line["sifat_target"] == "tingkat" and line["target_bulanan"][8] == 100.0
        assert line["bulanan"][8]["nilai"] == 100.0 and line["target_triwulan"] == [None, None, 100.0, 100.0]
        now = (await client.get(f"/api/v1/evaluations/{eid}", headers=me)).json()
        iki2 = next(x for x in now["hasil_kerja"] if x["iki_id"] == "iki-2")
        assert iki2["target"]["nilai"] == 100.0 and iki2["capaian"] == 30.0
        assert now["capaian_hasil_kerja"] == 76.67 and now["version"] == 3  # a client holding version 2 reloads
        # idempotent: the rebuilt plan is not touched again; the bad one is tried again, alone, and set aside again
        assert await restarted.rebuild_stale_plans() == (0, 1)
        assert (await client.get(f"/api/v1/evaluations/{eid}", headers=me)).json()["version"] == 3
        async with rt.uow() as session:
            fixed = await session.get(EvaluationPlan, other.skp_id)
            fixed.snapshot = pppk_skp(pegawai_nip=nip(8, born="19950505", appointed="202521"))
        assert await restarted.rebuild_stale_plans() == (1, 0)
        assert await restarted.rebuild_stale_plans() == (0, 0)  # nothing left: later ticks skip the scan
        async with rt.uow() as session:
            versions = (await session.exec(select(EvaluationPlan.aturan_target))).scalars().all()
        assert versions == [1, 1]
