"""The admin pages' pure rules (kinerja_portal.domain.admin)."""

from __future__ import annotations

import pytest
from kinerja_portal.domain import admin as dom


def test_counts_by_status_per_unit_sum_every_skp_and_sort_units_by_name():
    items = [{"unit_kerja": "Sudin B", "status": "Pending"}, {"unit_kerja": "Sudin A", "status": "Draft"},
             {"unit_kerja": "Sudin B", "status": "Pending"}, {"unit_kerja": None, "status": "Approved"},
             {"unit_kerja": "sudin c", "status": "Approved"}]
    rows = dom.count_by_unit(items)
    assert [r.unit_kerja for r in rows] == ["Sudin A", "Sudin B", "sudin c", dom.NO_UNIT]
    assert rows[1].counts == {"Draft": 0, "Pending": 2, "Revisi": 0, "Approved": 0}
    assert rows[1].total == 2
    total = dom.totals(rows)
    assert total.counts == {"Draft": 1, "Pending": 2, "Revisi": 0, "Approved": 2} and total.total == 5


def test_an_unknown_status_is_counted_not_dropped():
    rows = dom.count_by_unit([{"unit_kerja": "U", "status": "Arsip"}])
    assert rows[0].counts["Arsip"] == 1 and rows[0].total == 1


def test_kurva_unset_is_no_curve():
    assert dom.parse_kurva(None) == {}
    assert dom.parse_kurva({}) == {}


def test_kurva_in_shares_or_percent():
    got = dom.parse_kurva({"Baik": {"Sangat Baik": 10, "Baik": 70, "Butuh Perbaikan": 10, "Kurang/Misconduct": 5,
                                    "Sangat Kurang": 5}})
    assert got["Baik"]["Baik"] == pytest.approx(0.7)
    assert dom.parse_kurva({"Istimewa": {"Sangat Baik": 0.5, "Baik": 0.5}})["Istimewa"]["Sangat Kurang"] == 0


@pytest.mark.parametrize("raw", [
    {"Luar Biasa": {"Baik": 1}},  # unknown level
    {"Baik": {"Cukup": 1}},  # unknown predikat
    {"Baik": {"Baik": 0.5}},  # does not sum to 1
    {"Baik": {"Baik": 1.2, "Sangat Baik": -0.2}},  # negative
    {"Baik": {"Baik": "banyak"}},  # not a number
    {"Baik": [1, 2]},  # not a mapping
])
def test_kurva_refuses_what_is_not_a_curve(raw):
    with pytest.raises(dom.KurvaInvalid):
        dom.parse_kurva(raw)


def test_chart_bars_are_shares_and_the_curve_goes_through_the_bar_centres():
    dist = {"Sangat Baik": 1, "Baik": 3, "Butuh Perbaikan": 0, "Kurang/Misconduct": 0, "Sangat Kurang": 0}
    expected = {"Sangat Baik": 0.2, "Baik": 0.6, "Butuh Perbaikan": 0.1, "Kurang/Misconduct": 0.05, "Sangat Kurang": 0.05}
    c = dom.chart(dist, expected, width=520, height=240)
    assert [b.predikat for b in c.bars] == list(dom.PREDIKAT)
    baik = c.bars[dom.PREDIKAT.index("Baik")]
    assert baik.persen == 75.0 and baik.jumlah == 3
    assert baik.height == pytest.approx(0.75 * c.plot_height, abs=0.01)
    assert baik.y + baik.height == pytest.approx(c.baseline)
    assert c.bars[0].height == 0 and c.total == 4
    # the curve: one point per predikat, at the bar's centre, at the expected share's height
    pts = [tuple(map(float, p.split(","))) for p in c.expected_points.split()]
    assert len(pts) == 5
    for (x, y), b, p in zip(pts, c.bars, dom.PREDIKAT, strict=True):
        assert x == pytest.approx(b.x + b.width / 2)
        assert y == pytest.approx(c.baseline - expected[p] * c.plot_height, abs=0.01)
    assert [g[0] for g in c.grid] == [0, 25, 50, 75, 100]


def test_chart_without_results_or_curve():
    c = dom.chart({}, None)
    assert all(b.height == 0 and b.persen == 0 for b in c.bars)
    assert c.expected_points == "" and c.expected == () and c.total == 0


def test_penugasan_form_to_the_api_body():
    body, errors = dom.penugasan_payload({"delegate_nip": "198202142006041001", "penilai_nip": "197806102005011002",
                                          "jenis": "Plh", "mulai": "2026-01-05", "selesai": "2026-01-16",
                                          "nomor_sk": " 800/123 "})
    assert errors == {}
    assert body == {"delegate_nip": "198202142006041001", "penilai_nip": "197806102005011002", "jenis": "Plh",
                    "mulai": "2026-01-05", "selesai": "2026-01-16", "nomor_sk": "800/123"}


def test_penugasan_form_shows_every_error_at_once():
    _, errors = dom.penugasan_payload({"delegate_nip": "123", "penilai_nip": "", "jenis": "Kepala",
                                       "mulai": "2026-02-01", "selesai": "2026-01-01"})
    assert set(errors) == {"delegate_nip", "penilai_nip", "jenis", "selesai"}
    _, errors = dom.penugasan_payload({"delegate_nip": "197806102005011002", "penilai_nip": "197806102005011002",
                                       "jenis": "Plt", "mulai": "x", "selesai": ""})
    assert set(errors) == {"delegate_nip", "mulai", "selesai"}


def test_extension_is_for_a_unit_or_a_person_not_both():
    body, errors = dom.extension_payload({"tahun": "2026", "sampai": "2026-02-14", "unit_kerja": "Sudin A"})
    assert errors == {} and body == {"tahun": 2026, "sampai": "2026-02-14", "unit_kerja": "Sudin A", "nip": None,
                                     "alasan": None}
    _, errors = dom.extension_payload({"tahun": "2026", "sampai": "2026-02-14", "unit_kerja": "A",
                                       "nip": "199503152025212001"})
    assert "unit_kerja" in errors
    _, errors = dom.extension_payload({"tahun": "dua", "sampai": "", "nip": "12"})
    assert set(errors) == {"tahun", "sampai", "nip"}


def test_reassign_form():
    body, errors = dom.reassign_payload({"penilai_nip": "198202142006041001", "reason": " salah atasan "}, 3)
    assert errors == {} and body == {"version": 3, "penilai_nip": "198202142006041001", "reason": "salah atasan"}
    assert dom.reassign_payload({"penilai_nip": ""}, 3)[1] == {"penilai_nip": ["Wajib dipilih."]}


def test_import_percent_and_row_errors():
    assert dom.import_percent({"status": "running", "total": None, "processed": 0}) == 0
    assert dom.import_percent({"status": "running", "total": 400, "processed": 100}) == 25
    assert dom.import_percent({"status": "failed", "total": 400, "processed": 100}) == 100
    row = {"errors": [{"path": "nip", "message": "harus teks"}, {"path": "", "message": "baris rusak"}]}
    assert dom.row_errors(row) == "nip: harus teks; baris rusak"


def test_paging():
    p = dom.Paging(total=60, limit=25, offset=25)
    assert (p.first, p.last, p.previous, p.next) == (26, 50, 0, 50)
    last = dom.Paging(total=60, limit=25, offset=50)
    assert (last.last, last.next) == (60, None)
    assert dom.Paging(0, 25, 0).first == 0 and dom.Paging(10, 25, 0).previous is None


def test_filter_units_by_code_or_name():
    units = [{"unit": {"unit_id": "b", "nama": "Sudin Pendidikan"}}, {"unit": {"unit_id": "umum", "nama": "Bagian Umum"}}]
    assert [u["unit"]["unit_id"] for u in dom.filter_units(units, None)] == ["umum", "b"]
    assert [u["unit"]["unit_id"] for u in dom.filter_units(units, "PENDIDIKAN")] == ["b"]
    assert [u["unit"]["unit_id"] for u in dom.filter_units(units, "umu")] == ["umum"]
