"""The monthly rekap (recapitulation) as an XLSX workbook in the official DKI column layout
("SHEET REKAP HASIL KERJA BULANAN"): one sheet per perangkat daerah."""

from __future__ import annotations

import datetime as dt
import io

from kinerja_platform.spreadsheet import cell_value, put
from kinerja_contracts.calendar import NAMA_BULAN, tanggal_indonesia
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

HEAD = ["No", "Nama", "NRK", "NIPPPK", "Jabatan", "Lokasi Kerja", "Capaian Hasil Kerja", "Jumlah Hari Kerja Efektif",
        "Ketidakhadiran", None, None, None, "Tanggal"]
SUB = ["Izin", "Cuti Sakit", "Cuti Melahirkan", "Alpa"]
WIDTHS = [5, 32, 12, 22, 32, 40, 14, 14, 8, 10, 12, 8, 24]


def _safe_title(name: str, used: set[str]) -> str:
    title = "".join(c for c in cell_value(name) if c not in "[]:*?/\\\ufffd").strip("'")[:28] or "Rekap"
    base, n = title, 2
    while title in used:
        title = f"{base[:25]} {n}"
        n += 1
    used.add(title)
    return title


def rekap_workbook(groups: list[dict], tahun: int, bulan: int, jenis_label: str, tanggal: dt.date) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    used: set[str] = set()
    for group in groups or [{"perangkat_daerah": "-", "pegawai": []}]:
        ws = wb.create_sheet(_safe_title(group["perangkat_daerah"], used))
        put(ws, 1, 1, f"Rekapitulasi Penilaian Kinerja dan Kehadiran Bulan {NAMA_BULAN[bulan - 1]} Tahun {tahun} - "
                    f"{jenis_label}").font = Font(bold=True)
        put(ws, 2, 1, f"Perangkat Daerah: {group['perangkat_daerah']}")
        for col, text in enumerate(HEAD, start=1):
            if text:
                ws.cell(row=4, column=col, value=text)
        for i, text in enumerate(SUB):
            ws.cell(row=5, column=9 + i, value=text)
        for col in list(range(1, 9)) + [13]:
            ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
        ws.merge_cells(start_row=4, start_column=9, end_row=4, end_column=12)
        for row in ws.iter_rows(min_row=4, max_row=5, max_col=13):
            for c in row:
                c.font, c.border = Font(bold=True), box
                c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        r = 6
        for p in group["pegawai"]:
            values = [p["no"], p["nama"], p["nrk"] or "belum terbit", p["nip"], p["jabatan"], p["lokasi_kerja"],
                      p["capaian_hasil_kerja"], p["hari_kerja_efektif"], p["izin"], p["cuti_sakit"],
                      p["cuti_melahirkan"], p["alpa"], p["keterangan"]]
            for col, v in enumerate(values, start=1):
                put(ws, r, col, v).border = box  # a value, never a formula
            ws.cell(row=r, column=7).number_format = "0.00"
            r += 1
        r += 1
        ws.cell(row=r, column=10, value=f"Jakarta, {tanggal_indonesia(tanggal)}")
        ws.cell(row=r + 1, column=10, value="Kepala Perangkat Daerah")
        ws.cell(row=r + 5, column=10, value="(.................................)")
        ws.cell(row=r + 6, column=10, value="NIP. ..............................")
        for i, w in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
