"""Read side for the atasan: the inbox (own and delegated SKPs) and the
detail of one SKP with the diff against the version the atasan returned."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from kinerja_contracts.calendar import today_jakarta
from kinerja_contracts.lifecycle import SkpAction, SkpStatus, allowed_actions
from kinerja_contracts.skp import SkpSnapshot
from kinerja_contracts.skp_diff import Change, diff_skp
from kinerja_platform.web.auth import Principal
from sqlalchemy import and_, bindparam, case as sql_case, false, func, or_
from sqlalchemy.orm import defer
from sqlmodel import select

from ..adapters.tables import ApprovalCase, ApprovalTransition, ApprovalVersion
from . import penugasan
from .cases import authority_over, get_case


#: the inbox lists cases without their snapshot (the whole SKP document, the
#: largest column): not read, not decoded. Touching it on such a row raises.
_WITHOUT_SNAPSHOT = defer(ApprovalCase.snapshot, raiseload=True)


@dataclass
class InboxFilter:
    unit_kerja: str | None = None
    periode_dari: dt.date | None = None
    periode_sampai: dt.date | None = None
    jenis_pegawai: str | None = None


@dataclass
class InboxPage:
    total: int
    own: int
    delegated: int
    oldest_pending_since: dt.datetime | None
    items: list[tuple[ApprovalCase, str | None]] = field(default_factory=list)  # (case, on_behalf_of)


def _inbox_conditions(me, acting: list, flt: InboxFilter) -> list:
    """The WHERE of an inbox; ``me`` is the atasan's NIP (or a bind parameter for it)."""
    delegated_clause = or_(
        false(),
        *(
            and_(ApprovalCase.penilai_nip == p.penilai_nip, ApprovalCase.instansi == p.instansi)
            if p.instansi is not None else ApprovalCase.penilai_nip == p.penilai_nip
            for p in acting
        ),
    )
    conditions = [
        ApprovalCase.status == SkpStatus.Pending.value,
        or_(ApprovalCase.penilai_nip == me, delegated_clause),
        ApprovalCase.pegawai_nip != me,  # a Plh never sees (or decides) their own SKP
    ]
    if flt.unit_kerja:
        conditions.append(ApprovalCase.unit_kerja == flt.unit_kerja)
    if flt.jenis_pegawai:
        conditions.append(ApprovalCase.jenis_pegawai == flt.jenis_pegawai)
    if flt.periode_dari:
        conditions.append(ApprovalCase.periode_selesai >= flt.periode_dari)
    if flt.periode_sampai:
        conditions.append(ApprovalCase.periode_mulai <= flt.periode_sampai)
    return conditions


def _own(me):
    return func.coalesce(func.sum(sql_case((ApprovalCase.penilai_nip == me, 1), else_=0)), 0)


def _page_query(conditions: list, me):
    """One page of the inbox, each row with the totals of every match (window
    aggregates, computed before LIMIT/OFFSET): count, own, oldest pending_since."""
    own = func.coalesce(func.sum(sql_case((ApprovalCase.penilai_nip == me, 1), else_=0)).over(), 0)
    return (
        select(ApprovalCase, func.count().over(), own, func.min(ApprovalCase.pending_since).over())
        .options(_WITHOUT_SNAPSHOT).where(*conditions)
        .order_by(ApprovalCase.pending_since, ApprovalCase.skp_id)
        .limit(bindparam("limit")).offset(bindparam("offset"))
    )


#: the usual inbox (no filter, no Plt/Plh assignment), built once
_ME = bindparam("me")
_PLAIN_PAGE = _page_query(_inbox_conditions(_ME, [], InboxFilter()), _ME)


async def inbox(session, principal: Principal, now: dt.datetime, flt: InboxFilter, *, limit: int, offset: int) -> InboxPage:
    """What waits for ``principal``: SKPs Pending with them as penilai, plus
    those of the penilai they act for (Plt/Plh) today, oldest first."""
    me = principal.sub
    acting = await penugasan.in_force_for_delegate(session, me, today_jakarta(now))
    plain = not acting and flt == InboxFilter()
    conditions = None if plain else _inbox_conditions(me, acting, flt)
    query = _PLAIN_PAGE if plain else _page_query(conditions, me)
    rows = (await session.exec(query, params={"me": me, "limit": limit, "offset": offset})).all()
    if rows:
        _, total, own, oldest = rows[0]
    elif offset == 0:
        total, own, oldest = 0, 0, None  # nothing matches at all
    else:  # a page past the end: the totals need their own query
        if conditions is None:
            conditions = _inbox_conditions(me, acting, flt)
        total, own, oldest = (
            await session.exec(select(func.count(), _own(me), func.min(ApprovalCase.pending_since)).where(*conditions))
        ).one()
    items = [(c, None if c.penilai_nip == me else c.penilai_nip) for c, *_ in rows]
    return InboxPage(total=int(total), own=int(own), delegated=int(total) - int(own), oldest_pending_since=oldest, items=items)


async def cases_of_instansi(
    session, instansi: str, *, status: str | None, penilai_nip: str | None, pegawai_nip: str | None,
    unit_kerja: str | None, limit: int, offset: int,
) -> tuple[int, list[ApprovalCase]]:
    """An admin's view: the cases of one instansi, longest waiting first."""
    conditions = [ApprovalCase.instansi == instansi]
    for column, value in ((ApprovalCase.status, status), (ApprovalCase.penilai_nip, penilai_nip),
                          (ApprovalCase.pegawai_nip, pegawai_nip), (ApprovalCase.unit_kerja, unit_kerja)):
        if value:
            conditions.append(column == value)
    total = (await session.exec(select(func.count()).select_from(ApprovalCase).where(*conditions))).one()
    rows = (
        await session.exec(
            select(ApprovalCase).where(*conditions)
            .order_by(ApprovalCase.pending_since.is_(None), ApprovalCase.pending_since, ApprovalCase.updated_at,
                      ApprovalCase.skp_id)
            .limit(limit).offset(offset)
        )
    ).all()
    return int(total), list(rows)


@dataclass
class Detail:
    case: ApprovalCase
    on_behalf_of: str | None
    allowed: tuple[str, ...]
    returned: ApprovalTransition | None
    diff: list[Change] | None


async def last_return(session, skp_id: uuid.UUID) -> ApprovalTransition | None:
    return (
        await session.exec(
            select(ApprovalTransition)
            .where(ApprovalTransition.skp_id == skp_id, ApprovalTransition.action == SkpAction.return_.value)
            .order_by(ApprovalTransition.sequence.desc()).limit(1)
        )
    ).first()


async def detail(session, skp_id: uuid.UUID, principal: Principal, now: dt.datetime) -> Detail:
    """One SKP as its decider sees it: the document, what they may do, and what
    changed since the version they (or anyone) last returned."""
    case = await get_case(session, skp_id)
    authority = await authority_over(session, case, principal, now)
    returned = await last_return(session, skp_id)
    diff: list[Change] | None = None
    if returned is not None:
        if returned.version == case.version:
            diff = []  # resubmitted unchanged
        elif (before := await session.get(ApprovalVersion, (skp_id, returned.version))) is not None:
            diff = diff_skp(SkpSnapshot.model_validate(before.snapshot), SkpSnapshot.model_validate(case.snapshot))
    return Detail(case=case, on_behalf_of=authority.on_behalf_of,
                  allowed=allowed_actions(SkpStatus(case.status), principal.role), returned=returned, diff=diff)


