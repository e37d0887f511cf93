"""Deadlines and their extensions (admin), on top of :mod:`..domain.deadlines`."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_contracts.web.auth import Principal
from kinerja_contracts.web.errors import ProblemError
from sqlmodel import col, select

from ..adapters.tables import DeadlineExtension, SkpDocument
from ..domain.deadlines import Deadline, Extension, deadline_for
from .access import admin_instansi
from .policy import Policy


async def extensions_for(session, instansi: str | None, tahun: int) -> list[DeadlineExtension]:
    if not instansi:
        return []
    return list(
        (
            await session.exec(
                select(DeadlineExtension)
                .where(DeadlineExtension.instansi == instansi, DeadlineExtension.tahun == tahun)
                .order_by(col(DeadlineExtension.created_at))
            )
        ).all()
    )


def _as_rule(e: DeadlineExtension) -> Extension:
    return Extension(sampai=e.sampai, unit_kerja=e.unit_kerja, nip=e.nip)


async def deadline_of(session, doc: SkpDocument, policy: Policy) -> Deadline:
    exts = await extensions_for(session, doc.instansi, doc.tahun)
    return deadline_for(
        mulai=doc.periode_mulai,
        tanggal_sk=doc.tanggal_sk,
        nip=doc.nip,
        unit_kerja=doc.unit_kerja,
        extensions=[_as_rule(e) for e in exts],
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
    session.add(ext)
    await session.flush()
    return ext


async def revoke_extension(session, principal: Principal, ext_id: uuid.UUID) -> None:
    instansi = admin_instansi(principal)
    ext = await session.get(DeadlineExtension, ext_id)
    if ext is None or ext.instansi != instansi:
        raise ProblemError(404, "extension-not-found", f"Perpanjangan {ext_id} tidak ditemukan (not found).")
    await session.delete(ext)
