"""Who may do what with which SKP (docs/skp.md, Lifecycle and who
may do what; docs/reliability.md, section 3): the skp service's one
place for authorisation. Pure functions of the principal and the row; the
use cases call them, the routes only name the roles an endpoint admits
(:data:`WRITERS`, :data:`ADMINS`, :data:`INTAKE`), and the repository turns
:func:`visibility` into its WHERE clause.

- pegawai: only their own SKP (the token subject is their NIP / NI PPPK);
- atasan: their own SKP (as its pegawai), and reads the SKPs they appraise;
- admin: every SKP of their instansi (the token claim ``instansi``);
- portal: writes and reads SKPs of its instansi when the token carries one,
  of every instansi otherwise (a national registry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

#: who may write SKPs at all (each write is then checked row by row)
WRITERS = (Role.pegawai, Role.atasan, Role.admin, Role.portal)
#: deadline extensions
ADMINS = (Role.admin,)
#: bulk intake and workbook imports
INTAKE = (Role.portal, Role.admin)


class SkpRow(Protocol):
    nip: str
    instansi: str | None
    penilai_nip: str


def _forbidden() -> ProblemError:
    return ProblemError(403, "not-your-skp", "SKP ini bukan milik Anda dan di luar kewenangan Anda "
                        "(this SKP is neither yours nor within your rights).")


def admin_instansi(principal: Principal) -> str:
    """The instansi an admin's rights are scoped to (token claim ``instansi``).
    An admin token without one never reaches a use case: the platform's
    scoping rule refuses it first (403 ``instansi-scope-missing``,
    :func:`kinerja_platform.web.auth.scope_problem`); an empty claim would
    match no instansi."""
    return principal.instansi or ""


def acting_role(nip: str, principal: Principal) -> Role:
    """The role for the lifecycle table: an atasan acting on their own SKP is its pegawai."""
    if principal.role == Role.atasan and principal.sub == nip:
        return Role.pegawai
    return principal.role


def ensure_can_write(nip: str, instansi: str | None, principal: Principal) -> None:
    """Create, edit, submit or delete the SKP of ``nip`` in ``instansi``."""
    if principal.role in (Role.pegawai, Role.atasan):
        if principal.sub != nip:
            raise _forbidden()
    elif principal.role == Role.admin:
        if instansi != admin_instansi(principal):
            raise _forbidden()
    elif principal.role == Role.portal:
        if principal.instansi and instansi != principal.instansi:
            raise _forbidden()
    else:  # pragma: no cover - every role is listed above
        raise _forbidden()


def ensure_can_read(doc: SkpRow, principal: Principal) -> None:
    if principal.role == Role.atasan and doc.penilai_nip == principal.sub:
        return
    ensure_can_write(doc.nip, doc.instansi, principal)


@dataclass(frozen=True)
class Visibility:
    """Which SKPs a principal may see in a list: those of ``nip``, or
    appraised by ``penilai_nip``, or of ``instansi``. The repository makes
    it a WHERE clause; there is no "everything": every list is scoped."""

    nip: str | None = None
    penilai_nip: str | None = None
    instansi: str | None = None


def visibility(principal: Principal) -> Visibility:
    if principal.role == Role.pegawai:
        return Visibility(nip=principal.sub)
    if principal.role == Role.atasan:
        return Visibility(nip=principal.sub, penilai_nip=principal.sub)
    if principal.role == Role.admin:
        return Visibility(instansi=admin_instansi(principal))
    # a portal (or any other) token: its instansi. One without never gets here (the platform's scoping
    # rule refuses it, 403 instansi-scope-missing); were it to, the empty instansi would match nothing.
    return Visibility(instansi=principal.instansi or "")


def intake_scope(principal: Principal) -> str | None:
    """The only instansi a bulk intake may write (None: any)."""
    if principal.role == Role.admin:
        return admin_instansi(principal)
    return principal.instansi


def ensure_extension_of_mine(ext_instansi: str | None, principal: Principal, not_found: ProblemError) -> None:
    """An admin revokes only the extensions of their instansi; another's
    answers like an unknown one."""
    if ext_instansi != admin_instansi(principal):
        raise not_found


def ensure_import_of_mine(owner: str | None, principal: Principal, not_found: ProblemError) -> None:
    """An import job is seen by whoever started it; anybody else's answers like an unknown one."""
    if owner != principal.sub:
        raise not_found
