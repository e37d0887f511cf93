"""Who decides, reads and reassigns a case (service_layer/access.py: pure checks)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from kinerja_approval.domain.authority import Penugasan
from kinerja_approval.service_layer import access
from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

DKI = "Pemerintah Provinsi DKI Jakarta"
PEGAWAI, PENILAI, PLT, OTHER = "199503152025212001", "197806102005011002", "198001012005011003", "197001011995031003"
CASE = SimpleNamespace(pegawai_nip=PEGAWAI, penilai_nip=PENILAI, instansi=DKI)
DAY = dt.date(2026, 3, 2)
ACTING = [Penugasan(delegate_nip=PLT, penilai_nip=PENILAI, mulai=dt.date(2026, 3, 1), selesai=dt.date(2026, 3, 31))]


def who(sub: str, role: str, instansi: str | None = None) -> Principal:
    return Principal(sub=sub, role=Role(role), instansi=instansi)


def test_the_penilai_decides_in_person_without_reading_assignments():
    assert not access.needs_acting(CASE, who(PENILAI, "atasan"))
    assert access.decider(CASE, who(PENILAI, "atasan"), DAY, []).on_behalf_of is None


def test_a_plt_in_force_decides_on_behalf_of_the_penilai():
    assert access.needs_acting(CASE, who(PLT, "atasan"))
    assert access.decider(CASE, who(PLT, "atasan"), DAY, ACTING).on_behalf_of == PENILAI
    with pytest.raises(ProblemError) as exc:
        access.decider(CASE, who(PLT, "atasan"), dt.date(2026, 4, 1), ACTING)
    assert exc.value.status == 403 and exc.value.code == "not-your-decision"


@pytest.mark.parametrize("principal", [who(PEGAWAI, "pegawai"), who("admin", "admin", DKI), who(PENILAI, "atasan")])
def test_parties_read_a_case(principal):
    access.ensure_can_read(CASE, principal, DAY, [])


def test_a_plt_reads_through_the_assignment_and_a_stranger_does_not():
    access.ensure_can_read(CASE, who(PLT, "atasan"), DAY, ACTING)
    for principal in (who(OTHER, "atasan"), who("admin", "admin", "Pemerintah Provinsi Jawa Barat")):
        with pytest.raises(ProblemError) as exc:
            access.ensure_can_read(CASE, principal, DAY, ACTING)
        assert exc.value.code == "forbidden"


def test_admins_reassign_within_their_instansi_only():
    access.ensure_can_reassign(CASE, who("admin", "admin", DKI))
    with pytest.raises(ProblemError) as exc:
        access.ensure_can_reassign(CASE, who("admin", "admin", "Pemerintah Provinsi Jawa Barat"))
    assert exc.value.code == "other-instansi"
    with pytest.raises(ProblemError) as exc:
        access.ensure_can_reassign(CASE, who("admin", "admin"))
    assert exc.value.code == "admin-scope-missing"
