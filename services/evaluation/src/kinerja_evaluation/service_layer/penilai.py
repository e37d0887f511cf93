"""Who may rate an evaluation: the pejabat penilai on record, a Plt/Plh
recorded for the dates of the assignment, and - after an admin reassigns
the penilai of an SKP - the new penilai (DOMAIN.md "Approval": "Only the
current pejabat penilai, or a recorded acting official (Plt/Plh) for the
dates of the assignment, decides"; the same rule applies to rating).
"""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.events import EvaluationPenilaiReassigned
from kinerja_contracts.values import Actor, Pegawai
from kinerja_platform.messaging import add_event
from kinerja_platform.web.errors import ProblemError
from sqlalchemy import select

from ..adapters.tables import Evaluation, EvaluationPlan, Keberatan, PenugasanPenilai

JENIS = ("Plt", "Plh")


async def acting_for(session, delegate_nip: str, day: dt.date) -> set[str]:
    """The penilai NIPs ``delegate_nip`` rates for on ``day`` (Plt/Plh in force)."""
    rows = (await session.exec(select(PenugasanPenilai.penilai_nip).where(
        PenugasanPenilai.delegate_nip == delegate_nip, PenugasanPenilai.mulai <= day,
        PenugasanPenilai.selesai >= day, PenugasanPenilai.revoked_at.is_(None)))).scalars().all()
    return set(rows)


async def may_rate(session, nip: str, ev: Evaluation, day: dt.date) -> bool:
    """The evaluation's penilai, or their Plt/Plh on ``day``."""
    return nip == ev.penilai_nip or ev.penilai_nip in await acting_for(session, nip, day)


async def record(session, instansi: str, by: str, *, delegate_nip: str, penilai_nip: str, jenis: str,
                 mulai: dt.date, selesai: dt.date, nomor_sk: str | None) -> PenugasanPenilai:
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
                           selesai=selesai, instansi=instansi, nomor_sk=nomor_sk, created_by=by)
    session.add(row)
    await session.flush()
    return row


async def revoke(session, instansi: str, penugasan_id: uuid.UUID) -> PenugasanPenilai:
    row = await session.get(PenugasanPenilai, penugasan_id)
    if row is None or row.instansi != instansi:
        raise ProblemError(404, "penugasan-not-found", f"Penugasan {penugasan_id} tidak ditemukan (not found).")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


async def reassign(session, plan: EvaluationPlan, penilai: Pegawai, actor: Actor) -> int:
    """Make ``penilai`` the pejabat penilai of the SKP's evaluation plan and
    of every evaluation not yet rated and without a keberatan; rated ones
    keep who rated them; the new (and the previous) penilai are told
    (``evaluation.penilai_reassigned``). Returns how many evaluations moved."""
    if penilai.nip == plan.nip:
        raise ProblemError(422, "penilai-is-pegawai", "Pejabat penilai tidak boleh pegawai itu sendiri "
                           "(the penilai cannot be the pegawai).",
                           errors=[{"path": "body.penilai.nip", "message": "sama dengan NIP pegawai"}])
    previous = Pegawai.model_validate(plan.penilai) if plan.penilai else None
    plan.penilai_nip = penilai.nip
    plan.penilai = penilai.model_dump(mode="json")
    objected = select(Keberatan.evaluation_id)
    rows = (await session.exec(select(Evaluation).where(
        Evaluation.skp_id == plan.skp_id, Evaluation.predikat.is_(None), Evaluation.id.not_in(objected)))).scalars().all()
    for ev in rows:
        ev.penilai_nip = penilai.nip
        ev.version += 1
        ev.updated_at = utcnow()
    add_event(session, EvaluationPenilaiReassigned(
        skp_id=plan.skp_id, pegawai=Pegawai.model_validate(plan.pegawai), penilai=penilai,
        previous_penilai=previous if previous is not None and previous.nip != penilai.nip else None,
        evaluasi_dipindah=len(rows)), actor=actor)
    return len(rows)


async def list_for(session, instansi: str) -> list[PenugasanPenilai]:
    return list((await session.exec(select(PenugasanPenilai).where(PenugasanPenilai.instansi == instansi)
                                    .order_by(PenugasanPenilai.mulai))).scalars().all())


async def plan_of_instansi(session, skp_id: uuid.UUID, instansi: str) -> EvaluationPlan:
    plan = await session.get(EvaluationPlan, skp_id)
    if plan is None or plan.instansi != instansi:
        raise ProblemError(404, "plan-not-found", f"Belum ada rencana evaluasi untuk SKP {skp_id} (no plan).")
    return plan
