"""HTTP API: imports of people from a CSV or XLSX file (layout: docs/directory.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile
from kinerja_platform.web.errors import PROBLEM_RESPONSES, ProblemError

from ..service_layer import imports
from .deps import ContainerDep, Writer
from .schemas import ImportOut

router = APIRouter(prefix="/api/v1/imports", tags=["imports"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=202, response_model=ImportOut, summary="Impor orang dari CSV/XLSX (runs as a job)",
             description="One row per dated record, columns named in the header row (docs/directory.md). Answers at "
                         "once with the job; GET /imports/{id} shows `processed` of `total` and, when done, a report "
                         "per row. Importing the same file again changes nothing.")
async def start_import(file: Annotated[UploadFile, File()], principal: Writer, c: ContainerDep,
                       response: Response) -> ImportOut:
    data = await file.read(c.settings.import_max_bytes + 1)
    if len(data) > c.settings.import_max_bytes:
        raise ProblemError(413, "import-too-large", f"Berkas lebih dari {c.settings.import_max_bytes} byte "
                           "(the file is too large).")
    job = await imports.start_import(c.uow, c.import_tasks, data, file.filename, principal, c.clock)
    response.headers["Location"] = f"/api/v1/imports/{job.id}"
    return ImportOut.model_validate(job, from_attributes=True)


@router.get("/{job_id}", response_model=ImportOut, summary="Kemajuan dan laporan impor (progress and per-row report)")
async def import_status(job_id: uuid.UUID, principal: Writer, c: ContainerDep) -> ImportOut:
    job = await imports.read_job(c.uow, job_id, principal)
    return ImportOut.model_validate(job, from_attributes=True)
