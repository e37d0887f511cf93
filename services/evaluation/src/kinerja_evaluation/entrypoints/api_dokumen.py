"""HTTP API: the documents of one evaluation (Dokumen Evaluasi Kinerja
Pegawai as PDF or XLSX; the DKI per-pegawai monthly sheet as XLSX)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES

from ..adapters.dokumen import dokumen_pdf, dokumen_xlsx, lembar_bulanan_pdf, lembar_bulanan_xlsx
from ..service_layer import evaluations as uc
from ..service_layer.dokumen import dokumen_data
from .api import can_read
from .deps import RuntimeDep, forbid, today_of

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=PROBLEM_RESPONSES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _data(evaluation_id: str, principal, rt) -> dict:
    async with rt.uow() as session:
        ev, plan, _ = await uc.load(session, evaluation_id)
        if not await can_read(session, principal, ev, plan, today_of(rt)):
            raise forbid()
        return await dokumen_data(session, ev, plan, rt.settings, today_of(rt))


def _name(data: dict, what: str, ext: str) -> str:
    nip = data["pegawai"].get("nip") or "pegawai"
    return f'attachment; filename="{what}-{nip}-{data["judul_periode"].replace(" ", "-")}.{ext}"'


@router.get("/evaluations/{evaluation_id}/dokumen", summary="Dokumen Evaluasi Kinerja Pegawai (PDF atau XLSX)",
            responses={200: {"content": {"application/pdf": {}, XLSX: {}}}})
async def dokumen(evaluation_id: str, principal: CurrentPrincipal, rt: RuntimeDep,
                  format: Literal["pdf", "xlsx"] = "pdf") -> Response:
    data = await _data(evaluation_id, principal, rt)
    if format == "xlsx":
        return Response(dokumen_xlsx(data), media_type=XLSX,
                        headers={"Content-Disposition": _name(data, "dokumen-evaluasi", "xlsx")})
    return Response(dokumen_pdf(data), media_type="application/pdf",
                    headers={"Content-Disposition": _name(data, "dokumen-evaluasi", "pdf")})


@router.get("/evaluations/{evaluation_id}/lembar-bulanan", summary="Lembar hasil kerja bulanan pegawai (XLSX atau PDF, form DKI)",
            responses={200: {"content": {XLSX: {}, "application/pdf": {}}}})
async def lembar_bulanan(evaluation_id: str, principal: CurrentPrincipal, rt: RuntimeDep,
                         format: Literal["xlsx", "pdf"] = "xlsx") -> Response:
    data = await _data(evaluation_id, principal, rt)
    if format == "pdf":
        return Response(lembar_bulanan_pdf(data), media_type="application/pdf",
                        headers={"Content-Disposition": _name(data, "hasil-kerja-bulanan", "pdf")})
    return Response(lembar_bulanan_xlsx(data), media_type=XLSX,
                    headers={"Content-Disposition": _name(data, "hasil-kerja-bulanan", "xlsx")})
