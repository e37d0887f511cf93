"""Who reads and writes what (service_layer/access.py: pure checks)."""

from __future__ import annotations

import pytest
from kinerja_contracts.values import Role
from kinerja_directory.service_layer import access
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

DKI, BDG = "Pemerintah Provinsi DKI Jakarta", "Pemerintah Kota Bandung"
PEGAWAI, PENILAI, BOSS, OTHER = "199503152025212001", "197806102005011002", "197001011995031003", "199001012015011999"


def who(sub: str, role: str, instansi: str | None = None) -> Principal:
    return Principal(sub=sub, role=Role(role), instansi=instansi)


@pytest.mark.parametrize("role", ["portal", "admin"])
def test_writers_are_scoped_to_their_instansi(role):
    assert access.writer_instansi(who("x", role, DKI)) == DKI
    with pytest.raises(ProblemError) as e:
        access.writer_instansi(who("x", role))
    assert e.value.status == 403 and e.value.code == "instansi-scope-missing"
    assert access.ensure_writes_in(None, who("x", role, DKI), PEGAWAI) == DKI  # a new person
    assert access.ensure_writes_in(DKI, who("x", role, DKI), PEGAWAI) == DKI
    with pytest.raises(ProblemError) as e:
        access.ensure_writes_in(BDG, who("x", role, DKI), PEGAWAI)
    assert (e.value.status, e.value.code) == (404, "person-not-found")


@pytest.mark.parametrize("role", ["pegawai", "atasan"])
def test_pegawai_and_atasan_never_write(role):
    with pytest.raises(ProblemError):
        access.writer_instansi(who(PEGAWAI, role, DKI))


def test_reading_a_person():
    unknown = access.not_found(OTHER)
    for caller, person, stored, related in (
        (who("p", "portal", BDG), PEGAWAI, DKI, ()),  # another instansi: like unknown
        (who("p", "portal", DKI), PEGAWAI, None, ()),  # unknown
        (who(OTHER, "pegawai"), PEGAWAI, DKI, ()),  # not related
        (who(PEGAWAI, "pegawai"), BOSS, DKI, (PENILAI, None)),  # not in the chain (today)
    ):
        with pytest.raises(ProblemError) as e:
            access.ensure_can_read(person, stored, caller, related)
        assert (e.value.status, e.value.code) == (unknown.status, unknown.code)
    access.ensure_can_read(PEGAWAI, DKI, who("p", "admin", DKI))
    access.ensure_can_read(PEGAWAI, DKI, who(PEGAWAI, "pegawai"))
    access.ensure_can_read(PENILAI, DKI, who(PEGAWAI, "pegawai"), (PENILAI, BOSS))
    access.ensure_can_read(BOSS, DKI, who(PEGAWAI, "pegawai"), (PENILAI, BOSS))
    # history and penilai: only the person themselves (or a portal/admin of the instansi)
    with pytest.raises(ProblemError):
        access.ensure_own(PENILAI, DKI, who(PEGAWAI, "pegawai"))


def test_an_import_job_is_read_within_its_instansi():
    missing = ProblemError(404, "import-not-found", "x")
    access.ensure_job_of_mine(DKI, who("other-admin", "admin", DKI), missing)
    with pytest.raises(ProblemError) as e:
        access.ensure_job_of_mine(DKI, who("a", "admin", BDG), missing)
    assert e.value is missing
