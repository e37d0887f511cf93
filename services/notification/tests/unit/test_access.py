"""Who may see what of the delivery log and the directory (service_layer/access.py)."""

from __future__ import annotations

import pytest
from kinerja_contracts.values import Role
from kinerja_notification.service_layer.access import ensure_may_see
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

DKI = "Pemerintah Provinsi DKI Jakarta"
NIP = "199503152025212001"


def who(sub: str, role: str, instansi: str | None = None) -> Principal:
    return Principal(sub=sub, role=Role(role), instansi=instansi)


@pytest.mark.parametrize("principal", [who(NIP, "pegawai"), who(NIP, "atasan"), who("a", "admin", DKI)])
def test_may_see(principal):
    ensure_may_see(principal, NIP, DKI)


@pytest.mark.parametrize("principal, status, code, instansi", [
    (who("199001012015011001", "atasan"), 403, "not-yours", DKI),
    (who(NIP, "portal", DKI), 403, "not-yours", DKI),  # a portal token whose sub is the NIP is not the person
    (who("a", "admin", "Jawa Barat"), 404, "recipient-not-found", DKI),  # another instansi: like an unknown one
    (who("a", "admin", DKI), 404, "recipient-not-found", None),  # not in the directory
    (who("a", "admin"), 403, "instansi-scope-missing", DKI),  # never deployment-wide
])
def test_may_not_see(principal, status, code, instansi):
    with pytest.raises(ProblemError) as exc:
        ensure_may_see(principal, NIP, instansi)
    assert exc.value.status == status and exc.value.code == code
