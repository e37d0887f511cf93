"""``GET /api/v1/admin/set-aside``: the rows this process's background scans
and workers set aside (see :mod:`kinerja_platform.isolation`), for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from kinerja_contracts.values import Role
from pydantic import BaseModel, Field

from .. import isolation
from .auth import Principal, require_roles
from .errors import PROBLEM_RESPONSES, ProblemError

router = APIRouter(prefix="/api/v1/admin", tags=["ops"], responses=PROBLEM_RESPONSES)


class SetAsideItem(BaseModel):
    scan: str
    row_id: str
    error: str
    at: str


class SetAsideOut(BaseModel):
    counts: dict[str, int] = Field(description="rows set aside per scan since this process started")
    items: list[SetAsideItem] = Field(description=f"the last {isolation.KEEP} rows set aside, newest last")


@router.get("/set-aside", response_model=SetAsideOut, summary="Baris yang disisihkan oleh pemindaian latar belakang",
            description="Rows that a background scan or worker of this process could not handle: logged with their id, "
            "counted, and skipped so that the others go on (docs/reliability.md). For a deployment-wide admin "
            "(a token without an instansi claim).")
async def set_aside(principal: Annotated[Principal, Depends(require_roles(Role.admin))]) -> SetAsideOut:
    if principal.instansi:  # the rows belong to every instansi: for a deployment-wide admin (no instansi claim) only
        raise ProblemError(403, "deployment-admin-only", "Hanya admin seluruh deployment (tanpa instansi) "
                           "(only a deployment-wide admin, without an instansi claim).")
    return SetAsideOut(counts=isolation.counts(), items=[SetAsideItem(**s.as_dict()) for s in isolation.recent()])
