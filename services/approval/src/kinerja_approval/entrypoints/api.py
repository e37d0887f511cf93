"""HTTP API of the approval service: decisions, reassignment, status, audit trail."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from kinerja_contracts.lifecycle import SkpAction, SkpStatus
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES, ProblemError

from ..service_layer import cases
from .deps import Admin, Atasan, ContainerDep, NowDep, UowDep
from .schemas import (
    BatchApproveIn,
    BatchApproveOut,
    BatchResult,
    CaseListOut,
    CaseOut,
    DecisionIn,
    HistoryOut,
    ReassignIn,
    ReturnIn,
    TransitionOut,
)

router = APIRouter(prefix="/api/v1/approvals", tags=["keputusan (decisions)"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=CaseListOut, summary="Daftar pengajuan instansi saya (admin: cases of my instansi)",
            description="Helps an admin find an SKP stuck with the wrong superior, or held unrouted because the "
                        "directory names no penilai for its pegawai (`unrouted=true`; `unrouted_reason` says why): "
                        "filter, then reassign it.")
async def list_cases(
    principal: Admin, uow: UowDep,
    status: Annotated[SkpStatus | None, Query(description="e.g. Pending")] = None,
    penilai_nip: Annotated[str | None, Query(max_length=18)] = None,
    pegawai_nip: Annotated[str | None, Query(max_length=18)] = None,
    unit_kerja: Annotated[str | None, Query(max_length=300)] = None,
    unrouted: Annotated[bool | None, Query(description="true: only cases without a penilai; false: only routed ones")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CaseListOut:
    async with uow() as session:
        total, rows = await cases.cases_of_instansi(
            session, principal, status=status.value if status else None, penilai_nip=penilai_nip,
            pegawai_nip=pegawai_nip, unit_kerja=unit_kerja, unrouted=unrouted, limit=limit, offset=offset,
        )
    return CaseListOut(count=total, limit=limit, offset=offset, items=[CaseOut.of(c) for c in rows])


@router.post("/batch-approve", response_model=BatchApproveOut,
             summary="Setujui banyak SKP sekaligus (approve many; one result per item)",
             description="Each item is decided in its own transaction: one refused item does not stop the others. "
                         "The answer is 200 with a result per item, in request order.")
async def batch_approve(body: BatchApproveIn, principal: Atasan, c: ContainerDep) -> BatchApproveOut:
    limit = c.settings.batch_max_items
    if len(body.items) > limit:
        raise ProblemError(422, "batch-too-large", f"Paling banyak {limit} SKP per permintaan (at most {limit} items per request).",
                           errors=[{"path": "body.items", "message": f"at most {limit} items"}])
    results: list[BatchResult] = []
    for item in body.items:
        try:
            async with c.uow() as session:
                case = await cases.decide(session, item.skp_id, SkpAction.approve, principal, version=item.version,
                                          content_hash=item.content_hash, now=c.clock())
            results.append(BatchResult(skp_id=item.skp_id, status=200, case=CaseOut.of(case)))
        except ProblemError as exc:
            results.append(BatchResult(skp_id=item.skp_id, status=exc.status, code=exc.code, detail=exc.detail))
    approved = sum(1 for r in results if r.status == 200)
    return BatchApproveOut(approved=approved, refused=len(results) - approved, results=results)


@router.post("/{skp_id}/approve", response_model=CaseOut, summary="Setujui SKP (approve one exact version)",
             description="Only the SKP's pejabat penilai, or a Plt/Plh recorded for today, decides. "
                         "`version` (and optionally `content_hash`) must be the version under approval, else 409.")
async def approve(skp_id: uuid.UUID, body: DecisionIn, principal: Atasan, uow: UowDep, now: NowDep) -> CaseOut:
    async with uow() as session:
        case = await cases.decide(session, skp_id, SkpAction.approve, principal, version=body.version,
                                  content_hash=body.content_hash, now=now)
    return CaseOut.of(case)


@router.post("/{skp_id}/return", response_model=CaseOut, summary="Kembalikan untuk revisi (return with a Catatan Perbaikan)",
             description="The Catatan Perbaikan (at least 10 characters) tells the pegawai what to fix; the SKP becomes Revisi.")
async def return_(skp_id: uuid.UUID, body: ReturnIn, principal: Atasan, uow: UowDep, now: NowDep) -> CaseOut:
    async with uow() as session:
        case = await cases.decide(session, skp_id, SkpAction.return_, principal, version=body.version,
                                  content_hash=body.content_hash, catatan_perbaikan=body.catatan_perbaikan, now=now)
    return CaseOut.of(case)


@router.post("/{skp_id}/reassign", response_model=CaseOut, summary="Alihkan ke pejabat penilai lain (admin: reassign)",
             description="An admin of the SKP's instansi moves a Pending SKP to another pejabat penilai, or routes one held "
                         "unrouted: it leaves the old inbox, enters the new one, and `approval.reassigned` (or "
                         "`approval.requested` for an unrouted one) lets the notification service tell the new penilai. "
                         "The penilai must be active in the SKP's instansi in the directory (else 422 "
                         "`penilai-not-in-directory`); their identity comes from there. The directory no longer moves "
                         "the case afterwards.")
async def reassign(skp_id: uuid.UUID, body: ReassignIn, principal: Admin, uow: UowDep, now: NowDep) -> CaseOut:
    async with uow() as session:
        case = await cases.reassign(session, skp_id, principal, version=body.version, penilai_nip=body.new_penilai_nip,
                                    reason=body.reason, now=now)
    return CaseOut.of(case)


@router.get("/{skp_id}", response_model=CaseOut, summary="Status persetujuan SKP (approval status)")
async def read(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep, now: NowDep) -> CaseOut:
    async with uow() as session:
        case = await cases.read_case(session, skp_id, principal, now)
    return CaseOut.of(case)


@router.get("/{skp_id}/history", response_model=HistoryOut, summary="Jejak audit (audit trail, read-only)",
            description="Every transition, oldest first: from, to, actor, on whose behalf, time, note, version and "
                        "content hash. No API changes or deletes it; the database refuses UPDATE and DELETE.")
async def history(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep, now: NowDep) -> HistoryOut:
    async with uow() as session:
        case, rows = await cases.history(session, skp_id, principal, now)
    return HistoryOut(skp_id=skp_id, status=SkpStatus(case.status), transitions=[TransitionOut.of(r) for r in rows])


