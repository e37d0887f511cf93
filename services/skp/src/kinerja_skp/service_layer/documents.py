"""Use cases on SKP documents: create, update, submit, apply approval events.

Each function runs inside the caller's unit of work (one transaction): the
state change and its outbox event commit together.
"""

from __future__ import annotations

import uuid

from kinerja_contracts.events import SkpResubmitted, SkpSubmitted
from kinerja_contracts.lifecycle import SkpAction, SkpStatus, TransitionRefused, is_editable, transition
from kinerja_contracts.messaging import add_event
from kinerja_contracts.values import Actor, Role
from kinerja_contracts.web.auth import Principal
from kinerja_contracts.web.errors import ProblemError
from sqlalchemy import update
from sqlmodel import select

from ..adapters.tables import SkpDocument, SkpVersion, utcnow
from ..domain.model import SkpContent, content_hash
from ..domain.rules import errors, validate


def _actor(p: Principal) -> Actor:
    return Actor(sub=p.sub, role=p.role.value)


def check_owner(doc_nip: str, principal: Principal) -> None:
    """A pegawai touches only their own SKP; an admin only in their instansi."""
    if principal.role in (Role.pegawai, Role.atasan) and principal.sub != doc_nip:
        raise ProblemError(403, "not-your-skp", "SKP ini milik pegawai lain (this SKP belongs to someone else).")


async def get_document(session, skp_id: uuid.UUID) -> SkpDocument:
    doc = await session.get(SkpDocument, skp_id)
    if doc is None:
        raise ProblemError(404, "skp-not-found", f"SKP {skp_id} tidak ditemukan (not found).")
    return doc


async def create_draft(session, content: SkpContent, principal: Principal) -> SkpDocument:
    check_owner(content.pegawai.nip, principal)
    existing = (
        await session.exec(
            select(SkpDocument).where(
                SkpDocument.nip == content.pegawai.nip,
                SkpDocument.periode_mulai == content.periode.mulai,
                SkpDocument.periode_selesai == content.periode.selesai,
            )
        )
    ).first()
    if existing is not None:
        raise ProblemError(
            409,
            "skp-exists",
            f"SKP untuk NIP {content.pegawai.nip} periode {content.periode.mulai}..{content.periode.selesai} sudah ada: {existing.id} "
            "(an SKP for this pegawai and period exists already; update it instead).",
            skp_id=str(existing.id),
        )
    data = content.model_dump(mode="json")
    h = content_hash(content)
    doc = SkpDocument(
        nip=content.pegawai.nip,
        periode_mulai=content.periode.mulai,
        periode_selesai=content.periode.selesai,
        jenis_pegawai=content.jenis_pegawai.value,
        unit_kerja=content.pegawai.unit_kerja,
        instansi=content.pegawai.instansi,
        penilai_nip=content.penilai.nip,
        content=data,
        content_hash=h,
    )
    session.add(doc)
    session.add(SkpVersion(skp_id=doc.id, version=1, content=data, content_hash=h, created_by=principal.sub))
    await session.flush()
    return doc


def _require(state: SkpStatus, action: SkpAction, role: Role) -> SkpStatus:
    try:
        return transition(state, action, role)
    except TransitionRefused as exc:
        if not is_editable(state) and action == SkpAction.edit:
            raise ProblemError(
                409,
                "skp-locked",
                f"SKP berstatus {state} terkunci dan tidak dapat diubah (an SKP that is {state} is locked).",
                status_skp=state.value,
                allowed_actions=list(exc.allowed),
            ) from exc
        raise ProblemError(409 if exc.reason == "state" else 403, "transition-refused", exc.message,
                           status_skp=state.value, allowed_actions=list(exc.allowed)) from exc


async def _bump(session, doc: SkpDocument, expected_version: int, **values) -> None:
    """Write ``values`` only if nobody changed the SKP since ``expected_version``."""
    result = await session.exec(
        update(SkpDocument)
        .where(SkpDocument.id == doc.id, SkpDocument.version == expected_version)
        .values(version=expected_version + 1, updated_at=utcnow(), **values)
    )
    if result.rowcount != 1:
        raise ProblemError(
            409,
            "stale-version",
            f"SKP telah diubah orang lain (versi Anda {expected_version}, versi terkini lebih baru); muat ulang "
            "(the SKP changed since your version; reload it).",
        )
    await session.refresh(doc)


async def update_draft(session, skp_id: uuid.UUID, version: int, content: SkpContent, principal: Principal) -> SkpDocument:
    doc = await get_document(session, skp_id)
    check_owner(doc.nip, principal)
    _require(SkpStatus(doc.status), SkpAction.edit, principal.role)
    if content.pegawai.nip != doc.nip:
        raise ProblemError(422, "nip-immutable", "NIP pegawai pada SKP tidak dapat diganti (the pegawai's NIP cannot change).")
    if doc.version != version:
        raise ProblemError(409, "stale-version", f"Versi {version} sudah usang; versi terkini {doc.version} (stale version).",
                           current_version=doc.version)
    data = content.model_dump(mode="json")
    h = content_hash(content)
    await _bump(session, doc, version, content=data, content_hash=h, penilai_nip=content.penilai.nip,
                unit_kerja=content.pegawai.unit_kerja, instansi=content.pegawai.instansi,
                periode_mulai=content.periode.mulai, periode_selesai=content.periode.selesai,
                jenis_pegawai=content.jenis_pegawai.value)
    session.add(SkpVersion(skp_id=doc.id, version=doc.version, content=data, content_hash=h, created_by=principal.sub))
    return doc


async def submit(session, skp_id: uuid.UUID, version: int, principal: Principal) -> SkpDocument:
    doc = await get_document(session, skp_id)
    check_owner(doc.nip, principal)
    state = SkpStatus(doc.status)
    action = SkpAction.resubmit if state == SkpStatus.Revisi else SkpAction.submit
    _require(state, action, principal.role)
    if doc.version != version:
        raise ProblemError(409, "stale-version", f"Versi {version} sudah usang; versi terkini {doc.version} (stale version).",
                           current_version=doc.version)
    content = SkpContent.model_validate(doc.content)
    errs = errors(validate(content))
    if errs:
        raise ProblemError(
            422,
            "skp-invalid",
            f"SKP belum dapat diajukan: {len(errs)} kesalahan (the SKP cannot be submitted: {len(errs)} error(s)).",
            errors=[e.as_dict() for e in errs],
        )
    # Submitting does not change the content, so the version stays: the atasan signs this exact version.
    result = await session.exec(
        update(SkpDocument)
        .where(SkpDocument.id == doc.id, SkpDocument.version == version, SkpDocument.status == state.value)
        .values(status=SkpStatus.Pending.value, updated_at=utcnow())
    )
    if result.rowcount != 1:
        raise ProblemError(409, "stale-version", "SKP berubah saat diajukan; muat ulang (changed while submitting; reload).")
    await session.refresh(doc)
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
            atasan_penilai=content.atasan_penilai,
            unit_kerja=content.pegawai.unit_kerja,
            instansi=content.pegawai.instansi,
            snapshot=doc.content,
        ),
        actor=_actor(principal),
    )
    return doc


async def apply_approval_event(session, data, new_status: SkpStatus, *, note: str | None = None, penilai=None) -> bool:
    """Project an approval event onto the SKP; ignore stale or out-of-order ones.

    An event applies when it is newer than the last one applied (``sequence``)
    and is about the SKP's current version (a decision on a version the
    pegawai has since replaced is stale). The check is part of the UPDATE
    (compare-and-set): two events of one SKP handled at the same time cannot
    both win, and the older can never overwrite the newer.
    """
    values = {"status": new_status.value, "approval_sequence": data.sequence, "updated_at": utcnow()}
    if note is not None:
        values["catatan_revisi"] = note
    if penilai is not None:  # reassigned: the signed content keeps its snapshot
        values["penilai_nip"] = penilai.nip
    result = await session.exec(
        update(SkpDocument)
        .where(
            SkpDocument.id == data.skp_id,
            SkpDocument.approval_sequence < data.sequence,
            SkpDocument.version <= data.version,
        )
        .values(**values)
    )
    return result.rowcount == 1
