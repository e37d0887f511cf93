"""Use cases of the approval workflow (each runs inside the caller's transaction).

Every transition goes through :func:`_advance`: a compare-and-set on the
case's ``sequence`` (so of two racing decisions exactly one wins) plus one
append-only audit row, whose ``(skp_id, sequence)`` is unique in the
database. The event that reports the transition is written to the outbox in
the same transaction and carries that ``sequence``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kinerja_contracts.calendar import today_jakarta, utcnow
from kinerja_contracts.events import ApprovalApproved, ApprovalReassigned, ApprovalRequested, ApprovalReturned
from kinerja_contracts.lifecycle import SkpAction, SkpStatus, TransitionRefused, transition
from kinerja_platform.context import bind_owner
from kinerja_platform.logging import get_logger
from kinerja_platform.messaging import add_event
from kinerja_contracts.values import Actor, Pegawai, Periode, Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from sqlalchemy.exc import IntegrityError

from ..adapters.repository import ApprovalRepository
from ..adapters.tables import ApprovalCase, ApprovalTransition, ApprovalVersion
from ..domain.authority import Authority
from . import access

#: a case as the use cases hand it out (the stored row), and one audit row
Case = ApprovalCase
Transition = ApprovalTransition

log = get_logger(__name__)


def _conflict() -> ProblemError:
    return ProblemError(409, "decision-conflict",
                        "SKP ini baru saja diputuskan atau diubah oleh orang lain; muat ulang "
                        "(someone else decided or changed this SKP first; reload it).")


async def _advance(
    session, case: ApprovalCase, action: SkpAction, target: SkpStatus, *, actor: str, actor_role: str,
    on_behalf_of: str | None = None, note: str | None = None, now: dt.datetime, **values: Any,
) -> None:
    """Move ``case`` to ``target`` if nobody moved it since it was read.

    The audit row is staged, not yet written: the caller stages the event and
    then calls :func:`_flush` (one flush for both)."""
    from_status = case.status
    values.update(status=target.value, sequence=case.sequence + 1, updated_at=now)
    if not await ApprovalRepository(session).advance(case, values):
        raise _conflict()
    _audit(session, case, from_status, action, actor=actor, actor_role=actor_role,
           on_behalf_of=on_behalf_of, note=note, now=now)


def _audit(session, case: ApprovalCase, from_status: str | None, action: SkpAction, *, actor: str,
           actor_role: str, on_behalf_of: str | None, note: str | None, now: dt.datetime) -> None:
    ApprovalRepository(session).add_transition(
        ApprovalTransition(
            skp_id=case.skp_id, sequence=case.sequence, from_status=from_status, to_status=case.status,
            action=action.value, actor=actor, actor_role=actor_role, on_behalf_of=on_behalf_of,
            penilai_nip=case.penilai_nip, version=case.version, content_hash=case.content_hash, note=note, at=now,
        )
    )


async def _flush(session) -> None:
    """Write what is staged (audit row, case, version, outbox event) now, so a
    lost race surfaces here as a 409 rather than at commit."""
    try:
        await ApprovalRepository(session).flush()
    except IntegrityError as exc:  # the unique (skp_id, sequence): another transition won
        raise _conflict() from exc


# --- submissions (events from skp) ------------------------------------------


def _snapshot_json(d) -> dict:
    """The submitted SKP document as stored (JSON), from the typed snapshot."""
    return d.snapshot.model_dump(mode="json") if d.snapshot is not None else {}


async def _keep_version(session, d, *, known_skp: bool) -> None:
    # a version row exists only for an SKP that has a case already (same transaction)
    repo = ApprovalRepository(session)
    if not known_skp or await repo.version(d.skp_id, d.version) is None:
        repo.add_version(ApprovalVersion(skp_id=d.skp_id, version=d.version, content_hash=d.content_hash,
                                         snapshot=_snapshot_json(d)))


async def on_submitted(session, env, *, resubmission: bool, now: dt.datetime | None = None) -> bool:
    """An SKP was (re)submitted in skp: put it in its penilai's inbox.

    Idempotent: the same submission again (same version, already Pending), an
    older version, or a submission the table refuses (e.g. after approval)
    changes nothing. Returns whether the case moved.
    """
    d = env.data
    now = now or utcnow()
    case = await ApprovalRepository(session).get(d.skp_id)
    state = SkpStatus(case.status) if case else SkpStatus.Draft
    if case is not None and (d.version < case.version or (state == SkpStatus.Pending and d.version == case.version)):
        log.info("submission ignored: already known or older", skp_id=str(d.skp_id), version=d.version, case_version=case.version)
        return False
    action = SkpAction.resubmit if state == SkpStatus.Revisi else SkpAction.submit
    try:
        transition(state, action)
    except TransitionRefused:
        log.warning("submission ignored: refused by the lifecycle", skp_id=str(d.skp_id), state=state.value, action=action.value)
        return False
    await _keep_version(session, d, known_skp=case is not None)
    penilai = d.penilai
    atasan = d.atasan_pejabat_penilai
    if case is not None and d.penilai.nip in (case.replaced_penilai or []):
        # the pegawai still names the penilai an admin replaced: keep the admin's choice
        penilai = Pegawai.model_validate(case.penilai)
        atasan = Pegawai.model_validate(case.atasan_pejabat_penilai) if case.atasan_pejabat_penilai else atasan
    values = dict(
        version=d.version, content_hash=d.content_hash, pegawai_nip=d.pegawai.nip, penilai_nip=penilai.nip,
        pegawai=d.pegawai.model_dump(mode="json"), penilai=penilai.model_dump(mode="json"),
        atasan_pejabat_penilai=atasan.model_dump(mode="json") if atasan else None,
        periode=d.periode.model_dump(mode="json"), periode_mulai=d.periode.mulai, periode_selesai=d.periode.selesai,
        jenis_pegawai=d.jenis_pegawai.value, unit_kerja=d.unit_kerja, instansi=d.instansi, snapshot=_snapshot_json(d),
        pending_since=now,
    )
    actor = env.actor.sub if env.actor else d.pegawai.nip
    actor_role = env.actor.role if env.actor else Role.pegawai.value
    if case is None:
        case = ApprovalCase(skp_id=d.skp_id, status=SkpStatus.Pending.value, sequence=1, pending_round=1, updated_at=now, **values)
        ApprovalRepository(session).add(case)
        _audit(session, case, SkpStatus.Draft.value, action, actor=actor, actor_role=actor_role,
               on_behalf_of=None, note=None, now=now)
    else:
        await _advance(session, case, action, SkpStatus.Pending, actor=actor, actor_role=actor_role, now=now,
                       pending_round=case.sequence + 1, **values)
    add_event(
        session,
        ApprovalRequested(
            skp_id=d.skp_id, version=case.version, content_hash=case.content_hash, status=SkpStatus.Pending,
            sequence=case.sequence, pegawai=d.pegawai, penilai=penilai, periode=d.periode,
            jenis_pegawai=d.jenis_pegawai, resubmission=action == SkpAction.resubmit,
        ),
        actor=env.actor,
    )
    await _flush(session)
    return True


# --- decisions ----------------------------------------------------------------


async def get_case(session, skp_id: uuid.UUID) -> ApprovalCase:
    case = await ApprovalRepository(session).get(skp_id)
    if case is None:
        raise ProblemError(404, "approval-not-found", f"Tidak ada pengajuan untuk SKP {skp_id} (no submission for this SKP).")
    bind_owner(case.skp_id, case.pegawai_nip)  # the request's log lines name the SKP's pegawai (docs/operations.md)
    return case


async def authority_over(session, case: ApprovalCase, principal: Principal, now: dt.datetime) -> Authority:
    """Who decides: the current penilai, or a Plt/Plh in force today (Asia/Jakarta); see access.decider."""
    day = today_jakarta(now)
    acting = (await ApprovalRepository(session).in_force_for(principal.sub, day)
              if access.needs_acting(case, principal) else [])
    return access.decider(case, principal, day, acting)


async def read_case(session, skp_id: uuid.UUID, principal: Principal, now: dt.datetime) -> ApprovalCase:
    """A case, for a party to it (access.ensure_can_read)."""
    case = await get_case(session, skp_id)
    if not access.reads_without_acting(case, principal):
        day = today_jakarta(now)
        acting = (await ApprovalRepository(session).in_force_for(principal.sub, day)
                  if access.needs_acting(case, principal) else [])
        access.ensure_can_read(case, principal, day, acting)
    return case


async def history(session, skp_id: uuid.UUID, principal: Principal,
                  now: dt.datetime) -> tuple[ApprovalCase, list[ApprovalTransition]]:
    """A case and its audit trail, oldest first, for a party to it."""
    case = await read_case(session, skp_id, principal, now)
    return case, await ApprovalRepository(session).history(skp_id)


async def cases_of_instansi(
    session, principal: Principal, *, status: str | None, penilai_nip: str | None, pegawai_nip: str | None,
    unit_kerja: str | None, limit: int, offset: int,
) -> tuple[int, list[ApprovalCase]]:
    """An admin's view: the cases of their instansi, longest waiting first."""
    instansi = access.admin_instansi(principal)
    return await ApprovalRepository(session).of_instansi(
        instansi, status=status, penilai_nip=penilai_nip, pegawai_nip=pegawai_nip, unit_kerja=unit_kerja,
        limit=limit, offset=offset)


def _refused(exc: TransitionRefused, state: SkpStatus) -> ProblemError:
    status = {"catatan_perbaikan": 422, "role": 403}.get(exc.reason, 409)
    code = "catatan-perbaikan-required" if exc.reason == "catatan_perbaikan" else "transition-refused"
    return ProblemError(status, code, exc.message,
                        status_skp=state.value, allowed_actions=list(exc.allowed))


def _check_version(case: ApprovalCase, version: int, content_hash: str | None) -> None:
    if version != case.version or (content_hash is not None and content_hash != case.content_hash):
        raise ProblemError(
            409, "stale-version",
            f"Keputusan dibuat atas versi {version}, padahal versi yang diajukan {case.version}; muat ulang "
            "(the decision is on a version that is no longer the one under approval; reload it).",
            current_version=case.version, current_content_hash=case.content_hash,
        )


def _common(case: ApprovalCase) -> dict[str, Any]:
    return dict(
        skp_id=case.skp_id, version=case.version, content_hash=case.content_hash, status=SkpStatus(case.status),
        sequence=case.sequence, pegawai=Pegawai.model_validate(case.pegawai), penilai=Pegawai.model_validate(case.penilai),
        periode=Periode.model_validate(case.periode), jenis_pegawai=case.jenis_pegawai,
    )


async def decide(
    session, skp_id: uuid.UUID, action: SkpAction, principal: Principal, *, version: int,
    content_hash: str | None = None, catatan_perbaikan: str | None = None, now: dt.datetime | None = None,
) -> ApprovalCase:
    """Approve or return one exact version; of two racing decisions exactly one wins."""
    now = now or utcnow()
    case = await get_case(session, skp_id)
    state = SkpStatus(case.status)
    authority = await authority_over(session, case, principal, now)
    try:
        target = transition(state, action, principal.role, catatan_perbaikan)
    except TransitionRefused as exc:
        raise _refused(exc, state) from exc
    _check_version(case, version, content_hash)
    catatan_perbaikan = catatan_perbaikan.strip() if catatan_perbaikan else None
    await _advance(session, case, action, target, actor=principal.sub, actor_role=principal.role.value,
                   on_behalf_of=authority.on_behalf_of, note=catatan_perbaikan, now=now, pending_since=None)
    common = dict(**_common(case), decided_by=principal.sub, on_behalf_of=authority.on_behalf_of)
    if action == SkpAction.approve:
        event = ApprovalApproved(
            **common,
            atasan_pejabat_penilai=Pegawai.model_validate(case.atasan_pejabat_penilai) if case.atasan_pejabat_penilai else None,
            snapshot=case.snapshot,
        )
    else:
        event = ApprovalReturned(**common, catatan_perbaikan=catatan_perbaikan or "")
    add_event(session, event, actor=Actor(sub=principal.sub, role=principal.role.value, on_behalf_of=authority.on_behalf_of))
    await _flush(session)
    return case


async def reassign(
    session, skp_id: uuid.UUID, principal: Principal, *, version: int, penilai: Pegawai,
    atasan_pejabat_penilai: Pegawai | None = None, reason: str | None = None, now: dt.datetime | None = None,
) -> ApprovalCase:
    """An admin of the SKP's instansi moves a Pending SKP to another penilai."""
    now = now or utcnow()
    case = await get_case(session, skp_id)
    access.ensure_can_reassign(case, principal)
    state = SkpStatus(case.status)
    try:
        transition(state, SkpAction.reassign, principal.role)
    except TransitionRefused as exc:
        raise _refused(exc, state) from exc
    if penilai.nip == case.penilai_nip and state == SkpStatus.Pending:
        return case  # already there: a retried reassignment changes nothing (no event, no audit row)
    _check_version(case, version, None)
    if penilai.nip == case.pegawai_nip:
        raise ProblemError(422, "penilai-is-pegawai",
                           "Pejabat penilai tidak boleh pegawai itu sendiri (the penilai cannot be the pegawai).",
                           errors=[{"path": "body.penilai.nip", "message": "must differ from the pegawai's NIP"}])
    previous = Pegawai.model_validate(case.penilai)
    replaced = sorted({*(case.replaced_penilai or []), previous.nip} - {penilai.nip})
    values: dict[str, Any] = dict(penilai_nip=penilai.nip, penilai=penilai.model_dump(mode="json"), replaced_penilai=replaced)
    if atasan_pejabat_penilai is not None:
        values["atasan_pejabat_penilai"] = atasan_pejabat_penilai.model_dump(mode="json")
    reason = reason.strip() if reason else None
    await _advance(session, case, SkpAction.reassign, SkpStatus.Pending, actor=principal.sub,
                   actor_role=principal.role.value, note=reason, now=now, **values)
    add_event(
        session,
        ApprovalReassigned(**_common(case), previous_penilai=previous, reason=reason),
        actor=Actor(sub=principal.sub, role=principal.role.value),
    )
    await _flush(session)
    return case
