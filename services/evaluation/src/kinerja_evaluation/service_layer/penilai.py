"""Who rates for whom: the Plt/Plh an admin records for the dates of the
assignment, and - after an admin reassigns the penilai of an SKP - the new
penilai (docs/evaluation.md "Who rates: penilai, Plt/Plh, reassignment":
only the current pejabat penilai, or a recorded acting official for the
dates of the assignment, decides; the rule of approval applies to rating). The rule itself is
:func:`.access.may_rate`; the assignments in force are read by
``EvaluationRepository.acting_for``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.events import EvaluationPenilaiReassigned
from kinerja_contracts.values import Pegawai
from kinerja_platform.messaging import add_event
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

from ..adapters.repository import EvaluationRepository
from ..adapters.tables import EvaluationPlan, PenugasanPenilai
from . import access

JENIS = ("Plt", "Plh")


async def record(session, principal: Principal, *, delegate_nip: str, penilai_nip: str, jenis: str,
                 mulai: dt.date, selesai: dt.date, nomor_sk: str | None) -> PenugasanPenilai:
    """An admin records a Plt/Plh of their instansi who rates for ``penilai_nip`` from ``mulai`` to ``selesai``."""
    instansi = access.penilai_admin_instansi(principal)
    errors = []
    if selesai < mulai:
        errors.append({"path": "body.selesai", "message": "tidak boleh sebelum mulai (must not be before mulai)"})
    if delegate_nip == penilai_nip:
        errors.append({"path": "body.delegate_nip", "message": "harus berbeda dari penilai_nip (must differ)"})
    if jenis not in JENIS:
        errors.append({"path": "body.jenis", "message": "Plt atau Plh"})
    if errors:
        raise ProblemError(422, "invalid-penugasan", "Penugasan Plt/Plh tidak valid (invalid acting assignment): "
                           + "; ".join(f"{e['path']}: {e['message']}" for e in errors), errors=errors)
    row = PenugasanPenilai(delegate_nip=delegate_nip, penilai_nip=penilai_nip, jenis=jenis, mulai=mulai,
                           selesai=selesai, instansi=instansi, nomor_sk=nomor_sk, created_by=principal.sub)
    repo = EvaluationRepository(session)
    repo.add(row)
    await repo.flush()
    return row


async def revoke(session, principal: Principal, penugasan_id: uuid.UUID) -> PenugasanPenilai:
    instansi = access.penilai_admin_instansi(principal)
    repo = EvaluationRepository(session)
    row = await repo.penugasan(penugasan_id)
    if row is None or row.instansi != instansi:
        raise ProblemError(404, "penugasan-not-found", f"Penugasan {penugasan_id} tidak ditemukan (not found).")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    await repo.flush()
    return row


async def reassign(session, principal: Principal, skp_id: uuid.UUID, penilai: Pegawai) -> tuple[EvaluationPlan, int]:
    """Make ``penilai`` the pejabat penilai of the SKP's evaluation plan and
    of every evaluation not yet rated and without a keberatan; rated ones
    keep who rated them; the new (and the previous) penilai are told
    (``evaluation.penilai_reassigned``). Returns the plan and how many
    evaluations moved."""
    plan = await plan_of_instansi(session, skp_id, access.penilai_admin_instansi(principal))
    if penilai.nip == plan.nip:
        raise ProblemError(422, "penilai-is-pegawai", "Pejabat penilai tidak boleh pegawai itu sendiri "
                           "(the penilai cannot be the pegawai).",
                           errors=[{"path": "body.penilai.nip", "message": "sama dengan NIP pegawai"}])
    previous = Pegawai.model_validate(plan.penilai) if plan.penilai else None
    plan.penilai_nip = penilai.nip
    plan.penilai = penilai.model_dump(mode="json")
    rows = await EvaluationRepository(session).unrated_without_keberatan(plan.skp_id)
    for ev in rows:
        ev.penilai_nip = penilai.nip
        ev.version += 1
        ev.updated_at = utcnow()
    add_event(session, EvaluationPenilaiReassigned(
        skp_id=plan.skp_id, pegawai=Pegawai.model_validate(plan.pegawai), penilai=penilai,
        previous_penilai=previous if previous is not None and previous.nip != penilai.nip else None,
        evaluasi_dipindah=len(rows)), actor=access.actor(principal))
    return plan, len(rows)


async def list_for(session, principal: Principal) -> list[PenugasanPenilai]:
    """The Plt/Plh of the admin's instansi."""
    return await EvaluationRepository(session).penugasan_of_instansi(access.penilai_admin_instansi(principal))


async def plan_of_instansi(session, skp_id: uuid.UUID, instansi: str) -> EvaluationPlan:
    plan = await EvaluationRepository(session).plan(skp_id)
    if plan is None or plan.instansi != instansi:
        raise ProblemError(404, "plan-not-found", f"Belum ada rencana evaluasi untuk SKP {skp_id} (no plan).")
    return plan
