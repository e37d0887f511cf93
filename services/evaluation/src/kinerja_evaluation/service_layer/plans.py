"""Use cases around evaluation plans: an approved SKP becomes a plan, and
joins the periods that are open for its jenis pegawai."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.targets import VERSI_ATURAN

from ..adapters.repository import EvaluationRepository
from ..adapters.tables import EvaluationPeriod, EvaluationPlan
from ..domain.capaian import CapaianError, CapaianPolicy, capaian_iki
from ..domain.mutasi import potong_rencana
from ..domain.periods import Kind, Period
from ..domain.plan import PlanIki, build_plan, count_measured, measured_counts_of, measured_in, period_target
from .ids import evaluation_id


def period_of(row: EvaluationPeriod) -> Period:
    return Period(Kind(row.kind), row.jenis_pegawai, row.mulai, row.selesai, row.deadline)


def plan_lines(plan: EvaluationPlan) -> list[PlanIki]:
    return [PlanIki.model_validate(x) for x in plan.rencana or []]


def measured_iki(plan, period: Period) -> int:
    """How many IKI of the plan have a measurable target in ``period``."""
    if plan.jumlah_iki_periode:
        return measured_in(plan.jumlah_iki_periode, period)
    return count_measured(plan.rencana or [], period)


def plan_overlaps(plan, period: Period) -> bool:
    if plan.periode_mulai is None or plan.periode_selesai is None:
        return False
    return plan.periode_mulai <= period.selesai and plan.periode_selesai >= period.mulai


def new_evaluation(plan, period: Period, now=None) -> dict[str, Any]:
    """Column values of a fresh evaluation row (for bulk inserts); ``plan`` is
    an :class:`EvaluationPlan` or a row with the columns of :data:`..adapters.repository.PLAN_COLUMNS`."""
    now = now or utcnow()
    pid = period.period_id
    return dict(
        id=evaluation_id(pid, plan.skp_id), period_id=pid, kind=str(period.kind),
        tahun=period.tahun, bulan=period.mulai.month if period.kind == "monthly" else None, skp_id=plan.skp_id,
        nip=plan.nip, penilai_nip=plan.penilai_nip,
        atasan_nip=(plan.atasan_pejabat_penilai or {}).get("nip"), jenis_pegawai=plan.jenis_pegawai, unit_kerja=plan.unit_kerja,
        status="open", jumlah_iki=measured_iki(plan, period), has_input=False, umpan_balik={}, version=1,
        updated_at=now,
    )


def _capaian(nilai: float, t, line: PlanIki, policy: CapaianPolicy) -> float | None:
    """The capaian of a stored realisasi against a new target; None (counts 0
    until entered again) when the formula cannot compute it."""
    try:
        return capaian_iki(nilai, polaritas=t.polaritas or line.polaritas, target=t.nilai, minimum=t.minimum,
                           maksimum=t.maksimum, policy=policy)
    except CapaianError:
        return None


async def refresh_open_evaluations(session, plan: EvaluationPlan, policy: CapaianPolicy) -> None:
    """After the plan's targets changed (a newer approved version, a rebuild
    by a newer rule): every open evaluation of it counts the IKI measured now
    and recomputes the capaian of the realisasi already entered against the
    new period targets (an IKI no longer in the plan, or without a target in
    the period, counts nothing); its version goes up, so a client holding the
    old one reloads. Closed evaluations keep the capaian fixed at their close."""
    repo = EvaluationRepository(session)
    by_iki = {x.iki_id: x for x in plan_lines(plan)}
    now = utcnow()
    for ev in await repo.open_evaluations_of(plan.skp_id):
        period = period_of(await repo.period(ev.period_id))
        ev.jumlah_iki = measured_iki(plan, period)
        if period.kind is not Kind.annual:
            for r in (await repo.realisasi_of(ev.id)).values():
                line = by_iki.get(r.iki_id)
                t = period_target(line, period) if line is not None else None
                r.capaian = None if line is None or t is None or r.nilai is None else _capaian(r.nilai, t, line, policy)
        ev.version += 1
        ev.updated_at = now


async def upsert_plan(session, d, today: dt.date | None = None,
                      policy: CapaianPolicy | None = None) -> bool:
    """Build (or replace with a newer version) the plan of an approved SKP,
    and give it an evaluation in every period open for its jenis pegawai
    that can still be filled on ``today`` (Asia/Jakarta; None: every open one).
    A newer version recomputes its open evaluations (:func:`refresh_open_evaluations`).
    False when the plan is already at this version or newer.

    It runs for every approval, so the usual case (a new plan, no mutasi) is
    two statements, Core rows, no ORM object: the plan's insert (which says
    whether the NIP has other plans overlapping it) and the open periods
    with the SKP's evaluations; plus the insert of the evaluations that join."""
    repo = EvaluationRepository(session)
    snap = d.snapshot
    periode = d.periode or (snap.periode if snap is not None else None)
    mulai = periode.mulai if periode else None
    selesai = periode.selesai if periode else None
    built = build_plan(snap, (mulai, selesai) if mulai else None)
    lines = [x.model_dump(mode="json") for x in built]
    jenis = str(d.jenis_pegawai or (snap.jenis_pegawai if snap is not None else None) or "PNS")
    # the typed snapshot reads a document written before the rename (issue 13) too
    atasan = d.atasan_pejabat_penilai or (snap.atasan_pejabat_penilai if snap is not None else None)
    atasan_dict = atasan.model_dump(mode="json") if atasan else None
    fields = dict(
        version=d.version, content_hash=d.content_hash, nip=d.pegawai.nip, penilai_nip=d.penilai.nip,
        jenis_pegawai=jenis, unit_kerja=d.pegawai.unit_kerja, pegawai=d.pegawai.model_dump(mode="json"),
        penilai=d.penilai.model_dump(mode="json"), periode={"mulai": str(mulai), "selesai": str(selesai)} if mulai else {},
        snapshot=snap.model_dump(mode="json") if snap is not None else {}, atasan_pejabat_penilai=atasan_dict,
        instansi=d.pegawai.instansi, periode_mulai=mulai,
        periode_selesai=selesai, rencana=lines, jumlah_iki_periode=measured_counts_of(built), aturan_target=VERSI_ATURAN,
    )
    # every column, as the ORM object wrote them (its defaults: created_at now, not ended by a mutasi)
    values = dict(skp_id=d.skp_id, created_at=utcnow(), diakhiri_oleh_skp=None, **fields)
    others = await repo.insert_new_plan(values)
    plan: Any
    if others is None:  # the SKP has a plan already: replaced by a newer version
        plan = await repo.plan(d.skp_id)
        if plan.version >= d.version:
            return False
        for k, v in fields.items():
            setattr(plan, k, v)
        await refresh_open_evaluations(session, plan, policy or CapaianPolicy())
        await repo.flush()
        await apply_mutasi(session, plan)
    elif others:
        plan = await repo.plan(d.skp_id)  # the mutasi may end the new plan: changed as an object
        await apply_mutasi(session, plan)
    else:
        plan = SimpleNamespace(**values)
    await join_open_periods(session, plan, today)
    return True


async def apply_mutasi(session, plan: EvaluationPlan) -> None:
    """Another approved SKP of the same NIP whose periode overlaps this one's
    is a mutasi: the one that starts later ends the other on the day before
    it starts (docs/evaluation.md, "Mutasi"). The ended plan keeps its targets for its months;
    its open evaluations of periods after the end, with nothing entered, go."""
    if plan.periode_mulai is None or plan.periode_selesai is None:
        return
    others = await EvaluationRepository(session).other_plans_overlapping(
        plan.nip, plan.skp_id, plan.periode_mulai, plan.periode_selesai)
    for other in others:
        if other.periode_mulai is None or other.periode_mulai == plan.periode_mulai:
            continue
        old, new = (other, plan) if other.periode_mulai < plan.periode_mulai else (plan, other)
        await end_plan(session, old, new.periode_mulai - dt.timedelta(days=1), new.skp_id)


async def end_plan(session, plan: EvaluationPlan, selesai: dt.date, by_skp) -> None:
    cut = [potong_rencana(x, selesai) for x in plan_lines(plan)]
    lines = [x.model_dump(mode="json") for x in cut]
    plan.periode_selesai = selesai
    plan.periode = {**(plan.periode or {}), "selesai": str(selesai)}
    plan.rencana, plan.jumlah_iki_periode = lines, measured_counts_of(cut)
    plan.diakhiri_oleh_skp = by_skp
    repo = EvaluationRepository(session)
    for ev in await repo.open_evaluations_of(plan.skp_id):
        period = period_of(await repo.period(ev.period_id))
        if period.mulai > selesai and period.kind != "annual" and not await repo.has_realisasi(ev.id):
            await repo.delete(ev)
            continue
        ev.jumlah_iki = measured_iki(plan, period)
    await repo.flush()


async def join_open_periods(session, plan, today: dt.date | None = None) -> None:
    """Give the plan (an :class:`EvaluationPlan`, or a row with its columns)
    an evaluation in each open period it overlaps. A period
    whose deadline (as extended) passed before ``today`` is still open only
    until the scheduler's next close tick; the pegawai could not fill it, so
    the plan does not join it: not measured there (N/A), never scored 0.

    The session must hold no unflushed change to the plan's evaluations
    (the periods and the evaluations are read in Core, without an autoflush);
    the new evaluations are inserted in one statement."""
    repo = EvaluationRepository(session)
    now = utcnow()
    new = []
    for row in await repo.open_periods_with_evaluation(plan.jenis_pegawai, plan.skp_id):
        period = period_of(row)
        if not plan_overlaps(plan, period):
            continue
        if row.evaluation_id is None:
            if today is None or period.can_be_filled_after(today):
                new.append(new_evaluation(plan, period, now))
        elif row.evaluation_status == "open":  # a newer approved version: maybe a new penilai (targets: refreshed above)
            existing = await repo.get_evaluation(row.evaluation_id)
            existing.penilai_nip, existing.unit_kerja = plan.penilai_nip, plan.unit_kerja
            existing.atasan_nip = (plan.atasan_pejabat_penilai or {}).get("nip")
    if new:
        await repo.insert_evaluations(new)
