"""HTTP API of the evaluation service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from kinerja_contracts.runtime import Runtime, get_runtime
from kinerja_contracts.values import Role
from kinerja_contracts.web.auth import CurrentPrincipal
from kinerja_contracts.web.errors import PROBLEM_RESPONSES, ProblemError
from pydantic import BaseModel

from ..adapters.tables import EvaluationPlan

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=PROBLEM_RESPONSES)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class PlanOut(BaseModel):
    skp_id: uuid.UUID
    nip: str
    version: int
    content_hash: str
    periode: dict[str, Any]


@router.get("/plans/{skp_id}", response_model=PlanOut, summary="Rencana evaluasi SKP yang disetujui (evaluation plan)")
async def plan(skp_id: uuid.UUID, principal: CurrentPrincipal, rt: RuntimeDep) -> PlanOut:
    async with rt.uow() as session:
        p = await session.get(EvaluationPlan, skp_id)
    if p is None:
        raise ProblemError(404, "plan-not-found", f"Belum ada rencana evaluasi untuk SKP {skp_id} (no plan yet).")
    if principal.role != Role.admin and principal.sub not in (p.nip, p.penilai_nip):
        raise ProblemError(403, "forbidden", "Anda tidak terkait dengan SKP ini (you are not party to this SKP).")
    return PlanOut(skp_id=p.skp_id, nip=p.nip, version=p.version, content_hash=p.content_hash, periode=p.periode)
