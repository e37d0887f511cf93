"""The pure rules of who an SKP names (kinerja_skp.domain.people)."""

from __future__ import annotations

import datetime as dt

import pytest
from kinerja_contracts.directory import rantai_penilai
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_contracts.values import Periode
from kinerja_skp.domain.people import (
    Named,
    PenilaiOverride,
    PeopleRefused,
    ensure_override_candidate,
    people_of,
    tanggal_rantai,
)

D = dt.date
DKI, BDG = "Pemprov DKI", "Pemkot Bandung"
PEG, PEN, BOSS, LAIN, LUAR = ("199503152025212001", "197806102005011002", "197001011995031003",
                              "198808082012031011", "198707072011041012")


def rec(pid: str, atasan: str | None = None, *, instansi: str = DKI, aktif: bool = True, nip: bool = True,
        **kw) -> DirectoryRecord:
    return DirectoryRecord(person_id=pid, nip=pid if nip else None, nama=f"Orang {pid[-3:]}", instansi=instansi,
                           email=f"{pid}@dir.example", aktif=aktif, atasan_id=atasan,
                           berlaku_mulai=kw.pop("mulai", D(2020, 1, 1)), **kw)


ON = dt.date(2026, 3, 1)


def chain(*records: DirectoryRecord, on: dt.date = ON):
    by_id = {r.person_id: [r] for r in records}
    return rantai_penilai(records[0].person_id, on, lambda pid: by_id.get(pid, []))


def test_the_date_is_today_clamped_into_the_periode():
    p = Periode(mulai=D(2026, 1, 1), selesai=D(2026, 12, 31))
    assert tanggal_rantai(p, D(2026, 5, 5)) == D(2026, 5, 5)
    assert tanggal_rantai(p, D(2025, 12, 1)) == D(2026, 1, 1)
    assert tanggal_rantai(p, D(2027, 2, 1)) == D(2026, 12, 31)


def test_the_people_and_their_addresses_are_the_directorys():
    people = people_of(chain(rec(PEG, PEN), rec(PEN, BOSS), rec(BOSS)), PEG, D(2026, 3, 1), scope=DKI,
                       named=Named(penilai=PEN, atasan_pejabat_penilai=BOSS))
    assert (people.pegawai.nip, people.penilai.nip, people.atasan_pejabat_penilai.nip) == (PEG, PEN, BOSS)
    assert people.penilai.email == f"{PEN}@dir.example" and people.pegawai.instansi == DKI
    assert people_of(chain(rec(PEG, PEN), rec(PEN)), PEG, D(2026, 3, 1), scope=None,
                     named=Named()).atasan_pejabat_penilai is None


@pytest.mark.parametrize("records, scope, named, code, field", [
    ((), None, Named(), "pegawai-not-in-directory", "pegawai.nip"),
    ((rec(PEG, PEN, aktif=False), rec(PEN)), None, Named(), "pegawai-not-in-directory", "pegawai.nip"),
    ((rec(PEG, PEN), rec(PEN)), BDG, Named(), "pegawai-not-in-directory", "pegawai.nip"),
    ((rec(PEG),), None, Named(), "penilai-not-in-directory", "penilai"),
    ((rec(PEG, PEN), rec(PEN, aktif=False)), None, Named(), "penilai-not-in-directory", "penilai"),
    ((rec(PEG, LUAR), rec(LUAR, instansi=BDG)), None, Named(), "penilai-not-in-directory", "penilai"),
    ((rec(PEG, "tn-gubernur"), rec("tn-gubernur", nip=False)), None, Named(), "penilai-without-nip", "penilai"),
    ((rec(PEG, PEN), rec(PEN)), None, Named(penilai=LAIN), "penilai-mismatch", "penilai.nip"),
    ((rec(PEG, PEN), rec(PEN, BOSS), rec(BOSS)), None, Named(atasan_pejabat_penilai=LAIN),
     "atasan-pejabat-penilai-mismatch", "atasan_pejabat_penilai.nip"),
    ((rec(PEG, PEN), rec(PEN)), None, Named(atasan_pejabat_penilai=BOSS),
     "atasan-pejabat-penilai-mismatch", "atasan_pejabat_penilai.nip"),
])
def test_refusals_name_the_field(records, scope, named, code, field):
    with pytest.raises(PeopleRefused) as exc:
        people_of(chain(*records) if records else None, PEG, D(2026, 3, 1), scope=scope, named=named)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert "(" in exc.value.message and ")" in exc.value.message  # Bahasa Indonesia with English in parentheses


def test_an_admins_penilai_replaces_the_directorys_and_must_still_hold():
    rantai = chain(rec(PEG, PEN), rec(PEN, BOSS), rec(BOSS))
    override = PenilaiOverride(nip=LAIN, penilai=rec(LAIN), atasan_penilai=None)
    people = people_of(rantai, PEG, D(2026, 3, 1), scope=DKI, named=Named(penilai=LAIN), override=override)
    assert (people.penilai.nip, people.atasan_pejabat_penilai) == (LAIN, None)
    with pytest.raises(PeopleRefused) as exc:  # the directory's penilai is not the one in force now
        people_of(rantai, PEG, D(2026, 3, 1), scope=DKI, named=Named(penilai=PEN), override=override)
    assert exc.value.code == "penilai-mismatch"
    gone = PenilaiOverride(nip=LAIN, penilai=rec(LAIN, aktif=False), atasan_penilai=None)
    with pytest.raises(PeopleRefused) as exc:
        people_of(rantai, PEG, D(2026, 3, 1), scope=DKI, named=Named(), override=gone)
    assert exc.value.code == "penilai-not-in-directory"


@pytest.mark.parametrize("candidate", [None, rec(LAIN, aktif=False), rec(LUAR, instansi=BDG), rec(PEG),
                                       rec("tn-walikota", nip=False)])
def test_an_admin_may_name_only_an_active_person_with_a_nip_of_the_same_instansi(candidate):
    with pytest.raises(PeopleRefused) as exc:
        ensure_override_candidate(LAIN, candidate, rec(PEG, PEN), D(2026, 3, 1))
    assert (exc.value.code, exc.value.field) == ("penilai-override-invalid", "nip")
    ensure_override_candidate(LAIN, rec(LAIN), rec(PEG, PEN), D(2026, 3, 1))  # this one may
