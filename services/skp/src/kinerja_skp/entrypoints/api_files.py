"""HTTP API for files: XLSX import/export in the official layout, workbook
imports of many SKPs with progress, and the PDF of an approved SKP."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Response, UploadFile
from kinerja_contracts.calendar import today_jakarta
from kinerja_contracts.lifecycle import SkpStatus
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES, ProblemError
from pydantic import BaseModel, ValidationError
from sqlmodel import select

from ..adapters.tables import ImportJob, SkpDocument
from ..adapters.xlsx_batch import write_batch
from ..adapters.xlsx_reader import WorkbookError, read_skp
from ..adapters.xlsx_writer import write_skp
from ..domain.model import SkpContent
from ..service_layer import documents, imports
from ..service_layer.access import ensure_can_write
from .api import SkpOut, _etag
from .deps import Intake, PolicyDep, RuntimeDep, Writer, version_from

router = APIRouter(prefix="/api/v1/skp", tags=["files"], responses=PROBLEM_RESPONSES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filename(doc: SkpDocument, ext: str) -> str:
    return f'attachment; filename="SKP_{doc.nip}_{doc.periode_mulai:%Y%m%d}-{doc.periode_selesai:%Y%m%d}.{ext}"'


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read()
    if not data:
        raise ProblemError(422, "empty-file", "Berkas kosong (the uploaded file is empty).")
    return data


def _workbook_problem(exc: WorkbookError) -> ProblemError:
    return ProblemError(422, "xlsx-unreadable", f"Workbook tidak dapat dibaca sebagai SKP (workbook unreadable as an SKP): {exc}",
                        errors=[{"path": p["cell"], "message": p["message"]} for p in exc.problems])


@router.get("/{skp_id}/xlsx", summary="Unduh SKP sebagai XLSX (official layout)",
            responses={200: {"content": {XLSX: {}}, "description": "the workbook"}})
async def export_xlsx(skp_id: uuid.UUID, principal: CurrentPrincipal, rt: RuntimeDep) -> Response:
    async with rt.uow() as session:
        doc = await documents.read_document(session, skp_id, principal)
    data = await asyncio.to_thread(write_skp, SkpContent.model_validate(doc.content))
    return Response(data, media_type=XLSX, headers={"Content-Disposition": _filename(doc, "xlsx"), "ETag": f'"{doc.version}"'})


@router.post("/xlsx", response_model=SkpOut, status_code=201,
             summary="Unggah SKP dari XLSX (create or update a draft from a workbook in the official layout)",
             description="Reads sheet 'SKP' laid out like the official form. A new (NIP, periode) creates a Draft (201); an "
             "existing one is updated (200) and then needs the version you read as If-Match.")
async def import_xlsx(
    file: Annotated[UploadFile, File(description="workbook .xlsx")], principal: Writer, rt: RuntimeDep, policy: PolicyDep,
    response: Response, if_match: Annotated[str | None, Header()] = None,
) -> SkpOut:
    data = await _read_upload(file)
    try:
        raw = await asyncio.to_thread(read_skp, data)
        content = SkpContent.model_validate(raw)
    except WorkbookError as exc:
        raise _workbook_problem(exc) from exc
    except ValidationError as exc:
        raise ProblemError(422, "validation-error", f"Isi workbook tidak valid pada {exc.error_count()} isian (invalid content)",
                           errors=[{"path": ".".join(str(x) for x in e["loc"]), "message": e["msg"], "type": e["type"]}
                                   for e in exc.errors()]) from exc
    ensure_can_write(content.pegawai.nip, content.pegawai.instansi, principal)
    async with rt.uow() as session:
        existing = (await session.exec(select(SkpDocument.id).where(
            SkpDocument.nip == content.pegawai.nip, SkpDocument.periode_mulai == content.periode.mulai,
            SkpDocument.periode_selesai == content.periode.selesai))).first()
        if existing is None:
            doc = await documents.create_draft(session, content, principal)
        else:
            doc = await documents.update_draft(session, existing, version_from(if_match, None), content, principal)
            response.status_code = 200
        report = await documents.check(session, content, policy)
    _etag(response, doc)
    return SkpOut.of(doc, principal, validation=report.as_dict())


@router.get("/{skp_id}/pdf", summary="Cetak SKP yang disetujui (PDF with the signature block)",
            responses={200: {"content": {"application/pdf": {}}, "description": "the printable SKP"}})
async def export_pdf(skp_id: uuid.UUID, principal: CurrentPrincipal, rt: RuntimeDep) -> Response:
    async with rt.uow() as session:
        doc = await documents.read_document(session, skp_id, principal)
    if doc.status != SkpStatus.Approved.value:
        raise ProblemError(409, "skp-not-approved", f"SKP berstatus {doc.status}; hanya SKP yang disetujui yang dapat dicetak "
                           "(only an approved SKP can be printed).", status_skp=doc.status)
    approval = doc.persetujuan or {}
    at = dt.datetime.fromisoformat(approval["at"]) if approval.get("at") else doc.updated_at
    approved = today_jakarta(at)
    # imported here: fpdf and its fonts are ~50 MB of RSS that a service
    # which never renders a PDF should not carry (RSS at rest target, issue 8)
    from ..adapters.pdf import render_pdf

    data = await asyncio.to_thread(render_pdf, SkpContent.model_validate(doc.content), version=doc.version,
                                   content_hash=doc.content_hash, approved_at=approved, signer=approval.get("penilai"),
                                   decided_by=approval.get("decided_by"))
    return Response(data, media_type="application/pdf", headers={"Content-Disposition": _filename(doc, "pdf")})


# --- imports of many SKPs -------------------------------------------------------


class ImportOut(BaseModel):
    id: uuid.UUID
    status: str = "running"
    filename: str | None = None
    total: int = 0
    processed: int = 0
    summary: dict[str, Any] = {}
    report: list[dict[str, Any]] = []
    error: str | None = None


@router.get("/imports/template.xlsx", summary="Templat impor massal (sheet 'Daftar SKP')",
            responses={200: {"content": {XLSX: {}}}})
async def import_template() -> Response:
    from .examples import skp_example

    data = await asyncio.to_thread(write_batch, [SkpContent.model_validate(skp_example())])
    return Response(data, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="templat_impor_skp.xlsx"'})


@router.post("/imports", status_code=202, response_model=ImportOut,
             summary="Impor banyak SKP dari satu workbook (background, with progress and a per-row report)",
             description="For portals and admins. Sheet 'Daftar SKP', one row per IKI (download the template). Answers 202 "
             "with the job; follow `Location` for progress (`processed` of `total` rows) and, when done, the report of "
             "every row: its SKP's status (created, updated, unchanged, invalid, locked), errors, and the validation "
             "issues that still block submission.")
async def start_import(file: Annotated[UploadFile, File()], principal: Intake, rt: RuntimeDep, policy: PolicyDep,
                       response: Response) -> ImportOut:
    data = await _read_upload(file)
    async with rt.uow() as session:
        job = ImportJob(owner=principal.sub, filename=(file.filename or "")[:300] or None)
        session.add(job)
    tasks: set = rt.extras.setdefault("import_tasks", set())
    task = asyncio.create_task(imports.run_import(rt.uow, job.id, data, principal, policy))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    response.headers["Location"] = f"/api/v1/skp/imports/{job.id}"
    return ImportOut(id=job.id, filename=job.filename)


@router.get("/imports/{job_id}", response_model=ImportOut, summary="Kemajuan dan laporan impor (progress and report)")
async def import_status(job_id: uuid.UUID, principal: CurrentPrincipal, rt: RuntimeDep) -> ImportOut:
    async with rt.uow() as session:
        job = await session.get(ImportJob, job_id)
    if job is None or job.owner != principal.sub:
        raise ProblemError(404, "import-not-found", f"Impor {job_id} tidak ditemukan (not found).")
    return ImportOut.model_validate(job, from_attributes=True)
