"""A printable PDF of an approved SKP, with the signature block (fpdf2)."""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF
from fpdf.fonts import FontFace
from kinerja_contracts.calendar import tanggal_indonesia

from ..domain.model import JenisJabatan, JenisRhk, SkpContent
from . import xlsx_layout as L
from .xlsx_writer import periode_text

HEAD = FontFace(emphasis="BOLD", fill_color=(217, 225, 242))


def _t(text: object) -> str:
    """Core PDF fonts are Latin-1: replace what they cannot draw."""
    s = "" if text is None else str(text)
    s = s.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return s.encode("latin-1", "replace").decode("latin-1")


def render_pdf(content: SkpContent, *, version: int, content_hash: str, approved_at: dt.date | None = None,
               signer: dict | None = None, decided_by: str | None = None, compress: bool = True) -> bytes:
    """``signer`` is the penilai who approved (after a reassignment not the one
    in the content); ``decided_by`` the NIP of a Plt/Plh who signed for them."""
    c = content
    signer_nama = (signer or {}).get("nama") or c.penilai.nama
    signer_nip = (signer or {}).get("nip") or c.penilai.nip
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(_t(f"SKP {c.pegawai.nama} {c.periode.mulai.year}"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, L.TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _t((c.pegawai.instansi or "").upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 6, _t(periode_text(c)), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    pdf.set_font("Helvetica", "", 8)
    with pdf.table(col_widths=(8, 40, 85, 8, 40, 85), headings_style=HEAD, line_height=4.5) as table:
        table.row(["NO", L.HDR_PEGAWAI, "", "NO", L.HDR_PENILAI, ""])
        for n, (label, field) in enumerate(L.IDENTITY[:7], start=1):
            lbl = "NI PPPK" if field == "nip" and c.jenis_pegawai.value != "PNS" else label
            table.row([str(n), lbl, _t(getattr(c.pegawai, field)), str(n), label, _t(getattr(c.penilai, field))])
    pdf.ln(3)

    jpt = c.jenis_jabatan == JenisJabatan.JPT
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 6, L.HDR_HASIL_KERJA, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    heads = ["NO", "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI", "RENCANA HASIL KERJA", "ASPEK",
             "INDIKATOR KINERJA INDIVIDU", "TARGET"] + (["PERSPEKTIF"] if jpt else [])
    widths = (8, 55, 65, 18, 70, 30) + ((20,) if jpt else ())
    with pdf.table(col_widths=widths, headings_style=HEAD, line_height=4.5) as table:
        table.row(heads)
        n = 0
        for jenis, label in ((JenisRhk.Utama, L.SEC_UTAMA), (JenisRhk.Tambahan, L.SEC_TAMBAHAN)):
            table.row([label] + [""] * (len(heads) - 1))
            for rhk in [r for r in c.hasil_kerja if r.jenis == jenis]:
                n += 1
                for k, iki in enumerate(rhk.iki or [None]):
                    row = [str(n), _t(rhk.rhk_intervensi_uraian), _t(rhk.uraian)] if k == 0 else ["", "", ""]
                    row += [_t(iki.aspek.value), _t(iki.indikator), _t(iki.target.teks() if iki.target else "")] if iki else ["", "", ""]
                    if jpt:
                        row.append(_t(iki.perspektif.value if iki and iki.perspektif else ""))
                    table.row(row)
    pdf.ln(3)

    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 6, L.HDR_PERILAKU, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    with pdf.table(col_widths=(8, 150, 110), headings_style=HEAD, line_height=4.5) as table:
        table.row(["NO", "PERILAKU KERJA", "EKSPEKTASI KHUSUS PIMPINAN"])
        for n, p in enumerate(c.perilaku_kerja, start=1):
            text = p.nilai.value + "\n" + "\n".join(f"- {line}" for line in p.panduan)
            table.row([str(n), _t(text), _t(p.ekspektasi_khusus or "")])

    if any(getattr(c.lampiran, f) for _, f in L.LAMPIRAN):
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 6, L.HDR_LAMPIRAN, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        for label, field in L.LAMPIRAN:
            pdf.set_font("Helvetica", "B", 8)
            pdf.cell(0, 5, label, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 8)
            for n, line in enumerate(getattr(c.lampiran, field), start=1):
                pdf.multi_cell(0, 4.5, _t(f"{n}. {line}"), new_x="LMARGIN", new_y="NEXT")

    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(6)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    when = tanggal_indonesia(approved_at) if approved_at else "(tanggal, bulan, tahun)"
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(half, 5, "")
    pdf.cell(half, 5, _t(f"{c.tempat or '(tempat)'}, {when}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(half, 5, L.SIGN_PEGAWAI, align="C")
    pdf.cell(half, 5, L.SIGN_PENILAI, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(18)
    pdf.set_font("Helvetica", "BU", 9)
    pdf.cell(half, 5, _t(c.pegawai.nama), align="C")
    pdf.cell(half, 5, _t(signer_nama), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(half, 5, _t(f"NIP {c.pegawai.nip}"), align="C")
    pdf.cell(half, 5, _t(f"NIP {signer_nip}"), align="C", new_x="LMARGIN", new_y="NEXT")
    if decided_by and decided_by != signer_nip:
        pdf.cell(half, 5, "")
        pdf.cell(half, 5, _t(f"ditandatangani oleh Plt./Plh. NIP {decided_by}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 7)
    pdf.cell(0, 4, _t(f"Disetujui pada versi {version}; sidik isi (sha256) {content_hash}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
