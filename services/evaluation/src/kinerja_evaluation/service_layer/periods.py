"""Opening, reminding and closing evaluation periods.

Each function runs inside the caller's transaction and emits its events with
deterministic ids (:mod:`.ids`) through
:func:`kinerja_platform.messaging.add_event_once`, so replaying a tick
changes nothing. The
close is set-based SQL: closing a month for 100,000 pegawai is a handful of
statements, not 100,000 ORM updates.
"""

from __future__ import annotations

from dataclasses import replace

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.events import EvaluationPeriodClosed, EvaluationPeriodClosingSoon, EvaluationPeriodOpened
from kinerja_platform.messaging import add_event_once
from kinerja_contracts.values import Pegawai, Periode
from kinerja_platform.web.errors import ProblemError

from ..adapters.repository import EvaluationRepository
from ..adapters.tables import EvaluationPeriod
from ..domain.periods import Kind, Period
from . import access
from .ids import tick_event_id
from .plans import new_evaluation, plan_overlaps


def _base(period: Period) -> dict:
    return dict(period_id=period.period_id, kind=str(period.kind), deadline=period.deadline,
                periode=Periode(mulai=period.mulai, selesai=period.selesai), jenis_pegawai=period.jenis_pegawai)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield i // size, items[i: i + size]


async def open_period(session, period: Period, today=None, *, chunk: int = 500) -> int:
    """Open ``period``: record it, give every plan of its jenis pegawai whose
    SKP periode overlaps it an evaluation, and announce it.

    A catch-up that reaches the opening after the period's deadline records
    the period as closed at once and creates no evaluation: nobody could
    enter anything in it, so nobody is scored 0 for it, whichever of two
    identical late SKPs was approved first, and no plan approved during the
    catch-up joins a period that only looks open."""
    repo = EvaluationRepository(session)
    late = today is not None and today > period.deadline
    if await repo.period(period.period_id) is None:
        repo.add(EvaluationPeriod(period_id=period.period_id, kind=str(period.kind), jenis_pegawai=period.jenis_pegawai,
                                  mulai=period.mulai, selesai=period.selesai, deadline=period.deadline,
                                  status="closed" if late else "open", closed_at=utcnow() if late else None))
    if late:
        return 0
    # Core rows of the few columns needed: this runs for every pegawai
    plans = await repo.plan_rows_overlapping(period.jenis_pegawai, period.mulai, period.selesai)
    have = await repo.evaluated_skp_ids(period.period_id)
    now = utcnow()
    rows = [new_evaluation(p, period, now) for p in plans if p.skp_id not in have and plan_overlaps(p, period)]
    await repo.insert_evaluations(rows)
    # the snapshots were validated when the approval arrived
    recipients = [Pegawai.model_construct(**p.pegawai) for p in plans]
    for n, part in _chunks(recipients, chunk) if recipients else [(0, [])]:
        await add_event_once(session, EvaluationPeriodOpened(**_base(period), recipients=part),
                  event_id=tick_event_id("open", period.period_id, n))
    return len(rows)


async def remind_period(session, period: Period, today) -> int:
    """One ClosingSoon event per pegawai who has entered no realisasi yet
    (and has something to enter). A reminder that a catch-up reaches after
    the deadline is stale: it is recorded as done and nothing is sent."""
    repo = EvaluationRepository(session)
    row = await repo.period(period.period_id)
    if row is None or row.status != "open":
        return 0
    period = replace(period, deadline=row.deadline)  # an admin may have extended it
    if today > period.deadline:
        return 0
    if period.kind is Kind.annual:
        return 0  # annual results come from the periodic ones; nothing to enter
    plans = await repo.waiting_for_input(period.period_id)
    days_left = max(0, (period.deadline - today).days)
    for pegawai, nip in plans:
        await add_event_once(session, EvaluationPeriodClosingSoon(**_base(period), days_left=days_left,
                                                       pegawai=Pegawai.model_validate(pegawai), missing_input=True),
                  event_id=tick_event_id("remind", period.period_id, nip))
    row.reminded_at = utcnow()
    return len(plans)


async def close_period(session, period: Period, *, missing_limit: int = 500, announce: bool = True) -> tuple[int, int]:
    """Close ``period``: compute every evaluation's capaian hasil kerja in
    set-based SQL and announce who entered nothing (``missing`` split over
    events of ``missing_limit`` people; nothing is announced when
    ``announce`` is false: a stale catch-up). Returns (evaluated, missing)."""
    repo = EvaluationRepository(session)
    row = await repo.period(period.period_id)
    if row is None or row.status == "closed":
        return (0, 0)
    period = replace(period, deadline=row.deadline)
    now = utcnow()
    pid = period.period_id
    await repo.close_evaluations(pid, period.kind is Kind.annual, now)
    evaluated = await repo.count_with_input(pid)
    missing = [Pegawai.model_construct(**p) for p in await repo.pegawai_without_input(pid)]
    missing_count = len(missing)
    row.status, row.closed_at = "closed", now
    if not announce:
        return evaluated, missing_count
    # one event per chunk of missing people (totals repeated on each), so no message grows past NATS limits
    for n, part in _chunks(missing, missing_limit) if missing else [(0, [])]:
        await add_event_once(session, EvaluationPeriodClosed(**_base(period), evaluated=evaluated, missing=part,
                                                  missing_count=missing_count),
                  event_id=tick_event_id("close", pid, n))
    return evaluated, missing_count


async def extend_deadline(session, period_id: str, deadline, today) -> EvaluationPeriod:
    """Move an open period's deadline later (portals fail on deadline day);
    the scheduler's reminder and close follow the new date."""
    row = await EvaluationRepository(session).period(period_id)
    if row is None:
        raise ProblemError(404, "period-not-found", f"Periode {period_id} belum dibuka (period not open yet).")
    if row.status != "open":
        raise ProblemError(409, "period-closed", f"Periode {period_id} sudah ditutup (the period is closed).")
    if deadline <= row.deadline or deadline < today:
        raise ProblemError(422, "invalid-deadline", f"Batas waktu baru harus setelah {row.deadline} dan tidak di masa lalu "
                           f"(the new deadline must be later than the current one).",
                           errors=[{"path": "body.deadline", "message": f"must be after {row.deadline}"}])
    row.deadline = deadline
    return row


async def list_periods(session, status: str | None) -> list[EvaluationPeriod]:
    return await EvaluationRepository(session).periods(status)


async def extend_for_admin(session, principal, period_id: str, deadline, today) -> EvaluationPeriod:
    """The deployment's operator extends an open period (access.ensure_operator)."""
    access.ensure_operator(principal)
    return await extend_deadline(session, period_id, deadline, today)
