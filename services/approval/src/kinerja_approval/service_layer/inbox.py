"""Read side for the atasan: the inbox (own and delegated SKPs) and the
detail of one SKP with the diff against the version the atasan returned."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from kinerja_contracts.calendar import today_jakarta
from kinerja_contracts.lifecycle import SkpStatus, allowed_actions
from kinerja_contracts.skp import SkpSnapshot
from kinerja_contracts.skp_diff import Change, diff_skp
from kinerja_platform.web.auth import Principal

from ..adapters.repository import ApprovalRepository
from .cases import Case, Transition, authority_over, get_case


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
    #: (case, on_behalf_of); a case here is a row of the case's columns but its snapshot (repository.inbox_page)
    items: list[tuple[Any, str | None]] = field(default_factory=list)


async def inbox(session, principal: Principal, now: dt.datetime, flt: InboxFilter, *, limit: int, offset: int) -> InboxPage:
    """What waits for ``principal``: SKPs Pending with them as penilai, plus
    those of the penilai they act for (Plt/Plh) today, oldest first."""
    me = principal.sub
    repo = ApprovalRepository(session)
    rows, total, own, oldest = await repo.inbox_page(
        me, today_jakarta(now), unit_kerja=flt.unit_kerja, jenis_pegawai=flt.jenis_pegawai, periode_dari=flt.periode_dari,
        periode_sampai=flt.periode_sampai, limit=limit, offset=offset)
    items = [(c, None if c.penilai_nip == me else c.penilai_nip) for c in rows]
    return InboxPage(total=int(total), own=int(own), delegated=int(total) - int(own), oldest_pending_since=oldest, items=items)


@dataclass
class Detail:
    case: Case
    on_behalf_of: str | None
    allowed: tuple[str, ...]
    returned: Transition | None
    diff: list[Change] | None


async def detail(session, skp_id: uuid.UUID, principal: Principal, now: dt.datetime) -> Detail:
    """One SKP as its decider sees it: the document, what they may do, and what
    changed since the version they (or anyone) last returned."""
    case = await get_case(session, skp_id)
    authority = await authority_over(session, case, principal, now)
    repo = ApprovalRepository(session)
    returned = await repo.last_return(skp_id)
    diff: list[Change] | None = None
    if returned is not None:
        if returned.version == case.version:
            diff = []  # resubmitted unchanged
        elif (before := await repo.version(skp_id, returned.version)) is not None:
            diff = diff_skp(SkpSnapshot.model_validate(before.snapshot), SkpSnapshot.model_validate(case.snapshot))
    return Detail(case=case, on_behalf_of=authority.on_behalf_of,
                  allowed=allowed_actions(SkpStatus(case.status), principal.role), returned=returned, diff=diff)


