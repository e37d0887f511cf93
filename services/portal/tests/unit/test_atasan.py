"""The atasan pages' pure rules: search, counts, waiting times, the bulk selection and its results, the diff
and the document as people read them."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_contracts.skp import SkpSnapshot
from kinerja_contracts.skp_diff import diff_skp
from kinerja_devstack.samples import pppk_skp
from kinerja_portal.domain import atasan as rules

NOW = dt.datetime(2026, 1, 20, 3, 0, tzinfo=dt.UTC)


def item(nama: str, nip: str, *, version: int = 1, since: str = "2026-01-12T01:30:00Z", jenis: str = "PNS") -> dict:
    return {"skp_id": str(uuid.uuid4()), "version": version, "pegawai": {"nama": nama, "nip": nip},
            "pending_since": since, "jenis_pegawai": jenis}


def test_waiting_time_reads_as_days_and_hours():
    assert rules.lama_menunggu("2026-01-12T01:30:00Z", NOW) == "8 hari 1 jam"
    assert rules.lama_menunggu("2026-01-20T00:00:00Z", NOW) == "3 jam"
    assert rules.lama_menunggu("2026-01-17T03:00:00+00:00", NOW) == "3 hari"
    assert rules.lama_menunggu("2026-01-20T02:45:00Z", NOW) == "kurang dari 1 jam"
    assert rules.lama_menunggu(None, NOW) == "-"
    assert rules.lama_menunggu("kemarin", NOW) == "-"
    assert rules.hari_menunggu("2026-01-17T03:00:00Z", NOW) == 3


def test_search_by_name_words_or_nip_digits():
    siti = item("Siti Rahmawati", "199503152025212001")
    assert rules.cocok(siti, "")
    assert rules.cocok(siti, "siti")
    assert rules.cocok(siti, "RAHMA siti")
    assert not rules.cocok(siti, "budi")
    assert rules.cocok(siti, "1995031520")
    assert rules.cocok(siti, "19950315 2025 21 2 001")
    assert not rules.cocok(siti, "1978")
    assert not rules.cocok(siti, "siti 1978")  # a word that is not in the name


def test_counts_cover_the_whole_inbox():
    items = [item("A", "1", version=2, since="2026-01-10T00:00:00Z", jenis="PPPK_PARUH_WAKTU"),
             item("B", "2", since="2026-01-19T00:00:00Z"), item("C", "3", since="2026-01-16T00:00:00Z")]
    r = rules.ringkasan({"count": 3, "counts": {"sendiri": 2, "delegasi": 1},
                         "oldest_pending_since": "2026-01-10T00:00:00Z"}, items, NOW)
    assert (r.total, r.sendiri, r.delegasi, r.pengajuan_ulang, r.lebih_dari_3_hari) == (3, 2, 1, 1, 2)
    assert r.per_jenis == [("PNS", 2), ("PPPK Paruh Waktu", 1)]
    assert r.terlama_sejak == "2026-01-10T00:00:00Z"


def test_pages_are_clamped():
    assert rules.halaman(list(range(120)), 3, 50) == (list(range(100, 120)), 3, 3)
    assert rules.halaman(list(range(120)), 9, 50)[1] == 3
    assert rules.halaman([], 0, 50) == ([], 1, 1)


def test_selection_keeps_valid_pairs_once_in_order():
    a, b = uuid.uuid4(), uuid.uuid4()
    items, bad = rules.pilihan([f"{a}:2", f"{b}:1", f"{a}:2", "x:1", f"{b}", f"{a}:0"])
    assert items == [{"skp_id": str(a), "version": 2}, {"skp_id": str(b), "version": 1}]
    assert bad == ["x:1", f"{b}", f"{a}:0"]


def test_bulk_results_name_each_item_and_say_why_refused():
    a, b, c = (str(uuid.uuid4()) for _ in range(3))
    answer = {"approved": 1, "refused": 2, "results": [
        {"skp_id": a, "status": 200, "case": {"pegawai": {"nama": "Siti", "nip": "1"}}},
        {"skp_id": b, "status": 409, "code": "stale-version", "detail": "Keputusan dibuat atas versi 1 ..."},
        {"skp_id": c, "status": 418, "code": "baru", "detail": "Alasan baru dari layanan."}]}
    rows = rules.hasil_massal(answer, [{"skp_id": a, "version": 1}, {"skp_id": b, "version": 1},
                                       {"skp_id": c, "version": 3}],
                              {b: {"pegawai": {"nama": "Joko", "nip": "2"}}})
    assert [(r.nama, r.disetujui, r.versi) for r in rows] == [("Siti", True, 1), ("Joko", False, 1),
                                                             ("SKP tidak dikenal", False, 3)]
    assert "mengubah SKP" in rows[1].pesan
    assert rows[2].pesan == "Alasan baru dari layanan."


def _changed_sample() -> tuple[dict, dict]:
    before = pppk_skp()
    after = pppk_skp()
    after["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
    after["hasil_kerja"][0]["iki"][0]["target_bulanan"][8] = "3"
    after["hasil_kerja"].append({"id": "rhk-9", "jenis": "Tambahan", "uraian": "Membantu panitia PPDB", "iki": []})
    after["perilaku_kerja"][1]["ekspektasi_khusus"] = "Laporan tepat waktu"
    after["lampiran"]["konsekuensi"] = []
    return before, after


def test_diff_paths_read_as_the_document_names_them():
    before, after = _changed_sample()
    diff = [c.model_dump() for c in diff_skp(SkpSnapshot.model_validate(before), SkpSnapshot.model_validate(after))]
    rows = rules.perubahan(diff, after, before)
    assert rows is not None
    labels = {r.label: r for r in rows}
    target = next(r for r in rows if r.label.endswith("target \u203a nilai"))
    assert target.label.startswith("RHK 1 \u201cTerlaksananya persiapan")
    assert "\u203a IKI 1 \u201cLaporan pemeriksaan" in target.label
    assert (target.jenis_label, target.sebelum, target.sesudah) == ("Diubah", "4", "12")
    assert any(label.endswith("target bulan Sep") for label in labels)
    added = next(r for r in rows if r.jenis == "added")
    assert added.label == "RHK 4 \u201cMembantu panitia PPDB\u201d"
    assert added.sesudah == "RHK Tambahan: Membantu panitia PPDB" and added.sebelum == "-"
    assert "Perilaku kerja Akuntabel \u203a ekspektasi khusus pimpinan" in labels
    removed = next(r for r in rows if "konsekuensi" in r.label)
    assert removed.label == "Lampiran \u203a konsekuensi 1" and removed.sebelum == "Sesuai ketentuan yang berlaku"
    assert rules.perubahan(None, after) is None
    assert rules.perubahan([], after) == []


def test_values_and_targets_as_text():
    assert rules.teks_nilai(None) == "-"
    assert rules.teks_nilai(["a", "b"]) == "a; b"
    assert rules.teks_nilai({"jenis": "angka", "nilai": "12", "satuan": "Laporan"}) == "12 Laporan"
    assert rules.teks_target({"jenis": "rentang", "minimum": "80", "maksimum": "90", "satuan": "%"}) == "80 - 90 %"
    assert rules.teks_target({"jenis": "deskriptif", "deskripsi": "Sesuai SOP"}) == "Sesuai SOP"
    assert rules.teks_target(None) == "-"
    assert rules.teks_nilai({"nama": "Budi", "email": None}) == "Nama: Budi"


def test_document_groups_rhk_and_lists_written_period_targets():
    doc = pppk_skp()
    doc["hasil_kerja"].append({"id": "rhk-9", "jenis": "Tambahan", "uraian": "x", "iki": []})
    groups = rules.rhk_per_jenis(doc)
    assert [(j, [n for n, _ in g]) for j, g in groups] == [("Utama", [1, 2, 3]), ("Tambahan", [4])]
    iki = doc["hasil_kerja"][0]["iki"][0]
    assert rules.target_per_periode(iki) == [("Sep", "1"), ("Okt", "1"), ("Nov", "1"), ("Des", "1")]
    assert rules.target_per_periode({"target_triwulan": ["1", None, "2", None]}) == [("TW I", "1"), ("TW III", "2")]
    assert rules.target_per_periode({"target_periode": {"bulanan": None, "triwulan": [{"nilai": "5"}, None, None, None]}}) \
        == [("TW I", "5")]
    assert rules.target_per_periode({}) == []
