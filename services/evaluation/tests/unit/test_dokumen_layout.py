"""The document layouts, from data alone (no database)."""

import datetime as dt
import io

from kinerja_evaluation.adapters.dokumen import dokumen_pdf, dokumen_xlsx, lembar_bulanan_xlsx
from openpyxl import load_workbook

DATA = {
    "judul_periode": "Triwulan I 2026", "periode_mulai": dt.date(2026, 1, 1), "periode_selesai": dt.date(2026, 3, 31),
    "kind": "quarterly", "jenis_pegawai": "PNS", "instansi": "Pemerintah Provinsi DKI Jakarta",
    "pegawai": {"nama": "Siti", "nip": "199503152020122001", "pangkat": "Penata III/c", "jabatan": "Analis",
                "unit_kerja": "BKD"},
    "penilai": {"nama": "Budi", "nip": "197806102005011002"}, "atasan_pejabat_penilai": {},
    "dinilai_oleh": "197901012006011007", "capaian_organisasi": None, "capaian_hasil_kerja": "79,995 %",
    "rating_hasil_kerja": "Sesuai Ekspektasi", "rating_perilaku": "Sesuai Ekspektasi", "predikat": "Baik",
    "catatan": [], "tempat": "Jakarta", "tanggal": dt.date(2026, 4, 6),
    "hasil_kerja": [{"no": 1, "indikator": "Dokumen terarsip", "target_tahunan": "100 %", "target_periode": "100 %",
                     "realisasi": "79,995 %", "capaian": "79,995 %"}],
}


def test_dokumen_rows_and_fallbacks():
    ws = load_workbook(io.BytesIO(dokumen_xlsx(DATA))).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in cells for v in row if v is not None]
    assert ws["A2"].value == "PERIODE: TRIWULAN I 2026"
    assert "PERIODE PENILAIAN: 1 JANUARI 2026 s.d. 31 MARET 2026" in flat
    assert "belum ditetapkan" in flat  # no capaian kinerja organisasi recorded
    assert "Jakarta, 6 April 2026" in flat and "NIP. 197806102005011002" in flat
    assert [2, "NIP", "199503152020122001"] in cells  # a PNS: NIP, not NI PPPK


def test_pdf_and_sheet_render():
    assert dokumen_pdf(DATA)[:5] == b"%PDF-"
    ws = load_workbook(io.BytesIO(lembar_bulanan_xlsx(DATA))).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["No", "Indikator Kinerja Individu", "Target Tahunan", "Target Periode", "Realisasi", "Capaian"] in rows
