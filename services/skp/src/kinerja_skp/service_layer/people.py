"""Fill an SKP's identity blocks from the directory (the rules:
:mod:`..domain.people`; the data: the service's projection of the
directory's events, :mod:`kinerja_platform.directory_view`).

Every write of a draft goes through :func:`fill`: create, update, the
workbook upload, bulk intake and the workbook import. So the pegawai, the
pejabat penilai and the atasan pejabat penilai an SKP names, and their
e-mail addresses, are the directory's on every path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kinerja_contracts.values import Role
from kinerja_platform.directory_view import DirectoryView
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

from ..domain.model import SkpContent, SkpDraft
from ..domain.people import Named, PenilaiOverride, People, PeopleRefused, pegawai_refused, people_of, tanggal_rantai
from .access import admin_instansi


def scope_of(principal: Principal) -> str | None:
    """The only instansi whose pegawai the caller may write for (None: any):
    an admin's, a portal's or a person's ``instansi`` claim."""
    if principal.role == Role.admin:
        return admin_instansi(principal)
    return principal.instansi or None


def problem(exc: PeopleRefused) -> ProblemError:
    """The 422 problem+json of a refusal, naming the field at fault."""
    return ProblemError(422, exc.code, exc.message, field=exc.field,
                        errors=[{"path": exc.field, "message": exc.message, "type": exc.code}])


def pegawai_nip_of(draft: SkpDraft, principal: Principal) -> str:
    """Whose SKP it is: a pegawai or atasan token writes its own (the token's
    subject); a portal or admin names the pegawai in ``pegawai.nip``."""
    if principal.role in (Role.pegawai, Role.atasan):
        return draft.pegawai.nip if draft.pegawai is not None else principal.sub
    if draft.pegawai is None:
        raise PeopleRefused("pegawai-required", "pegawai.nip",
                            "Sebutkan NIP pegawai pada `pegawai.nip` (a portal or admin names the pegawai by NIP).")
    return draft.pegawai.nip


async def override_of(view: DirectoryView, stored: dict[str, Any] | None, tanggal: dt.date) -> PenilaiOverride | None:
    """The admin's penilai stored on the SKP, as the directory holds them on ``tanggal``."""
    if not stored:
        return None
    nip = stored["nip"]
    rantai = await view.rantai_penilai(nip, tanggal)
    if rantai is None:
        return PenilaiOverride(nip=nip, penilai=None, atasan_penilai=None)
    return PenilaiOverride(nip=nip, penilai=rantai.pegawai, atasan_penilai=rantai.penilai)


async def fill(view: DirectoryView, draft: SkpDraft, pegawai_nip: str, principal: Principal, today: dt.date, *,
               override: dict[str, Any] | None = None) -> SkpContent:
    """The SKP with the directory's people, or :class:`PeopleRefused`."""
    tanggal = tanggal_rantai(draft.periode, today)
    rantai = await view.rantai_penilai(pegawai_nip, tanggal)
    named = Named(penilai=draft.penilai.nip if draft.penilai is not None else None,
                  atasan_pejabat_penilai=(draft.atasan_pejabat_penilai.nip
                                          if draft.atasan_pejabat_penilai is not None else None))
    people = people_of(rantai, pegawai_nip, tanggal, scope=scope_of(principal), named=named,
                       override=await override_of(view, override, tanggal))
    return draft.with_people(people.pegawai, people.penilai, people.atasan_pejabat_penilai)


async def preview(session, nip: str | None, tanggal: dt.date, principal: Principal) -> People:
    """Who an SKP of ``nip`` would name on ``tanggal`` (GET /api/v1/skp/rantai-penilai).

    A pegawai or atasan asks about themselves; an admin or portal about a
    pegawai of its instansi. Anybody else, an unknown person and one of
    another instansi all answer the same 404 (no existence oracle)."""
    if principal.role in (Role.pegawai, Role.atasan):
        nip = nip or principal.sub
        if nip != principal.sub:
            raise _not_found(nip, tanggal)
    elif nip is None:
        raise ProblemError(422, "validation-error", "Sebutkan `nip` pegawai (name the pegawai by `nip`).",
                           errors=[{"path": "query.nip", "message": "required for an admin or portal", "type": "missing"}])
    view = DirectoryView(session)
    try:
        return people_of(await view.rantai_penilai(nip, tanggal), nip, tanggal, scope=scope_of(principal), named=Named())
    except PeopleRefused as exc:
        if exc.code == "pegawai-not-in-directory":
            raise _not_found(nip, tanggal) from exc
        raise problem(exc) from exc


def _not_found(nip: str, tanggal: dt.date) -> ProblemError:
    exc = pegawai_refused(nip, tanggal)
    return ProblemError(404, exc.code, exc.message, field=exc.field)
