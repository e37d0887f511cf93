"""The period scheduler: opens periods, sends reminders, closes periods.

Runs in every replica, acts only in the one holding the lease. Each tick
computes every action due up to "now" (from the clock, in Asia/Jakarta) for
the spans of the active plans, and does the ones not yet recorded in
``scheduler_action`` - in calendar order. The action's record, its effect
and its events (deterministic ids) commit in one transaction, so a catch-up
after an outage does each missed tick exactly once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from kinerja_platform.isolation import isolated, set_aside
from kinerja_platform.logging import get_logger
from kinerja_platform.periodic import PeriodicTask
from sqlalchemy.exc import IntegrityError

from ..adapters.clock import Clock, today
from ..adapters.repository import EvaluationRepository
from ..domain.periods import Action, DueAction, due_actions
from .periods import close_period, open_period, remind_period
from .rebuild import rebuild_stale_plans

log = get_logger(__name__)


_ORDER = {Action.open: 0, Action.remind: 1, Action.close: 2}


def _calendar_order(d: DueAction):
    """The order of :func:`due_actions` (date, then open < remind < close, annual last)."""
    from ..domain.periods import Kind

    return (d.when, _ORDER[d.action], d.period.kind is Kind.annual, d.period.selesai, d.period.period_id)


class Scheduler:
    def __init__(self, uow, lease, clock: Clock, settings):
        self.uow = uow
        self.lease = lease
        self.clock = clock
        self.settings = settings
        self._task: PeriodicTask | None = None
        #: every stored plan was built by the current target rule (checked once per process: new plans always are)
        self._plans_current = False

    async def spans(self) -> dict[str, tuple[dt.date, dt.date]]:
        async with self.uow() as session:
            return await EvaluationRepository(session).plan_spans()

    async def pending(self) -> list[DueAction]:
        """Actions due now that were not done yet, in order.

        Each jenis pegawai's calendar is computed on its own (one that fails
        is set aside, the others go on), over its span cut at the end of next
        year: no period starting later has anything due today, and a plan
        dated far ahead (year 9999) must not make the calendar endless."""
        s = self.settings
        now = today(self.clock)
        horizon = dt.date(min(now.year + 1, dt.MAXYEAR - 1), 12, 31)
        due: list[DueAction] = []
        for jenis, (mulai, selesai) in (await self.spans()).items():
            with isolated("evaluation-scheduler", f"span:{jenis}"):
                due += due_actions({jenis: (mulai, min(selesai, horizon))}, now, policy=s.period_policy,
                                   deadline_day=s.deadline_day, reminder_days=s.reminder_days)
        due.sort(key=_calendar_order)
        if not due:
            return []
        async with self.uow() as session:
            done = await EvaluationRepository(session).done_actions()
        return [d for d in due if d.key not in done]

    async def run_once(self) -> list[str]:
        """One tick: if this replica holds (or gets) the lease, do what is due."""
        if not await self.lease.acquire():
            return []
        await self.rebuild_stale_plans()
        done: list[str] = []
        for action in await self.pending():
            if not await self.lease.acquire():  # renew between actions; stop if lost
                break
            if await self._do(action):
                done.append(action.key)
        return done

    async def rebuild_stale_plans(self) -> tuple[int, int]:
        """Before any due action: rebuild the plans an older target rule built
        (:mod:`.rebuild`), so no period closes on stale targets. Once a scan
        found nothing left to do (none set aside), later ticks skip it."""
        if self._plans_current:
            return (0, 0)
        rebuilt, failed = await rebuild_stale_plans(self.uow, self.settings.capaian_policy)
        self._plans_current = failed == 0
        return rebuilt, failed

    async def _postponed(self, session, due: DueAction) -> bool:
        """An admin extended the deadline: the reminder and the close move with it."""
        if due.action is Action.open:
            return False
        row = await EvaluationRepository(session).period(due.period.period_id)
        if row is None or row.deadline <= due.period.deadline:
            return False
        extended = replace(due.period, deadline=row.deadline)
        return today(self.clock) < extended.action_date(due.action, self.settings.reminder_days)

    async def _do(self, due: DueAction) -> bool:
        try:
            async with self.uow() as session:
                if await self._postponed(session, due):
                    return False
                # a concurrent replica that did it already fails here
                await EvaluationRepository(session).record_action(due.key, due.when)
                if due.action is Action.open:
                    n = await open_period(session, due.period, today(self.clock), chunk=self.settings.event_chunk)
                elif due.action is Action.remind:
                    n = await remind_period(session, due.period, today(self.clock))
                else:
                    stale = (today(self.clock) - due.when).days > self.settings.stale_after_days
                    n = await close_period(session, due.period, missing_limit=self.settings.event_chunk,
                                           announce=not stale)
        except IntegrityError:
            log.info("scheduler action already done elsewhere", key=due.key)
            return False
        except Exception as exc:  # this action is set aside (tried again next tick); the others go on
            set_aside("evaluation-scheduler", due.key, exc)
            return False
        log.info("scheduler action done", key=due.key, due=str(due.when), count=n)
        return True

    def start(self) -> None:
        self._task = PeriodicTask("evaluation-scheduler", self.run_once, self.settings.scheduler_interval)
        self._task.start()

    async def stop(self) -> None:
        if self._task:
            await self._task.stop()
        await self.lease.release()
