"""``GET /api/v1/admin/set-aside``: the rows this process's background scans
and workers set aside (see :mod:`kinerja_platform.isolation`), for the
deployment's operator only (role ``operator``, each access audited): the rows
belong to every instansi."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from .. import isolation
from .auth import OperatorPrincipal
from .errors import PROBLEM_RESPONSES

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
            "counted, and skipped so that the others go on (docs/reliability.md). The rows belong to every instansi: "
            "for the deployment's operator only (a token with role `operator`; every access is audited, "
            "docs/security.md).")
async def set_aside(principal: OperatorPrincipal) -> SetAsideOut:
    return SetAsideOut(counts=isolation.counts(), items=[SetAsideItem(**s.as_dict()) for s in isolation.recent()])
