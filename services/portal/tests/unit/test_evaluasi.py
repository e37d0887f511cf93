"""The evaluasi pages' rules: form <-> API JSON, error paths -> fields, filters, labels."""

from __future__ import annotations

import pytest
from kinerja_portal.domain import evaluasi as ev

LINES = [
    {"rhk_id": "rhk-1", "rhk_jenis": "utama", "rhk_uraian": "Laporan", "iki_id": "iki-1", "indikator": "Laporan",
     "satuan": "Laporan", "target": {"nilai": 1.0, "minimum": None, "maksimum": None, "polaritas": "higher_is_better"},
     "realisasi": 2.5, "uraian_realisasi": None, "bukti_dukung": "https://b.example/1.pdf", "catatan": "ok", "capaian": 120.0},
    {"rhk_id": "rhk-1", "rhk_jenis": "utama", "rhk_uraian": "Laporan", "iki_id": "iki-2", "indikator": "Layanan",
     "satuan": "%", "target": {"nilai": None, "minimum": 80.0, "maksimum": 100.0, "polaritas": "range"},
     "realisasi": None, "uraian_realisasi": None, "bukti_dukung": None, "catatan": None, "capaian": None},
    {"rhk_id": "rhk-2", "rhk_jenis": "tambahan", "rhk_uraian": "Inovasi", "iki_id": "iki-3", "indikator": "Inovasi",
     "satuan": None, "target": None, "realisasi": None, "uraian_realisasi": "Aplikasi antrean", "bukti_dukung": None,
     "catatan": None, "capaian": None},
]


@pytest.mark.parametrize(("typed", "value"), [("1", 1.0), ("2,5", 2.5), ("2.5", 2.5), ("1.000,5", 1000.5), (" 3 ", 3.0)])
def test_numbers_as_people_type_them(typed, value):
    assert ev.parse_angka(typed) == value


@pytest.mark.parametrize("typed", ["satu", "", "1,2,3", "1e5"])
def test_what_is_not_a_number(typed):
    with pytest.raises(ValueError):
        ev.parse_angka(typed)


def test_stored_realisasi_fill_the_form_back():
    values = ev.realisasi_values(LINES)
    assert values["nilai-iki-1"] == "2,5" and values["bukti-iki-1"] == "https://b.example/1.pdf"
    assert values["nilai-iki-2"] == "" and values["uraian-iki-3"] == "Aplikasi antrean"


def test_realisasi_items_skip_untouched_iki_and_send_numbers():
    items, errors = ev.realisasi_items({"nilai-iki-1": "2,5", "catatan-iki-1": " ada ", "uraian-iki-3": "Aplikasi"}, LINES)
    assert errors == {}
    assert items == [{"iki_id": "iki-1", "nilai": 2.5, "uraian": None, "bukti_dukung": None, "catatan": "ada"},
                     {"iki_id": "iki-3", "nilai": None, "uraian": "Aplikasi", "bukti_dukung": None, "catatan": None}]


def test_realisasi_errors_are_per_field():
    _, errors = ev.realisasi_items({"nilai-iki-1": "satu", "bukti-iki-1": "drive/laporan.pdf", "catatan-iki-2": "x"}, LINES)
    assert set(errors) == {"nilai-iki-1", "bukti-iki-1", "nilai-iki-2"}  # iki-2 has a target: a number is required
    assert "angka" in errors["nilai-iki-1"][0] and "https://" in errors["bukti-iki-1"][0]


def test_an_empty_form_says_so():
    assert ev.realisasi_items({}, LINES) == ([], {"_form": ["Isi realisasi paling sedikit satu IKI."]})


def test_api_item_paths_map_to_the_iki_sent_at_that_index():
    items = [{"iki_id": "iki-2"}, {"iki_id": "iki-1"}]
    errors = ev.realisasi_api_errors({"items[1].nilai": ["realisasi angka wajib untuk IKI ini (a number is required)"],
                                      "items[0].bukti_dukung": ["Input should be a valid URL"],
                                      "version": ["bad"]}, items)
    assert errors == {"nilai-iki-1": ["realisasi angka wajib untuk IKI ini"],
                      "bukti-iki-2": ["Input should be a valid URL"], "_form": ["bad"]}


def test_penilaian_needs_both_ratings_together():
    body, errors = ev.penilaian_body({"rating_hasil_kerja": "Sesuai Ekspektasi", "ub-rhk-rhk-1": " Bagus ",
                                      "ub-perilaku-1": "Tertib"}, 4, ["rhk-1", "rhk-2"], ["Berorientasi Pelayanan", "Akuntabel"])
    assert errors == {"rating_perilaku": ["Rating hasil kerja dan rating perilaku diberikan bersama; pilih keduanya."]}
    assert body == {"version": 4, "umpan_balik_rhk": {"rhk-1": "Bagus"}, "umpan_balik_perilaku": {"Akuntabel": "Tertib"}}
    body, errors = ev.penilaian_body({"rating_hasil_kerja": "Diatas Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi"},
                                     4, [], [])
    assert errors == {} and body["rating_perilaku"] == "Sesuai Ekspektasi"
    _, errors = ev.penilaian_body({"rating_hasil_kerja": "Luar Biasa", "rating_perilaku": "Sesuai Ekspektasi"}, 1, [], [])
    assert "rating_hasil_kerja" in errors


def test_penilaian_api_paths_map_to_fields():
    errors = ev.penilaian_api_errors({"umpan_balik_rhk.rhk-9": ["RHK tidak ada di SKP (unknown RHK)"],
                                      "umpan_balik_perilaku.Akuntabel": ["x"], "rating_perilaku": ["y"]},
                                     ["Berorientasi Pelayanan", "Akuntabel"])
    assert errors == {"ub-rhk-rhk-9": ["RHK tidak ada di SKP"], "ub-perilaku-1": ["x"], "rating_perilaku": ["y"]}


def test_penilaian_values_from_the_evaluation():
    values = ev.penilaian_values({"umpan_balik": {"rhk": {"rhk-1": "a"}, "perilaku": {"Akuntabel": "b"}},
                                  "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": None},
                                 ["Berorientasi Pelayanan", "Akuntabel"])
    assert values == {"ub-rhk-rhk-1": "a", "ub-perilaku-0": "", "ub-perilaku-1": "b",
                      "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": ""}


def test_keberatan_possible_only_on_a_result_without_one():
    result = {"predikat": "Baik", "keberatan": None, "keberatan_deadline": "2025-11-17"}
    assert ev.keberatan_possible(result)
    assert not ev.keberatan_possible({**result, "predikat": None})
    assert not ev.keberatan_possible({**result, "keberatan": {"id": "k"}})


def test_keberatan_and_keputusan_forms():
    assert ev.keberatan_form({"alasan": " pendek "})[1] == {"alasan": ["Tuliskan alasan keberatan, paling sedikit 10 karakter."]}
    assert ev.keberatan_form({"alasan": "Bukti dukung sudah lengkap"}) == ("Bukti dukung sudah lengkap", {})
    body, errors = ev.keputusan_body({"decision": "upheld", "rating_hasil_kerja": "Diatas Ekspektasi"})
    assert set(errors) == {"rating_perilaku"}
    body, errors = ev.keputusan_body({"decision": "rejected", "note": " Tetap "})
    assert errors == {} and body == {"decision": "rejected", "note": "Tetap"}
    assert set(ev.keputusan_body({})[1]) == {"decision"}


def test_filters_and_order():
    rows = [{"id": "a", "period_id": "2025-11/P/monthly", "status": "closed", "predikat": "Baik", "nip": "1"},
            {"id": "b", "period_id": "2025-12/P/monthly", "status": "open", "predikat": None, "nip": "1"},
            {"id": "c", "period_id": "2025/P/annual", "status": "open", "predikat": None, "nip": "1"}]
    assert [r["id"] for r in ev.filter_rows(rows, predikat=ev.BELUM)] == ["b", "c"]
    assert [r["id"] for r in ev.filter_rows(rows, predikat="Baik")] == ["a"]
    assert [r["id"] for r in ev.filter_rows(rows, status="open")] == ["b", "c"]
    assert [r["id"] for r in ev.sort_rows(rows)] == ["c", "b", "a"]
    assert ev.sort_periods(["2025-11/P/monthly", "2026-Q1/P/quarterly", "2025-12/P/monthly"]) == [
        "2026-Q1/P/quarterly", "2025-12/P/monthly", "2025-11/P/monthly"]


def test_labels():
    assert ev.periode_label("2026-Q1/PNS/quarterly") == "Triwulan I 2026"
    assert ev.capaian_label(103.33) == "103,33 %" and ev.capaian_label(None) == "-"
    assert ev.target_label(LINES[1]["target"], "%") == "80 - 100 %"
    assert ev.target_label(LINES[0]["target"], "Laporan") == "1 Laporan"
    assert ev.target_label(None, "Laporan") == "tidak diukur pada periode ini"


def test_preferences_form():
    assert ev.preferensi_body({"digest": "ya", "locale": "en"}, 3) == ({"digest": True, "locale": "en", "version": 3}, {})
    assert ev.preferensi_body({"digest": "bawaan", "locale": "bawaan"}, 1)[0] == {"digest": None, "locale": None, "version": 1}
    assert set(ev.preferensi_body({"digest": "kadang", "locale": "fr"}, 1)[1]) == {"digest", "locale"}
    assert ev.preferensi_values({"digest": False, "locale": None}) == {"digest": "tidak", "locale": "bawaan"}


def test_a_stale_save_keeps_what_this_person_changed_and_shows_the_rest_newer():
    was = {"nilai-iki-1": "1", "catatan-iki-1": "", "catatan-iki-2": "lama"}
    newer = {"nilai-iki-1": "1", "catatan-iki-1": "dari tab lain", "catatan-iki-2": "lama"}
    typed = {"nilai-iki-1": "1", "catatan-iki-1": "", "catatan-iki-2": "baru saya",
             **{f"was-{k}": v for k, v in was.items()}}
    assert ev.realisasi_merge(typed, newer) == {"nilai-iki-1": "1", "catatan-iki-1": "dari tab lain",
                                                "catatan-iki-2": "baru saya"}
