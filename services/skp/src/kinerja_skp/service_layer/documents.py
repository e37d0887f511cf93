"""Use cases on SKP documents: create, read, update, delete, validate,
submit, and the projection of the approval service's events.

Each function runs inside the caller's unit of work (one transaction): the
state change and its outbox event commit together.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from typing import Any

from kinerja_contracts.calendar import tanggal_indonesia, utcnow
from kinerja_contracts.events import SkpResubmitted, SkpSubmitted
from kinerja_contracts.lifecycle import SkpAction, SkpStatus, TransitionRefused, is_editable, transition
from kinerja_platform.context import bind_owner
from kinerja_platform.messaging import add_event
from kinerja_contracts.values import STORED, Actor, Role
from kinerja_platform.directory_view import DirectoryView
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from pydantic import ValidationError

from ..adapters.repository import Neighbours, SkpRepository, read_status_row
from ..adapters.tables import SkpDocument, SkpVersion
from ..domain.model import SkpContent, SkpDraft
from ..domain.people import PeopleRefused, ensure_override_candidate, pegawai_refused, tanggal_rantai
from ..domain.validation import Report, ValidationContext, validate
from . import deadlines, people
from .access import acting_role, ensure_can_read, ensure_can_write, visibility
from .policy import Policy
from .watch import StatusWatch, wait_for_change


#: an SKP as the use cases hand it out (the stored row)
Document = SkpDocument


def _actor(p: Principal) -> Actor:
    return Actor(sub=p.sub, role=p.role.value)


def hash_of(data: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of dumped content (what the atasan signs)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def columns_of(content: SkpContent) -> dict[str, Any]:
    """The searchable columns of an SKP document, from its content."""
    return {
        "nama": content.pegawai.nama[:300],
        "tahun": content.periode.mulai.year,
        "periode_mulai": content.periode.mulai,
        "periode_selesai": content.periode.selesai,
        "jenis_pegawai": content.jenis_pegawai.value,
        "unit_kerja": content.pegawai.unit_kerja,
        "instansi": content.pegawai.instansi,
        "penilai_nip": content.penilai.nip,
        "tanggal_sk": content.tanggal_sk,
    }


async def get_document(session, skp_id: uuid.UUID) -> SkpDocument:
    doc = await SkpRepository(session).get(skp_id)
    if doc is None:
        raise ProblemError(404, "skp-not-found", f"SKP {skp_id} tidak ditemukan (not found).")
    bind_owner(doc.id, doc.nip)  # the request's log lines name the SKP's pegawai (docs/operations.md, Logs)
    return doc


async def read_document(session, skp_id: uuid.UUID, principal: Principal) -> SkpDocument:
    doc = await get_document(session, skp_id)
    ensure_can_read(doc, principal)
    return doc


# --- validation -------------------------------------------------------------


async def validation_context(session, content: SkpContent, policy: Policy,
                             neighbours: Neighbours | None = None) -> ValidationContext:
    """Fill what the rules need from the database: last year's SKP of the same
    pegawai and the periods of their SKPs that overlap this one (one read,
    :meth:`SkpRepository.neighbours`, unless given), and the RHK of the
    penilai's SKP for the same year (when an RHK names one by id)."""
    repo = SkpRepository(session)
    year = content.periode.mulai.year
    if neighbours is None:
        neighbours = await _neighbours(session, content)
    superior_rhk = None
    if any(r.rhk_intervensi_id for r in content.hasil_kerja):
        rows = await repo.superior_contents(content.penilai.nip, year, content.periode.mulai, content.periode.selesai)
        superior_rhk = {r["id"]: r.get("uraian", "") for row in rows for r in row.get("hasil_kerja", [])}
    return ValidationContext(
        rencana_aksi_wajib=policy.rencana_aksi_wajib(content.pegawai.instansi),
        previous=_lenient(neighbours.previous),
        superior_rhk=superior_rhk,
        overlapping=tuple(neighbours.overlapping),
    )


async def _neighbours(session, content: SkpContent) -> Neighbours:
    """The pegawai's other SKPs (:meth:`SkpRepository.neighbours`); the
    deadline extensions read with them are kept for :func:`deadlines.deadline_of`
    of this SKP later in the transaction."""
    mulai, instansi = content.periode.mulai, content.pegawai.instansi
    found = await SkpRepository(session).neighbours(content.pegawai.nip, mulai, content.periode.selesai, instansi)
    deadlines.remember_rules(session, instansi, mulai.year, found.extensions)
    return found


def _lenient(data: dict | None) -> SkpContent | None:
    if not data:
        return None
    try:
        return SkpContent.model_validate(data)
    except ValueError:
        return None


async def check(session, content: SkpContent, policy: Policy, neighbours: Neighbours | None = None) -> Report:
    return validate(content, await validation_context(session, content, policy, neighbours))


# --- writes -----------------------------------------------------------------


def _stale(version: int, current: int) -> ProblemError:
    return ProblemError(
        409,
        "stale-version",
        f"SKP telah diubah sejak versi {version} yang Anda baca; versi terkini {current}. Muat ulang lalu ulangi "
        "(the SKP changed since the version you read; reload it).",
        current_version=current,
    )


def _require(state: SkpStatus, action: SkpAction, role: Role, note: str | None = None) -> SkpStatus:
    try:
        return transition(state, action, role)
    except TransitionRefused as exc:
        if action == SkpAction.edit and not is_editable(state):
            why = ("menunggu keputusan pejabat penilai" if state == SkpStatus.Pending
                   else "sudah disetujui (ditandatangani) pejabat penilai")
            raise ProblemError(
                409,
                "skp-locked",
                f"SKP berstatus {state} {why}, sehingga terkunci dan tidak dapat diubah atau dihapus. SKP dapat diubah lagi "
                f"bila dikembalikan untuk Revisi (an SKP that is {state} is locked; it can be edited again once returned "
                "for revision).",
                status_skp=state.value,
                allowed_actions=list(exc.allowed),
            ) from exc
        raise ProblemError(409 if exc.reason == "state" else 403, "transition-refused", exc.message,
                           status_skp=state.value, allowed_actions=list(exc.allowed)) from exc


async def _filled(session, draft: SkpDraft, pegawai_nip: str, principal: Principal, policy: Policy,
                  override: dict[str, Any] | None = None) -> SkpContent:
    try:
        return await people.fill(DirectoryView(session), draft, pegawai_nip, principal, policy.today(), override=override)
    except PeopleRefused as exc:
        raise people.problem(exc) from exc


async def create_checked(session, draft: SkpDraft, principal: Principal,
                         policy: Policy) -> tuple[SkpDocument, SkpContent, Report]:
    """Create the Draft of one pegawai and period, its people from the
    directory, and :func:`check` its content: the document, the content and
    the report. The pegawai's other SKPs are read once for both (the new one
    is none of them)."""
    doc, content, neighbours = await _create(session, draft, principal, policy)
    return doc, content, await check(session, content, policy, neighbours)


async def _create(session, draft: SkpDraft, principal: Principal,
                  policy: Policy) -> tuple[SkpDocument, SkpContent, Neighbours]:
    try:
        nip = people.pegawai_nip_of(draft, principal)
    except PeopleRefused as exc:
        raise people.problem(exc) from exc
    if principal.role in (Role.pegawai, Role.atasan):
        ensure_can_write(nip, principal.instansi, principal)  # only one's own SKP, before looking anyone up
    content = await _filled(session, draft, nip, principal, policy)
    ensure_can_write(content.pegawai.nip, content.pegawai.instansi, principal)
    repo = SkpRepository(session)
    neighbours = await _neighbours(session, content)
    existing = neighbours.existing
    if existing is not None:
        raise ProblemError(
            409,
            "skp-exists",
            f"SKP untuk NIP {content.pegawai.nip} periode {content.periode.mulai} s.d. {content.periode.selesai} sudah ada: "
            f"{existing} (an SKP for this pegawai and period exists already; update it instead).",
            skp_id=str(existing),
        )
    data = content.model_dump(mode="json")
    h = hash_of(data)
    # the row as the ORM would have written it (JSON null in the empty JSON columns, two clock reads), in Core
    values: dict[str, Any] = dict(
        id=uuid.uuid4(), nip=content.pegawai.nip, status=SkpStatus.Draft.value, version=1, content=data, content_hash=h,
        approval_sequence=0, catatan_perbaikan=None, persetujuan=None, penilai_override=None, created_by=principal.sub,
        created_at=utcnow(), updated_at=utcnow(), **columns_of(content))
    await repo.add_new(values, version_created_at=utcnow())
    return SkpDocument(**values), content, neighbours


async def _write_content(session, doc: SkpDocument, version: int, content: SkpContent, principal: Principal, *,
                         penilai_override: dict[str, Any] | None, force: bool = False) -> SkpDocument:
    data = content.model_dump(mode="json")
    h = hash_of(data)
    if h == doc.content_hash and not force:  # nothing changed: no new version
        return doc
    values = dict(version=version + 1, updated_at=utcnow(), content=data, content_hash=h,
                  penilai_override=penilai_override, **columns_of(content))
    repo = SkpRepository(session)
    if not await repo.update_content(doc, version, values):
        raise _stale(version, version + 1)
    repo.add_version(SkpVersion(skp_id=doc.id, version=doc.version, content=data, content_hash=h, created_by=principal.sub,
                                penilai_override=penilai_override))
    return doc


async def update_draft(session, skp_id: uuid.UUID, version: int, draft: SkpDraft, principal: Principal,
                       policy: Policy) -> tuple[SkpDocument, SkpContent]:
    """Replace a Draft's or Revisi's content, its people from the directory
    (or the penilai an admin set on it); the document and its content."""
    doc = await get_document(session, skp_id)
    ensure_can_write(doc.nip, doc.instansi, principal)
    _require(SkpStatus(doc.status), SkpAction.edit, acting_role(doc.nip, principal))
    if draft.pegawai is not None and draft.pegawai.nip != doc.nip:
        raise ProblemError(422, "nip-immutable", "NIP pegawai pada SKP tidak dapat diganti; buat SKP baru "
                           "(the pegawai's NIP cannot change; create a new SKP).", field="pegawai.nip")
    if doc.version != version:
        raise _stale(version, doc.version)
    content = await _filled(session, draft, doc.nip, principal, policy, override=doc.penilai_override)
    ensure_can_write(content.pegawai.nip, content.pegawai.instansi, principal)
    return await _write_content(session, doc, version, content, principal,
                                penilai_override=doc.penilai_override), content


async def set_penilai(session, skp_id: uuid.UUID, version: int, nip: str | None, alasan: str, principal: Principal,
                      policy: Policy) -> SkpDocument:
    """An admin of the pegawai's instansi sets another pejabat penilai on a
    Draft or Revisi (``nip``), or gives it back to the directory (None). The
    reason, who and when are stored on the SKP and on the new version."""
    doc = await get_document(session, skp_id)
    ensure_can_write(doc.nip, doc.instansi, principal)
    _require(SkpStatus(doc.status), SkpAction.edit, acting_role(doc.nip, principal))
    if doc.version != version:
        raise _stale(version, doc.version)
    stored = SkpContent.model_validate(doc.content, context=STORED)
    draft = SkpDraft.model_validate({**stored.model_dump(mode="json", by_alias=False), "penilai": None,
                                     "atasan_pejabat_penilai": None}, context=STORED)
    override = None
    if nip is not None:
        view = DirectoryView(session)
        tanggal = tanggal_rantai(stored.periode, policy.today())
        pegawai = await view.record_on(doc.nip, tanggal)
        try:
            if pegawai is None:
                raise pegawai_refused(doc.nip, tanggal)
            ensure_override_candidate(nip, await view.record_on(nip, tanggal), pegawai, tanggal)
        except PeopleRefused as exc:
            raise people.problem(exc) from exc
        override = {"nip": nip, "alasan": alasan, "by": principal.sub, "role": principal.role.value,
                    "at": utcnow().isoformat()}
    try:
        content = await _filled(session, draft, doc.nip, principal, policy, override=override)
    except ValidationError as exc:  # a draft stored before today's bounds: it is corrected by an edit first
        raise ProblemError(422, "skp-invalid", "SKP memuat nilai di luar batas; perbaiki dulu (the SKP holds values "
                           "outside today's bounds; correct it first).") from exc
    return await _write_content(session, doc, version, content, principal, penilai_override=override, force=True)


async def delete_draft(session, skp_id: uuid.UUID, version: int, principal: Principal, watch: StatusWatch) -> None:
    """Delete a Draft that was never submitted (a returned SKP is known to the approval service: keep it)."""
    doc = await get_document(session, skp_id)
    ensure_can_write(doc.nip, doc.instansi, principal)
    state = SkpStatus(doc.status)
    _require(state, SkpAction.edit, acting_role(doc.nip, principal))
    if state != SkpStatus.Draft or doc.approval_sequence:
        raise ProblemError(409, "skp-not-deletable", "Hanya draft yang belum pernah diajukan yang dapat dihapus "
                           "(only a never-submitted draft can be deleted).", status_skp=state.value)
    if doc.version != version:
        raise _stale(version, doc.version)
    if not await SkpRepository(session).delete(doc.id, version):
        raise _stale(version, version + 1)
    watch.after_commit(session, doc.id)


async def submit(session, skp_id: uuid.UUID, version: int, principal: Principal, policy: Policy,
                 watch: StatusWatch) -> SkpDocument:
    """Ajukan verifikasi: Draft/Revisi -> Pending, when the SKP is valid and on time."""
    doc = await get_document(session, skp_id)
    ensure_can_write(doc.nip, doc.instansi, principal)
    state = SkpStatus(doc.status)
    action = SkpAction.resubmit if state == SkpStatus.Revisi else SkpAction.submit
    _require(state, action, acting_role(doc.nip, principal))
    if doc.version != version:
        raise _stale(version, doc.version)
    try:  # a draft stored before today's bounds: fix it first, it cannot travel to the other services as it is
        content = SkpContent.model_validate(doc.content)
    except ValidationError as exc:
        raise ProblemError(422, "skp-invalid", "SKP memuat nilai di luar batas; perbaiki dulu (the SKP holds values "
                           "outside today's bounds; correct it first).",
                           errors=[{"path": ".".join(str(x) for x in e["loc"]), "message": e["msg"], "type": e["type"]}
                                   for e in exc.errors()[:100]]) from exc
    report = await check(session, content, policy)
    if not report.valid:
        raise ProblemError(
            422,
            "skp-invalid",
            f"SKP belum dapat diajukan: {len(report.errors)} kesalahan (the SKP cannot be submitted: "
            f"{len(report.errors)} error(s)).",
            errors=[e.as_dict() for e in report.errors],
            warnings=[w.as_dict() for w in report.warnings],
        )
    if action == SkpAction.submit and policy.enforce_deadlines:
        deadline = await deadlines.deadline_of(session, doc, policy)
        if deadline.passed(policy.today()):
            raise ProblemError(
                409,
                "deadline-passed",
                f"Batas waktu pengajuan SKP ini {tanggal_indonesia(deadline.effective)} sudah lewat; pengajuan terkunci. "
                f"Admin kepegawaian {doc.instansi or 'instansi Anda'} dapat membuka perpanjangan untuk unit kerja atau "
                f"untuk Anda (the submission deadline {deadline.effective.isoformat()} has passed; the admin kepegawaian "
                "of your instansi can grant an extension).",
                deadline=deadline.effective.isoformat(),
                instansi=doc.instansi,
            )
    # Submitting does not change the content, so the version stays: the atasan signs this exact version.
    values = {"status": SkpStatus.Pending.value, "updated_at": utcnow()}
    if not await SkpRepository(session).set_status(doc, version, state.value, values):
        raise _stale(version, version + 1)
    watch.after_commit(session, doc.id)
    cls = SkpResubmitted if action == SkpAction.resubmit else SkpSubmitted
    add_event(
        session,
        cls(
            skp_id=doc.id,
            version=doc.version,
            content_hash=doc.content_hash,
            periode=content.periode,
            jenis_pegawai=content.jenis_pegawai,
            pegawai=content.pegawai,
            penilai=content.penilai,
            atasan_pejabat_penilai=content.atasan_pejabat_penilai,
            unit_kerja=content.pegawai.unit_kerja,
            instansi=content.pegawai.instansi,
            snapshot=content,
        ),
        actor=_actor(principal),
    )
    return doc


# --- reads ------------------------------------------------------------------


async def list_documents(
    session,
    principal: Principal,
    *,
    tahun: int | None = None,
    periode_mulai=None,
    periode_selesai=None,
    unit_kerja: str | None = None,
    status: SkpStatus | None = None,
    penilai_nip: str | None = None,
    nip: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[SkpDocument]]:
    return await SkpRepository(session).page(
        visibility(principal), tahun=tahun, periode_mulai=periode_mulai, periode_selesai=periode_selesai,
        unit_kerja=unit_kerja, status=status.value if status is not None else None, penilai_nip=penilai_nip, nip=nip,
        limit=limit, offset=offset,
    )


async def list_versions(session, skp_id: uuid.UUID) -> list[SkpVersion]:
    return await SkpRepository(session).versions(skp_id)


async def get_version(session, skp_id: uuid.UUID, version: int) -> SkpVersion:
    v = await SkpRepository(session).version(skp_id, version)
    if v is None:
        raise ProblemError(404, "version-not-found", f"Versi {version} dari SKP {skp_id} tidak ada (no such version).")
    return v


# --- projection of approval events --------------------------------------------


async def apply_approval_event(
    session, watch: StatusWatch, data, new_status: SkpStatus, *, catatan_perbaikan: str | None = None, penilai=None,
    persetujuan: dict | None = None
) -> bool:
    """Project an approval event onto the SKP; ignore stale or out-of-order ones.

    An event applies when it is newer than the last one applied (``sequence``)
    and is about the SKP's current version (a decision on a version the
    pegawai has since replaced is stale). The check is part of the UPDATE
    (compare-and-set): two events of one SKP handled at the same time cannot
    both win, and the older can never overwrite the newer.
    """
    values: dict[str, Any] = {"status": new_status.value, "approval_sequence": data.sequence, "updated_at": utcnow()}
    if catatan_perbaikan is not None:
        values["catatan_perbaikan"] = catatan_perbaikan
    if penilai is not None:  # reassigned: the signed content keeps its snapshot
        values["penilai_nip"] = penilai.nip
    if persetujuan is not None:  # who signed, and when (the PDF's signature block)
        values["persetujuan"] = persetujuan
    if not await SkpRepository(session).project(data.skp_id, data.sequence, data.version, values):
        return False
    watch.after_commit(session, data.skp_id)
    return True


# --- status, and waiting for it to change ---------------------------------------


async def read_status(engine, skp_id: uuid.UUID, principal: Principal):
    """The SKP's status, version and Catatan Perbaikan (a row; no content), on a
    connection of its own (``engine``)."""
    row = await read_status_row(engine, skp_id)
    if row is None:
        raise ProblemError(404, "skp-not-found", f"SKP {skp_id} tidak ditemukan (not found).")
    ensure_can_read(row, principal)
    return row


async def status_after_wait(read, skp_id: uuid.UUID, while_status: SkpStatus | None, wait: float, *,
                            recheck: float, watch: StatusWatch):
    """Read the status (``read()``); while it is ``while_status``, wait up to
    ``wait`` seconds in all for it to change, and answer the state then.

    The waiter is registered before each read, so a change that commits
    between the read and the wait still wakes it. Unwoken, it reads again
    every ``recheck`` seconds (``KINERJA_SKP_STATUS_RECHECK_SECONDS``): another
    replica may have applied the change.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        with watch.watching(skp_id) as fut:
            row = await read()
            remaining = deadline - loop.time()
            if while_status is None or row.status != while_status.value or remaining <= 0 or fut is None:
                return row
            await wait_for_change(fut, min(remaining, recheck))
