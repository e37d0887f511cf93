"""Layouts: the Dokumen Evaluasi Kinerja Pegawai (PDF and XLSX) and the DKI
per-pegawai monthly sheet (XLSX), from :func:`service_layer.dokumen.dokumen_data`.

The Dokumen Evaluasi's layout is a local choice: the official annex form is
not among the reference texts, so its parts borrow from the official forms
that are (identity blocks and signature of the SKP / DKI evaluation sheets,
the order of the deck's evaluation steps); docs/evaluation.md "Documents"
cites each part. The monthly sheet follows DKI 2026 "SHEET HASIL KERJA
BULANAN"."""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.fonts import FontFace
from kinerja_contracts.teks import BULAN
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

TITLE = "DOKUMEN EVALUASI KINERJA PEGAWAI"
IDENTITY = (("NAMA", "nama"), ("NIP", "nip"), ("PANGKAT/GOL. RUANG", "pangkat"), ("JABATAN", "jabatan"),
            ("UNIT KERJA", "unit_kerja"))
HEAD = FontFace(emphasis="BOLD", fill_color=(217, 225, 242))


def _tgl(d) -> str:
    return "" if d is None else f"{d.day} {BULAN[d.month - 1]} {d.year}"


def _tempat_tanggal(data: dict) -> str:
    return ", ".join(x for x in (data.get("tempat"), _tgl(data["tanggal"])) if x)


def _periode_label(data: dict) -> str:
    mulai, selesai = data.get("periode_mulai"), data.get("periode_selesai")
    return f"PERIODE PENILAIAN: {_tgl(mulai).upper()} s.d. {_tgl(selesai).upper()}" if mulai else ""


def _sections(data: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    for title, key in (("PEGAWAI YANG DINILAI", "pegawai"), ("PEJABAT PENILAI KINERJA", "penilai"),
                       ("ATASAN PEJABAT PENILAI KINERJA", "atasan_pejabat_penilai")):
        person = data.get(key) or {}
        rows = []
        for label, field in IDENTITY:
            value = person.get(field) or ("-" if field != "nip" else "")
            if field == "nip" and key == "pegawai" and data.get("jenis_pegawai", "PNS") != "PNS":
                label = "NI PPPK"
            rows.append((label, str(value or "-")))
        out.append((title, rows))
    out.append(("EVALUASI KINERJA", [
        ("CAPAIAN KINERJA ORGANISASI", data.get("capaian_organisasi") or "belum ditetapkan"),
        ("CAPAIAN HASIL KERJA", data.get("capaian_hasil_kerja") or "-"),
        ("RATING HASIL KERJA", data.get("rating_hasil_kerja") or "-"),
        ("RATING PERILAKU KERJA", data.get("rating_perilaku") or "-"),
        ("PREDIKAT KINERJA PEGAWAI", data.get("predikat") or "belum ditetapkan"),
    ]))
    return out


def _latin1(text: object) -> str:
    s = "" if text is None else str(text)
    for a, b in (("\u2013", "-"), ("\u2014", "-"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        s = s.replace(a, b)
    return s.encode("latin-1", "replace").decode("latin-1")


def dokumen_pdf(data: dict, *, compress: bool = True) -> bytes:
    """The Dokumen Evaluasi Kinerja Pegawai as a printable A4 PDF (core fonts: Latin-1)."""
    pdf = FPDF(orientation="P", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(_latin1(f"{TITLE} {data['pegawai'].get('nama', '')} {data['judul_periode']}"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _latin1(f"PERIODE: {data['judul_periode'].upper()}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, _latin1((data.get("instansi") or "").upper()), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, _latin1(_periode_label(data)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for n, (title, rows) in enumerate(_sections(data), start=1):
        with pdf.table(col_widths=(10, 60, 120), headings_style=HEAD, line_height=5) as table:
            table.row([str(n), title, ""])
            for i, (label, value) in enumerate(rows, start=1):
                table.row([str(i), label, _latin1(value)])
        pdf.ln(2)
    with pdf.table(col_widths=(10, 180), headings_style=HEAD, line_height=5) as table:
        table.row(["6", "CATATAN/REKOMENDASI"])
        for i, c in enumerate(data.get("catatan") or ["-"], start=1):
            table.row([str(i), _latin1(c)])
    pdf.ln(6)
    x = 120
    pdf.set_x(x)
    pdf.cell(0, 5, _latin1(_tempat_tanggal(data)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(x)
    pdf.cell(0, 5, "Pejabat Penilai Kinerja", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(16)
    pdf.set_x(x)
    pdf.cell(0, 5, _latin1(data["penilai"].get("nama", "")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(x)
    pdf.cell(0, 5, _latin1(f"NIP. {data['penilai'].get('nip') or '-'}"), new_x="LMARGIN", new_y="NEXT")
    if data.get("dinilai_oleh") and data["dinilai_oleh"] != data["penilai"].get("nip"):
        pdf.set_x(x)
        pdf.cell(0, 5, _latin1(f"dinilai oleh Plt/Plh atau penilai pengganti NIP {data['dinilai_oleh']}"),
                 new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def dokumen_xlsx(data: dict) -> bytes:
    """The same document as an XLSX sheet (the layout of the PDF, one row per field)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Dokumen Evaluasi"
    ws["A1"] = TITLE
    ws["A2"] = f"PERIODE: {data['judul_periode'].upper()}"
    ws["A3"] = (data.get("instansi") or "").upper()
    ws["A4"] = _periode_label(data)
    for c in ("A1", "A2"):
        ws[c].font = Font(bold=True)
    r = 6
    for n, (title, rows) in enumerate(_sections(data), start=1):
        for col, v in enumerate((n, title, None), start=1):
            cell = ws.cell(row=r, column=col, value=v)
            cell.font, cell.border = Font(bold=True), _BOX
        r += 1
        for i, (label, value) in enumerate(rows, start=1):
            for col, v in enumerate((i, label, value), start=1):
                ws.cell(row=r, column=col, value=v).border = _BOX
            r += 1
        r += 1
    ws.cell(row=r, column=1, value=6).font = Font(bold=True)
    ws.cell(row=r, column=2, value="CATATAN/REKOMENDASI").font = Font(bold=True)
    r += 1
    for i, c in enumerate(data.get("catatan") or ["-"], start=1):
        ws.cell(row=r, column=1, value=i)
        ws.cell(row=r, column=2, value=c)
        r += 1
    r += 1
    ws.cell(row=r, column=3, value=_tempat_tanggal(data))
    ws.cell(row=r + 1, column=3, value="Pejabat Penilai Kinerja")
    ws.cell(row=r + 5, column=3, value=data["penilai"].get("nama"))
    ws.cell(row=r + 6, column=3, value=f"NIP. {data['penilai'].get('nip') or '-'}")
    for col, w in zip("ABC", (6, 34, 70), strict=True):
        ws.column_dimensions[col].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_JENIS_LABEL = {"PPPK_PARUH_WAKTU": "Pegawai Pemerintah dengan Perjanjian Kerja Paruh Waktu",
                "PPPK": "Pegawai Pemerintah dengan Perjanjian Kerja", "PNS": "Pegawai Negeri Sipil"}


def _lembar_judul(data: dict) -> str:
    periode_kata = "Bulan" if data["kind"] == "monthly" else "Periode"
    jenis = _JENIS_LABEL.get(data["jenis_pegawai"], data["jenis_pegawai"])
    return f"Evaluasi Kinerja Bulanan Pegawai - {jenis} - {periode_kata} {data['judul_periode']}"


def _lembar_identitas(data: dict, key: str) -> list[tuple[str, str]]:
    person = data.get(key) or {}
    nip_label = "NI PPPK" if key == "pegawai" and data["jenis_pegawai"] != "PNS" else "NIP"
    return [(label, str(person.get(field) or "-")) for label, field in (
        ("Nama", "nama"), (nip_label, "nip"), ("Pangkat / Golongan Ruang", "pangkat"), ("Jabatan", "jabatan"),
        ("Unit Kerja", "unit_kerja"))]


def lembar_bulanan_pdf(data: dict, *, compress: bool = True) -> bytes:
    """The DKI 2026 monthly sheet of one pegawai as a printable A4 PDF."""
    pdf = FPDF(orientation="P", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(_latin1(_lembar_judul(data)))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(0, 5, _latin1(_lembar_judul(data)), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 9)
    for title, key in (("Identitas Pegawai yang Dinilai", "pegawai"), ("Identitas Pejabat Penilai Kinerja", "penilai")):
        with pdf.table(col_widths=(60, 130), headings_style=HEAD, line_height=5) as table:
            table.row([title, ""])
            for label, value in _lembar_identitas(data, key):
                table.row([label, _latin1(value)])
        pdf.ln(2)
    target_label = "Target Bulan" if data["kind"] == "monthly" else "Target Periode"
    with pdf.table(col_widths=(10, 80, 27, 27, 26, 20), headings_style=HEAD, line_height=5) as table:
        table.row(["No", "Indikator Kinerja Individu", "Target Tahunan", target_label, "Realisasi", "Capaian"])
        for row in data["hasil_kerja"]:
            table.row([str(row["no"]), _latin1(row["indikator"]), _latin1(row["target_tahunan"]),
                       _latin1(row["target_periode"]), _latin1(row["realisasi"]), _latin1(row["capaian"])])
        table.row(["", "Capaian Hasil Kerja", "", "", "", _latin1(data.get("capaian_hasil_kerja") or "-")])
    return bytes(pdf.output())


def lembar_bulanan_xlsx(data: dict) -> bytes:
    """The DKI 2026 "SHEET HASIL KERJA BULANAN" of one pegawai: Evaluasi Kinerja
    Bulanan Pegawai - <jenis> - Bulan <bulan>; identities; No, Indikator Kinerja
    Individu, Target Tahunan, Target Bulan, Realisasi, Capaian."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Hasil Kerja Bulanan"
    ws["A1"] = _lembar_judul(data)
    ws["A1"].font = Font(bold=True)
    r = 3
    for title, key in (("Identitas Pegawai yang Dinilai", "pegawai"), ("Identitas Pejabat Penilai Kinerja", "penilai")):
        ws.cell(row=r, column=1, value=title).font = Font(bold=True)
        r += 1
        for label, value in _lembar_identitas(data, key):
            ws.cell(row=r, column=2, value=label)
            ws.cell(row=r, column=3, value=value)
            r += 1
        r += 1
    ws.cell(row=r, column=1, value="Hasil Kerja").font = Font(bold=True)
    r += 1
    target_label = "Target Bulan" if data["kind"] == "monthly" else "Target Periode"
    for col, h in enumerate(("No", "Indikator Kinerja Individu", "Target Tahunan", target_label, "Realisasi", "Capaian"), 1):
        c = ws.cell(row=r, column=col, value=h)
        c.font, c.border = Font(bold=True), _BOX
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    r += 1
    for row in data["hasil_kerja"]:
        for col, v in enumerate((row["no"], row["indikator"], row["target_tahunan"], row["target_periode"],
                                 row["realisasi"], row["capaian"]), start=1):
            ws.cell(row=r, column=col, value=v).border = _BOX
        r += 1
    ws.cell(row=r, column=5, value="Capaian Hasil Kerja").font = Font(bold=True)
    ws.cell(row=r, column=6, value=data.get("capaian_hasil_kerja") or "-")
    for col, w in zip("ABCDEF", (6, 60, 18, 18, 18, 14), strict=True):
        ws.column_dimensions[col].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
