"""Who may do what in the approval service: its one place for
authorisation. Pure functions of the principal, the case and the Plt/Plh
assignments in force (read by the use case); the use cases call them, and
the routes only name the roles an endpoint admits (:data:`DECIDERS`,
:data:`ADMINS`).

- only the SKP's current pejabat penilai, or a Plt/Plh recorded for them and
  in force today, decides (never on their own SKP), with an ``atasan`` token
  (whose ``instansi`` claim, if any, is the SKP's) and only while the
  directory holds them active in the SKP's instansi today;
- an admin acts only within the instansi of their token (reassignment,
  the instansi's case list, Plt/Plh records);
- a case is read by its pegawai, its penilai or their Plt/Plh, or an admin of
  its instansi.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

from kinerja_contracts.events.types import DirectoryRecord

from ..domain.authority import Authority, NotAuthorised, Penugasan, decision_authority
from ..domain.routing import has_standing

#: who decides (approve, return, the inbox)
DECIDERS = (Role.atasan,)
#: reassignment, the instansi's cases, Plt/Plh records
ADMINS = (Role.admin,)


class CaseRow(Protocol):
    pegawai_nip: str
    penilai_nip: str | None
    instansi: str | None


def admin_instansi(principal: Principal) -> str:
    """The instansi an admin's rights are scoped to (token claim ``instansi``;
    the use cases that ask are behind :data:`ADMINS`). An admin token without
    one never reaches a use case: the platform's scoping rule refuses it first
    (403 ``instansi-scope-missing``,
    :func:`kinerja_platform.web.auth.scope_problem`); an empty claim would
    match no instansi."""
    return principal.instansi or ""


def needs_acting(case: CaseRow, principal: Principal) -> bool:
    """Whether deciding needs the caller's Plt/Plh assignments: not for the
    penilai in person (no SELECT), nor for anyone but an atasan."""
    return principal.role == Role.atasan and principal.sub != case.penilai_nip


def decider(case: CaseRow, principal: Principal, day: dt.date, acting: Iterable[Penugasan],
            record: DirectoryRecord | None) -> Authority:
    """Who decides: the current penilai, or a Plt/Plh in force on ``day``
    (Asia/Jakarta). ``record`` is the caller's directory record on ``day``:
    the caller must be active there in the SKP's instansi (a person who left,
    or one of another instansi, never decides), and a token naming an
    instansi must name the SKP's. An unrouted case (no penilai) has no decider."""
    if (principal.role == Role.atasan and case.penilai_nip is not None
            and principal.instansi in (None, case.instansi) and has_standing(record, case.instansi)):
        try:
            return decision_authority(principal.sub, case.penilai_nip, case.instansi, day, acting,
                                      pegawai_nip=case.pegawai_nip)
        except NotAuthorised:
            pass
    raise ProblemError(403, "not-your-decision",
                       "Hanya pejabat penilai SKP ini, atau Plt/Plh yang ditunjuk, yang aktif di instansinya menurut "
                       "direktori, yang dapat memutuskan (only this SKP's pejabat penilai or a recorded acting "
                       "official, active in its instansi in the directory, decides).",
                       penilai_nip=case.penilai_nip)


def reads_without_acting(case: CaseRow, principal: Principal) -> bool:
    """A party to the case by role alone: an admin of its instansi, its pegawai or its penilai."""
    if principal.role == Role.admin and principal.instansi and principal.instansi == case.instansi:
        return True
    return principal.sub == case.pegawai_nip or (case.penilai_nip is not None and principal.sub == case.penilai_nip)


def ensure_can_read(case: CaseRow, principal: Principal, day: dt.date, acting: Iterable[Penugasan],
                    record: DirectoryRecord | None) -> None:
    """Reading a case: its pegawai, its penilai or their Plt/Plh, or an admin of its instansi."""
    if reads_without_acting(case, principal):
        return
    try:
        decider(case, principal, day, acting, record)
        return
    except ProblemError:
        pass
    raise ProblemError(403, "forbidden", "Anda tidak terkait dengan SKP ini (you are not party to this SKP).")


def ensure_can_reassign(case: CaseRow, principal: Principal) -> None:
    """An admin reassigns only the SKPs of their instansi."""
    if principal.role == Role.admin and case.instansi != admin_instansi(principal):
        raise ProblemError(403, "other-instansi", "SKP ini milik instansi lain (this SKP belongs to another agency).")


def ensure_penugasan_of_mine(instansi: str | None, principal: Principal, not_found: ProblemError) -> None:
    """An admin revokes only the Plt/Plh of their instansi; another's answers like an unknown one."""
    if instansi != admin_instansi(principal):
        raise not_found
