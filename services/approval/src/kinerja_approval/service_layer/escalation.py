"""The escalation scan: reminders for SKPs that wait too long in an inbox.

Runs periodically in every replica (an ``on_start`` task). A reminder is
identified by (SKP, pending round, level, interval index); its event id is a
uuid5 of that key, written with
:func:`kinerja_platform.messaging.add_event_once` (the outbox's primary key
records it), so neither repeated scans nor several replicas send it twice.
"""

from __future__ import annotations

from kinerja_contracts.calendar import Clock

import datetime as dt
import uuid

from kinerja_contracts.events import ApprovalReminder
from kinerja_platform.isolation import set_aside
from kinerja_platform.logging import get_logger
from kinerja_platform.messaging import add_event_once
from kinerja_platform.periodic import PeriodicTask
from kinerja_contracts.values import Pegawai

from ..adapters.repository import ApprovalRepository
from ..adapters.tables import ApprovalCase
from ..domain.escalation import EscalationPolicy, due_reminders

log = get_logger(__name__)

REMINDER_NAMESPACE = uuid.UUID("6f0f7c4e-2b7a-4f57-9d0e-4f1b7a9c2d31")


def reminder_event_id(skp_id: uuid.UUID, pending_round: int, level: str, interval_index: int) -> uuid.UUID:
    return uuid.uuid5(REMINDER_NAMESPACE, f"{skp_id}:{pending_round}:{level}:{interval_index}")


async def scan(uow, now: dt.datetime, policy: EscalationPolicy) -> int:
    """Emit the reminders due at ``now``; return how many were emitted."""
    emitted = 0
    now = now.astimezone(dt.UTC)
    horizon = now - dt.timedelta(days=policy.remind_after_days)
    async with uow() as session:
        repo = ApprovalRepository(session)
        cases = await repo.pending_since_before(horizon)
        for case in cases:
            try:
                emitted += await _remind(session, repo, case, now, policy)
            except Exception as exc:  # one case with bad data is set aside; the others are reminded
                set_aside("approval-escalation", case.skp_id, exc)
    if emitted:
        log.info("approval reminders emitted", count=emitted)
    return emitted


async def _remind(session, repo: ApprovalRepository, case: ApprovalCase, now: dt.datetime,
                  policy: EscalationPolicy) -> int:
    """Emit the reminders of one case that are due at ``now``; how many.
    Every event is built before its reminder is claimed, so a case whose data
    cannot make an event emits nothing for it."""
    emitted = 0
    since = case.pending_since if case.pending_since.tzinfo else case.pending_since.replace(tzinfo=dt.UTC)
    for r in due_reminders(since, now, policy):
        recipient = case.penilai if r.level == "penilai" else case.atasan_pejabat_penilai
        if recipient is None:
            log.warning("no atasan pejabat penilai to alert", skp_id=str(case.skp_id))
            continue
        event_id = reminder_event_id(case.skp_id, case.pending_round or 0, r.level, r.interval_index)
        event = ApprovalReminder(
            skp_id=case.skp_id, level=r.level, pending_since=since, days_pending=r.days_pending,
            pegawai=Pegawai.model_validate(case.pegawai), penilai=Pegawai.model_validate(case.penilai),
            recipient=Pegawai.model_validate(recipient),
        )
        emitted += await add_event_once(session, event, event_id=event_id)
    return emitted


class EscalationScanner:
    """Runs :func:`scan` every ``interval`` seconds with the time from ``clock``."""

    def __init__(self, uow, policy: EscalationPolicy, interval: float, clock: Clock):
        self.uow = uow
        self.policy = policy
        self.interval = interval
        self.clock = clock
        self.task: PeriodicTask | None = None

    @property
    def runs(self) -> int:
        return self.task.runs if self.task else 0

    async def start(self) -> None:
        self.task = PeriodicTask("approval-escalation-scan", lambda: scan(self.uow, self.clock(), self.policy), self.interval)
        self.task.start()

    async def stop(self) -> None:
        if self.task:
            await self.task.stop()
            self.task = None
