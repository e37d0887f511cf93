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


@pytest.mark.parametrize("principal", [who(NIP, "pegawai"), who("a", "admin", DKI), who("a", "admin")])
def test_may_see(principal):
    ensure_may_see(principal, NIP, DKI)


@pytest.mark.parametrize("principal, code", [(who("199001012015011001", "atasan"), "not-yours"),
                                             (who("a", "admin", "Jawa Barat"), "other-instansi")])
def test_may_not_see(principal, code):
    with pytest.raises(ProblemError) as exc:
        ensure_may_see(principal, NIP, DKI)
    assert exc.value.status == 403 and exc.value.code == code
