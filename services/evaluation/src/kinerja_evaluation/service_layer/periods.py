"""Opening, reminding and closing evaluation periods.

Each function runs inside the caller's transaction and emits its events with
deterministic ids (:mod:`.ids`), so replaying a tick changes nothing. The
close is set-based SQL: closing a month for 100,000 pegawai is a handful of
statements, not 100,000 ORM updates.
"""

from __future__ import annotations

from kinerja_contracts.events import EvaluationPeriodClosed, EvaluationPeriodClosingSoon, EvaluationPeriodOpened
from kinerja_contracts.messaging import add_event
from kinerja_contracts.values import Pegawai, Periode
from sqlalchemy import Float, Numeric, and_, cast, exists, func, insert, select, update

from ..adapters.tables import Evaluation, EvaluationPeriod, EvaluationPlan, Realisasi, utcnow
from ..domain.periods import Kind, Period
from .ids import tick_event_id
from .plans import new_evaluation, plan_overlaps


def _base(period: Period) -> dict:
    return dict(period_id=period.period_id, kind=str(period.kind), deadline=period.deadline,
                periode=Periode(mulai=period.mulai, selesai=period.selesai), jenis_pegawai=period.jenis_pegawai)


def round2(expr):
    """ROUND(x, 2) that works on PostgreSQL (numeric only) and SQLite."""
    return cast(func.round(cast(expr, Numeric), 2), Float)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield i // size, items[i: i + size]


async def open_period(session, period: Period, *, chunk: int = 500) -> int:
    """Open ``period``: record it, give every plan of its jenis pegawai whose
    SKP periode overlaps it an evaluation, and announce it."""
    if await session.get(EvaluationPeriod, period.period_id) is None:
        session.add(EvaluationPeriod(period_id=period.period_id, kind=str(period.kind), jenis_pegawai=period.jenis_pegawai,
                                     mulai=period.mulai, selesai=period.selesai, deadline=period.deadline, status="open"))
    plans = (await session.exec(
        select(EvaluationPlan).where(EvaluationPlan.jenis_pegawai == period.jenis_pegawai,
                                     EvaluationPlan.periode_mulai <= period.selesai,
                                     EvaluationPlan.periode_selesai >= period.mulai))).scalars().all()
    have = set((await session.exec(
        select(Evaluation.skp_id).where(Evaluation.period_id == period.period_id))).scalars().all())
    rows = [new_evaluation(p, period) for p in plans if p.skp_id not in have and plan_overlaps(p, period)]
    for _, part in _chunks(rows, 500):
        await session.exec(insert(Evaluation).values(part))
    recipients = [Pegawai.model_validate(p.pegawai) for p in plans]
    for n, part in _chunks(recipients, chunk) if recipients else [(0, [])]:
        add_event(session, EvaluationPeriodOpened(**_base(period), recipients=part),
                  event_id=tick_event_id("open", period.period_id, n))
    return len(rows)


def _missing_input():
    """Evaluations without a single realisasi."""
    return ~exists().where(Realisasi.evaluation_id == Evaluation.id)


async def remind_period(session, period: Period, today) -> int:
    """One ClosingSoon event per pegawai who has entered no realisasi yet."""
    row = await session.get(EvaluationPeriod, period.period_id)
    if row is None or row.status != "open":
        return 0
    if period.kind is Kind.annual:
        return 0  # annual results come from the periodic ones; nothing to enter
    plans = (await session.exec(
        select(EvaluationPlan.pegawai, EvaluationPlan.nip)
        .join(Evaluation, Evaluation.skp_id == EvaluationPlan.skp_id)
        .where(Evaluation.period_id == period.period_id, Evaluation.status == "open", _missing_input()))).all()
    days_left = max(0, (period.deadline - today).days)
    for pegawai, nip in plans:
        add_event(session, EvaluationPeriodClosingSoon(**_base(period), days_left=days_left,
                                                       pegawai=Pegawai.model_validate(pegawai), missing_input=True),
                  event_id=tick_event_id("remind", period.period_id, nip))
    row.reminded_at = utcnow()
    return len(plans)


async def close_period(session, period: Period, *, missing_limit: int = 500) -> tuple[int, int]:
    """Close ``period``: compute every evaluation's capaian hasil kerja in
    set-based SQL and announce who entered nothing. Returns (evaluated, missing)."""
    row = await session.get(EvaluationPeriod, period.period_id)
    if row is None or row.status == "closed":
        return (0, 0)
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
    missing_q = select(EvaluationPlan.pegawai).join(Evaluation, Evaluation.skp_id == EvaluationPlan.skp_id).where(
        Evaluation.period_id == pid, ~Evaluation.has_input)
    missing_count = (await session.exec(
        select(func.count()).select_from(Evaluation).where(Evaluation.period_id == pid, ~Evaluation.has_input))).scalar_one()
    missing = [Pegawai.model_validate(p) for p in (await session.exec(missing_q.limit(missing_limit))).scalars()]
    row.status, row.closed_at = "closed", now
    add_event(session, EvaluationPeriodClosed(**_base(period), evaluated=evaluated, missing=missing,
                                              missing_count=missing_count),
              event_id=tick_event_id("close", pid))
    return evaluated, missing_count
