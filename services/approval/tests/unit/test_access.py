"""Who decides, reads and reassigns a case (service_layer/access.py: pure checks)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from kinerja_approval.domain.authority import Penugasan
from kinerja_approval.service_layer import access
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

DKI = "Pemerintah Provinsi DKI Jakarta"
PEGAWAI, PENILAI, PLT, OTHER = "199503152025212001", "197806102005011002", "198001012005011003", "197001011995031003"
CASE = SimpleNamespace(pegawai_nip=PEGAWAI, penilai_nip=PENILAI, instansi=DKI)
DAY = dt.date(2026, 3, 2)
ACTING = [Penugasan(delegate_nip=PLT, penilai_nip=PENILAI, mulai=dt.date(2026, 3, 1), selesai=dt.date(2026, 3, 31))]


def rec(nip: str, *, instansi: str = DKI, aktif: bool = True) -> DirectoryRecord:
    """The caller's directory record today."""
    return DirectoryRecord(person_id=nip, nip=nip, nama="X", instansi=instansi, aktif=aktif,
                           berlaku_mulai=dt.date(2020, 1, 1))


def who(sub: str, role: str, instansi: str | None = None) -> Principal:
    return Principal(sub=sub, role=Role(role), instansi=instansi)


def test_the_penilai_decides_in_person_without_reading_assignments():
    assert not access.needs_acting(CASE, who(PENILAI, "atasan"))
    assert access.decider(CASE, who(PENILAI, "atasan"), DAY, [], rec(PENILAI)).on_behalf_of is None


def test_a_plt_in_force_decides_on_behalf_of_the_penilai():
    assert access.needs_acting(CASE, who(PLT, "atasan"))
    assert access.decider(CASE, who(PLT, "atasan"), DAY, ACTING, rec(PLT)).on_behalf_of == PENILAI
    with pytest.raises(ProblemError) as exc:
        access.decider(CASE, who(PLT, "atasan"), dt.date(2026, 4, 1), ACTING, rec(PLT))
    assert exc.value.status == 403 and exc.value.code == "not-your-decision"


@pytest.mark.parametrize("principal", [who(PEGAWAI, "pegawai"), who("admin", "admin", DKI), who(PENILAI, "atasan")])
def test_parties_read_a_case(principal):
    access.ensure_can_read(CASE, principal, DAY, [], None)


def test_a_plt_reads_through_the_assignment_and_a_stranger_does_not():
    access.ensure_can_read(CASE, who(PLT, "atasan"), DAY, ACTING, rec(PLT))
    for principal in (who(OTHER, "atasan"), who("admin", "admin", "Pemerintah Provinsi Jawa Barat")):
        with pytest.raises(ProblemError) as exc:
            access.ensure_can_read(CASE, principal, DAY, ACTING, rec(OTHER))
        assert exc.value.code == "forbidden"


def test_admins_reassign_within_their_instansi_only():
    access.ensure_can_reassign(CASE, who("admin", "admin", DKI))
    with pytest.raises(ProblemError) as exc:
        access.ensure_can_reassign(CASE, who("admin", "admin", "Pemerintah Provinsi Jawa Barat"))
    assert exc.value.code == "other-instansi"


@pytest.mark.parametrize("principal, record", [
    # a portal token whose sub is the penilai's NIP
    (who(PENILAI, "portal", DKI), rec(PENILAI)),
    # the penilai's NIP with an atasan token of another instansi
    (who(PENILAI, "atasan", "Pemerintah Kota Bandung"), rec(PENILAI)),
    # the penilai has left (aktif false today), or the directory does not know them, or holds them elsewhere
    (who(PENILAI, "atasan"), rec(PENILAI, aktif=False)),
    (who(PENILAI, "atasan"), None),
    (who(PENILAI, "atasan"), rec(PENILAI, instansi="Pemerintah Kota Bandung")),
    # a Plt in force who has left
    (who(PLT, "atasan"), rec(PLT, aktif=False)),
])
def test_only_an_active_atasan_of_the_instansi_decides(principal, record):
    with pytest.raises(ProblemError) as exc:
        access.decider(CASE, principal, DAY, ACTING, record)
    assert exc.value.status == 403 and exc.value.code == "not-your-decision"


def test_an_unrouted_case_has_no_decider():
    unrouted = SimpleNamespace(pegawai_nip=PEGAWAI, penilai_nip=None, instansi=DKI)
    for sub in (PENILAI, PLT):
        with pytest.raises(ProblemError):
            access.decider(unrouted, who(sub, "atasan"), DAY, ACTING, rec(sub))
    assert access.decider(CASE, who(PENILAI, "atasan", DKI), DAY, [], rec(PENILAI)).actor_nip == PENILAI
