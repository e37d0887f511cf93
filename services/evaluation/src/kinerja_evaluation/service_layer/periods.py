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
from sqlalchemy import Float, Numeric, and_, cast, exists, func, insert, select, update

from ..adapters.tables import Evaluation, EvaluationPeriod, EvaluationPlan, Realisasi
from ..domain.periods import Kind, Period
from .ids import tick_event_id
from .plans import PLAN_COLUMNS, new_evaluation, plan_overlaps


def _base(period: Period) -> dict:
    return dict(period_id=period.period_id, kind=str(period.kind), deadline=period.deadline,
                periode=Periode(mulai=period.mulai, selesai=period.selesai), jenis_pegawai=period.jenis_pegawai)


def round2(expr):
    """ROUND(x, 2) that works on PostgreSQL (numeric only) and SQLite."""
    return cast(func.round(cast(expr, Numeric), 2), Float)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield i // size, items[i: i + size]


async def open_period(session, period: Period, today=None, *, chunk: int = 500) -> int:
    """Open ``period``: record it, give every plan of its jenis pegawai whose
    SKP periode overlaps it an evaluation, and announce it - unless a
    catch-up opens it after its deadline (nobody can enter anything then)."""
    if await session.get(EvaluationPeriod, period.period_id) is None:
        session.add(EvaluationPeriod(period_id=period.period_id, kind=str(period.kind), jenis_pegawai=period.jenis_pegawai,
                                     mulai=period.mulai, selesai=period.selesai, deadline=period.deadline, status="open"))
    t = EvaluationPlan.__table__.c
    conn = await session.connection()
    plans = (await conn.execute(  # Core rows of the few columns needed: this runs for every pegawai
        select(*(t[c] for c in PLAN_COLUMNS)).where(t.jenis_pegawai == period.jenis_pegawai,
                                                   t.periode_mulai <= period.selesai,
                                                   t.periode_selesai >= period.mulai))).all()
    have = set((await session.exec(
        select(Evaluation.skp_id).where(Evaluation.period_id == period.period_id))).scalars().all())
    now = utcnow()
    rows = [new_evaluation(p, period, now) for p in plans if p.skp_id not in have and plan_overlaps(p, period)]
    for _, part in _chunks(rows, 5000):
        await conn.execute(insert(Evaluation.__table__), part)  # executemany, no ORM
    if today is not None and today > period.deadline:
        return len(rows)
    # the snapshots were validated when the approval arrived
    recipients = [Pegawai.model_construct(**p.pegawai) for p in plans]
    for n, part in _chunks(recipients, chunk) if recipients else [(0, [])]:
        await add_event_once(session, EvaluationPeriodOpened(**_base(period), recipients=part),
                  event_id=tick_event_id("open", period.period_id, n))
    return len(rows)


def _missing_input():
    """Evaluations without a single realisasi."""
    return ~exists().where(Realisasi.evaluation_id == Evaluation.id)


async def remind_period(session, period: Period, today) -> int:
    """One ClosingSoon event per pegawai who has entered no realisasi yet
    (and has something to enter). A reminder that a catch-up reaches after
    the deadline is stale: it is recorded as done and nothing is sent."""
    row = await session.get(EvaluationPeriod, period.period_id)
    if row is None or row.status != "open":
        return 0
    period = replace(period, deadline=row.deadline)  # an admin may have extended it
    if today > period.deadline:
        return 0
    if period.kind is Kind.annual:
        return 0  # annual results come from the periodic ones; nothing to enter
    plans = (await session.exec(
        select(EvaluationPlan.pegawai, EvaluationPlan.nip)
        .join(Evaluation, Evaluation.skp_id == EvaluationPlan.skp_id)
        .where(Evaluation.period_id == period.period_id, Evaluation.status == "open", Evaluation.jumlah_iki > 0,
               _missing_input()))).all()
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
    row = await session.get(EvaluationPeriod, period.period_id)
    if row is None or row.status == "closed":
        return (0, 0)
    period = replace(period, deadline=row.deadline)
    now = utcnow()
    pid = period.period_id
    if period.kind is Kind.annual:
        periodic = Evaluation.__table__.alias("periodic")
        avg = (select(func.avg(periodic.c.capaian))
               .where(periodic.c.skp_id == Evaluation.skp_id, periodic.c.tahun == Evaluation.tahun,
                      periodic.c.kind != "annual", periodic.c.capaian.is_not(None))
               .scalar_subquery())
        has = (exists().where(and_(periodic.c.skp_id == Evaluation.skp_id, periodic.c.tahun == Evaluation.tahun,
                                   periodic.c.kind != "annual", periodic.c.has_input)))
        values = dict(capaian=round2(avg), has_input=has)
    else:
        total = (select(func.coalesce(func.sum(Realisasi.capaian), 0.0))
                 .where(Realisasi.evaluation_id == Evaluation.id).scalar_subquery())
        values = dict(capaian=round2(total / func.nullif(Evaluation.jumlah_iki, 0)), has_input=~_missing_input())
    await session.exec(
        update(Evaluation).where(Evaluation.period_id == pid, Evaluation.status == "open")
        .values(status="closed", closed_at=now, updated_at=now, version=Evaluation.version + 1, **values)
        .execution_options(synchronize_session=False))
    evaluated = (await session.exec(
        select(func.count()).select_from(Evaluation).where(Evaluation.period_id == pid, Evaluation.has_input))).scalar_one()
    missing_where = (Evaluation.period_id == pid, ~Evaluation.has_input, Evaluation.jumlah_iki > 0)
    missing = [Pegawai.model_construct(**p) for p in (await session.exec(
        select(EvaluationPlan.pegawai).join(Evaluation, Evaluation.skp_id == EvaluationPlan.skp_id)
        .where(*missing_where).order_by(Evaluation.nip))).scalars()]
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
    row = await session.get(EvaluationPeriod, period_id)
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
