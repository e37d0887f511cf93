"""Plans from approvals; the scheduler with a manual clock (months in seconds),
a NATS KV lease, and catch-up without doing a tick twice."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from kinerja_devstack.samples import PEGAWAI_NIP, pppk_skp
from kinerja_devstack.testing import eventually, running
from kinerja_evaluation.adapters.clock import ManualClock
from kinerja_evaluation.adapters.lease import Lease
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
        sched: Scheduler = rt.extras["scheduler"]
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
        first: Scheduler = rt.extras["scheduler"]
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
        sched = app.state.runtime.extras["scheduler"]
        await eventually(lambda: sched.spans())
        assert await sched.run_once()
        # the process dies without releasing its lease
        sched.lease.revision = None
    # down for four months; the lease expires; another process starts
    later = ManualClock(at(d(2026, 1, 10)))
    app2 = create_app(settings, clock=later)
    async with running(app2) as _:
        sched2 = app2.state.runtime.extras["scheduler"]
        done = await eventually(sched2.run_once, timeout=15, interval=0.5)
        assert "close:2025-12/PPPK_PARUH_WAKTU/monthly" in done and "close:2025/PPPK_PARUH_WAKTU/annual" in done
        assert done.index("close:2025-12/PPPK_PARUH_WAKTU/monthly") < done.index("close:2025/PPPK_PARUH_WAKTU/annual")
        assert await sched2.run_once() == []
        events = await outbox(app2)
        ids = Counter(e["event_id"] for e in events)
        assert all(n == 1 for n in ids.values())
        kinds = Counter(e["subject"].rsplit(".", 1)[1] for e in events)
        # Sep..Dec monthly + the annual: 5 opened, 5 closed; 4 monthly reminders
        assert kinds["period_opened"] == 5 and kinds["period_closed"] == 5 and kinds["period_closing_soon"] == 4
