"""The SKP workbook (official layout) and the PDF, without a server."""

from __future__ import annotations

import io

import pytest
from kinerja_contracts.skp_diff import diff_skp
from kinerja_devstack.samples import pppk_skp
from kinerja_skp.adapters.pdf import render_pdf
from kinerja_skp.adapters.xlsx_batch import read_batch, write_batch
from kinerja_skp.adapters.xlsx_reader import WorkbookError, parse_periode, read_skp
from kinerja_skp.adapters.xlsx_writer import write_skp
from kinerja_skp.domain.model import SkpContent
from kinerja_skp.domain.target_text import parse_target
from openpyxl import Workbook, load_workbook


def rich_skp() -> SkpContent:
    d = pppk_skp()
    d["jenis_jabatan"] = "JPT"
    d["pendekatan"] = "kualitatif"
    d["tanggal_sk"] = "2025-08-25"
    d["tempat"] = "Jakarta"
    d["pegawai"]["nrk"] = "123456"
    for r in d["hasil_kerja"]:
        r["iki"][0]["perspektif"] = "Anggaran"
    d["hasil_kerja"][0]["rhk_intervensi_id"] = "atasan-1"
    d["hasil_kerja"][1]["iki"].append({
        "id": "iki-9", "aspek": "Kualitas", "indikator": "Tingkat kepuasan layanan", "perspektif": "Penerima Layanan",
        "target": {"jenis": "rentang", "minimum": "80", "maksimum": "90", "satuan": "%"}, "polaritas": "range",
        "target_triwulan": ["1", None, "2.50", None], "triwulan_target": "IV",
        "rencana_aksi": [{"uraian": "Survei kepuasan", "output": [{"uraian": "Kuesioner", "triwulan": "III"},
                                                                  {"uraian": "Laporan survei", "triwulan": "IV"}]}]})
    d["hasil_kerja"][2]["jenis"] = "Tambahan"
    d["hasil_kerja"][2]["iki"][0]["target"] = {"jenis": "deskriptif", "deskripsi": "Laporan diterima pimpinan tanpa revisi"}
    d["perilaku_kerja"][3]["ekspektasi_khusus"] = "Membantu rekan kerja yang membutuhkan"
    return SkpContent.model_validate(d)


def test_round_trip_loses_nothing():
    c = rich_skp()
    back = SkpContent.model_validate(read_skp(write_skp(c)))
    assert diff_skp(c, back) == []


def test_round_trip_keeps_typed_period_targets_and_the_kind():
    d = rich_skp().model_dump(mode="json")
    iki = d["hasil_kerja"][1]["iki"][1]
    iki["target_triwulan"] = None
    iki["sifat_target"] = "tingkat"
    iki["target_periode"] = {"triwulan": ["N/A", {"nilai": 30, "polaritas": "maximize"}, "N/A", "80 - 100 (stabilize)"]}
    c = SkpContent.model_validate(d)
    back = SkpContent.model_validate(read_skp(write_skp(c)))
    assert diff_skp(c, back) == []
    assert back.hasil_kerja[1].iki[1].target_periode == c.hasil_kerja[1].iki[1].target_periode
    assert back.hasil_kerja[1].iki[1].sifat_target == c.hasil_kerja[1].iki[1].sifat_target


def test_the_sheet_follows_the_official_form():
    wb = load_workbook(io.BytesIO(write_skp(rich_skp())))
    ws = wb["SKP"]
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row if v is not None]
    assert values[0][0] == "SASARAN KINERJA PEGAWAI"
    assert "PERIODE PENILAIAN: 1 September 2025 s.d. 31 Desember 2025" in flat
    for label in ("PEGAWAI YANG DINILAI", "PEJABAT PENILAI KINERJA", "A. UTAMA", "B. TAMBAHAN", "PERILAKU KERJA",
                  "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI", "INDIKATOR KINERJA INDIVIDU", "Pejabat Penilai Kinerja",
                  "80 - 90 %", "4 Laporan", "Ekspektasi Khusus Pimpinan:"):
        assert label in flat, label
    assert any("Ramah, cekatan, solutif" in v for v in flat)


def test_a_hand_typed_sheet_reads():
    wb = Workbook()
    ws = wb.active
    ws.title = "SKP"
    rows = [
        ["SASARAN KINERJA PEGAWAI"], ["PEMERINTAH PROVINSI DKI JAKARTA"],
        ["PERIODE PENILAIAN: 1 Januari s.d. 31 Desember 2026"],
        ["JENIS PEGAWAI", None, "PPPK Paruh Waktu"],
        ["NO", "PEGAWAI YANG DINILAI", None, "NO", "PEJABAT PENILAI KINERJA"],
        [1, "NAMA", "Siti Rahmawati", 1, "NAMA", "Budi Santoso"],
        [2, "NI PPPK", "199503152025212001", 2, "NIP", "197806102005011002"],
        [3, "PANGKAT/ GOL. RUANG", "IX", 3, "PANGKAT/ GOL. RUANG", "Pembina IV/a"],
        [],
        ["NO", "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI", "RENCANA HASIL KERJA", "ASPEK", "INDIKATOR KINERJA INDIVIDU", "TARGET"],
        ["A. UTAMA"],
        [1, "Terkelolanya sarpras", "Terlaksananya pemeriksaan alat", "Kuantitas", "Laporan pemeriksaan", "12 Laporan"],
        [None, None, None, "Waktu", "Ketepatan waktu laporan", "Setiap tanggal 5"],
        ["B. TAMBAHAN"],
        ["PERILAKU KERJA"],
        [1, "Berorientasi Pelayanan", "- ...", None, "Ekspektasi Khusus Pimpinan:", "Sabar melayani"],
    ]
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    c = SkpContent.model_validate(read_skp(buf.getvalue()))
    assert c.periode.mulai.isoformat() == "2026-01-01" and c.jenis_pegawai.value == "PPPK_PARUH_WAKTU"
    assert c.pegawai.nip == "199503152025212001" and c.penilai.pangkat_golongan == "Pembina IV/a"
    assert [(r.id, r.jenis.value, len(r.iki)) for r in c.hasil_kerja] == [("rhk-1", "Utama", 2)]
    assert c.hasil_kerja[0].iki[0].target.nilai == 12 and c.hasil_kerja[0].iki[1].target.jenis == "deskriptif"
    assert c.perilaku_kerja[0].ekspektasi_khusus == "Sabar melayani"


def test_unreadable_workbooks_name_the_problem():
    with pytest.raises(WorkbookError, match="bukan workbook"):
        read_skp(b"not a workbook")
    wb = Workbook()
    wb.active.append(["PERIODE PENILAIAN: kapan-kapan"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(WorkbookError) as exc:
        read_skp(buf.getvalue())
    assert {p["cell"] for p in exc.value.problems} >= {"A1"}


@pytest.mark.parametrize("text, expected", [
    ("PERIODE PENILAIAN: 1 September s.d. 31 Desember 2025", ("2025-09-01", "2025-12-31")),
    ("Periode : 1 Januari 2026 sampai dengan 31 Desember 2026", ("2026-01-01", "2026-12-31")),
])
def test_period_text(text, expected):
    p = parse_periode(text)
    assert (p["mulai"], p["selesai"]) == expected


@pytest.mark.parametrize("text, jenis, teks", [
    ("12 Laporan", "angka", "12 Laporan"), ("100%", "angka", "100 %"), ("80 - 90 %", "rentang", "80 - 90 %"),
    ("12,5 Jam", "angka", "12,5 Jam"), ("1.000 Dokumen", "angka", "1000 Dokumen"),
    ("Laporan diterima tanpa revisi", "deskriptif", "Laporan diterima tanpa revisi"),
])
def test_target_text(text, jenis, teks):
    t = parse_target(text)
    assert t.jenis == jenis and t.teks() == teks


def test_batch_sheet_groups_rows_into_skps():
    a = SkpContent.model_validate(pppk_skp())
    b = SkpContent.model_validate(pppk_skp(pegawai_nip="199001012015012003", pegawai_nama="Dewi"))
    groups = read_batch(write_batch([a, b]))
    assert len(groups) == 2 and groups[0].rows == [2, 3, 4] and groups[1].rows == [5, 6, 7]
    again = SkpContent.model_validate(groups[1].content)
    assert again.pegawai.nama == "Dewi" and [r.uraian for r in again.hasil_kerja] == [r.uraian for r in b.hasil_kerja]
    assert groups[1].iki_rows[(2, 0)] == 7


def test_pdf_has_the_signature_block():
    pdf = render_pdf(rich_skp(), version=3, content_hash="f" * 64, compress=False)
    assert pdf.startswith(b"%PDF")
    for text in (b"Pegawai yang Dinilai", b"Pejabat Penilai Kinerja", b"Siti Rahmawati", b"NIP 197806102005011002",
                 b"PERSPEKTIF", b"Disetujui pada versi 3"):
        assert text in pdf, text


def test_pdf_names_the_penilai_who_signed_and_a_plt():
    signer = {"nip": "198001012005011001", "nama": "Rina Wulandari, S.E."}
    pdf = render_pdf(rich_skp(), version=3, content_hash="f" * 64, signer=signer, decided_by="197501012000031001",
                     compress=False)
    assert b"Rina Wulandari" in pdf and b"NIP 198001012005011001" in pdf
    assert b"Plt./Plh. NIP 197501012000031001" in pdf


def test_batch_sheet_carries_sifat_target_and_per_period_targets():
    """Issue 16: the Daftar SKP sheet has SIFAT TARGET and TARGET JAN..DES / TW I..IV (as Rincian Target)."""
    import io

    from kinerja_contracts.targets import Polaritas, TargetPeriode
    from openpyxl import load_workbook

    d = pppk_skp()
    iki2 = d["hasil_kerja"][1]["iki"][0]
    iki2["sifat_target"] = "tingkat"
    iki2["target_periode"] = {"triwulan": ["N/A", "30 (maximize)", "N/A", "80 - 100 (stabilize)"]}
    a = SkpContent.model_validate(d)
    data = write_batch([a])
    ws = load_workbook(io.BytesIO(data))["Daftar SKP"]
    header = [c.value for c in ws[1]]
    assert header[-17:] == ["SIFAT TARGET", "TARGET JAN", "TARGET FEB", "TARGET MAR", "TARGET APR", "TARGET MEI",
                            "TARGET JUN", "TARGET JUL", "TARGET AGU", "TARGET SEP", "TARGET OKT", "TARGET NOV",
                            "TARGET DES", "TARGET TW I", "TARGET TW II", "TARGET TW III", "TARGET TW IV"]
    row3 = [c.value for c in ws[3]]
    assert row3[-17] == "tingkat" and row3[-4:] == ["N/A", "30 (maximize)", "N/A", "80 - 100 (stabilize)"]
    assert [c.value for c in ws[2]][-8:-4] == [1, 1, 1, 1]  # iki-1's plain monthly numbers Sep..Dec, as numbers
    again = SkpContent.model_validate(read_batch(data)[0].content)
    i1, i2 = again.hasil_kerja[0].iki[0], again.hasil_kerja[1].iki[0]
    assert i1.target_bulanan == a.hasil_kerja[0].iki[0].target_bulanan and i1.target_periode is None
    assert i2.sifat_target == "tingkat" and i2.target_periode.bulanan is None
    assert i2.target_periode.triwulan == [TargetPeriode(na=True), TargetPeriode(nilai=30, polaritas=Polaritas.higher_is_better),
                                          TargetPeriode(na=True),
                                          TargetPeriode(minimum=80, maksimum=100, polaritas=Polaritas.range)]
    # a sheet typed after the old template (no such columns) reads as before
    wb = load_workbook(io.BytesIO(data))
    wb["Daftar SKP"].delete_cols(len(header) - 16, 17)
    buf = io.BytesIO()
    wb.save(buf)
    old = SkpContent.model_validate(read_batch(buf.getvalue())[0].content)
    assert old.hasil_kerja[1].iki[0].sifat_target is None and old.hasil_kerja[1].iki[0].target_periode is None


def test_batch_sheet_cell_the_rule_cannot_read_fails_the_model_on_its_iki():
    import io

    from openpyxl import load_workbook
    from pydantic import ValidationError

    wb = load_workbook(io.BytesIO(write_batch([SkpContent.model_validate(pppk_skp())])))
    ws = wb["Daftar SKP"]
    header = [c.value for c in ws[1]]
    ws.cell(3, header.index("TARGET TW II") + 1).value = "banyak"
    ws.cell(3, header.index("SIFAT TARGET") + 1).value = "Tingkat"
    buf = io.BytesIO()
    wb.save(buf)
    group = read_batch(buf.getvalue())[0]
    iki = group.content["hasil_kerja"][1]["iki"][0]
    assert iki["sifat_target"] == "tingkat" and iki["target_periode"]["triwulan"][1] == "banyak"
    assert group.iki_rows[(1, 0)] == 3
    with pytest.raises(ValidationError) as exc:
        SkpContent.model_validate(group.content)
    assert "banyak" in str(exc.value) and "hasil_kerja.1.iki.0.target_periode" in str(exc.value)
