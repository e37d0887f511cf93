"""Deadline reminders: ``SkpDeadlineApproaching`` for every SKP still in
Draft or Revisi whose submission deadline is at most N days away, once per
SKP per deadline (an extension moves the deadline and earns a new reminder).

The event id is ``uuid5(skp_id, deadline)`` and a row in
``skp_deadline_reminder`` records it in the same transaction as the outbox
row, so a rerun of the scan (another replica, a restart) adds nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_contracts.events import SkpDeadlineApproaching
from kinerja_platform.isolation import isolated
from kinerja_platform.logging import get_logger
from kinerja_platform.messaging import add_event
from kinerja_contracts.values import Pegawai, Periode

from ..adapters.repository import SkpRepository
from ..adapters.tables import DeadlineReminder
from ..domain.deadlines import Extension, deadline_for, terima_sk_of
from .policy import Policy

log = get_logger(__name__)
NAMESPACE = uuid.UUID("6b1f3c52-2f7e-4d8a-9a57-1f0d3e2b9c41")


def reminder_event_id(skp_id: uuid.UUID, deadline: dt.date) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"skp-deadline:{skp_id}:{deadline.isoformat()}")


async def scan(uow, policy: Policy, days_before: int, *, today: dt.date | None = None) -> int:
    """Stage the reminders due today; returns how many were staged."""
    today = today or policy.today()
    staged = 0
    async with uow() as session:
        repo = SkpRepository(session)
        docs = await repo.waiting_in_years((today.year - 1, today.year, today.year + 1))
        if not docs:
            return 0
        exts = await repo.extensions_of_years({d.tahun for d in docs})
        by_scope: dict[tuple, list[Extension]] = {}
        for e in exts:
            by_scope.setdefault((e.instansi, e.tahun), []).append(Extension(e.sampai, e.unit_kerja, e.nip))
        sent = await repo.reminders_sent([d.id for d in docs])
        for doc in docs:
            # one SKP whose data breaks a rule (a date out of range, a bad snapshot) is set aside; the rest are reminded
            with isolated("skp-deadline-reminders", doc.id):
                d = deadline_for(mulai=doc.periode_mulai, tanggal_sk=doc.tanggal_sk, nip=doc.nip, unit_kerja=doc.unit_kerja,
                                 tanggal_terima_sk=terima_sk_of(doc.content),
                                 extensions=by_scope.get((doc.instansi, doc.tahun), ()), policy=policy.deadline)
                days_left = (d.effective - today).days
                if not 0 <= days_left <= days_before or (doc.id, d.effective) in sent:
                    continue
                event_id = reminder_event_id(doc.id, d.effective)
                event = SkpDeadlineApproaching(
                    skp_id=doc.id, pegawai=Pegawai.model_validate(doc.content["pegawai"]),
                    periode=Periode(mulai=doc.periode_mulai, selesai=doc.periode_selesai),
                    deadline=d.effective, days_left=days_left,
                )
                add_event(session, event, event_id=event_id)
                repo.add_reminder(DeadlineReminder(skp_id=doc.id, deadline=d.effective, event_id=event_id))
                staged += 1
    return staged


async def scan_and_log(uow, policy: Policy, days_before) -> int:
    """One reminder scan, logged when it staged anything (the periodic step)."""
    n = await scan(uow, policy, days_before)
    if n:
        log.info("deadline reminders staged", count=n)
    return n
