"""HTTP API: the documents of one evaluation (Dokumen Evaluasi Kinerja
Pegawai as PDF or XLSX; the DKI per-pegawai monthly sheet as XLSX)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES

from ..service_layer.dokumen import dokumen_data, render
from .deps import SettingsDep, TodayDep, UowDep

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=PROBLEM_RESPONSES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _name(data: dict, what: str, ext: str) -> str:
    nip = data["pegawai"].get("nip") or "pegawai"
    return f'attachment; filename="{what}-{nip}-{data["judul_periode"].replace(" ", "-")}.{ext}"'


@router.get("/evaluations/{evaluation_id}/dokumen", summary="Dokumen Evaluasi Kinerja Pegawai (PDF atau XLSX)",
            responses={200: {"content": {"application/pdf": {}, XLSX: {}}}})
async def dokumen(evaluation_id: str, principal: CurrentPrincipal, uow: UowDep, settings: SettingsDep,
                  today: TodayDep, format: Literal["pdf", "xlsx"] = "pdf") -> Response:
    async with uow() as session:
        data = await dokumen_data(session, evaluation_id, principal, settings, today)
    return Response(render(data, "dokumen", format), media_type=XLSX if format == "xlsx" else "application/pdf",
                    headers={"Content-Disposition": _name(data, "dokumen-evaluasi", format)})


@router.get("/evaluations/{evaluation_id}/lembar-bulanan", summary="Lembar hasil kerja bulanan pegawai (XLSX atau PDF, form DKI)",
            responses={200: {"content": {XLSX: {}, "application/pdf": {}}}})
async def lembar_bulanan(evaluation_id: str, principal: CurrentPrincipal, uow: UowDep, settings: SettingsDep,
                         today: TodayDep, format: Literal["xlsx", "pdf"] = "xlsx") -> Response:
    async with uow() as session:
        data = await dokumen_data(session, evaluation_id, principal, settings, today)
    return Response(render(data, "lembar-bulanan", format), media_type=XLSX if format == "xlsx" else "application/pdf",
                    headers={"Content-Disposition": _name(data, "hasil-kerja-bulanan", format)})
