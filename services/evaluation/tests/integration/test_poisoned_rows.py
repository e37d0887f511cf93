"""One bad record never stops work for others (issue 15): an approved SKP
for year 9999 (stored before the edge bounded dates) no longer stops the
evaluation scheduler for everybody, before or after a restart; a jenis whose
calendar fails, and an action that fails, are set aside and the rest is done."""

from __future__ import annotations

import datetime as dt

from kinerja_devstack.samples import pppk_skp
from kinerja_devstack.testing import eventually, running
from kinerja_evaluation.adapters.tables import EvaluationPlan
from kinerja_evaluation.main import create_app
from kinerja_evaluation.service_layer import scheduler as scheduler_module
from kinerja_platform import isolation
from sqlalchemy import update

from .conftest import approved, publish

d = dt.date


async def _plans(app, n: int) -> None:
    sched = app.state.runtime.container.scheduler

    async def have():
        async with app.state.runtime.uow() as session:
            rows = (await session.exec(EvaluationPlan.__table__.select())).all()
        return len(rows) >= n

    await eventually(have)
    return sched


async def test_a_plan_for_year_9999_does_not_stop_the_scheduler(make_settings, clock):
    far, normal = approved(), approved(pppk_skp(pegawai_nip="199101012025212002"))
    settings = make_settings()
    app = create_app(settings, clock=clock)
    async with running(app):
        await publish(app, far)
        await publish(app, normal)
        sched = await _plans(app, 2)
        async with app.state.runtime.uow() as session:  # as if stored before the edge checked it
            await session.exec(update(EvaluationPlan).where(EvaluationPlan.skp_id == far.skp_id)
                               .values(periode_selesai=d(9999, 12, 31)))
        done = await sched.run_once()
        assert done == ["open:2025/PPPK_PARUH_WAKTU/annual", "open:2025-09/PPPK_PARUH_WAKTU/monthly"]
    # and after a restart, on the same database
    app2 = create_app(settings, clock=clock)
    async with running(app2):
        clock.set(dt.datetime(2025, 10, 1, 1, 0, tzinfo=dt.UTC))
        done = await app2.state.runtime.container.scheduler.run_once()
        assert "open:2025-10/PPPK_PARUH_WAKTU/monthly" in done


async def test_a_failing_calendar_or_action_is_set_aside_and_the_rest_is_done(app, clock, monkeypatch):
    pns = pppk_skp(pegawai_nip="199101012015011003")
    pns["jenis_pegawai"] = "PNS"
    async with running(app):
        await publish(app, approved(pns))
        await publish(app, approved())
        sched = await _plans(app, 2)
        real = scheduler_module.due_actions

        def due_actions(spans, *a, **kw):
            if "PNS" in spans:
                raise OverflowError("date value out of range")
            return real(spans, *a, **kw)

        monkeypatch.setattr(scheduler_module, "due_actions", due_actions)
        real_open = scheduler_module.open_period

        async def open_period(session, period, *a, **kw):
            if period.kind.value == "annual":
                raise RuntimeError("poisoned period")
            return await real_open(session, period, *a, **kw)

        monkeypatch.setattr(scheduler_module, "open_period", open_period)
        done = await sched.run_once()
        assert done == ["open:2025-09/PPPK_PARUH_WAKTU/monthly"]
        aside = {s.row_id for s in isolation.recent("evaluation-scheduler")}
        assert {"span:PNS", "open:2025/PPPK_PARUH_WAKTU/annual"} <= aside
