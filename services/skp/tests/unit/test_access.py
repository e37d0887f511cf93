"""Who may read and write an SKP (pure checks on the token's principal)."""

from __future__ import annotations

import uuid

import pytest
from kinerja_contracts.values import Role
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from kinerja_skp.adapters.tables import SkpDocument
from kinerja_skp.service_layer.access import (
    Visibility,
    acting_role,
    ensure_can_read,
    ensure_can_write,
    ensure_extension_of_mine,
    ensure_import_of_mine,
    intake_scope,
    visibility,
)

DKI = "Pemerintah Provinsi DKI Jakarta"
DOC = SkpDocument(id=uuid.uuid4(), nip="199503152025212001", penilai_nip="197806102005011002", instansi=DKI,
                  periode_mulai="2026-01-01", periode_selesai="2026-12-31", jenis_pegawai="PPPK", content={}, content_hash="x")


def who(sub: str, role: str, instansi: str | None = None) -> Principal:
    return Principal(sub=sub, role=Role(role), instansi=instansi)


@pytest.mark.parametrize("principal", [
    who("199503152025212001", "pegawai"),
    who("199503152025212001", "atasan"),
    who("admin", "admin", DKI),
    who("portal", "portal", DKI),
    who("siasn", "portal"),
])
def test_may_write(principal):
    ensure_can_write(DOC.nip, DOC.instansi, principal)
    ensure_can_read(DOC, principal)


@pytest.mark.parametrize("principal, code", [
    (who("199001012015011001", "pegawai"), "not-your-skp"),
    (who("197806102005011002", "atasan"), "not-your-skp"),  # the penilai reads, never writes
    (who("admin", "admin", "Pemerintah Provinsi Jawa Barat"), "not-your-skp"),
    (who("portal", "portal", "Pemerintah Provinsi Jawa Barat"), "not-your-skp"),
])
def test_may_not_write(principal, code):
    with pytest.raises(ProblemError) as exc:
        ensure_can_write(DOC.nip, DOC.instansi, principal)
    assert exc.value.status == 403 and exc.value.code == code


def test_the_penilai_reads_and_others_do_not():
    ensure_can_read(DOC, who("197806102005011002", "atasan"))
    with pytest.raises(ProblemError):
        ensure_can_read(DOC, who("197001011995031003", "atasan"))


def test_an_atasan_on_their_own_skp_acts_as_its_pegawai():
    assert acting_role(DOC.nip, who(DOC.nip, "atasan")) == Role.pegawai
    assert acting_role(DOC.nip, who("197806102005011002", "atasan")) == Role.atasan


@pytest.mark.parametrize("principal, expected", [
    (who("199503152025212001", "pegawai"), Visibility(nip="199503152025212001")),
    (who("197806102005011002", "atasan"), Visibility(nip="197806102005011002", penilai_nip="197806102005011002")),
    (who("admin", "admin", DKI), Visibility(instansi=DKI)),
    (who("portal", "portal", DKI), Visibility(instansi=DKI)),
    (who("siasn", "portal"), Visibility(instansi="")),  # unreachable behind the platform rule; fails closed
])
def test_what_a_list_shows(principal, expected):
    assert visibility(principal) == expected


def test_bulk_intake_scope_and_ownership_of_imports_and_extensions():
    assert intake_scope(who("admin", "admin", DKI)) == DKI
    assert intake_scope(who("portal", "portal", DKI)) == DKI and intake_scope(who("siasn", "portal")) is None
    missing = ProblemError(404, "x-not-found", "not found")
    ensure_import_of_mine("portal", who("portal", "portal", DKI), missing)
    with pytest.raises(ProblemError) as exc:
        ensure_import_of_mine("someone-else", who("portal", "portal", DKI), missing)
    assert exc.value is missing
    ensure_extension_of_mine(DKI, who("admin", "admin", DKI), missing)
    with pytest.raises(ProblemError):
        ensure_extension_of_mine("Pemerintah Provinsi Jawa Barat", who("admin", "admin", DKI), missing)
