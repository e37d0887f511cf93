"""Use cases of the approval workflow (run inside the caller's transaction)."""

from __future__ import annotations

import uuid

from kinerja_contracts.events import ApprovalApproved, ApprovalRequested, ApprovalReturned
from kinerja_contracts.lifecycle import SkpAction, SkpStatus, TransitionRefused, transition
from kinerja_contracts.messaging import add_event
from kinerja_contracts.values import Actor, Pegawai, Periode
from kinerja_contracts.web.auth import Principal
from kinerja_contracts.web.errors import ProblemError
from sqlalchemy import update

from ..adapters.tables import ApprovalCase, ApprovalTransition, utcnow


async def on_submitted(session, env, *, resubmission: bool) -> None:
    """An SKP was (re)submitted in skp: put it in its penilai's inbox."""
    d = env.data
    case = await session.get(ApprovalCase, d.skp_id)
    previous = SkpStatus(case.status) if case else SkpStatus.Draft
    action = SkpAction.resubmit if previous == SkpStatus.Revisi else SkpAction.submit
    if case is not None and previous == SkpStatus.Pending and case.version == d.version:
        return  # the same submission again
    try:
        transition(previous, action)
    except TransitionRefused:
        return  # e.g. a late duplicate after a decision: nothing to do
    now = utcnow()
    values = dict(
        status=SkpStatus.Pending.value,
        version=d.version,
        content_hash=d.content_hash,
        pegawai_nip=d.pegawai.nip,
        penilai_nip=d.penilai.nip,
        pegawai=d.pegawai.model_dump(mode="json"),
        penilai=d.penilai.model_dump(mode="json"),
        atasan_penilai=d.atasan_penilai.model_dump(mode="json") if d.atasan_penilai else None,
        periode=d.periode.model_dump(mode="json"),
        jenis_pegawai=d.jenis_pegawai.value,
        unit_kerja=d.unit_kerja,
        instansi=d.instansi,
        snapshot=d.snapshot,
        pending_since=now,
        updated_at=now,
    )
    if case is None:
        case = ApprovalCase(skp_id=d.skp_id, sequence=1, **values)
        session.add(case)
    else:
        for k, v in values.items():
            setattr(case, k, v)
        case.sequence += 1
    actor = env.actor
    session.add(
        ApprovalTransition(
            skp_id=d.skp_id, sequence=case.sequence, from_status=previous.value, to_status=SkpStatus.Pending.value,
            action=action.value, actor=actor.sub if actor else d.pegawai.nip, actor_role=actor.role if actor else "pegawai",
            version=d.version, content_hash=d.content_hash,
        )
    )
    add_event(
        session,
        ApprovalRequested(
            skp_id=d.skp_id, version=d.version, content_hash=d.content_hash, status=SkpStatus.Pending,
            sequence=case.sequence, pegawai=d.pegawai, penilai=d.penilai, periode=d.periode,
            jenis_pegawai=d.jenis_pegawai, resubmission=resubmission,
        ),
    )


async def get_case(session, skp_id: uuid.UUID) -> ApprovalCase:
    case = await session.get(ApprovalCase, skp_id)
    if case is None:
        raise ProblemError(404, "approval-not-found", f"Tidak ada pengajuan untuk SKP {skp_id} (no submission for this SKP).")
    return case


async def decide(
    session, skp_id: uuid.UUID, action: SkpAction, principal: Principal, *, version: int, note: str | None = None
) -> ApprovalCase:
    """Approve or return one exact version; exactly one of two racing decisions wins."""
    case = await get_case(session, skp_id)
    if case.penilai_nip != principal.sub:
        raise ProblemError(403, "not-your-decision",
                           "Hanya pejabat penilai SKP ini yang dapat memutuskan (only this SKP's pejabat penilai decides).")
    state = SkpStatus(case.status)
    try:
        target = transition(state, action, principal.role, note)
    except TransitionRefused as exc:
        status = 422 if exc.reason == "note" else (403 if exc.reason == "role" else 409)
        raise ProblemError(status, "transition-refused", exc.message, status_skp=state.value, allowed_actions=list(exc.allowed)) from exc
    if version != case.version:
        raise ProblemError(409, "stale-version",
                           f"Keputusan untuk versi {version}, padahal versi yang diajukan {case.version} (decision on a stale version).",
                           current_version=case.version)
    seq = case.sequence
    result = await session.exec(
        update(ApprovalCase)
        .where(ApprovalCase.skp_id == skp_id, ApprovalCase.sequence == seq, ApprovalCase.status == state.value)
        .values(status=target.value, sequence=seq + 1, updated_at=utcnow(), pending_since=None)
    )
    if result.rowcount != 1:
        raise ProblemError(409, "decision-conflict", "SKP ini baru saja diputuskan oleh orang lain (someone else decided first).")
    await session.refresh(case)
    session.add(
        ApprovalTransition(
            skp_id=skp_id, sequence=case.sequence, from_status=state.value, to_status=target.value, action=action.value,
            actor=principal.sub, actor_role=principal.role.value, version=case.version, content_hash=case.content_hash, note=note,
        )
    )
    common = dict(
        skp_id=skp_id, version=case.version, content_hash=case.content_hash, status=target, sequence=case.sequence,
        pegawai=Pegawai.model_validate(case.pegawai), penilai=Pegawai.model_validate(case.penilai),
        periode=Periode.model_validate(case.periode), jenis_pegawai=case.jenis_pegawai, decided_by=principal.sub,
    )
    actor = Actor(sub=principal.sub, role=principal.role.value)
    if action == SkpAction.approve:
        event = ApprovalApproved(
            **common,
            atasan_penilai=Pegawai.model_validate(case.atasan_penilai) if case.atasan_penilai else None,
            snapshot=case.snapshot,
        )
    else:
        event = ApprovalReturned(**common, note=note or "")
    add_event(session, event, actor=actor)
    return case
