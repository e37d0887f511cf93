"""The shared rule "who appraises X on D", hand-computed cases."""

from __future__ import annotations

import datetime as dt

from kinerja_contracts.directory import as_pegawai, rantai_penilai, record_on
from kinerja_contracts.events.types import DirectoryRecord

D = dt.date
PEGAWAI, LAMA, BARU, KEPALA, LUAR = (
    "199503152025212001", "197806102005011002", "198001012006041001", "197001011995031003", "196901011994031001")


def rec(pid: str, mulai: dt.date, sampai: dt.date | None = None, *, atasan: str | None = None,
        instansi: str = "Pemprov DKI", aktif: bool = True, nip: bool = True) -> DirectoryRecord:
    return DirectoryRecord(person_id=pid, nip=pid if nip else None, nama=f"Orang {pid[-3:]}", instansi=instansi,
                           email=f"{pid}@example.go.id", aktif=aktif, atasan_id=atasan,
                           berlaku_mulai=mulai, berlaku_sampai=sampai)


PEOPLE = {
    # a mutasi on 1 July: the penilai changes from LAMA to BARU
    PEGAWAI: [rec(PEGAWAI, D(2026, 1, 1), D(2026, 6, 30), atasan=LAMA), rec(PEGAWAI, D(2026, 7, 1), atasan=BARU)],
    LAMA: [rec(LAMA, D(2020, 1, 1), atasan=KEPALA)],
    BARU: [rec(BARU, D(2020, 1, 1), atasan=LUAR)],
    KEPALA: [rec(KEPALA, D(2020, 1, 1))],
    LUAR: [rec(LUAR, D(2020, 1, 1), instansi="Pemkab Bogor")],
}


def of(pid: str):
    return PEOPLE.get(pid, [])


def test_record_on_takes_the_record_in_force_on_the_date_inclusive():
    assert record_on(PEOPLE[PEGAWAI], D(2026, 6, 30)).atasan_id == LAMA
    assert record_on(PEOPLE[PEGAWAI], D(2026, 7, 1)).atasan_id == BARU
    assert record_on(PEOPLE[PEGAWAI], D(2025, 12, 31)) is None


def test_the_chain_follows_the_dated_superior():
    before = rantai_penilai(PEGAWAI, D(2026, 3, 1), of)
    assert (before.penilai.person_id, before.atasan_penilai.person_id) == (LAMA, KEPALA)
    after = rantai_penilai(PEGAWAI, D(2026, 8, 1), of)
    assert after.penilai.person_id == BARU
    # BARU's superior is in another instansi: never the atasan pejabat penilai
    assert after.atasan_penilai is None


def test_no_chain_for_an_unknown_pegawai_or_a_date_before_the_first_record():
    assert rantai_penilai("198501012010011001", D(2026, 3, 1), of) is None
    assert rantai_penilai(PEGAWAI, D(2025, 3, 1), of) is None


def test_a_superior_who_is_unknown_inactive_or_of_another_instansi_does_not_count():
    people = {
        "a": [rec("a", D(2026, 1, 1), atasan="gone", nip=False)],
        "gone": [rec("gone", D(2020, 1, 1), D(2026, 3, 31), nip=False), rec("gone", D(2026, 4, 1), aktif=False, nip=False)],
        "b": [rec("b", D(2026, 1, 1), atasan=LUAR, nip=False)],
        "c": [rec("c", D(2026, 1, 1), atasan="nobody", nip=False)],
        LUAR: PEOPLE[LUAR],
    }
    get = lambda pid: people.get(pid, [])  # noqa: E731
    assert rantai_penilai("a", D(2026, 3, 31), get).penilai.person_id == "gone"
    late = rantai_penilai("a", D(2026, 4, 1), get)
    assert late.penilai is None and late.penilai_id == "gone"  # has left: cannot appraise
    assert rantai_penilai("b", D(2026, 4, 1), get).penilai is None  # another instansi
    assert rantai_penilai("c", D(2026, 4, 1), get).penilai is None  # unknown


def test_as_pegawai_carries_the_directory_identity_and_needs_a_nip():
    p = as_pegawai(PEOPLE[LAMA][0])
    assert (p.nip, p.email, p.instansi) == (LAMA, f"{LAMA}@example.go.id", "Pemprov DKI")
    assert as_pegawai(rec("gubernur", D(2020, 1, 1), nip=False)) is None
