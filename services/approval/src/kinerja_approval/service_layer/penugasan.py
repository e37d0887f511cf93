"""Acting assignments (Plt/Plh): record, list, revoke, and look up the ones
in force for a person on a date."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from sqlalchemy import bindparam
from sqlmodel import select

from ..adapters.tables import PenugasanRow
from ..domain.authority import JenisPenugasan, Penugasan


def to_domain(row: PenugasanRow) -> Penugasan:
    return Penugasan(
        delegate_nip=row.delegate_nip, penilai_nip=row.penilai_nip, mulai=row.mulai, selesai=row.selesai,
        jenis=JenisPenugasan(row.jenis), instansi=row.instansi,
    )


def admin_instansi(principal: Principal) -> str:
    """The instansi an admin's rights are scoped to (token claim ``instansi``)."""
    if principal.role != Role.admin or not principal.instansi:
        raise ProblemError(403, "admin-scope-missing",
                           "Token admin tanpa klaim instansi tidak berhak (an admin token needs an `instansi` claim).")
    return principal.instansi


async def create(
    session, principal: Principal, *, delegate_nip: str, penilai_nip: str, jenis: JenisPenugasan,
    mulai: dt.date, selesai: dt.date, nomor_sk: str | None = None,
) -> PenugasanRow:
    instansi = admin_instansi(principal)
    if selesai < mulai:
        raise ProblemError(422, "penugasan-range-invalid",
                           "Tanggal selesai sebelum tanggal mulai (the end date is before the start date).",
                           errors=[{"path": "body.selesai", "message": "must not be before mulai"}])
    if delegate_nip == penilai_nip:
        raise ProblemError(422, "penugasan-self",
                           "Pelaksana tidak boleh sama dengan pejabat penilai (a person cannot act for themselves).",
                           errors=[{"path": "body.delegate_nip", "message": "must differ from penilai_nip"}])
    row = PenugasanRow(
        delegate_nip=delegate_nip, penilai_nip=penilai_nip, jenis=jenis.value, mulai=mulai, selesai=selesai,
        instansi=instansi, nomor_sk=nomor_sk, created_by=principal.sub,
    )
    session.add(row)
    await session.flush()
    return row


async def list_for_admin(session, principal: Principal, *, aktif_pada: dt.date | None = None) -> list[PenugasanRow]:
    instansi = admin_instansi(principal)
    q = select(PenugasanRow).where(PenugasanRow.instansi == instansi)
    if aktif_pada is not None:
        q = q.where(PenugasanRow.mulai <= aktif_pada, PenugasanRow.selesai >= aktif_pada, PenugasanRow.revoked_at.is_(None))
    return list((await session.exec(q.order_by(PenugasanRow.mulai, PenugasanRow.created_at))).all())


async def revoke(session, principal: Principal, penugasan_id: uuid.UUID) -> PenugasanRow:
    instansi = admin_instansi(principal)
    row = await session.get(PenugasanRow, penugasan_id)
    if row is None or row.instansi != instansi:
        raise ProblemError(404, "penugasan-not-found", f"Penugasan {penugasan_id} tidak ditemukan (not found).")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_by = principal.sub
        session.add(row)
        await session.flush()
    return row


#: built once (every inbox read and every delegated decision asks it)
_IN_FORCE = select(PenugasanRow).where(
    PenugasanRow.delegate_nip == bindparam("delegate_nip"),
    PenugasanRow.mulai <= bindparam("day"),
    PenugasanRow.selesai >= bindparam("day"),
    PenugasanRow.revoked_at.is_(None),
)


async def in_force_for_delegate(session, delegate_nip: str, day: dt.date) -> list[Penugasan]:
    """The assignments that let ``delegate_nip`` act on ``day``."""
    rows = (await session.exec(_IN_FORCE, params={"delegate_nip": delegate_nip, "day": day})).all()
    return [to_domain(r) for r in rows]
