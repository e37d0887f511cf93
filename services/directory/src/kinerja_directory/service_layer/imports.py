"""Importing people from a CSV or XLSX file in the background, with progress
and a per-row report (the layout: docs/directory.md, ``docs/examples/``).

Each row is one dated record, parsed and checked on its own (a bad row is
reported and the others are written), then written like a bulk upsert; the
job's ``processed`` grows as chunks commit. Importing the same file again
changes nothing (every row answers ``unchanged``).
"""

from __future__ import annotations

from kinerja_contracts.calendar import Clock

import asyncio
import contextlib
import uuid
from collections import Counter
from typing import Any

from kinerja_platform.logging import get_logger
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

from ..adapters.files import FileProblem, read_rows
from ..adapters.repository import DirectoryRepository
from ..adapters.tables import ImportJob
from ..domain.validation import parse_row
from . import access, people

log = get_logger(__name__)


async def _update(uow, job_id: uuid.UUID, **values: Any) -> None:
    async with uow() as session:
        await DirectoryRepository(session).update_job(job_id, **values)


async def run_import(uow, job_id: uuid.UUID, data: bytes, principal: Principal, clock: Clock) -> None:
    done = 0
    try:
        rows = await asyncio.to_thread(read_rows, data)
        await _update(uow, job_id, total=len(rows))
        parsed = [parse_row(values) for _, values in rows]

        async def progress(n: int) -> None:
            nonlocal done
            done = n
            await _update(uow, job_id, processed=n)

        results = await people.upsert_many(uow, principal, parsed, now=clock(), source="import", progress=progress)
        report = [{"baris": line, **r.as_dict()} for (line, _), r in zip(rows, results, strict=True)]
        summary = dict(Counter(r.status for r in results))
        summary["baris"] = len(rows)
        await _update(uow, job_id, status="done", report=report, summary=summary, processed=len(rows))
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await _update(uow, job_id, status="failed", error=(
                f"Impor terhenti karena layanan dihentikan setelah {done} baris; unggah berkas yang sama lagi "
                f"(baris yang tidak berubah dilewati) (the service stopped after {done} rows: upload the same file "
                "again, unchanged rows are skipped)."))
        raise
    except Exception as exc:  # the job records why; the service keeps running
        if not isinstance(exc, FileProblem):
            log.exception("import failed", job_id=str(job_id))
        await _update(uow, job_id, status="failed", error=str(exc) if isinstance(exc, FileProblem) else repr(exc))


async def start_import(uow, tasks: set[asyncio.Task], data: bytes, filename: str | None, principal: Principal,
                       clock: Clock) -> ImportJob:
    """Record the job and run it in the background; ``tasks`` holds the running imports."""
    instansi = access.writer_instansi(principal)
    async with uow() as session:
        job = ImportJob(owner=principal.sub, instansi=instansi, filename=(filename or "")[:300] or None)
        await DirectoryRepository(session).add_job(job)
    task = asyncio.create_task(run_import(uow, job.id, data, principal, clock))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return job


async def read_job(uow, job_id: uuid.UUID, principal: Principal) -> ImportJob:
    """An import's progress and report, for the portals and admins of its instansi."""
    access.writer_instansi(principal)
    async with uow() as session:
        job = await DirectoryRepository(session).job(job_id)
    missing = ProblemError(404, "import-not-found", f"Impor {job_id} tidak ditemukan (not found).")
    if job is None:
        raise missing
    access.ensure_job_of_mine(job.instansi, principal, missing)
    return job


async def cancel_all(tasks: set[asyncio.Task], timeout: float = 5.0) -> None:
    """Stop the running imports (shutdown); each records where it stopped."""
    running = list(tasks)
    for task in running:
        task.cancel()
    if running:
        await asyncio.wait(running, timeout=timeout)
