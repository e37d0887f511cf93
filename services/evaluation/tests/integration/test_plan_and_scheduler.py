"""Plans from approvals; the scheduler with a manual clock (months in seconds),
a NATS KV lease, and catch-up without doing a tick twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections import Counter

from kinerja_contracts.events import new_envelope
from kinerja_devstack.samples import PEGAWAI_NIP, pppk_skp
from kinerja_devstack.testing import ManualClock, eventually, running
from kinerja_evaluation.adapters.lease import Lease
from kinerja_evaluation.adapters.tables import EvaluationPlan
from kinerja_evaluation.main import create_app
from kinerja_evaluation.service_layer.scheduler import Scheduler

from .conftest import approved, at, outbox, publish

d = dt.date


async def test_approved_skp_becomes_a_plan_with_period_targets(app, tokens):
    ev = approved()
    async with running(app) as client:
        await publish(app, ev)
        me = tokens(PEGAWAI_NIP, "pegawai")

        async def plan():
            r = await client.get(f"/api/v1/plans/{ev.skp_id}", headers=me)
            return r.status_code == 200 and r.json()

        p = await eventually(plan)
        assert p["nip"] == PEGAWAI_NIP and p["version"] == 1 and p["jenis_pegawai"] == "PPPK_PARUH_WAKTU"
        iki = {x["iki_id"]: x for x in p["rencana"]}
        assert set(iki) == {"iki-1", "iki-2", "iki-3"}
        assert iki["iki-1"]["target_tahunan"] == 4 and iki["iki-1"]["target_bulanan"][8] == 1
        assert iki["iki-2"]["target_triwulan"] == [None, None, 100, 100]
        r = await client.get(f"/api/v1/plans/{ev.skp_id}", headers=tokens("199001012015011999", "pegawai"))
        assert r.status_code == 403


async def test_scheduler_opens_reminds_closes_month_by_month(app, clock):
    ev = approved()
    async with running(app) as _:
        await publish(app, ev)
        rt = app.state.runtime
        sched: Scheduler = rt.container.scheduler
        await eventually(lambda: sched.spans())
        done = await sched.run_once()
        assert done == ["open:2025/PPPK_PARUH_WAKTU/annual", "open:2025-09/PPPK_PARUH_WAKTU/monthly"]
        assert await sched.run_once() == []  # nothing twice
        clock.set(at(d(2025, 10, 3)))
        assert await sched.run_once() == ["open:2025-10/PPPK_PARUH_WAKTU/monthly",
                                          "remind:2025-09/PPPK_PARUH_WAKTU/monthly"]
        reminders = await outbox(app, "period_closing_soon")
        assert len(reminders) == 1 and reminders[0]["data"]["pegawai"]["nip"] == PEGAWAI_NIP
        assert reminders[0]["data"]["days_left"] == 2
        clock.set(at(d(2025, 10, 6)))
        assert await sched.run_once() == ["close:2025-09/PPPK_PARUH_WAKTU/monthly"]
        closed = await outbox(app, "period_closed")
        assert closed[0]["data"]["missing_count"] == 1 and closed[0]["data"]["missing"][0]["nip"] == PEGAWAI_NIP


async def test_two_schedulers_only_the_lease_holder_acts(app, clock):
    async with running(app) as _:
        await publish(app, approved())
        rt = app.state.runtime
        first: Scheduler = rt.container.scheduler
        await eventually(lambda: first.spans())
        settings = rt.settings
        second = Scheduler(rt.uow, Lease(rt.js, bucket=settings.scheduler_bucket, ttl=settings.scheduler_lease_ttl),
                           clock, settings)
        a = await first.run_once()
        b = await second.run_once()
        assert a and b == []
        assert first.lease.held and not second.lease.held
        clock.set(at(d(2025, 10, 1)))
        assert await second.run_once() == []  # still held by the first
        assert await first.run_once() == ["open:2025-10/PPPK_PARUH_WAKTU/monthly"]
        await first.lease.release()
        assert await second.run_once() == [] or second.lease.held
        assert second.lease.held


async def test_restart_catches_up_missed_ticks_exactly_once(make_settings, clock):
    settings = make_settings()
    app = create_app(settings, clock=clock)
    async with running(app) as _:
        await publish(app, approved())
        sched = app.state.runtime.container.scheduler
        await eventually(lambda: sched.spans())
        assert await sched.run_once()
        # the process dies without releasing its lease
        sched.lease.revision = None
    # down for four months; the lease expires; another process starts
    later = ManualClock(at(d(2026, 1, 10)))
    app2 = create_app(settings, clock=later)
    async with running(app2) as _:
        sched2 = app2.state.runtime.container.scheduler
        done = await eventually(sched2.run_once, timeout=15, interval=0.5)
        assert "close:2025-12/PPPK_PARUH_WAKTU/monthly" in done and "close:2025/PPPK_PARUH_WAKTU/annual" in done
        assert done.index("close:2025-12/PPPK_PARUH_WAKTU/monthly") < done.index("close:2025/PPPK_PARUH_WAKTU/annual")
        assert await sched2.run_once() == []
        events = await outbox(app2)
        ids = Counter(e["event_id"] for e in events)
        assert all(n == 1 for n in ids.values())
        kinds = Counter(e["subject"].rsplit(".", 1)[1] for e in events)
        # every missed tick was done once: Oct..Dec opened, Sep..Dec and the year reminded and closed
        assert len(done) == len(set(done)) == 3 + 5 + 5
        assert {k for k in done if k.startswith("remind:")} == {
            f"remind:2025-{m:02d}/PPPK_PARUH_WAKTU/monthly" for m in (9, 10, 11, 12)} | {"remind:2025/PPPK_PARUH_WAKTU/annual"}
        # openings and reminders a catch-up reaches after their deadline are stale and not sent (only the
        # two sent before the outage exist). A period opened after its deadline (Oct..Dec) is recorded closed
        # with no evaluation: nobody could fill it, nobody is scored 0 for it, and its close announces nothing;
        # the Sep close is more than 7 days late (not announced); the year's close is announced.
        assert kinds["period_opened"] == 2 and kinds["period_closing_soon"] == 0
        assert sorted(e["data"]["period_id"] for e in events if e["subject"].endswith("period_closed")) == [
            "2025/PPPK_PARUH_WAKTU/annual"]
        async with app2.state.runtime.uow() as s:
            from kinerja_evaluation.adapters.tables import Evaluation
            from sqlalchemy import select
            periods = set((await s.exec(select(Evaluation.period_id))).scalars().all())
        assert periods == {"2025-09/PPPK_PARUH_WAKTU/monthly", "2025/PPPK_PARUH_WAKTU/annual"}


async def test_identical_late_skps_are_treated_alike_in_a_catch_up(make_settings):
    """Two identical SKPs approved minutes apart while a fresh service catches up on
    Sep and Oct (both past their deadlines): neither gets those months, nobody is scored 0."""
    from kinerja_devstack.samples import nip, pppk_skp

    late = ManualClock(at(d(2025, 11, 20)))
    app = create_app(make_settings(), clock=late)
    async with running(app) as _:
        await publish(app, approved())
        sched = app.state.runtime.container.scheduler
        await eventually(lambda: sched.spans())
        first = await sched.run_once()
        assert "open:2025-09/PPPK_PARUH_WAKTU/monthly" in first and "open:2025-11/PPPK_PARUH_WAKTU/monthly" in first
        other = pppk_skp(pegawai_nip=nip(5, born="19960101", appointed="202521"))
        await publish(app, approved(other))

        async def both():
            from kinerja_evaluation.adapters.tables import Evaluation
            from sqlalchemy import select
            async with app.state.runtime.uow() as s:
                rows = (await s.exec(select(Evaluation.nip, Evaluation.period_id))).all()
            return len({n for n, _ in rows}) == 2 and rows

        rows = await eventually(both)
        by_nip: dict[str, set[str]] = {}
        for n, p in rows:
            by_nip.setdefault(n, set()).add(p)
        assert len(by_nip) == 2 and len({frozenset(v) for v in by_nip.values()}) == 1
        assert next(iter(by_nip.values())) == {"2025-11/PPPK_PARUH_WAKTU/monthly", "2025/PPPK_PARUH_WAKTU/annual"}


async def test_admin_extends_a_deadline_and_the_close_follows(app, clock, tokens):
    operator = tokens("ops-1", "operator")
    async with running(app) as client:
        await publish(app, approved())
        sched: Scheduler = app.state.runtime.container.scheduler
        await eventually(lambda: sched.spans())
        await sched.run_once()
        sep = "2025-09/PPPK_PARUH_WAKTU/monthly"
        body = {"period_id": sep, "deadline": "2025-10-08"}
        for admin in (tokens("198001012005011001", "admin", instansi="Pemprov DKI"),  # a period serves every instansi
                      tokens("198001012005011001", "admin")):  # and no admin is deployment-wide
            r = await client.post("/api/v1/periods/perpanjangan", json=body, headers=admin)
            assert r.status_code == 403
        r = await client.post("/api/v1/periods/perpanjangan", json=body, headers=operator)
        assert r.status_code == 200 and r.json()["deadline"] == "2025-10-08"
        r = await client.post("/api/v1/periods/perpanjangan", json={**body, "deadline": "2025-10-01"}, headers=operator)
        assert r.status_code == 422 and r.json()["code"] == "invalid-deadline"
        clock.set(at(d(2025, 10, 3)))  # the old reminder day: the reminder moved with the deadline
        assert await sched.run_once() == ["open:2025-10/PPPK_PARUH_WAKTU/monthly"]
        clock.set(at(d(2025, 10, 6)))  # the old close day: no close; the new reminder day (8 - 2)
        assert await sched.run_once() == [f"remind:{sep}"]
        clock.set(at(d(2025, 10, 8)))
        assert await sched.run_once() == []
        assert (await outbox(app, "period_closing_soon"))[0]["data"]["deadline"] == "2025-10-08"
        clock.set(at(d(2025, 10, 9)))
        assert await sched.run_once() == [f"close:{sep}"]
        assert (await outbox(app, "period_closed"))[0]["data"]["deadline"] == "2025-10-08"
        r = await client.post("/api/v1/periods/perpanjangan", json={**body, "deadline": "2025-10-20"}, headers=operator)
        assert r.status_code == 409


async def test_period_events_are_split_in_chunks(make_settings, clock):
    from kinerja_devstack.samples import nip, pppk_skp

    app = create_app(make_settings(event_chunk=1), clock=clock)
    async with running(app) as _:
        await publish(app, approved())
        await publish(app, approved(pppk_skp(pegawai_nip=nip(5, born="19960101", appointed="202521"))))
        sched = app.state.runtime.container.scheduler

        async def two_plans():
            from kinerja_evaluation.adapters.tables import EvaluationPlan
            from sqlalchemy import func, select
            async with app.state.runtime.uow() as s:
                return (await s.exec(select(func.count()).select_from(EvaluationPlan))).one()[0] == 2

        await eventually(two_plans)
        await sched.run_once()
        clock.set(at(d(2025, 10, 6)))
        await sched.run_once()
        opened = [e for e in await outbox(app, "period_opened") if e["data"]["kind"] == "monthly"]
        assert sorted(len(e["data"]["recipients"]) for e in opened) == [1, 1, 1, 1]  # Sep and Oct, two chunks each
        closed = await outbox(app, "period_closed")
        assert len(closed) == 2 and {e["data"]["missing_count"] for e in closed} == {2}
        assert sorted(e["data"]["missing"][0]["nip"] for e in closed) == sorted(
            [PEGAWAI_NIP, nip(5, born="19960101", appointed="202521")])


async def test_newer_approved_version_updates_plan_and_open_evaluations(app, clock, tokens):
    from kinerja_devstack.samples import nip, pppk_skp

    first = approved()
    async with running(app) as client:
        await publish(app, first)
        sched = app.state.runtime.container.scheduler
        await eventually(lambda: sched.spans())
        await sched.run_once()
        new_penilai = nip(9, born="19800101", appointed="200501")
        skp = pppk_skp(penilai_nip=new_penilai)
        skp["hasil_kerja"] = skp["hasil_kerja"][:2]  # one RHK dropped in the new version
        await publish(app, approved(skp, skp_id=first.skp_id, version=3))
        await publish(app, approved(skp_id=first.skp_id, version=2))  # an older one arriving late is ignored
        me = tokens(PEGAWAI_NIP, "pegawai")

        async def updated():
            r = await client.get(f"/api/v1/plans/{first.skp_id}", headers=me)
            return r.json()["version"] == 3 and r.json()

        plan = await eventually(updated)
        assert [x["iki_id"] for x in plan["rencana"]] == ["iki-1", "iki-2"]
        items = (await client.get("/api/v1/evaluations", params={"peran": "penilai"}, headers=tokens(new_penilai, "atasan"))).json()
        assert {i["period_id"] for i in items} == {"2025-09/PPPK_PARUH_WAKTU/monthly", "2025/PPPK_PARUH_WAKTU/annual"}
        ev = (await client.get(f"/api/v1/evaluations/{items[0]['id']}", headers=me)).json()
        assert len([x for x in ev["hasil_kerja"] if x["target"]]) == 2
        await asyncio.sleep(0.5)
        plan = (await client.get(f"/api/v1/plans/{first.skp_id}", headers=me)).json()
        assert plan["version"] == 3


async def test_a_version_1_approval_with_the_old_field_names_still_makes_a_plan(app):
    """An ApprovalApproved written before issue 13 (schema_version 1, the SKP
    snapshot saying ``atasan_penilai``) is understood: the plan knows the
    atasan pejabat penilai, who decides a keberatan."""
    skp = pppk_skp()
    atasan = skp["atasan_pejabat_penilai"]
    ev = approved(skp)
    body = json.loads(new_envelope(ev, correlation_id="old").model_dump_json())
    body["schema_version"] = 1
    del body["data"]["atasan_pejabat_penilai"]
    body["data"]["snapshot"]["atasan_penilai"] = body["data"]["snapshot"].pop("atasan_pejabat_penilai")
    async with running(app):
        js = app.state.runtime.js
        await js.publish(ev.subject, json.dumps(body).encode(), headers={"Nats-Msg-Id": str(uuid.uuid4())})

        async def plan():
            async with app.state.runtime.uow() as session:
                return await session.get(EvaluationPlan, ev.skp_id)

        p = await eventually(plan)
        assert p.atasan_pejabat_penilai["nip"] == atasan["nip"]


async def test_a_newer_version_recomputes_the_realisasi_already_entered(app, clock, tokens):
    """v2 sets the "100 %" IKI to 50 % and drops rhk-3 while September is open with realisasi entered: the
    capaian of what was entered follows the new targets, and the dropped IKI no longer counts at the close."""
    from kinerja_devstack.samples import pppk_skp

    first = approved()
    me = tokens(PEGAWAI_NIP, "pegawai")
    sep = "2025-09/PPPK_PARUH_WAKTU/monthly"
    async with running(app) as client:
        await publish(app, first)
        sched = app.state.runtime.container.scheduler
        await eventually(lambda: sched.spans())
        await sched.run_once()
        eid = (await client.get("/api/v1/evaluations", params={"period_id": sep}, headers=me)).json()[0]["id"]
        body = {"version": 1, "items": [{"iki_id": "iki-1", "nilai": 1}, {"iki_id": "iki-2", "nilai": 30},
                                        {"iki_id": "iki-3", "nilai": 1}]}
        r = await client.put(f"/api/v1/evaluations/{eid}/realisasi", json=body, headers=me)
        assert r.json()["capaian_hasil_kerja"] == 76.67  # (100 + 30 + 100) / 3
        skp = pppk_skp()
        skp["hasil_kerja"] = skp["hasil_kerja"][:2]
        skp["hasil_kerja"][1]["iki"][0]["target"]["nilai"] = "50"
        await publish(app, approved(skp, skp_id=first.skp_id, version=2))

        async def refreshed():
            ev = (await client.get(f"/api/v1/evaluations/{eid}", headers=me)).json()
            return ev["version"] > 2 and ev

        ev = await eventually(refreshed)
        iki2 = next(x for x in ev["hasil_kerja"] if x["iki_id"] == "iki-2")
        assert iki2["target"]["nilai"] == 50 and iki2["capaian"] == 60.0
        assert ev["capaian_hasil_kerja"] == 80.0  # (100 + 60) / 2
        clock.set(at(d(2025, 10, 6)))
        await sched.run_once()
        closed = (await client.get(f"/api/v1/evaluations/{eid}", headers=me)).json()
        assert closed["status"] == "closed" and closed["capaian_hasil_kerja"] == 80.0  # not (100 + 30 + 100) / 2
