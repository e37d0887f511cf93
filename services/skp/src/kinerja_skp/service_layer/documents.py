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
from kinerja_platform.messaging import add_event
from kinerja_contracts.values import Actor, Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from sqlalchemy import bindparam, delete, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from ..adapters.tables import SkpDocument, SkpVersion
from ..domain.model import SkpContent
from ..domain.validation import Report, ValidationContext, validate
from . import deadlines
from .access import acting_role, ensure_can_read, ensure_can_write, visible
from .policy import Policy
from .watch import WATCH, StatusWatch, wait_for_change


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


# --- prebuilt statements ----------------------------------------------------
# Built once at import: the hot paths only bind values (no per-call statement
# construction or cache-key walk of a freshly built tree).

_DOC = SkpDocument.__table__

#: the id of the SKP of one pegawai for one period (the unique key)
_EXISTING = select(SkpDocument.id).where(
    SkpDocument.nip == bindparam("nip"),
    SkpDocument.periode_mulai == bindparam("mulai"),
    SkpDocument.periode_selesai == bindparam("selesai"),
)
#: the content of the pegawai's latest SKP of a year
_PREVIOUS = (
    select(SkpDocument.content)
    .where(SkpDocument.nip == bindparam("nip"), SkpDocument.tahun == bindparam("tahun"))
    .order_by(col(SkpDocument.periode_selesai).desc())
    .limit(1)
)
#: the contents of the penilai's SKPs overlapping a period
_SUPERIOR = select(SkpDocument.content).where(
    SkpDocument.nip == bindparam("nip"),
    SkpDocument.tahun == bindparam("tahun"),
    SkpDocument.periode_mulai <= bindparam("selesai"),
    SkpDocument.periode_selesai >= bindparam("mulai"),
)

# Core UPDATEs on the table (not the mapped class): no ORM bulk-update machinery
# and no evaluation of the WHERE clause against the session's objects. The caller
# sets the values it wrote on the loaded object itself (``_written``), so no
# refresh SELECT follows. Each is a compare-and-set: rowcount 0 = lost the race.
_UPDATE_CONTENT = update(_DOC).where(_DOC.c.id == bindparam("b_id"), _DOC.c.version == bindparam("b_version"))
_SUBMIT = update(_DOC).where(
    _DOC.c.id == bindparam("b_id"), _DOC.c.version == bindparam("b_version"), _DOC.c.status == bindparam("b_status")
)
#: the SET clause comes from the parameters given at execution (status,
#: approval_sequence, updated_at and the event's optional columns)
_PROJECT = update(_DOC).where(
    _DOC.c.id == bindparam("b_id"),
    _DOC.c.approval_sequence < bindparam("b_sequence"),
    _DOC.c.version <= bindparam("b_version"),
)
#: what the status endpoint answers (and what the access check needs), without the content
_STATUS = select(
    _DOC.c.id, _DOC.c.nip, _DOC.c.instansi, _DOC.c.penilai_nip, _DOC.c.status, _DOC.c.version,
    _DOC.c.approval_sequence, _DOC.c.catatan_perbaikan, _DOC.c.updated_at,
).where(_DOC.c.id == bindparam("id"))


def _written(doc: SkpDocument, values: dict[str, Any]) -> None:
    """Record on ``doc`` what an UPDATE just stored, as its committed state
    (what a refresh would read back, without the SELECT)."""
    for key, value in values.items():
        set_committed_value(doc, key, value)


async def get_document(session, skp_id: uuid.UUID) -> SkpDocument:
    doc = await session.get(SkpDocument, skp_id)
    if doc is None:
        raise ProblemError(404, "skp-not-found", f"SKP {skp_id} tidak ditemukan (not found).")
    return doc


async def read_document(session, skp_id: uuid.UUID, principal: Principal) -> SkpDocument:
    doc = await get_document(session, skp_id)
    ensure_can_read(doc, principal)
    return doc


# --- validation -------------------------------------------------------------


async def validation_context(session, content: SkpContent, policy: Policy) -> ValidationContext:
    """Fill what the rules need from the database: last year's SKP of the same
    pegawai, and the RHK of the penilai's SKP for the same year (when an RHK
    names one by id)."""
    year = content.periode.mulai.year
    previous = (await session.exec(_PREVIOUS, params={"nip": content.pegawai.nip, "tahun": year - 1})).first()
    superior_rhk = None
    if any(r.rhk_intervensi_id for r in content.hasil_kerja):
        rows = (
            await session.exec(_SUPERIOR, params={
                "nip": content.penilai.nip, "tahun": year,
                "mulai": content.periode.mulai, "selesai": content.periode.selesai,
            })
        ).all()
        superior_rhk = {r["id"]: r.get("uraian", "") for row in rows for r in row.get("hasil_kerja", [])}
    return ValidationContext(
        rencana_aksi_wajib=policy.rencana_aksi_wajib(content.pegawai.instansi),
        previous=_lenient(previous),
        superior_rhk=superior_rhk,
    )


def _lenient(data: dict | None) -> SkpContent | None:
    if not data:
        return None
    try:
        return SkpContent.model_validate(data)
    except ValueError:
        return None


async def check(session, content: SkpContent, policy: Policy) -> Report:
    return validate(content, await validation_context(session, content, policy))


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


async def create_draft(session, content: SkpContent, principal: Principal) -> SkpDocument:
    ensure_can_write(content.pegawai.nip, content.pegawai.instansi, principal)
    existing = (
        await session.exec(_EXISTING, params={
            "nip": content.pegawai.nip, "mulai": content.periode.mulai, "selesai": content.periode.selesai,
        })
    ).first()
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
    doc = SkpDocument(nip=content.pegawai.nip, content=data, content_hash=h, created_by=principal.sub, **columns_of(content))
    session.add(doc)
    session.add(SkpVersion(skp_id=doc.id, version=1, content=data, content_hash=h, created_by=principal.sub))
    await session.flush()
    return doc


async def update_draft(session, skp_id: uuid.UUID, version: int, content: SkpContent, principal: Principal) -> SkpDocument:
    doc = await get_document(session, skp_id)
    ensure_can_write(doc.nip, doc.instansi, principal)
    ensure_can_write(content.pegawai.nip, content.pegawai.instansi, principal)
    _require(SkpStatus(doc.status), SkpAction.edit, acting_role(doc.nip, principal))
    if content.pegawai.nip != doc.nip:
        raise ProblemError(422, "nip-immutable", "NIP pegawai pada SKP tidak dapat diganti; buat SKP baru "
                           "(the pegawai's NIP cannot change; create a new SKP).")
    if doc.version != version:
        raise _stale(version, doc.version)
    data = content.model_dump(mode="json")
    h = hash_of(data)
    if h == doc.content_hash:  # nothing changed: no new version
        return doc
    values = dict(version=version + 1, updated_at=utcnow(), content=data, content_hash=h, **columns_of(content))
    result = await session.exec(_UPDATE_CONTENT, params={"b_id": doc.id, "b_version": version, **values})
    if result.rowcount != 1:
        raise _stale(version, version + 1)
    _written(doc, values)
    session.add(SkpVersion(skp_id=doc.id, version=doc.version, content=data, content_hash=h, created_by=principal.sub))
    return doc


async def delete_draft(session, skp_id: uuid.UUID, version: int, principal: Principal) -> None:
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
    result = await session.exec(delete(SkpDocument).where(SkpDocument.id == doc.id, SkpDocument.version == version))
    if result.rowcount != 1:
        raise _stale(version, version + 1)
    await session.exec(delete(SkpVersion).where(SkpVersion.skp_id == doc.id))
    WATCH.after_commit(session, doc.id)


async def submit(session, skp_id: uuid.UUID, version: int, principal: Principal, policy: Policy) -> SkpDocument:
    """Ajukan verifikasi: Draft/Revisi -> Pending, when the SKP is valid and on time."""
    doc = await get_document(session, skp_id)
    ensure_can_write(doc.nip, doc.instansi, principal)
    state = SkpStatus(doc.status)
    action = SkpAction.resubmit if state == SkpStatus.Revisi else SkpAction.submit
    _require(state, action, acting_role(doc.nip, principal))
    if doc.version != version:
        raise _stale(version, doc.version)
    content = SkpContent.model_validate(doc.content)
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
    result = await session.exec(_SUBMIT, params={"b_id": doc.id, "b_version": version, "b_status": state.value, **values})
    if result.rowcount != 1:
        raise _stale(version, version + 1)
    _written(doc, values)
    WATCH.after_commit(session, doc.id)
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
    conds = [visible(principal)]
    t = SkpDocument
    if tahun is not None:
        conds.append(t.tahun == tahun)
    if periode_mulai is not None:
        conds.append(t.periode_selesai >= periode_mulai)
    if periode_selesai is not None:
        conds.append(t.periode_mulai <= periode_selesai)
    if unit_kerja:
        conds.append(t.unit_kerja == unit_kerja)
    if status is not None:
        conds.append(t.status == status.value)
    if penilai_nip:
        conds.append(t.penilai_nip == penilai_nip)
    if nip:
        conds.append(t.nip == nip)
    total = (await session.exec(select(func.count()).select_from(t).where(*conds))).one()
    rows = (
        await session.exec(
            select(t).where(*conds).order_by(col(t.periode_mulai).desc(), t.nama, t.id).limit(limit).offset(offset)
        )
    ).all()
    return total, list(rows)


async def list_versions(session, skp_id: uuid.UUID) -> list[SkpVersion]:
    return list(
        (await session.exec(select(SkpVersion).where(SkpVersion.skp_id == skp_id).order_by(SkpVersion.version))).all()
    )


async def get_version(session, skp_id: uuid.UUID, version: int) -> SkpVersion:
    v = await session.get(SkpVersion, (skp_id, version))
    if v is None:
        raise ProblemError(404, "version-not-found", f"Versi {version} dari SKP {skp_id} tidak ada (no such version).")
    return v


# --- projection of approval events --------------------------------------------


async def apply_approval_event(
    session, data, new_status: SkpStatus, *, catatan_perbaikan: str | None = None, penilai=None, persetujuan: dict | None = None
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
    result = await session.exec(
        _PROJECT, params={"b_id": data.skp_id, "b_sequence": data.sequence, "b_version": data.version, **values}
    )
    if result.rowcount != 1:
        return False
    WATCH.after_commit(session, data.skp_id)
    return True


# --- status, and waiting for it to change ---------------------------------------


async def read_status(connection, skp_id: uuid.UUID, principal: Principal):
    """The SKP's status, version and Catatan Perbaikan (a row; no content)."""
    row = (await connection.execute(_STATUS, {"id": skp_id})).first()
    if row is None:
        raise ProblemError(404, "skp-not-found", f"SKP {skp_id} tidak ditemukan (not found).")
    ensure_can_read(row, principal)
    return row


async def status_after_wait(read, skp_id: uuid.UUID, while_status: SkpStatus | None, wait: float, *,
                            recheck: float, watch: StatusWatch = WATCH):
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
