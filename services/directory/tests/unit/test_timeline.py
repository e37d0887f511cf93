"""Dated records: a mutasi closes the previous record, a same-day write
corrects it, nothing changed is no change at all, the past never rewrites the future."""

from __future__ import annotations

import datetime as dt

from kinerja_directory.domain.model import Record, Unit, apply, chain_of, changed_fields, latest, record_on, unit_changes

D = dt.date
PEGAWAI, PENILAI, BOSS = "199503152025212001", "197806102005011002", "197001011995031003"
DKI = "Pemerintah Provinsi DKI Jakarta"


def rec(mulai: D, **kw) -> Record:
    base = dict(person_id=PEGAWAI, nip=PEGAWAI, nama="Siti Rahmawati", instansi=DKI, jabatan="Pengelola Umum Operasional",
                unit_id="sudin-pend-1", atasan_id=PENILAI, berlaku_mulai=mulai)
    return Record(**{**base, **kw})


def test_the_first_record_is_new_and_open_ended():
    change = apply([], rec(D(2025, 9, 1), berlaku_sampai=D(2025, 12, 31)))
    assert change is not None and change.perubahan == "baru"
    assert change.record.berlaku_sampai is None  # an end date in the input is ignored
    assert change.riwayat == [change.record]
    assert "nama" in change.changed_fields and "nrk" not in change.changed_fields  # only the fields it sets


def test_the_same_record_again_is_no_change():
    first = apply([], rec(D(2025, 9, 1)))
    assert first is not None
    assert apply(first.riwayat, rec(D(2025, 9, 1))) is None
    # the same data from a later date is no change either: nothing in force then differs
    assert apply(first.riwayat, rec(D(2026, 1, 1))) is None


def test_a_mutasi_closes_the_previous_record_the_day_before():
    first = apply([], rec(D(2025, 9, 1)))
    assert first is not None
    change = apply(first.riwayat, rec(D(2026, 3, 1), unit_id="sudin-pend-2", atasan_id=BOSS))
    assert change is not None and change.perubahan == "mutasi"
    old, new = change.riwayat
    assert old.berlaku_sampai == D(2026, 2, 28) and new.berlaku_mulai == D(2026, 3, 1) and new.berlaku_sampai is None
    assert change.closed == old
    assert sorted(change.changed_fields) == ["atasan_id", "unit_id"]
    # who is the superior on a date
    assert record_on(change.riwayat, D(2026, 2, 28)).atasan_id == PENILAI
    assert record_on(change.riwayat, D(2026, 3, 1)).atasan_id == BOSS
    assert record_on(change.riwayat, D(2025, 8, 31)) is None
    assert latest(change.riwayat) == new


def test_a_write_on_a_records_start_date_corrects_it_in_place():
    a = apply([], rec(D(2025, 9, 1)))
    b = apply(a.riwayat, rec(D(2026, 3, 1), unit_id="sudin-pend-2"))
    change = apply(b.riwayat, rec(D(2025, 9, 1), email="siti@example.go.id"))
    assert change is not None and change.perubahan == "koreksi"
    first, second = change.riwayat
    assert first.email == "siti@example.go.id" and first.berlaku_sampai == D(2026, 2, 28)  # keeps its end
    assert second == b.riwayat[1]  # the later mutasi is untouched
    assert change.changed_fields == ["email"]


def test_a_backdated_mutasi_ends_where_the_old_record_ended_and_keeps_the_future():
    a = apply([], rec(D(2025, 1, 1)))
    b = apply(a.riwayat, rec(D(2026, 1, 1), jabatan="Kepala Seksi"))
    change = apply(b.riwayat, rec(D(2025, 7, 1), unit_id="sudin-pend-3"))
    assert change is not None and change.perubahan == "mutasi"
    assert [(r.berlaku_mulai, r.berlaku_sampai) for r in change.riwayat] == [
        (D(2025, 1, 1), D(2025, 6, 30)), (D(2025, 7, 1), D(2025, 12, 31)), (D(2026, 1, 1), None)]
    assert change.riwayat[2].jabatan == "Kepala Seksi" and change.riwayat[2].unit_id == "sudin-pend-1"


def test_a_record_before_the_first_holds_until_the_first_starts():
    a = apply([], rec(D(2026, 1, 1)))
    change = apply(a.riwayat, rec(D(2025, 9, 1), jabatan="Staf"))
    assert change is not None
    assert [(r.berlaku_mulai, r.berlaku_sampai) for r in change.riwayat] == [
        (D(2025, 9, 1), D(2025, 12, 31)), (D(2026, 1, 1), None)]


def test_leaving_is_a_record_with_aktif_false():
    a = apply([], rec(D(2025, 9, 1)))
    change = apply(a.riwayat, rec(D(2026, 9, 1), aktif=False))
    assert change is not None and change.changed_fields == ["aktif"]
    assert record_on(change.riwayat, D(2026, 8, 31)).aktif and not record_on(change.riwayat, D(2026, 9, 1)).aktif


def test_changed_fields_of_a_new_record():
    assert changed_fields(None, rec(D(2025, 1, 1))) == ["nip", "nama", "jabatan", "unit_id", "instansi", "aktif",
                                                       "atasan_id"]


def test_the_penilai_chain_stays_inside_the_instansi():
    pegawai = rec(D(2025, 1, 1))
    penilai = rec(D(2025, 1, 1), person_id=PENILAI, nip=PENILAI, atasan_id=BOSS)
    boss = rec(D(2025, 1, 1), person_id=BOSS, nip=BOSS, atasan_id=None)
    chain = chain_of(pegawai, D(2025, 5, 1), penilai, boss)
    assert chain.penilai == penilai and chain.atasan_pejabat_penilai == boss
    assert chain.atasan_pejabat_penilai_id == BOSS
    elsewhere = penilai.but(instansi="Pemerintah Kota Bandung")
    chain = chain_of(pegawai, D(2025, 5, 1), elsewhere, boss)
    assert chain.penilai_id == PENILAI and chain.penilai is None and chain.atasan_pejabat_penilai is None


def test_unit_changes():
    u = Unit("sudin-pend-1", DKI, "Suku Dinas Pendidikan Wilayah I")
    assert unit_changes(None, u) == ["instansi", "nama", "aktif"]
    assert unit_changes(u, u) is None
    assert unit_changes(u, Unit("sudin-pend-1", DKI, "Sudin Pendidikan I", aktif=False)) == ["nama", "aktif"]
