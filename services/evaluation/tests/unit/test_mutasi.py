import datetime as dt

from kinerja_evaluation.domain.mutasi import Bagian, capaian_gabungan, potong_rencana
from kinerja_contracts.skp import SkpSnapshot
from kinerja_evaluation.domain.plan import build_plan


def _plan():
    return build_plan(SkpSnapshot.model_validate({
        "periode": {"mulai": "2026-01-01", "selesai": "2026-12-31"},
        "pegawai": {"nip": "199001012015011001", "nama": "P"}, "penilai": {"nip": "198001012005011001", "nama": "A"},
        "hasil_kerja": [
        {"id": "r", "jenis": "Utama", "uraian": "x", "iki": [
            {"id": "lap", "indikator": "laporan", "target": {"jenis": "angka", "nilai": "12", "satuan": "Laporan"}},
            {"id": "pct", "indikator": "persen", "target": {"jenis": "angka", "nilai": "100", "satuan": "%"}}]}]}))


def test_ended_skp_keeps_its_months_and_its_part_of_a_count():
    lap, pct = (potong_rencana(x, dt.date(2026, 5, 15)) for x in _plan())
    assert lap.target_bulanan == [1] * 5 + [None] * 7
    assert lap.target_triwulan == [3, 2, None, None]  # Q2 keeps April and May
    assert lap.tahunan.nilai == 5
    assert pct.target_bulanan == [100] * 5 + [None] * 7 and pct.tahunan.nilai == 100  # a level holds


def test_year_combined_by_time():
    # Jan-Apr (120 days) at 90, May-Dec (245 days) at 100 -> (90*120 + 100*245) / 365 = 96.71
    a = Bagian("a", dt.date(2026, 1, 1), dt.date(2026, 4, 30), 90.0)
    b = Bagian("b", dt.date(2026, 5, 1), dt.date(2026, 12, 31), 100.0)
    assert capaian_gabungan([a, b]) == 96.71
    assert capaian_gabungan([Bagian("c", dt.date(2026, 1, 1), dt.date(2026, 1, 31), None)]) is None
