"""Who may do what in the directory service: its one place for
authorisation. Pure functions of the principal and what was read; the use
cases call them, and the routes only name the roles an endpoint admits
(:data:`WRITERS`, :data:`READERS`).

- portals and admins write, only within the instansi of their token; a token
  of theirs without an ``instansi`` claim is refused;
- they read the people, units and imports of their instansi; another
  instansi's person answers exactly like an unknown one (404);
- a pegawai or an atasan reads their own entry, their own history and who
  appraises them, and the entries of their pejabat penilai and atasan
  pejabat penilai of today; anyone else answers 404 as well.
"""

from __future__ import annotations

from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

#: who writes people and units, and imports
WRITERS = (Role.admin, Role.portal)
#: who reads (each within their scope, below)
READERS = (Role.admin, Role.portal, Role.pegawai, Role.atasan)


def not_found(person_id: str) -> ProblemError:
    """The one answer for an unknown person and for one the caller may not see."""
    return ProblemError(404, "person-not-found", f"Orang {person_id} tidak ditemukan (person not found).")


def writer_instansi(principal: Principal) -> str:
    """The instansi a portal's or an admin's rights are scoped to (token claim ``instansi``)."""
    if principal.role not in WRITERS or not principal.instansi:
        raise ProblemError(403, "instansi-scope-missing",
                           "Token portal/admin tanpa klaim instansi tidak berhak "
                           "(a portal or admin token needs an `instansi` claim).")
    return principal.instansi


def is_scoped_reader(principal: Principal) -> bool:
    """Portals and admins read by instansi; pegawai and atasan by relation."""
    return principal.role in WRITERS


def ensure_writes_in(stored_instansi: str | None, principal: Principal, person_id: str) -> str:
    """A write to a person held by another instansi is refused like a read of an unknown one.

    Returns the caller's instansi."""
    mine = writer_instansi(principal)
    if stored_instansi is not None and stored_instansi != mine:
        raise not_found(person_id)
    return mine


def ensure_can_read(person_id: str, stored_instansi: str | None, principal: Principal,
                    related: tuple[str | None, ...] = ()) -> None:
    """Reading a person: a portal/admin of its instansi; the person themselves;
    or someone for whom it is today's pejabat penilai or atasan pejabat
    penilai (``related``: those ids of the caller, read by the use case)."""
    if stored_instansi is None:
        raise not_found(person_id)
    if is_scoped_reader(principal):
        if stored_instansi != writer_instansi(principal):
            raise not_found(person_id)
        return
    if principal.sub == person_id or person_id in related:
        return
    raise not_found(person_id)


def ensure_own(person_id: str, stored_instansi: str | None, principal: Principal) -> None:
    """Reading a person's history or penilai: a portal/admin of its instansi, or the person."""
    ensure_can_read(person_id, stored_instansi, principal)


def ensure_job_of_mine(job_instansi: str, principal: Principal, missing: ProblemError) -> None:
    """An import is read by the portals and admins of the instansi it wrote to."""
    if job_instansi != writer_instansi(principal):
        raise missing
