"""The SKP draft form of the pegawai pages: fields <-> the skp service's JSON, errors beside their fields."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from kinerja_devstack.samples import pppk_skp
from kinerja_portal.domain import pegawai as f
from kinerja_portal.pages import templates


def flat(node, prefix=""):
    """The (name, value) pairs a browser posts for a form tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from flat(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from flat(v, f"{prefix}[{i}]")
    else:
        yield prefix, "" if node is None else str(node)


def test_split_and_join_paths():
    assert f.split_path("hasil_kerja[0].iki[12].target.nilai") == ["hasil_kerja", 0, "iki", 12, "target", "nilai"]
    assert f.join_path(["hasil_kerja", 0, "iki", 12, "target", "nilai"]) == "hasil_kerja[0].iki[12].target.nilai"
    for bad in ("", "[0]", "a..b", "a[x]", "a.b]", ".a", "a b"):
        with pytest.raises(ValueError):
            f.split_path(bad)


def test_the_sample_skp_goes_through_the_form_unchanged():
    sample = pppk_skp()
    sample["hasil_kerja"][0]["iki"][0]["target_periode"] = {"triwulan": ["N/A", "1", "1", "2"]}
    sample["hasil_kerja"][1]["iki"][0]["perspektif"] = "Proses Bisnis"
    sample["tanggal_sk"] = "2025-08-20"
    content = f.content_of(f.form_tree(flat(f.view_of(sample))))
    assert content["periode"] == sample["periode"]
    assert "pegawai" not in content and "penilai" not in content  # the service fills them from the directory
    assert content["tanggal_sk"] == "2025-08-20"
    for got, want in zip(content["hasil_kerja"], sample["hasil_kerja"], strict=True):
        assert (got["id"], got["uraian"], got["jenis"]) == (want["id"], want["uraian"], want["jenis"])
        assert [i["target"] for i in got["iki"]] == [
            {"jenis": "angka", "nilai": i["target"]["nilai"], "minimum": None, "maksimum": None, "deskripsi": None,
             "satuan": i["target"]["satuan"]} for i in want["iki"]]
    iki1 = content["hasil_kerja"][0]["iki"][0]
    assert iki1["target_bulanan"] == [None] * 8 + ["1", "1", "1", "1"]
    assert iki1["target_triwulan"] is None
    assert iki1["target_periode"] == {"triwulan": ["N/A", "1", "1", "2"]}  # not shown in the form: kept
    assert content["hasil_kerja"][1]["iki"][0]["perspektif"] == "Proses Bisnis"
    assert [p["nilai"] for p in content["perilaku_kerja"]] == list(f.BERAKHLAK)
    assert content["lampiran"] == sample["lampiran"]


def test_numbers_as_people_type_them():
    assert f.angka("12,5") == "12.5"
    assert f.angka(" 1.250,75 ") == "1250.75"
    assert f.angka("100") == "100"
    assert f.angka("") is None
    assert f.angka("empat") == "empat"  # passed on: the service names the field that is not a number


def test_blank_rows_are_dropped_and_new_rows_get_unique_ids():
    tree = f.form_tree([
        ("periode.mulai", "2026-01-01"), ("periode.selesai", "2026-12-31"),
        ("hasil_kerja[0].id", ""), ("hasil_kerja[0].uraian", ""), ("hasil_kerja[0].iki[0].indikator", ""),
        ("hasil_kerja[1].id", "rhk-1"), ("hasil_kerja[1].uraian", "Tersusunnya laporan"),
        ("hasil_kerja[1].iki[0].id", ""), ("hasil_kerja[1].iki[0].indikator", ""),
        ("hasil_kerja[1].iki[1].id", "iki-1"), ("hasil_kerja[1].iki[1].indikator", "Jumlah laporan"),
        ("hasil_kerja[1].iki[1].target.nilai", "12"), ("hasil_kerja[1].iki[1].target.satuan", "Laporan"),
        ("hasil_kerja[1].iki[2].id", ""), ("hasil_kerja[1].iki[2].indikator", "Ketepatan waktu"),
        ("hasil_kerja[2].id", ""), ("hasil_kerja[2].jenis", "Tambahan"), ("hasil_kerja[2].uraian", "Membantu"),
        ("lampiran.konsekuensi", "  Teguran\r\n\r\nSesuai ketentuan "),
    ])
    content, rows = f.content_and_rows(tree)
    assert [r["id"] for r in content["hasil_kerja"]] == ["rhk-1", "rhk-2"]
    assert [i["id"] for i in content["hasil_kerja"][0]["iki"]] == ["iki-1", "iki-2"]
    assert content["hasil_kerja"][1]["jenis"] == "Tambahan"
    assert content["lampiran"]["konsekuensi"] == ["Teguran", "Sesuai ketentuan"]
    assert rows["hasil_kerja[0]"] == "hasil_kerja[1]"
    assert rows["hasil_kerja[0].iki[1]"] == "hasil_kerja[1].iki[2]"
    view = f.view_of(tree)
    known = f.anchors(view)
    # the service names the content's rows; the error lands on the row the person typed in
    assert f.field_of("body.content.hasil_kerja[0].iki[1].target.nilai", known, rows) == "hasil_kerja[1].iki[2].target.nilai"
    assert f.field_of("hasil_kerja[1].uraian", known, rows) == "hasil_kerja[2].uraian"


def test_errors_land_beside_their_fields_or_their_part():
    view = f.view_of(pppk_skp())
    known = f.anchors(view)
    cases = {
        "body.content.hasil_kerja[0].iki[0].target.nilai": "hasil_kerja[0].iki[0].target.nilai",
        "body.hasil_kerja[0].iki[0].target.nilai": "hasil_kerja[0].iki[0].target.nilai",
        "hasil_kerja[0].iki[0].target.nilai.decimal": "hasil_kerja[0].iki[0].target.nilai",
        "hasil_kerja[1].iki[0].target_bulanan[3]": "hasil_kerja[1].iki[0].target_bulanan[3]",
        "hasil_kerja[0].iki[0].target_bulanan": "hasil_kerja[0].iki[0].target_bulanan",
        "hasil_kerja[2].iki[0].rencana_aksi": "hasil_kerja[2].iki[0].rencana_aksi",
        "hasil_kerja[2].rhk_intervensi_id": "hasil_kerja[2]",
        "hasil_kerja[9].uraian": "hasil_kerja",
        "hasil_kerja": "hasil_kerja",
        "periode": "periode",
        "body.content.periode.mulai": "periode.mulai",
        "lampiran.konsekuensi[0]": "lampiran.konsekuensi",
        "perilaku_kerja[1].ekspektasi_khusus": "perilaku_kerja[1].ekspektasi_khusus",
        "penilai.nip": "",
        "": "",
        "body": "",
    }
    for path, field in cases.items():
        assert f.field_of(path, known) == field, path
    grouped = f.errors_beside_fields([("hasil_kerja[0].uraian", "Wajib diisi."), ("hasil_kerja[0].uraian", "Wajib diisi."),
                                      ("penilai.nip", "Beda dengan direktori.")], known)
    assert grouped == {"hasil_kerja[0].uraian": ["Wajib diisi."], "": ["Beda dengan direktori."]}


def test_the_form_shows_an_error_beside_every_name_it_maps_to():
    """Every name :func:`anchors` answers is rendered with its errors: no message can get lost."""
    sample = pppk_skp()
    sample["hasil_kerja"][0]["iki"][0]["rencana_aksi"] = [{"uraian": "Memeriksa", "output": [{"uraian": "Laporan",
                                                                                              "triwulan": "III"}]}]
    view = f.view_of(sample)
    known = f.anchors(view)
    errors = {name: [f"PESAN<{name}>"] for name in known}
    html = templates.env.get_template("pegawai/form.html").render(
        v=view, errors=errors, skp_id="x", version=1, status="Draft", warnings=[], conflict=None, catatan=None, nip="1",
        bulan=f.BULAN_PENDEK, triwulan=f.TRIWULAN, n_errors=len(errors), csrf_token="t", viewer=None, flash=[], nav="skp",
        title="Ubah SKP", label_of=f.path_label, blank_rhk_utama=f.blank_rhk("Utama"), blank_rhk_tambahan=f.blank_rhk("Tambahan"),
        blank_iki=f.blank_iki(), blank_ra=f.blank_rencana_aksi(), blank_output=f.blank_output(), diketik=False)
    main = html.split('<section class="ringkasan-galat"')[1].split("</section>", 1)[1]
    for name in known:
        shown = re.findall(r'<ul class="field-errors" id="err-([^"]+)"><li>PESAN&lt;' + re.escape(name) + "&gt;", main)
        assert shown, f"no error shown for {name}"
    # every named field is a name the mapping knows (a field the mapping misses would never show its error)
    names = set(re.findall(r'name="([^"]+)" data-name', main.split("<template")[0]))
    assert names - known <= {n for n in names if n.endswith((".id", "._lain", ".jenis")) and n.count("[") <= 2} | {
        n for n in names if n.endswith("._lain") or n.endswith(".id")}


def test_rows_added_and_removed_without_javascript():
    view = f.view_of(pppk_skp())
    f.apply_row_action(view, "tambah:hasil_kerja:Tambahan")
    assert view["hasil_kerja"][-1]["jenis"] == "Tambahan" and len(view["hasil_kerja"]) == 4
    f.apply_row_action(view, "tambah:hasil_kerja[0].iki")
    f.apply_row_action(view, "tambah:hasil_kerja[0].iki[0].rencana_aksi")
    f.apply_row_action(view, "tambah:hasil_kerja[0].iki[0].rencana_aksi[0].output")
    assert len(view["hasil_kerja"][0]["iki"]) == 2
    assert len(view["hasil_kerja"][0]["iki"][0]["rencana_aksi"][0]["output"]) == 2
    f.apply_row_action(view, "hapus:hasil_kerja[1]")
    assert [r["id"] for r in view["hasil_kerja"][:2]] == ["rhk-1", "rhk-3"]
    before = json.dumps(view)
    for bad in ("hapus:periode", "tambah:periode", "hapus:hasil_kerja[99]", "tambah:x[0].y", "hapus:lampiran",
                "nonsense", "tambah:hasil_kerja[0].iki[0].target"):
        f.apply_row_action(view, bad)
    assert json.dumps(view) == before


def test_a_new_draft_and_a_hostile_form():
    view = f.new_draft(dt.date(2026, 12, 1))
    assert view["periode"] == {"mulai": "2026-01-01", "selesai": "2026-12-31"}
    assert [r["jenis"] for r in view["hasil_kerja"]] == ["Utama"]
    assert len(view["perilaku_kerja"]) == 7
    tree = f.form_tree([("hasil_kerja[100000000].uraian", "x"), ("hasil_kerja.uraian", "y"), ("periode[0]", "z"),
                        ("__class__", "q"), ("a]b", "c"), ("csrftoken", "t")])
    assert "csrftoken" not in tree and "a]b" not in tree
    content = f.content_of(tree)  # wrong shapes are ignored, never trusted
    assert content["hasil_kerja"] == [] and content["periode"] == {"mulai": None, "selesai": None}
    assert "__class__" not in content


def test_service_messages_and_the_diff_read_in_indonesian():
    assert f.pesan("Nilai target wajib diisi (the target value is required).") == "Nilai target wajib diisi."
    assert f.pesan("Sudah benar.") == "Sudah benar."
    assert f.pesan("Input should be a valid decimal") == "Harus berupa angka, misalnya 12 atau 12,5."
    assert f.pesan("Field required") == "Wajib diisi."
    assert f.pesan("String should have at most 2000 characters") == "Terlalu panjang (paling banyak 2000 karakter)."
    assert f.pesan("Value error, Tanggal selesai sebelum mulai (end before start).") == "Tanggal selesai sebelum mulai."
    rows = f.diff_rows([
        {"path": "hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai", "kind": "changed", "before": "4", "after": "12"},
        {"path": "hasil_kerja[id=rhk-4]", "kind": "added", "before": None, "after": {"uraian": "Baru", "iki": []}},
        {"path": "perilaku_kerja[nilai=Akuntabel].ekspektasi_khusus", "kind": "changed", "before": None, "after": "Tepat"},
        {"path": "lampiran.konsekuensi", "kind": "changed", "before": ["a"], "after": ["a", "b"]},
        {"path": "hasil_kerja[id=rhk-1].iki[id=iki-2].target_triwulan", "kind": "changed", "before": None,
         "after": [None, None, "90", "95.5"]},
    ])
    assert rows[0] == {"field": "RHK rhk-1 › IKI iki-1 › target › nilai", "path": rows[0]["path"], "op": "diubah",
                       "before": "4", "after": "12"}
    assert rows[1]["op"] == "ditambah" and rows[1]["before"] == "-" and "uraian: Baru" in rows[1]["after"]
    assert rows[2]["field"] == "perilaku kerja Akuntabel › ekspektasi khusus"
    assert rows[3]["after"] == "a\nb"
    assert rows[4]["field"] == "RHK rhk-1 › IKI iki-2 › target triwulan"
    assert (rows[4]["before"], rows[4]["after"]) == ("-", "TW III: 90\nTW IV: 95,5")
