"""Plans stored under an older target rule are rebuilt from their SKP.

A plan keeps the SKP snapshot it was built from and the version of the
shared target rule that built it (``aturan_target``;
:data:`kinerja_contracts.targets.VERSI_ATURAN`). A plan built by an older
version, or before the rule was versioned (``aturan_target`` NULL: e.g. "100 %"
split 25 a quarter as if it were a count), is rebuilt by the current rule:

- its lines (targets per month, quarter and year) and per-period IKI counts;
- a plan a mutasi ended is cut again at its end (``potong_rencana``);
- its **open** evaluations: the number of IKI measured, and the capaian of
  every realisasi already entered (against the new period target); the
  version goes up, so a client holding the old one reloads;
- its **closed** evaluations keep the capaian fixed at their close (a
  result that may have been rated, announced and objected to is not changed
  behind the parties' backs; a correction goes through keberatan): local
  choice, docs/evaluation.md "Plans stored under an older rule".

Idempotent (a plan already at the current version is left alone, checked
under the plan's row lock), one transaction per plan, and a plan that fails
is set aside while the others go on (:mod:`kinerja_platform.isolation`). The
scheduler runs it in the lease holder before its due actions, so no period
closes on stale targets.
"""

from __future__ import annotations

import uuid

from kinerja_contracts.skp import SkpSnapshot
from kinerja_contracts.targets import VERSI_ATURAN
from kinerja_platform.isolation import isolated
from kinerja_platform.logging import get_logger

from ..adapters.repository import EvaluationRepository
from ..adapters.tables import EvaluationPlan
from ..domain.capaian import CapaianPolicy
from ..domain.mutasi import potong_rencana
from ..domain.plan import build_plan, measured_counts
from .plans import refresh_open_evaluations

log = get_logger(__name__)

SCAN = "evaluation-plan-rebuild"


def rebuilt_lines(plan: EvaluationPlan) -> list[dict] | None:
    """The plan lines the current rule gives for a stored plan (cut at its end
    when a mutasi ended it); None when the plan keeps no SKP snapshot."""
    if not plan.snapshot:
        return None
    snap = SkpSnapshot.model_validate(plan.snapshot)
    mulai = plan.periode_mulai or snap.periode.mulai
    # a plan ended by a mutasi was built over its SKP's whole periode, then cut
    selesai = snap.periode.selesai if plan.diakhiri_oleh_skp or plan.periode_selesai is None else plan.periode_selesai
    lines = build_plan(snap, (mulai, selesai))
    if plan.diakhiri_oleh_skp is not None and plan.periode_selesai is not None:
        lines = [potong_rencana(x, plan.periode_selesai) for x in lines]
    return [x.model_dump(mode="json") for x in lines]


async def rebuild_plan(session, skp_id: uuid.UUID, policy: CapaianPolicy) -> bool:
    """Rebuild one plan if an older rule built it; True when it was rebuilt."""
    repo = EvaluationRepository(session)
    plan = await repo.plan_for_update(skp_id)
    if plan is None or (plan.aturan_target or 0) >= VERSI_ATURAN:
        return False
    lines = rebuilt_lines(plan)
    if lines is not None:
        plan.rencana, plan.jumlah_iki_periode = lines, measured_counts(lines)
        await refresh_open_evaluations(session, plan, policy)
    plan.aturan_target = VERSI_ATURAN
    await repo.flush()
    return True


async def rebuild_stale_plans(uow, policy: CapaianPolicy, *, batch: int = 500) -> tuple[int, int]:
    """Rebuild every plan an older rule built, ``batch`` ids at a time, each in
    its own transaction. Returns (rebuilt, set aside); logs progress per batch."""
    rebuilt = failed = 0
    after: uuid.UUID | None = None
    while True:
        async with uow() as session:
            ids = await EvaluationRepository(session).stale_plan_ids(VERSI_ATURAN, after, batch)
        if not ids:
            break
        for skp_id in ids:
            ok = False
            with isolated(SCAN, skp_id):
                async with uow() as session:
                    rebuilt += await rebuild_plan(session, skp_id, policy)
                ok = True
            failed += not ok
        after = ids[-1]
        log.info("stale plans rebuilt", rebuilt=rebuilt, set_aside=failed, rule_version=VERSI_ATURAN)
    return rebuilt, failed
