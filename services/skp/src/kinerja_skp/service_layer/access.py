"""Who may read and write which SKP (docs/skp.md, Lifecycle and who may do what; docs/reliability.md, section 3).

- pegawai: only their own SKP (the token subject is their NIP / NI PPPK);
- atasan: their own SKP (as its pegawai), and reads the SKPs they appraise;
- admin: every SKP of their instansi (the token claim ``instansi``);
- portal: writes and reads SKPs of its instansi when the token carries one,
  of every instansi otherwise (a national registry).
"""

from __future__ import annotations

from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from sqlalchemy import or_

from ..adapters.tables import SkpDocument


def _forbidden() -> ProblemError:
    return ProblemError(403, "not-your-skp", "SKP ini bukan milik Anda dan di luar kewenangan Anda "
                        "(this SKP is neither yours nor within your rights).")


def admin_instansi(principal: Principal) -> str:
    if not principal.instansi:
        raise ProblemError(403, "admin-without-instansi", "Token admin tidak memuat klaim `instansi`; hak admin dibatasi per "
                           "instansi (an admin token needs the instansi claim).")
    return principal.instansi


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


def ensure_can_read(doc: SkpDocument, principal: Principal) -> None:
    if principal.role == Role.atasan and doc.penilai_nip == principal.sub:
        return
    ensure_can_write(doc.nip, doc.instansi, principal)


def visible(principal: Principal):
    """SQL condition selecting the SKPs ``principal`` may see in a list."""
    t = SkpDocument
    if principal.role == Role.pegawai:
        return t.nip == principal.sub
    if principal.role == Role.atasan:
        return or_(t.nip == principal.sub, t.penilai_nip == principal.sub)
    if principal.role == Role.admin:
        return t.instansi == admin_instansi(principal)
    if principal.instansi:
        return t.instansi == principal.instansi
    return t.id.is_not(None)
