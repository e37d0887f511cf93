"""Importing many SKPs from one workbook in the background, with progress
and a per-row report (sheet "Daftar SKP", see :mod:`..adapters.xlsx_batch`)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections import Counter
from typing import Any

from kinerja_platform.logging import get_logger
from kinerja_platform.spreadsheet import SpreadsheetTooLarge, XlsxLimits, check_archive
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from pydantic import ValidationError

from ..adapters.repository import SkpRepository
from ..adapters.tables import ImportJob
from ..adapters.xlsx_batch import Group, read_batch
from . import bulk
from .access import ensure_import_of_mine
from .policy import Policy

log = get_logger(__name__)
CHUNK = 200
_PATH = re.compile(r"^(?:items\[\d+\]\.)?hasil_kerja\[(\d+)\](?:\.iki\[(\d+)\])?")


def row_of(group: Group, path: str) -> int:
    """The sheet row a content path points at (the SKP's first row when unclear)."""
    m = _PATH.match(path)
    if m:
        ri, ii = int(m.group(1)), m.group(2)
        if ii is not None and (ri, int(ii)) in group.iki_rows:
            return group.iki_rows[(ri, int(ii))]
        rows = [r for (i, _), r in group.iki_rows.items() if i == ri]
        if rows:
            return min(rows)
    return group.rows[0]


def report_rows(groups: list[Group], results: list[bulk.ItemResult], policy: Policy) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for g, r in zip(groups, results, strict=False):
        for n in g.rows:
            rows[n] = {"row": n, "nip": r.nip or g.content["pegawai"].get("nip"), "status": r.status,
                       "skp_id": str(r.skp_id) if r.skp_id else None, "errors": [], "issues": []}
        for e in r.errors:
            rows[row_of(g, e["path"])]["errors"].append(e)
        for f in r.findings:  # the stored draft's validation errors (its people are the directory's)
            rows[row_of(g, f["path"])]["issues"].append(f)
    return [rows[n] for n in sorted(rows)]


async def _update(uow, job_id: uuid.UUID, **values) -> None:
    async with uow() as session:
        await SkpRepository(session).update_job(job_id, **values)


def interrupted_message(done: int, total: int | None) -> str:
    of = f"{done} dari {total}" if total is not None else f"{done}"
    of_en = f"{done} of {total}" if total is not None else f"{done}"
    return (f"Impor terhenti karena layanan dihentikan setelah {of} baris. Baris yang sudah diproses tersimpan; "
            f"unggah berkas yang sama lagi untuk menyelesaikannya (SKP yang tidak berubah dilewati) "
            f"(the import stopped because the service stopped, after {of_en} rows; those rows are saved: upload the "
            f"same workbook again to finish, unchanged SKPs are skipped).")


async def run_import(uow, job_id: uuid.UUID, data: bytes, principal: Principal, policy: Policy, *,
                     limits: XlsxLimits | None = None) -> None:
    done, total_rows = 0, None
    try:
        groups = await asyncio.to_thread(read_batch, data, limits or XlsxLimits())
        total_rows = sum(len(g.rows) for g in groups)
        await _update(uow, job_id, total=total_rows)
        results: list[bulk.ItemResult] = []
        for start in range(0, len(groups), CHUNK):
            chunk = groups[start:start + CHUNK]
            _, res = await bulk.bulk_upsert(uow, [g.content for g in chunk], principal, policy, chunk_size=CHUNK)
            for r in res:
                r.errors = [{**e, "path": e["path"].replace(f"items[{r.index}]", f"items[{r.index + start}]", 1)} for e in r.errors]
                r.index += start
            results += res
            done += sum(len(g.rows) for g in chunk)
            await _update(uow, job_id, processed=done)
        report = await asyncio.to_thread(report_rows, groups, results, policy)
        summary = dict(Counter(r.status for r in results))
        summary["skp"] = len(groups)
        summary["baris"] = total_rows
        await _update(uow, job_id, status="done", report=report, summary=summary)
    except asyncio.CancelledError:
        # the service is stopping (its shutdown cancels the imports): say so on
        # the job instead of leaving it "running" for ever, then stop
        with contextlib.suppress(Exception):
            await _update(uow, job_id, status="failed", error=interrupted_message(done, total_rows))
        raise
    except Exception as exc:  # the job records why; the service keeps running
        from ..adapters.xlsx_reader import WorkbookError

        detail = "; ".join(p["message"] for p in exc.problems) if isinstance(exc, WorkbookError) else repr(exc)
        if isinstance(exc, SpreadsheetTooLarge):
            detail = f"Workbook melebihi batas (the workbook is over a limit): {exc}"
        if not isinstance(exc, (WorkbookError, ValidationError, SpreadsheetTooLarge)):
            log.exception("import failed", job_id=str(job_id))
        await _update(uow, job_id, status="failed", error=detail)


async def start_import(uow, tasks: set[asyncio.Task], data: bytes, filename: str | None, principal: Principal,
                       policy: Policy, limits: XlsxLimits | None = None) -> ImportJob:
    """Record the job and run the import in the background; ``tasks`` holds
    the running imports (the service cancels them when it stops). A workbook
    over the archive limits is refused here (413), before the job exists."""
    limits = limits or XlsxLimits()
    try:
        await asyncio.to_thread(check_archive, data, limits)
    except SpreadsheetTooLarge as exc:
        raise ProblemError(413, "xlsx-too-large", f"Workbook melebihi batas (the workbook is over a limit): {exc}.") from exc
    async with uow() as session:
        job = ImportJob(owner=principal.sub, filename=(filename or "")[:300] or None)
        await SkpRepository(session).add_job(job)
    task = asyncio.create_task(run_import(uow, job.id, data, principal, policy, limits=limits))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return job


async def read_job(uow, job_id: uuid.UUID, principal: Principal) -> ImportJob:
    """An import's progress and report, for whoever started it."""
    async with uow() as session:
        job = await SkpRepository(session).get_job(job_id)
    not_found = ProblemError(404, "import-not-found", f"Impor {job_id} tidak ditemukan (not found).")
    if job is None:
        raise not_found
    ensure_import_of_mine(job.owner, principal, not_found)
    return job


async def cancel_all(tasks: set[asyncio.Task], timeout: float = 5.0) -> None:
    """Stop the running imports (shutdown). Each records on its job that it
    was interrupted and after how many rows (re-uploading the workbook
    finishes it); they get ``timeout`` seconds for that before the database goes."""
    running = list(tasks)
    for task in running:
        task.cancel()
    if running:
        await asyncio.wait(running, timeout=timeout)
