"""HTTP API for admins: Plt/Plh who rate for a pejabat penilai, and
reassigning the pejabat penilai of an SKP's evaluations."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from fastapi import APIRouter
from kinerja_contracts.values import Pegawai, UtcDatetime
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES
from pydantic import BaseModel, Field

from ..service_layer import penilai as uc
from .deps import UowDep

router = APIRouter(prefix="/api/v1", tags=["penilai (admin)"], responses=PROBLEM_RESPONSES)


class PenugasanIn(BaseModel):
    delegate_nip: str = Field(pattern=r"^\d{18}$", description="the Plt/Plh who rates")
    penilai_nip: str = Field(pattern=r"^\d{18}$", description="the pejabat penilai they act for")
    jenis: Literal["Plt", "Plh"]
    mulai: dt.date
    selesai: dt.date
    nomor_sk: str | None = Field(default=None, max_length=200)


class PenugasanOut(BaseModel):
    id: uuid.UUID
    delegate_nip: str
    penilai_nip: str
    jenis: str
    mulai: dt.date
    selesai: dt.date
    instansi: str
    nomor_sk: str | None
    created_by: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None


@router.post("/penugasan-penilai", status_code=201, response_model=PenugasanOut,
             summary="Catat Plt/Plh yang menilai atas nama pejabat penilai (record an acting rater)")
async def create_penugasan(body: PenugasanIn, principal: CurrentPrincipal, uow: UowDep) -> PenugasanOut:
    async with uow() as session:
        row = await uc.record(session, principal, **body.model_dump())
        return PenugasanOut.model_validate(row, from_attributes=True)


@router.get("/penugasan-penilai", response_model=list[PenugasanOut], summary="Daftar Plt/Plh penilai instansi saya")
async def list_penugasan(principal: CurrentPrincipal, uow: UowDep) -> list[PenugasanOut]:
    async with uow() as session:
        return [PenugasanOut.model_validate(r, from_attributes=True) for r in await uc.list_for(session, principal)]


@router.delete("/penugasan-penilai/{penugasan_id}", response_model=PenugasanOut, summary="Cabut Plt/Plh (revoke)")
async def revoke_penugasan(penugasan_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep) -> PenugasanOut:
    async with uow() as session:
        row = await uc.revoke(session, principal, penugasan_id)
        return PenugasanOut.model_validate(row, from_attributes=True)


class ReassignIn(BaseModel):
    penilai: Pegawai = Field(description="the new pejabat penilai (identity snapshot)")


class ReassignOut(BaseModel):
    skp_id: uuid.UUID
    penilai_nip: str
    evaluasi_dipindah: int = Field(description="evaluations not yet rated that moved to the new penilai")


@router.post("/plans/{skp_id}/penilai", response_model=ReassignOut,
             summary="Ganti pejabat penilai evaluasi SKP (admin; evaluations already rated keep their rater)")
async def reassign(skp_id: uuid.UUID, body: ReassignIn, principal: CurrentPrincipal, uow: UowDep) -> ReassignOut:
    async with uow() as session:
        plan, moved = await uc.reassign(session, principal, skp_id, body.penilai)
        return ReassignOut(skp_id=skp_id, penilai_nip=plan.penilai_nip, evaluasi_dipindah=moved)
