"""Use cases on files: one SKP from or to a workbook in the official layout,
the workbook template of a bulk import, and the PDF of an approved SKP.

The XLSX and PDF adapters do the file work in a worker thread; the PDF
adapter is imported only when a PDF is asked for (fpdf and its fonts are
~50 MB of RSS that a service which never renders one should not carry).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable

from kinerja_contracts.calendar import today_jakarta
from kinerja_contracts.lifecycle import SkpStatus
from kinerja_contracts.values import STORED, Role
from kinerja_platform.spreadsheet import SpreadsheetTooLarge, XlsxLimits
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from pydantic import ValidationError

from ..adapters.repository import SkpRepository
from ..adapters.xlsx_batch import write_batch
from ..adapters.xlsx_reader import SKP_LIMITS, WorkbookError, read_skp
from ..adapters.xlsx_writer import write_skp
from ..domain.model import SkpContent, SkpDraft
from ..domain.people import PeopleRefused
from ..domain.validation import Report
from . import documents, people
from .access import ensure_can_write
from .policy import Policy


def too_large(exc: SpreadsheetTooLarge) -> ProblemError:
    return ProblemError(413, "xlsx-too-large", f"Workbook melebihi batas (the workbook is over a limit): {exc}.")


def _workbook_problem(exc: WorkbookError) -> ProblemError:
    return ProblemError(422, "xlsx-unreadable", f"Workbook tidak dapat dibaca sebagai SKP (workbook unreadable as an SKP): {exc}",
                        errors=[{"path": p["cell"], "message": p["message"]} for p in exc.problems])


async def content_of_workbook(data: bytes, limits: XlsxLimits = SKP_LIMITS) -> SkpDraft:
    try:
        raw = await asyncio.to_thread(read_skp, data, limits)
        return SkpDraft.model_validate(raw)
    except SpreadsheetTooLarge as exc:
        raise too_large(exc) from exc
    except WorkbookError as exc:
        raise _workbook_problem(exc) from exc
    except ValidationError as exc:
        raise ProblemError(422, "validation-error", f"Isi workbook tidak valid pada {exc.error_count()} isian (invalid content)",
                           errors=[{"path": ".".join(str(x) for x in e["loc"]), "message": e["msg"], "type": e["type"]}
                                   for e in exc.errors()]) from exc


async def upsert_from_workbook(uow, data: bytes, version_of: Callable[[], int], principal: Principal,
                               policy: Policy, limits: XlsxLimits = SKP_LIMITS) -> tuple[documents.Document, Report, bool]:
    """Create the draft of a workbook's (NIP, periode), or update it (at the
    version ``version_of()`` names: the caller's If-Match); the document, its
    findings and whether it was created. The people are the directory's, as
    on every write (:mod:`.people`)."""
    draft = await content_of_workbook(data, limits)
    try:
        nip = people.pegawai_nip_of(draft, principal)
    except PeopleRefused as exc:
        raise people.problem(exc) from exc
    if principal.role in (Role.pegawai, Role.atasan):
        ensure_can_write(nip, principal.instansi, principal)
    async with uow() as session:
        existing = await SkpRepository(session).id_for(nip, draft.periode.mulai, draft.periode.selesai)
        if existing is None:
            doc, content, report = await documents.create_checked(session, draft, principal, policy)
        else:  # the stored SKP's instansi first: another instansi's answers 403 before any version check
            stored = await documents.get_document(session, existing)
            ensure_can_write(stored.nip, stored.instansi, principal)
            doc, content = await documents.update_draft(session, existing, version_of(), draft, principal, policy)
            report = await documents.check(session, content, policy)
    return doc, report, existing is None


async def xlsx_of(uow, skp_id: uuid.UUID, principal: Principal) -> tuple[documents.Document, bytes]:
    async with uow() as session:
        doc = await documents.read_document(session, skp_id, principal)
    # read back without today's bounds (a row stored before them still exports; the writer makes every cell a value)
    return doc, await asyncio.to_thread(write_skp, SkpContent.model_validate(doc.content, context=STORED))


async def template_xlsx(example: dict) -> bytes:
    return await asyncio.to_thread(write_batch, [SkpContent.model_validate(example)])


async def pdf_of(uow, skp_id: uuid.UUID, principal: Principal) -> tuple[documents.Document, bytes]:
    async with uow() as session:
        doc = await documents.read_document(session, skp_id, principal)
    if doc.status != SkpStatus.Approved.value:
        raise ProblemError(409, "skp-not-approved", f"SKP berstatus {doc.status}; hanya SKP yang disetujui yang dapat dicetak "
                           "(only an approved SKP can be printed).", status_skp=doc.status)
    approval = doc.persetujuan or {}
    at = dt.datetime.fromisoformat(approval["at"]) if approval.get("at") else doc.updated_at
    approved = today_jakarta(at)
    from ..adapters.pdf import render_pdf

    data = await asyncio.to_thread(render_pdf, SkpContent.model_validate(doc.content, context=STORED), version=doc.version,
                                   content_hash=doc.content_hash, approved_at=approved, signer=approval.get("penilai"),
                                   decided_by=approval.get("decided_by"))
    return doc, data
