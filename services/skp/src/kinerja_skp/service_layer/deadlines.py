"""Deadlines and their extensions (admin), on top of :mod:`..domain.deadlines`."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

from ..adapters.repository import SkpRepository
from ..adapters.tables import DeadlineExtension, SkpDocument
from ..domain.deadlines import Deadline, Extension, deadline_for, terima_sk_of
from .access import admin_instansi, ensure_extension_of_mine
from .policy import Policy


async def extensions_for(session, instansi: str | None, tahun: int) -> list[DeadlineExtension]:
    if not instansi:
        return []
    return await SkpRepository(session).extensions(instansi, tahun)


async def extensions_of_admin(session, principal: Principal, tahun: int) -> list[DeadlineExtension]:
    """The extensions of the admin's own instansi."""
    return await extensions_for(session, admin_instansi(principal), tahun)


def _rules_seen(session) -> dict[tuple[str, int], list[Extension]]:
    """The extensions already read in this transaction, per (instansi, tahun).
    The session's ``info`` lives as long as the session (one unit of work)."""
    info = getattr(session, "sync_session", session).info
    return info.setdefault("skp.deadline_extensions", {})


def remember_rules(session, instansi: str | None, tahun: int, rows: list[tuple[dt.date, str | None, str | None]]) -> None:
    """Keep extension rules read with another statement of this transaction
    (:meth:`SkpRepository.neighbours`) for :func:`deadline_of`, unless read already."""
    if instansi:
        _rules_seen(session).setdefault((instansi, tahun), [
            Extension(sampai=sampai, unit_kerja=unit_kerja, nip=nip) for sampai, unit_kerja, nip in rows])


async def _rules_for(session, instansi: str | None, tahun: int) -> list[Extension]:
    """The extension rules of an instansi and year, read once per transaction
    (a submit checks the deadline and then answers with it)."""
    if not instansi:
        return []
    seen = _rules_seen(session)
    rules = seen.get((instansi, tahun))
    if rules is None:
        rules = seen[(instansi, tahun)] = [
            Extension(sampai=sampai, unit_kerja=unit_kerja, nip=nip)
            for sampai, unit_kerja, nip in await SkpRepository(session).extension_rules(instansi, tahun)]
    return rules


async def deadline_of(session, doc: SkpDocument, policy: Policy) -> Deadline:
    return deadline_for(
        mulai=doc.periode_mulai,
        tanggal_sk=doc.tanggal_sk,
        tanggal_terima_sk=terima_sk_of(doc.content),
        nip=doc.nip,
        unit_kerja=doc.unit_kerja,
        extensions=await _rules_for(session, doc.instansi, doc.tahun),
        policy=policy.deadline,
    )


async def grant_extension(
    session,
    principal: Principal,
    *,
    tahun: int,
    sampai: dt.date,
    unit_kerja: str | None,
    nip: str | None,
    alasan: str | None,
) -> DeadlineExtension:
    instansi = admin_instansi(principal)
    if bool(unit_kerja) == bool(nip):
        raise ProblemError(422, "extension-scope", "Isi salah satu: `unit_kerja` atau `nip` (give either a unit kerja or "
                           "one pegawai's NIP).")
    if sampai.year < tahun:
        raise ProblemError(422, "extension-date", f"Tanggal perpanjangan {sampai} sebelum tahun {tahun} (extension date before "
                           "the year).")
    ext = DeadlineExtension(instansi=instansi, tahun=tahun, unit_kerja=unit_kerja, nip=nip, sampai=sampai, alasan=alasan,
                            granted_by=principal.sub)
    await SkpRepository(session).add_extension(ext)
    _rules_seen(session).pop((instansi, tahun), None)
    return ext


async def revoke_extension(session, principal: Principal, ext_id: uuid.UUID) -> None:
    repo = SkpRepository(session)
    ext = await repo.get_extension(ext_id)
    not_found = ProblemError(404, "extension-not-found", f"Perpanjangan {ext_id} tidak ditemukan (not found).")
    if ext is None:
        raise not_found
    ensure_extension_of_mine(ext.instansi, principal, not_found)
    await repo.delete_extension(ext)
    _rules_seen(session).pop((ext.instansi, ext.tahun), None)


async def terlambat(session, principal: Principal, tahun: int, policy: Policy) -> list[dict]:
    """SKPs of the admin's instansi and year whose deadline (extensions
    included) has passed and that were never submitted: still Draft (a
    Revisi was submitted in time and may be resubmitted). A first submit
    after the deadline is refused (the period is locked), so these are
    exactly the late ones - the list for the TPP cut (Babel
    2026 guide, line 53: "Pemotongan TPP bulan Januari 2026"). A pegawai
    who has no SKP at all is not known here (the directory knows people)."""
    instansi = admin_instansi(principal)
    docs = await SkpRepository(session).drafts_of(instansi, tahun)
    today = policy.today()
    out = []
    for doc in docs:
        d = await deadline_of(session, doc, policy)
        if d.passed(today):
            out.append({"skp_id": doc.id, "nip": doc.nip, "nama": doc.nama, "unit_kerja": doc.unit_kerja,
                        "status": doc.status, "deadline": d.effective, "dasar": d.reason,
                        "hari_terlambat": (today - d.effective).days})
    return out
