"""Validation of a record, of the id rules, and of one import row."""

from __future__ import annotations

import datetime as dt

import pytest
from kinerja_directory.domain.validation import (
    PersonInput, header_problems, identity_problems, new_person_id, nip_problems, parse_row, person_id_problems,
)
from pydantic import ValidationError

PEGAWAI, PENILAI = "199503152025212001", "197806102005011002"


@pytest.mark.parametrize("nip", [PEGAWAI, PENILAI, "197001011995031003"])
def test_plausible_nips(nip):
    assert nip_problems(nip) == []


@pytest.mark.parametrize(("nip", "fragment"), [
    ("12345", "18 digit"), ("19950231" + "2025011001", "tanggal lahir"), ("199503152025131001", "digit 13-14"),
    ("199503152025013001", "digit ke-15"), ("18990101" + "1920011001", "tahun lahir"),
])
def test_impossible_nips(nip, fragment):
    assert any(fragment in p for p in nip_problems(nip))


def test_ids_of_people_without_nip():
    assert person_id_problems(new_person_id()) == []
    assert person_id_problems("gubernur-dki-2022") == []
    assert person_id_problems("x") and person_id_problems("-abc") and person_id_problems("a b c")


def test_a_person_with_a_nip_is_keyed_by_it():
    data = PersonInput(nama="Siti", nip=PEGAWAI, berlaku_mulai=dt.date(2025, 1, 1))
    assert identity_problems(PENILAI, data)[0]["path"] == "nip"
    assert identity_problems(PEGAWAI, data) == []
    bare = PersonInput(nama="Siti", berlaku_mulai=dt.date(2025, 1, 1))
    assert identity_problems(PEGAWAI, bare) == [] and bare.nip == PEGAWAI  # the id is the NIP
    own = PersonInput(nama="Siti", atasan_id=PEGAWAI, berlaku_mulai=dt.date(2025, 1, 1))
    assert identity_problems(PEGAWAI, own)[0]["path"] == "atasan_id"


def test_the_input_names_every_field_at_fault():
    with pytest.raises(ValidationError) as e:
        PersonInput(nama="", nip="123", email="not-an-address", jenis_asn="Honorer", berlaku_mulai="2025-13-01")
    assert {err["loc"][0] for err in e.value.errors()} == {"nama", "nip", "email", "jenis_asn", "berlaku_mulai"}


def test_header_of_an_import():
    assert header_problems(["nip", "nama", "berlaku_mulai"]) == []
    problems = header_problems(["NIP", "nama", "nama", "jabatn"])
    assert any("jabatn" in p for p in problems) and any("berlaku_mulai" in p for p in problems)
    assert any("duplicate" in p for p in problems)
    assert any("person_id" in p for p in header_problems(["nama", "berlaku_mulai"]))


def test_a_good_row():
    person_id, data, errors = parse_row({
        "nip": PEGAWAI, "nama": "Siti Rahmawati", "jenis_asn": "PPPK_PARUH_WAKTU", "pangkat_golongan": "IX",
        "jenis_jabatan": "administrasi", "aktif": "Ya", "atasan_id": PENILAI, "berlaku_mulai": "01/09/2025",
        "email": " Siti@Example.go.id ", "nrk": None})
    assert errors == [] and person_id == PEGAWAI
    assert data.berlaku_mulai == dt.date(2025, 9, 1) and data.email == "siti@example.go.id" and data.aktif
    # a spreadsheet date cell and "tidak"
    _, data, errors = parse_row({"nip": PEGAWAI, "nama": "Siti", "aktif": "tidak",
                                 "berlaku_mulai": dt.datetime(2026, 1, 1)})
    assert errors == [] and data.berlaku_mulai == dt.date(2026, 1, 1) and not data.aktif


def test_bad_rows_name_their_columns():
    _, data, errors = parse_row({"nip": 199503152025212001, "nama": "Siti", "berlaku_mulai": "2025-09-01"})
    assert data is None and errors[0]["path"] == "nip" and "teks" in errors[0]["message"]
    _, data, errors = parse_row({"nip": PEGAWAI, "nama": "", "aktif": "mungkin", "berlaku_mulai": "2025-09-01"})
    assert data is None and [e["path"] for e in errors] == ["aktif"]
    _, data, errors = parse_row({"nip": PEGAWAI, "nama": "", "berlaku_mulai": "kemarin", "jenis_jabatan": "Eselon"})
    assert data is None and {e["path"] for e in errors} == {"nama", "berlaku_mulai", "jenis_jabatan"}
    _, data, errors = parse_row({"nama": "Gubernur", "berlaku_mulai": "2025-01-01"})
    assert data is None and errors[0]["path"] == "person_id"
    person_id, data, errors = parse_row({"person_id": "gubernur-dki", "nip": PEGAWAI, "nama": "X",
                                         "berlaku_mulai": "2025-01-01"})
    assert data is None and errors[0]["path"] == "nip"
