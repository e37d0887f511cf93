"""HTTP API for admins: acting assignments (Plt/Plh) of pejabat penilai."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from kinerja_platform.web.errors import PROBLEM_RESPONSES

from ..service_layer import penugasan
from .deps import Admin, UowDep
from .schemas import PenugasanIn, PenugasanOut

router = APIRouter(prefix="/api/v1/penugasan", tags=["penugasan Plt/Plh (admin)"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=201, response_model=PenugasanOut, summary="Catat Plt/Plh (record an acting official)",
             description="From `mulai` to `selesai` (Asia/Jakarta dates, inclusive) the delegate sees the penilai's inbox and "
                         "decides on their behalf, for SKPs of the admin's instansi. Decisions record both people.")
async def create(body: PenugasanIn, principal: Admin, uow: UowDep) -> PenugasanOut:
    async with uow() as session:
        row = await penugasan.create(session, principal, delegate_nip=body.delegate_nip, penilai_nip=body.penilai_nip,
                                     jenis=body.jenis, mulai=body.mulai, selesai=body.selesai, nomor_sk=body.nomor_sk)
    return PenugasanOut.of(row)


@router.get("", response_model=list[PenugasanOut], summary="Daftar Plt/Plh instansi saya (list acting assignments)")
async def list_(
    principal: Admin, uow: UowDep,
    aktif_pada: Annotated[dt.date | None, Query(description="only those in force on this date")] = None,
) -> list[PenugasanOut]:
    async with uow() as session:
        rows = await penugasan.list_for_admin(session, principal, aktif_pada=aktif_pada)
    return [PenugasanOut.of(r) for r in rows]


@router.delete("/{penugasan_id}", response_model=PenugasanOut, summary="Cabut Plt/Plh (revoke; the record is kept)")
async def revoke(penugasan_id: uuid.UUID, principal: Admin, uow: UowDep) -> PenugasanOut:
    async with uow() as session:
        row = await penugasan.revoke(session, principal, penugasan_id)
    return PenugasanOut.of(row)
