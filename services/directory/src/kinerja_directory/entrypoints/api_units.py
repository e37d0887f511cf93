"""HTTP API: units kerja of the caller's instansi."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from kinerja_platform.web.errors import PROBLEM_RESPONSES

from ..service_layer import units
from .deps import NowDep, UowDep, Writer
from .schemas import UnitIn, UnitOut

router = APIRouter(prefix="/api/v1/units", tags=["units"], responses=PROBLEM_RESPONSES)

UnitId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                             description="the instansi's own code of the unit")]


@router.put("/{unit_id}", response_model=UnitOut, summary="Catat unit kerja (idempotent upsert)",
            description="A unit of the token's instansi; the same data again changes nothing. 201 when new.")
async def put_unit(unit_id: UnitId, body: UnitIn, principal: Writer, uow: UowDep, now: NowDep,
                   response: Response) -> UnitOut:
    status, version, unit = await units.upsert_unit(uow, principal, unit_id, nama=body.nama, induk_id=body.induk_id,
                                                    aktif=body.aktif, now=now)
    if status == "created":
        response.status_code = 201
    return UnitOut(status=status, version=version, unit=unit)  # type: ignore[arg-type]


@router.get("", response_model=list[UnitOut], summary="Unit kerja instansi saya (the instansi's units)")
async def list_units(principal: Writer, uow: UowDep, aktif: bool | None = None) -> list[UnitOut]:
    return [UnitOut(version=v, unit=u) for v, u in await units.list_units(uow, principal, aktif=aktif)]
