"""The shared target-to-period rule, with hand-computed cases (issue 16)."""

import datetime as dt

import pytest
from kinerja_contracts.targets import (
    Polaritas,
    SifatTarget,
    TargetPeriode,
    months_in_periode,
    parse_target_periode,
    polaritas_efektif,
    sifat_target,
    targets_per_period,
    waktu_biaya_naik,
)

SEP_DEC = months_in_periode(dt.date(2025, 9, 1), dt.date(2025, 12, 31))
YEAR = list(range(1, 13))


@pytest.mark.parametrize(("aspek", "satuan", "sifat", "row"), [
    ("Kuantitas", "%", SifatTarget.tingkat, "1"),
    ("Kuantitas", "% dokumen terarsip", SifatTarget.tingkat, "1"),
    ("Kualitas", "persen", SifatTarget.tingkat, "1"),
    ("Waktu", "hari kerja", SifatTarget.waktu, "2"),
    ("Waktu", "bulan setelah NSPK terbit", SifatTarget.waktu, "3"),
    ("Biaya", "Rp", SifatTarget.biaya, "4"),
    ("Biaya", "juta rupiah", SifatTarget.biaya, "4"),
    ("Kualitas", "indeks", SifatTarget.tingkat, "5"),
    ("Kualitas", "nilai IKM", SifatTarget.tingkat, "5"),
    ("Kuantitas", "dokumen/hari", SifatTarget.tingkat, "6"),
    ("Kuantitas", "Laporan", SifatTarget.jumlah, "7"),
    ("Waktu", "Bulan", SifatTarget.jumlah, "7"),  # Babel: "Ketepatan waktu distribusi surat: 12 Bulan"
    ("Kuantitas", None, SifatTarget.jumlah, "7"),
])
def test_table_from_satuan(aspek, satuan, sifat, row):
    d = sifat_target(aspek, satuan)
    assert d.sifat is sifat and d.sumber == "tabel" and d.aturan.startswith(f"baris {row}:")
    assert "diturunkan" in d.catatan()


def test_stated_kind_wins_and_says_so():
    d = sifat_target("Kuantitas", "Laporan", "tingkat")
    assert d.sifat is SifatTarget.tingkat and d.sumber == "dinyatakan" and "dinyatakan" in d.catatan()
    assert sifat_target("Kuantitas", "Laporan", "nonsense").sumber == "tabel"


def _run(nilai, satuan, aspek="Kuantitas", pol="higher_is_better", months=YEAR, bulanan=None, triwulan=None, rng=None):
    sifat = sifat_target(aspek, satuan).sifat
    annual = TargetPeriode(minimum=rng[0], maksimum=rng[1]) if rng else TargetPeriode(nilai=nilai)
    return targets_per_period(annual, sifat, pol, months, bulanan, triwulan)


def test_percentage_holds_every_period():
    # "100 % dokumen terarsip": September's target is 100, not 25
    pt = _run(100, "% dokumen terarsip", months=SEP_DEC)
    assert [t and t.nilai for t in pt.bulanan[8:]] == [100] * 4 and pt.bulanan[7] is None
    assert pt.triwulan[2].nilai == 100 and pt.triwulan[3].nilai == 100
    assert pt.bulanan[8].polaritas is Polaritas.higher_is_better


def test_index_holds_every_quarter():
    pt = _run(3.25, "indeks")
    assert [t.nilai for t in pt.triwulan] == [3.25] * 4


def test_waktu_holds_and_is_lower_is_better():
    # "2 hari kerja": every month's target is 2 (not 0.5), lower is better
    pt = _run(2, "hari kerja", aspek="Waktu")
    assert all(t.nilai == 2 and t.polaritas is Polaritas.lower_is_better for t in pt.bulanan)
    assert pt.tahunan.polaritas is Polaritas.lower_is_better


def test_count_is_split_and_quarters_sum():
    pt = _run(12, "Laporan", months=SEP_DEC)
    assert [t and t.nilai for t in pt.bulanan] == [None] * 8 + [3.0] * 4
    assert pt.triwulan[2].nilai == 3.0 and pt.triwulan[3].nilai == 9.0 and pt.triwulan[0] is None
    assert pt.tahunan.nilai == 12


def test_biaya_is_split_and_lower_is_better():
    pt = _run(120, "juta rupiah", aspek="Biaya")
    assert pt.bulanan[0].nilai == 10 and pt.bulanan[0].polaritas is Polaritas.lower_is_better


def test_written_quarters_as_typed_na_not_measured():
    # a range 80-100 % with TW I and TW III N/A: measured in TW II and TW IV only
    pt = _run(None, "%", rng=(80, 100), triwulan=["N/A", "80 - 100", "N/A", {"minimum": 80, "maksimum": 100}])
    assert pt.triwulan[0] is None and pt.triwulan[2] is None
    assert pt.triwulan[1].minimum == 80 and pt.triwulan[1].polaritas is Polaritas.range
    assert pt.bulanan[0] is None and pt.bulanan[3].maksimum == 100  # levels hold in the quarter's months


def test_polarity_per_period():
    # TW II at least 30 % (maximize), TW IV 80-100 % (stabilize)
    pt = _run(None, "%", rng=(80, 100), triwulan=[
        "N/A", {"nilai": 30, "polaritas": "maximize"}, "N/A", {"minimum": 80, "maksimum": 100, "polaritas": "stabilize"}])
    assert pt.triwulan[1].nilai == 30 and pt.triwulan[1].polaritas is Polaritas.higher_is_better
    assert pt.triwulan[3].is_range and pt.triwulan[3].polaritas is Polaritas.range


def test_written_months_win_and_quarters_follow():
    pt = _run(12, "Laporan", bulanan=[1, 1, 1, None, 2, 2] + [None] * 6)
    assert pt.bulanan[3] is None and pt.triwulan[0].nilai == 3 and pt.triwulan[1].nilai == 4 and pt.triwulan[2] is None
    lv = _run(100, "%", bulanan=[None, None, 30, None, None, 60] + [None] * 6)
    assert lv.triwulan[0].nilai == 30 and lv.triwulan[1].nilai == 60  # a level: the quarter's last measured month


def test_count_quarters_split_over_their_months():
    pt = _run(10, "Dokumen", triwulan=["1", "2", "3", "4"])
    assert pt.bulanan[3].nilai == pytest.approx(2 / 3, abs=1e-3)


def test_descriptive_is_never_measured():
    pt = targets_per_period(None, SifatTarget.jumlah, None, YEAR)
    assert pt.bulanan == [None] * 12 and pt.triwulan == [None] * 4 and pt.tahunan is None


def test_parse_forms():
    assert parse_target_periode(None) is None and parse_target_periode("") is None
    assert parse_target_periode("n/a").na and parse_target_periode("-").na
    assert parse_target_periode("3,25").nilai == 3.25
    assert parse_target_periode({"na": True}).na
    with pytest.raises(ValueError):
        parse_target_periode("lots")


def test_effective_polarity():
    assert polaritas_efektif("higher_is_better", SifatTarget.tingkat, True) is Polaritas.range
    assert polaritas_efektif("higher_is_better", SifatTarget.waktu, False) is Polaritas.lower_is_better
    assert polaritas_efektif("lower_is_better", SifatTarget.tingkat, True) is Polaritas.lower_is_better
    assert polaritas_efektif(None, SifatTarget.jumlah, False) is Polaritas.higher_is_better


def test_waktu_left_higher_is_better_is_flagged():
    assert waktu_biaya_naik("Waktu", "hari kerja", None, "higher_is_better")
    assert not waktu_biaya_naik("Waktu", "hari kerja", None, "lower_is_better")
    assert not waktu_biaya_naik("Waktu", "%", None, "higher_is_better")


def test_period_names_from_ids():
    from kinerja_contracts.teks import nama_periode_dari_id

    assert nama_periode_dari_id("2026-Q1/PNS/quarterly") == "Triwulan I 2026"
    assert nama_periode_dari_id("2025-11/PPPK_PARUH_WAKTU/monthly") == "November 2025"
    assert nama_periode_dari_id("2026/PNS/annual") == "Tahun 2026"
    assert nama_periode_dari_id("rubbish") == "rubbish"


def test_unreadable_written_entries_are_skipped_by_the_reader():
    pt = _run(12, "Laporan", bulanan=["lots"] + [None] * 11)  # nothing readable written: the annual split
    assert pt.bulanan[0].nilai == 1


def test_written_form_round_trips_with_polaritas():
    from kinerja_contracts.targets import format_target_periode

    for text in ("N/A", "30 (maximize)", "80 - 100 (stabilize)", "12", "2,5 (minimize)"):
        t = parse_target_periode(text)
        assert parse_target_periode(format_target_periode(t)) == t
    assert parse_target_periode("30 (maximize)").polaritas is Polaritas.higher_is_better
    assert format_target_periode(parse_target_periode("80-100 (stabilize)")) == "80 - 100 (stabilize)"
    assert format_target_periode(None) is None


def test_parse_polaritas_takes_names_and_aliases_in_any_case_and_refuses_the_rest():
    from kinerja_contracts.targets import Polaritas, parse_polaritas

    for p in Polaritas:
        assert parse_polaritas(f"  {p.value.upper()} ") is p
    assert parse_polaritas("Maksimal") is Polaritas.higher_is_better
    assert parse_polaritas("minimize") is Polaritas.lower_is_better
    assert parse_polaritas("stabil") is Polaritas.range
    assert parse_polaritas(None) is None and parse_polaritas("") is None and parse_polaritas("naik") is None
