"""HTTP API for the atasan: the inbox and the detail of one SKP."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from kinerja_contracts.values import JenisPegawai
from kinerja_platform.web.errors import PROBLEM_RESPONSES

from ..service_layer import inbox as inbox_service
from .deps import Atasan, NowDep, UowDep
from .schemas import CaseOut, ChangeOut, DetailOut, InboxCounts, InboxOut, ReturnedOut

router = APIRouter(prefix="/api/v1/inbox", tags=["inbox atasan"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=InboxOut, summary="SKP yang menunggu keputusan saya (my inbox, oldest first)",
            description="SKPs Pending with you as pejabat penilai, plus those of the penilai you act for as Plt/Plh today "
                        "(`on_behalf_of` names them). Filters combine; `count` and `counts` cover every match, not only this page.")
async def inbox(
    principal: Atasan,
    uow: UowDep,
    now: NowDep,
    unit_kerja: Annotated[str | None, Query(description="exact unit kerja of the pegawai")] = None,
    periode_dari: Annotated[dt.date | None, Query(description="SKP periods that end on or after this date")] = None,
    periode_sampai: Annotated[dt.date | None, Query(description="SKP periods that start on or before this date")] = None,
    jenis_pegawai: Annotated[JenisPegawai | None, Query(description="PNS, PPPK or PPPK_PARUH_WAKTU")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> InboxOut:
    flt = inbox_service.InboxFilter(unit_kerja=unit_kerja, periode_dari=periode_dari, periode_sampai=periode_sampai,
                                    jenis_pegawai=jenis_pegawai.value if jenis_pegawai else None)
    async with uow() as session:
        page = await inbox_service.inbox(session, principal, now, flt, limit=limit, offset=offset)
    return InboxOut(
        count=page.total, counts=InboxCounts(sendiri=page.own, delegasi=page.delegated),
        oldest_pending_since=page.oldest_pending_since, limit=limit, offset=offset,
        items=[CaseOut.of(c, on_behalf_of=who) for c, who in page.items],
    )


@router.get("/{skp_id}", response_model=DetailOut, summary="Rincian SKP untuk diputuskan (detail, with the diff since the last return)",
            description="The SKP document under decision, the actions you may take, and, when it was returned before, "
                        "the Catatan Perbaikan and every change since the returned version.")
async def detail(skp_id: uuid.UUID, principal: Atasan, uow: UowDep, now: NowDep) -> DetailOut:
    async with uow() as session:
        d = await inbox_service.detail(session, skp_id, principal, now)
    returned = None
    if d.returned is not None:
        returned = ReturnedOut(version=d.returned.version, catatan_perbaikan=d.returned.note, by=d.returned.actor, at=d.returned.at)
    return DetailOut(
        case=CaseOut.of(d.case, on_behalf_of=d.on_behalf_of), snapshot=d.case.snapshot, allowed_actions=list(d.allowed),
        returned=returned, diff=[ChangeOut(**c.model_dump()) for c in d.diff] if d.diff is not None else None,
    )
