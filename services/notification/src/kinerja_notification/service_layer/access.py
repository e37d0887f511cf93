"""Who may see and change what in the notification service: its one place
for authorisation. Pure functions of the principal and the recipient's
instansi as the directory holds it (read by the use case).

- an admin sees the delivery log and the people of their instansi (the
  token's ``instansi`` claim; a token without one never gets this far:
  kinerja_platform.web.auth refuses it) and resends their mail; a person
  of another instansi, or one the directory does not know, answers like an
  unknown one (404);
- a person sees their own log and entry, and sets their own preferences.

Nobody changes an address here: it is the directory's (docs/security.md).
"""

from __future__ import annotations

from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

#: the delivery log at large, the people of the instansi, resends
ADMINS = (Role.admin,)


def not_found(nip: str) -> ProblemError:
    """The one answer for an unknown person and for another instansi's."""
    return ProblemError(404, "recipient-not-found", f"NIP {nip} tidak ditemukan (no such recipient).")


def ensure_may_see(principal: Principal, nip: str, rec_instansi: str | None = None) -> None:
    """``principal`` may see (and, for preferences, set) what concerns ``nip``,
    whose directory record names ``rec_instansi`` (None: not in the directory)."""
    if principal.role == Role.admin:
        if rec_instansi is None or rec_instansi != admin_scope(principal):
            raise not_found(nip)
        return
    if principal.role not in (Role.pegawai, Role.atasan) or principal.sub != nip:
        raise ProblemError(403, "not-yours", "Anda hanya dapat melihat data Anda sendiri (you can only see your own).")


def admin_scope(principal: Principal) -> str:
    """The instansi an admin's lists and rights are limited to (the token's claim)."""
    if not principal.instansi:
        raise ProblemError(403, "instansi-scope-missing", "Token admin tanpa klaim instansi tidak berhak "
                           "(an admin token needs an `instansi` claim).")
    return principal.instansi
