import datetime as dt
import io

import pytest
from kinerja_platform.web.errors import ProblemError
from kinerja_evaluation.adapters.xlsx import rekap_workbook
from kinerja_evaluation.service_layer.kehadiran import KehadiranIn, parse_csv
from openpyxl import load_workbook

NIP = "199503152025212001"


def test_csv_with_bom_semicolons_and_optional_columns():
    data = f"\ufeffNIP;Hari_Kerja_Efektif;Izin;Alpa;Keterangan\n{NIP};21;1;0;izin 12 Sep\n\n".encode()
    (row,) = parse_csv(data)
    assert row == KehadiranIn(nip=NIP, hari_kerja_efektif=21, izin=1, keterangan="izin 12 Sep")


def test_csv_reports_every_bad_line():
    data = f"nip,hari_kerja_efektif,izin\n{NIP},21,0\n123,21,0\n{NIP},2,5\n".encode()
    with pytest.raises(ProblemError) as exc:
        parse_csv(data)
    paths = [e["path"] for e in exc.value.extra["errors"]]
    assert paths == ["line 3.nip", "line 4.baris"]


def test_csv_without_required_columns_or_not_utf8():
    with pytest.raises(ProblemError, match="hari_kerja_efektif"):
        parse_csv(b"nip,izin\n1,2\n")
    with pytest.raises(ProblemError):
        parse_csv("nip;hari_kerja_efektif\n\xff".encode("latin-1"))


def test_workbook_has_one_sheet_per_perangkat_daerah_and_signature_block():
    row = dict(no=1, nama="Siti", nrk=None, nip=NIP, jabatan="Pengelola", lokasi_kerja="Sudin", capaian_hasil_kerja=93.33,
               hari_kerja_efektif=21, izin=1, cuti_sakit=0, cuti_melahirkan=0, alpa=0, keterangan=None)
    groups = [{"perangkat_daerah": "Kelurahan Cawang", "pegawai": [row]},
              {"perangkat_daerah": "Kecamatan Kramat Jati", "pegawai": []}]
    wb = load_workbook(io.BytesIO(rekap_workbook(groups, 2026, 3, "PPPK Paruh Waktu", dt.date(2026, 4, 6))))
    assert wb.sheetnames == ["Kelurahan Cawang", "Kecamatan Kramat Jati"]
    ws = wb["Kelurahan Cawang"]
    assert ws["A1"].value == "Rekapitulasi Penilaian Kinerja dan Kehadiran Bulan Maret Tahun 2026 - PPPK Paruh Waktu"
    assert ws["A2"].value == "Perangkat Daerah: Kelurahan Cawang"
    assert ws["C6"].value == "belum terbit" and ws["G6"].value == 93.33
    texts = {c.value for r in ws.iter_rows(min_row=7) for c in r if c.value}
    assert {"Jakarta, 6 April 2026", "Kepala Perangkat Daerah"} <= texts


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","klik")', "=cmd|' /C calc'!A0", "+1", "@A1", "-1"])
def test_the_recap_writes_formula_like_text_as_text_and_survives_control_characters(text):
    from kinerja_platform.spreadsheet import formula_cells

    row = dict(no=1, nama=text, nrk=None, nip=NIP, jabatan=text + "\x00\x1b", lokasi_kerja=text, capaian_hasil_kerja=90,
               hari_kerja_efektif=21, izin=0, cuti_sakit=0, cuti_melahirkan=0, alpa=0, keterangan=text)
    groups = [{"perangkat_daerah": text + "\x01", "pegawai": [row]}]
    wb = load_workbook(io.BytesIO(rekap_workbook(groups, 2026, 3, "PPPK", dt.date(2026, 4, 6))))
    assert formula_cells(wb) == []
    ws = wb.worksheets[0]
    assert ws["B6"].value == text and ws["E6"].value == text + "\ufffd\ufffd"
