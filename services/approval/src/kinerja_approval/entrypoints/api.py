"""HTTP API of the approval service: the atasan's inbox and decisions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from kinerja_contracts.lifecycle import SkpAction, SkpStatus
from kinerja_contracts.runtime import Runtime, get_runtime
from kinerja_contracts.values import Role
from kinerja_contracts.web.auth import CurrentPrincipal, Principal, require_roles
from kinerja_contracts.web.errors import PROBLEM_RESPONSES, ProblemError
from pydantic import BaseModel, Field
from sqlmodel import select

from ..adapters.tables import ApprovalCase, ApprovalTransition
from ..service_layer import cases

router = APIRouter(prefix="/api/v1", tags=["approval"], responses=PROBLEM_RESPONSES)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Atasan = Annotated[Principal, Depends(require_roles(Role.atasan))]


class CaseOut(BaseModel):
    skp_id: uuid.UUID
    status: SkpStatus
    version: int
    content_hash: str
    pegawai: dict[str, Any]
    penilai: dict[str, Any]
    periode: dict[str, Any]
    jenis_pegawai: str
    unit_kerja: str | None
    pending_since: dt.datetime | None

    @classmethod
    def of(cls, c: ApprovalCase) -> CaseOut:
        return cls(
            skp_id=c.skp_id, status=SkpStatus(c.status), version=c.version, content_hash=c.content_hash,
            pegawai=c.pegawai, penilai=c.penilai, periode=c.periode, jenis_pegawai=c.jenis_pegawai,
            unit_kerja=c.unit_kerja, pending_since=c.pending_since,
        )


class InboxOut(BaseModel):
    count: int
    items: list[CaseOut]


@router.get("/inbox", response_model=InboxOut, summary="SKP yang menunggu keputusan saya (my inbox)")
async def inbox(principal: Atasan, rt: RuntimeDep) -> InboxOut:
    async with rt.uow() as session:
        rows = (
            await session.exec(
                select(ApprovalCase)
                .where(ApprovalCase.penilai_nip == principal.sub, ApprovalCase.status == SkpStatus.Pending.value)
                .order_by(ApprovalCase.pending_since)
            )
        ).all()
    return InboxOut(count=len(rows), items=[CaseOut.of(c) for c in rows])


class DecisionIn(BaseModel):
    version: int = Field(ge=1, description="the SKP version you reviewed")


class ReturnIn(DecisionIn):
    note: str = Field(description="Catatan Perbaikan: what to fix (at least 10 characters)")


@router.post("/approvals/{skp_id}/approve", response_model=CaseOut, summary="Setujui SKP (approve)")
async def approve(skp_id: uuid.UUID, body: DecisionIn, principal: Atasan, rt: RuntimeDep) -> CaseOut:
    async with rt.uow() as session:
        case = await cases.decide(session, skp_id, SkpAction.approve, principal, version=body.version)
    return CaseOut.of(case)


@router.post("/approvals/{skp_id}/return", response_model=CaseOut, summary="Kembalikan untuk revisi (return with a note)")
async def return_(skp_id: uuid.UUID, body: ReturnIn, principal: Atasan, rt: RuntimeDep) -> CaseOut:
    async with rt.uow() as session:
        case = await cases.decide(session, skp_id, SkpAction.return_, principal, version=body.version, note=body.note)
    return CaseOut.of(case)


@router.get("/approvals/{skp_id}", response_model=CaseOut, summary="Status persetujuan SKP")
async def read(skp_id: uuid.UUID, principal: CurrentPrincipal, rt: RuntimeDep) -> CaseOut:
    async with rt.uow() as session:
        case = await cases.get_case(session, skp_id)
    if principal.role != Role.admin and principal.sub not in (case.pegawai_nip, case.penilai_nip):
        raise ProblemError(403, "forbidden", "Anda tidak terkait dengan SKP ini (you are not party to this SKP).")
    return CaseOut.of(case)


class TransitionOut(BaseModel):
    sequence: int
    from_status: str | None
    to_status: str
    action: str
    actor: str
    actor_role: str
    on_behalf_of: str | None
    version: int
    content_hash: str
    note: str | None
    at: dt.datetime


@router.get("/approvals/{skp_id}/history", response_model=list[TransitionOut], summary="Jejak audit (audit trail)")
async def history(skp_id: uuid.UUID, principal: CurrentPrincipal, rt: RuntimeDep) -> list[TransitionOut]:
    async with rt.uow() as session:
        case = await cases.get_case(session, skp_id)
        if principal.role != Role.admin and principal.sub not in (case.pegawai_nip, case.penilai_nip):
            raise ProblemError(403, "forbidden", "Anda tidak terkait dengan SKP ini (you are not party to this SKP).")
        rows = (
            await session.exec(select(ApprovalTransition).where(ApprovalTransition.skp_id == skp_id).order_by(ApprovalTransition.sequence))
        ).all()
    return [TransitionOut.model_validate(r, from_attributes=True) for r in rows]
