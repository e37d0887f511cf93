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
from kinerja_contracts.directory import as_pegawai
from kinerja_contracts.events import ApprovalApproved, ApprovalReassigned, ApprovalRequested, ApprovalReturned
from kinerja_contracts.lifecycle import SkpAction, SkpStatus, TransitionRefused, transition
from kinerja_platform.context import bind_owner
from kinerja_platform.directory_view import DirectoryView
from kinerja_platform.isolation import set_aside
from kinerja_platform.logging import get_logger
from kinerja_platform.messaging import add_event
from kinerja_contracts.values import Actor, Pegawai, Periode, Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from sqlalchemy.exc import IntegrityError

from ..adapters.repository import ApprovalRepository
from ..adapters.tables import ApprovalCase, ApprovalTransition
from ..domain.authority import Authority
from ..domain.routing import Follow, Route, RoutedBy, follow
from . import access, routing

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
    """Move ``case`` to ``target`` if nobody moved it since it was read, and
    append its audit row (one statement on PostgreSQL); a lost race is a 409."""
    from_status = case.status
    values.update(status=target.value, sequence=case.sequence + 1, updated_at=now)
    audit = _audit(
        case.skp_id, values["sequence"], from_status, target.value, action, actor=actor, actor_role=actor_role,
        on_behalf_of=on_behalf_of, penilai_nip=values.get("penilai_nip", case.penilai_nip),
        version=values.get("version", case.version), content_hash=values.get("content_hash", case.content_hash),
        note=note, now=now)
    try:
        moved = await ApprovalRepository(session).advance(case, values, audit)
    except IntegrityError as exc:  # the unique (skp_id, sequence): another transition won
        raise _conflict() from exc
    if not moved:
        raise _conflict()


def _audit(skp_id: uuid.UUID, sequence: int, from_status: str | None, to_status: str, action: SkpAction, *,
           actor: str, actor_role: str, on_behalf_of: str | None, penilai_nip: str | None, version: int,
           content_hash: str, note: str | None, now: dt.datetime) -> dict[str, Any]:
    """The audit row of a transition (repository.TRANSITION_COLUMNS)."""
    return dict(skp_id=skp_id, sequence=sequence, from_status=from_status, to_status=to_status, action=action.value,
                actor=actor, actor_role=actor_role, on_behalf_of=on_behalf_of, penilai_nip=penilai_nip,
                version=version, content_hash=content_hash, note=note, at=now)


async def _flush(session) -> None:
    """Write what is staged (the outbox event) now, so that a database
    refusal surfaces in the use case rather than at commit."""
    try:
        await ApprovalRepository(session).flush()
    except IntegrityError as exc:
        raise _conflict() from exc


# --- submissions (events from skp) ------------------------------------------


def _snapshot_json(d) -> dict:
    """The submitted SKP document as stored (JSON), from the typed snapshot."""
    return d.snapshot.model_dump(mode="json") if d.snapshot is not None else {}


async def _submission_route(view: DirectoryView, case: ApprovalCase | None, pegawai_nip: str, day: dt.date,
                            today: dt.date) -> tuple[Route, RoutedBy]:
    """Where a (re)submission goes: the directory's penilai on ``day``; an
    admin's reassignment of this case holds while its penilai can still act
    (active in the instansi today). Never the penilai the SKP names."""
    r = await routing.resolve(view, pegawai_nip, day, today)
    if (case is not None and case.routed_by == RoutedBy.admin and case.penilai_nip is not None
            and case.penilai is not None
            and await routing.standing(view, case.penilai_nip, case.instansi, today) is not None):
        atasan = Pegawai.model_validate(case.atasan_pejabat_penilai) if case.atasan_pejabat_penilai else None
        return Route(Pegawai.model_validate(case.penilai), atasan, r.pegawai, r.instansi), RoutedBy.admin
    return r, RoutedBy.directory


def _route_values(r: Route, routed_by: RoutedBy) -> dict[str, Any]:
    """The case's columns for route ``r`` (penilai null when unrouted)."""
    return dict(
        penilai_nip=r.penilai.nip if r.penilai else None,
        penilai=r.penilai.model_dump(mode="json") if r.penilai else None,
        atasan_pejabat_penilai=r.atasan_pejabat_penilai.model_dump(mode="json") if r.atasan_pejabat_penilai else None,
        routed_by=routed_by.value if r.penilai else None,
        unrouted_reason=r.reason.value if r.reason else None,
    )


def _unrouted_note(r: Route) -> str | None:
    return f"unrouted: {r.reason.value}" if r.reason is not None else None


async def on_submitted(session, env, *, resubmission: bool, now: dt.datetime | None = None) -> bool:
    """An SKP was (re)submitted in skp: put it in the inbox of the penilai the
    directory names for the pegawai (domain.routing), or hold it unrouted.

    The routing date is the submission's day (Asia/Jakarta, from the event's
    ``occurred_at``) clamped into the SKP's periode. The SKP's own penilai
    block is ignored. Idempotent: the same submission again (same version,
    already Pending), an older version, or a submission the table refuses
    (e.g. after approval) changes nothing. Returns whether the case moved.
    """
    d = env.data
    now = now or utcnow()
    repo = ApprovalRepository(session)
    case = await repo.get(d.skp_id)
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
    snapshot = _snapshot_json(d)  # dumped once: the case and the version row store the same document
    if case is not None and await repo.version(d.skp_id, d.version) is None:
        # a version row exists only for an SKP that has a case already (same transaction)
        try:
            await repo.add_version(d.skp_id, d.version, d.content_hash, snapshot, utcnow())
        except IntegrityError as exc:  # kept by a concurrent delivery of the same submission
            raise _conflict() from exc
    day = routing.day_for(today_jakarta(env.occurred_at), d.periode.mulai, d.periode.selesai)
    view = DirectoryView(session)
    # one read for the people the route most likely passes through (the SKP's pegawai, penilai and their
    # superior): only a hint for the cache, the route itself is the directory's (anyone else is read on demand)
    await view.load([d.pegawai.nip, d.penilai.nip, *([d.atasan_pejabat_penilai.nip] if d.atasan_pejabat_penilai else [])])
    r, routed_by = await _submission_route(view, case, d.pegawai.nip, day, today_jakarta(now))
    pegawai = r.pegawai or d.pegawai
    values = dict(
        version=d.version, content_hash=d.content_hash, pegawai_nip=d.pegawai.nip, pegawai=pegawai.model_dump(mode="json"),
        periode=d.periode.model_dump(mode="json"), periode_mulai=d.periode.mulai, periode_selesai=d.periode.selesai,
        jenis_pegawai=d.jenis_pegawai.value, unit_kerja=d.unit_kerja,
        instansi=r.instansi or d.instansi, snapshot=snapshot, pending_since=now, **_route_values(r, routed_by),
    )
    actor = env.actor.sub if env.actor else d.pegawai.nip
    actor_role = env.actor.role if env.actor else Role.pegawai.value
    if case is None:
        sequence = 1
        values.update(skp_id=d.skp_id, status=SkpStatus.Pending.value, sequence=sequence, pending_round=1,
                      updated_at=now, replaced_penilai=[])
        audit = _audit(d.skp_id, sequence, SkpStatus.Draft.value, SkpStatus.Pending.value, action, actor=actor,
                       actor_role=actor_role, on_behalf_of=None, penilai_nip=values["penilai_nip"],
                       version=d.version, content_hash=d.content_hash, note=_unrouted_note(r), now=now)
        try:
            await repo.open(values, utcnow(), audit)
        except IntegrityError as exc:  # opened by a concurrent delivery of the same submission
            raise _conflict() from exc
    else:
        await _advance(session, case, action, SkpStatus.Pending, actor=actor, actor_role=actor_role, now=now,
                       note=_unrouted_note(r), pending_round=case.sequence + 1, **values)
        sequence = case.sequence
    if r.penilai is None:
        log.warning("submission held unrouted: the directory names no penilai", skp_id=str(d.skp_id),
                    pegawai=d.pegawai.nip, reason=r.reason.value if r.reason else None, tanggal=day.isoformat())
    else:
        # built from the typed parts the case was written from (no re-validation of what was just dumped)
        add_event(session, ApprovalRequested(
            skp_id=d.skp_id, version=d.version, content_hash=d.content_hash, status=SkpStatus.Pending,
            sequence=sequence, pegawai=pegawai, penilai=r.penilai, periode=d.periode, jenis_pegawai=d.jenis_pegawai,
            resubmission=action == SkpAction.resubmit), actor=env.actor)
    await _flush(session)
    return True


def _requested(case: ApprovalCase, *, resubmission: bool) -> ApprovalRequested:
    return ApprovalRequested(**_common(case), resubmission=resubmission)


# --- decisions ----------------------------------------------------------------


async def get_case(session, skp_id: uuid.UUID) -> ApprovalCase:
    case = await ApprovalRepository(session).get(skp_id)
    if case is None:
        raise ProblemError(404, "approval-not-found", f"Tidak ada pengajuan untuk SKP {skp_id} (no submission for this SKP).")
    bind_owner(case.skp_id, case.pegawai_nip)  # the request's log lines name the SKP's pegawai (docs/operations.md)
    return case


async def _caller_record(session, principal: Principal, day: dt.date):
    """The caller's directory record on ``day`` (only an atasan may decide: no read for anyone else)."""
    return await DirectoryView(session).record_on(principal.sub, day) if principal.role == Role.atasan else None


async def authority_over(session, case: ApprovalCase, principal: Principal, now: dt.datetime) -> Authority:
    """Who decides: the current penilai, or a Plt/Plh in force today (Asia/Jakarta), while the directory
    holds them active in the SKP's instansi; see access.decider."""
    day = today_jakarta(now)
    acting = (await ApprovalRepository(session).in_force_for(principal.sub, day)
              if access.needs_acting(case, principal) else [])
    return access.decider(case, principal, day, acting, await _caller_record(session, principal, day))


async def read_case(session, skp_id: uuid.UUID, principal: Principal, now: dt.datetime) -> ApprovalCase:
    """A case, for a party to it (access.ensure_can_read)."""
    case = await get_case(session, skp_id)
    if not access.reads_without_acting(case, principal):
        day = today_jakarta(now)
        acting = (await ApprovalRepository(session).in_force_for(principal.sub, day)
                  if access.needs_acting(case, principal) else [])
        access.ensure_can_read(case, principal, day, acting, await _caller_record(session, principal, day))
    return case


async def history(session, skp_id: uuid.UUID, principal: Principal,
                  now: dt.datetime) -> tuple[ApprovalCase, list[ApprovalTransition]]:
    """A case and its audit trail, oldest first, for a party to it."""
    case = await read_case(session, skp_id, principal, now)
    return case, await ApprovalRepository(session).history(skp_id)


async def cases_of_instansi(
    session, principal: Principal, *, status: str | None, penilai_nip: str | None, pegawai_nip: str | None,
    unit_kerja: str | None, limit: int, offset: int, unrouted: bool | None = None,
) -> tuple[int, list[ApprovalCase]]:
    """An admin's view: the cases of their instansi, longest waiting first
    (``unrouted``: only those the directory could not route, or only the others)."""
    instansi = access.admin_instansi(principal)
    return await ApprovalRepository(session).of_instansi(
        instansi, status=status, penilai_nip=penilai_nip, pegawai_nip=pegawai_nip, unit_kerja=unit_kerja,
        unrouted=unrouted, limit=limit, offset=offset)


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


def _penilai_unknown(penilai_nip: str) -> ProblemError:
    # another instansi's person answers exactly like an unknown one
    return ProblemError(422, "penilai-not-in-directory",
                        f"Direktori tidak mengenal {penilai_nip} sebagai pegawai aktif instansi ini "
                        "(the directory holds no active person of this instansi with this id).",
                        errors=[{"path": "body.penilai_nip", "message": "not an active person of the SKP's instansi"}])


async def reassign(
    session, skp_id: uuid.UUID, principal: Principal, *, version: int, penilai_nip: str,
    reason: str | None = None, now: dt.datetime | None = None,
) -> ApprovalCase:
    """An admin of the SKP's instansi moves a Pending SKP to another penilai,
    or routes an unrouted one. The penilai must be active in the SKP's
    instansi in the directory today; their identity (and their superior, the
    atasan pejabat penilai) comes from the directory. From then on the
    directory no longer moves the case (routed_by admin)."""
    now = now or utcnow()
    case = await get_case(session, skp_id)
    access.ensure_can_reassign(case, principal)
    state = SkpStatus(case.status)
    try:
        transition(state, SkpAction.reassign, principal.role)
    except TransitionRefused as exc:
        raise _refused(exc, state) from exc
    if penilai_nip == case.penilai_nip and state == SkpStatus.Pending:
        return case  # already there: a retried reassignment changes nothing (no event, no audit row)
    _check_version(case, version, None)
    if penilai_nip == case.pegawai_nip:
        raise ProblemError(422, "penilai-is-pegawai",
                           "Pejabat penilai tidak boleh pegawai itu sendiri (the penilai cannot be the pegawai).",
                           errors=[{"path": "body.penilai_nip", "message": "must differ from the pegawai's NIP"}])
    view, today = DirectoryView(session), today_jakarta(now)
    record = await routing.standing(view, penilai_nip, case.instansi, today)
    penilai = as_pegawai(record) if record is not None else None
    if record is None or penilai is None:
        raise _penilai_unknown(penilai_nip)
    r = Route(penilai, await routing.superior_of(view, record, today), None, case.instansi)
    await _move(session, case, r, RoutedBy.admin, actor=Actor(sub=principal.sub, role=principal.role.value),
                reason=reason.strip() if reason else None, now=now)
    return case


async def _move(session, case: ApprovalCase, r: Route, routed_by: RoutedBy, *, actor: Actor, reason: str | None,
                now: dt.datetime, note: str | None = None) -> None:
    """Give a Pending case the penilai of ``r``: approval.reassigned (the
    previous penilai is told too), or approval.requested when the case had
    none (unrouted until now)."""
    assert r.penilai is not None
    previous = Pegawai.model_validate(case.penilai) if case.penilai is not None else None
    replaced = sorted({*(case.replaced_penilai or []), *([previous.nip] if previous else [])} - {r.penilai.nip})
    values = _route_values(r, routed_by)
    await _advance(session, case, SkpAction.reassign, SkpStatus.Pending, actor=actor.sub, actor_role=actor.role,
                   note=note or reason, now=now, replaced_penilai=replaced, **values)
    if previous is None:
        event: ApprovalRequested | ApprovalReassigned = _requested(case, resubmission=(case.pending_round or 1) > 1)
    else:
        event = ApprovalReassigned(**_common(case), previous_penilai=previous, reason=reason)
    add_event(session, event, actor=actor)
    await _flush(session)


# --- directory changes ----------------------------------------------------------


def _check_event_data(case: ApprovalCase) -> None:
    """Raise when the stored case cannot make an approval event (a row
    written before the edge checked it)."""
    Pegawai.model_validate(case.pegawai)
    Periode.model_validate(case.periode)
    if case.penilai is not None:
        Pegawai.model_validate(case.penilai)


#: the actor of the moves the directory causes (audit rows, envelopes)
DIRECTORY_ACTOR = Actor(sub="directory", role="directory")


async def follow_directory(session, person_id: str, now: dt.datetime | None = None) -> int:
    """The directory changed ``person_id`` (their projection is already
    updated in this transaction): every Pending case whose routing may have
    changed (the person's own, and those of the people whose records name
    them as superior) goes to the penilai the directory now names for the
    day (Asia/Jakarta) clamped into its periode, unless an admin's
    reassignment is in force for it (domain.routing.follow). A move is
    audited (actor ``directory``) and reported as approval.reassigned with
    reason ``directory``; an unrouted case that gets a penilai is reported
    as approval.requested. Returns the number of cases moved or routed."""
    now = now or utcnow()
    today = today_jakarta(now)
    view = DirectoryView(session)
    moved = 0
    for case in await ApprovalRepository(session).pending_routed_through(person_id):
        day = routing.day_for(today, case.periode_mulai, case.periode_selesai)
        r = await routing.resolve(view, case.pegawai_nip, day, today)
        decision = follow(case.penilai_nip, case.routed_by, r)
        if decision == Follow.keep:
            if case.penilai_nip is None and r.reason is not None and r.reason.value != case.unrouted_reason:
                # still unrouted, for another reason now: what the admin's list shows (not a transition)
                await ApprovalRepository(session).set_unrouted_reason(case, r.reason.value)
            continue
        assert r.penilai is not None
        try:  # the events of a move are built from the case: a case whose data cannot make them is set aside
            _check_event_data(case)
        except Exception as exc:  # one bad case never stops the projection nor the other cases
            set_aside("approval-directory", case.skp_id, exc)
            continue
        note = (f"directory: {case.penilai_nip or 'unrouted'} -> {r.penilai.nip} "
                f"(pejabat penilai menurut direktori pada {day.isoformat()})")
        await _move(session, case, r, RoutedBy.directory, actor=DIRECTORY_ACTOR, reason="directory", now=now, note=note)
        log.info("case follows the directory", skp_id=str(case.skp_id), penilai=r.penilai.nip, change=decision.value)
        moved += 1
    return moved
