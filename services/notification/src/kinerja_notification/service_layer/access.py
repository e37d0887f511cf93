"""Who may see and change what in the notification service: its one place
for authorisation. Pure functions of the principal and the recipient's
instansi (read by the use case).

- admins see the delivery log and the directory of their instansi (all of
  it when their token has no instansi claim), correct addresses and resend;
- a person sees their own log and entry, and sets their own preferences.
"""

from __future__ import annotations

from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

#: the delivery log at large, the directory, resends and address corrections
ADMINS = (Role.admin,)


def ensure_may_see(principal: Principal, nip: str, rec_instansi: str | None = None) -> None:
    """``principal`` may see (and, for preferences, set) what concerns ``nip``,
    whose directory entry names ``rec_instansi``."""
    if principal.role == Role.admin:
        if principal.instansi and rec_instansi and principal.instansi != rec_instansi:
            raise ProblemError(403, "other-instansi",
                               "Penerima ini milik instansi lain (this recipient belongs to another agency).")
        return
    if principal.sub != nip:
        raise ProblemError(403, "not-yours", "Anda hanya dapat melihat data Anda sendiri (you can only see your own).")


def admin_scope(principal: Principal) -> str | None:
    """The instansi an admin's lists are limited to (None: every one)."""
    return principal.instansi
