"""Acting assignments (Plt/Plh): record, list, revoke, and look up the ones
in force for a person on a date."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_contracts.calendar import utcnow
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

from ..adapters.repository import ApprovalRepository
from ..adapters.tables import PenugasanRow
from ..domain.authority import JenisPenugasan, Penugasan
from .access import admin_instansi, ensure_penugasan_of_mine

#: an acting assignment as the use cases hand it out (the stored row)
Record = PenugasanRow


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
    await ApprovalRepository(session).add_penugasan(row)
    return row


async def list_for_admin(session, principal: Principal, *, aktif_pada: dt.date | None = None) -> list[PenugasanRow]:
    instansi = admin_instansi(principal)
    return await ApprovalRepository(session).penugasan_of_instansi(instansi, aktif_pada)


async def revoke(session, principal: Principal, penugasan_id: uuid.UUID) -> PenugasanRow:
    repo = ApprovalRepository(session)
    row = await repo.get_penugasan(penugasan_id)
    not_found = ProblemError(404, "penugasan-not-found", f"Penugasan {penugasan_id} tidak ditemukan (not found).")
    if row is None:
        raise not_found
    ensure_penugasan_of_mine(row.instansi, principal, not_found)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_by = principal.sub
        await repo.save_penugasan(row)
    return row


async def in_force_for_delegate(session, delegate_nip: str, day: dt.date) -> list[Penugasan]:
    """The assignments that let ``delegate_nip`` act on ``day``."""
    return await ApprovalRepository(session).in_force_for(delegate_nip, day)
