"""HTTP API for files: XLSX import/export in the official layout, workbook
imports of many SKPs with progress, and the PDF of an approved SKP."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Response, UploadFile
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES, ProblemError
from kinerja_platform.web.openapi import DocumentedAs
from pydantic import BaseModel, Field

from ..adapters.xlsx_reader import SKP_LIMITS
from ..service_layer import documents, files, imports
from .api import FindingOut, ItemError, SkpOut, _etag
from .deps import ContainerDep, Intake, PolicyDep, SettingsDep, UowDep, Writer, version_from

router = APIRouter(prefix="/api/v1/skp", tags=["files"], responses=PROBLEM_RESPONSES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filename(doc: documents.Document, ext: str) -> str:
    return f'attachment; filename="SKP_{doc.nip}_{doc.periode_mulai:%Y%m%d}-{doc.periode_selesai:%Y%m%d}.{ext}"'


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read()
    if not data:
        raise ProblemError(422, "empty-file", "Berkas kosong (the uploaded file is empty).")
    return data


@router.get("/{skp_id}/xlsx", summary="Unduh SKP sebagai XLSX (official layout)",
            responses={200: {"content": {XLSX: {}}, "description": "the workbook"}})
async def export_xlsx(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep) -> Response:
    doc, data = await files.xlsx_of(uow, skp_id, principal)
    return Response(data, media_type=XLSX, headers={"Content-Disposition": _filename(doc, "xlsx"), "ETag": f'"{doc.version}"'})


@router.post("/xlsx", response_model=SkpOut, status_code=201,
             summary="Unggah SKP dari XLSX (create or update a draft from a workbook in the official layout)",
             description="Reads sheet 'SKP' laid out like the official form. A new (NIP, periode) creates a Draft (201); an "
             "existing one is updated (200) and then needs the version you read as If-Match.")
async def import_xlsx(
    file: Annotated[UploadFile, File(description="workbook .xlsx")], principal: Writer, uow: UowDep, policy: PolicyDep,
    settings: SettingsDep, response: Response, if_match: Annotated[str | None, Header()] = None,
) -> SkpOut:
    data = await _read_upload(file)
    limits = settings.xlsx_limits(max_rows=SKP_LIMITS.max_rows)
    doc, report, created = await files.upsert_from_workbook(uow, data, lambda: version_from(if_match, None), principal,
                                                            policy, limits)
    if not created:
        response.status_code = 200
    _etag(response, doc)
    return SkpOut.of(doc, principal, validation=report.as_dict())


@router.get("/{skp_id}/pdf", summary="Cetak SKP yang disetujui (PDF with the signature block)",
            responses={200: {"content": {"application/pdf": {}}, "description": "the printable SKP"}})
async def export_pdf(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep) -> Response:
    doc, data = await files.pdf_of(uow, skp_id, principal)
    return Response(data, media_type="application/pdf", headers={"Content-Disposition": _filename(doc, "pdf")})


# --- imports of many SKPs -------------------------------------------------------


class ImportRow(BaseModel):
    """One row of the workbook in the import report."""

    row: int = Field(description="row number in sheet 'Daftar SKP'")
    nip: str | None
    status: str = Field(description="what became of the row's SKP: created, updated, unchanged, invalid, locked, conflict")
    skp_id: uuid.UUID | None
    errors: list[ItemError] = Field(description="why the SKP was refused, on the row at fault")
    issues: list[FindingOut] = Field(description="validation errors that still block submission, on the row at fault")


class ImportOut(BaseModel):
    id: uuid.UUID
    status: str = "running"
    filename: str | None = None
    total: int = 0
    processed: int = 0
    summary: dict[str, int] = Field(default={}, description="when done: SKPs per status, `skp` (SKPs in the workbook) "
                                    "and `baris` (rows)")
    report: list[Annotated[dict[str, Any], DocumentedAs(ImportRow)]] = Field(
        default=[], description="when done: one entry per row, as stored with the job")
    error: str | None = None


@router.get("/imports/template.xlsx", summary="Templat impor massal (sheet 'Daftar SKP')",
            responses={200: {"content": {XLSX: {}}}})
async def import_template() -> Response:
    from .examples import skp_example

    data = await files.template_xlsx(skp_example())
    return Response(data, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="templat_impor_skp.xlsx"'})


@router.post("/imports", status_code=202, response_model=ImportOut,
             summary="Impor banyak SKP dari satu workbook (background, with progress and a per-row report)",
             description="For portals and admins. Sheet 'Daftar SKP', one row per IKI (download the template). Answers 202 "
             "with the job; follow `Location` for progress (`processed` of `total` rows) and, when done, the report of "
             "every row: its SKP's status (created, updated, unchanged, invalid, locked), errors, and the validation "
             "issues that still block submission.")
async def start_import(file: Annotated[UploadFile, File()], principal: Intake, c: ContainerDep,
                       response: Response) -> ImportOut:
    data = await _read_upload(file)
    job = await imports.start_import(c.uow, c.import_tasks, data, file.filename, principal, c.policy,
                                     c.settings.xlsx_limits())
    response.headers["Location"] = f"/api/v1/skp/imports/{job.id}"
    return ImportOut(id=job.id, filename=job.filename)


@router.get("/imports/{job_id}", response_model=ImportOut, summary="Kemajuan dan laporan impor (progress and report)")
async def import_status(job_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep) -> ImportOut:
    job = await imports.read_job(uow, job_id, principal)
    return ImportOut.model_validate(job, from_attributes=True)
