"""Write an SKP as a workbook in the official layout (openpyxl)."""

from __future__ import annotations

import io
from typing import Any

from kinerja_contracts.calendar import tanggal_indonesia
from kinerja_platform.spreadsheet import put
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from kinerja_contracts.targets import format_target_periode
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.model import JenisRhk, SkpContent, format_angka
from . import xlsx_layout as L

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="D9E1F2")
WIDTHS = {"A": 6, "B": 34, "C": 42, "D": 12, "E": 42, "F": 26, "G": 18, "H": 10, "I": 10, "J": 14, "K": 16}


def periode_text(c: SkpContent) -> str:
    return f"{L.LBL_PERIODE} {tanggal_indonesia(c.periode.mulai)} s.d. {tanggal_indonesia(c.periode.selesai)}"


class _Sheet:
    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 1

    def put(self, values: list[Any], *, bold: bool = False, box: bool = False, fill: bool = False) -> int:
        for col, v in enumerate(values, start=1):
            if v is None:
                continue
            cell = put(self.ws, self.row, col, v)  # a value, never a formula
            cell.alignment = WRAP
            if bold:
                cell.font = BOLD
            if box:
                cell.border = BOX
            if fill:
                cell.fill = HEAD
        self.row += 1
        return self.row - 1

    def skip(self, n: int = 1) -> None:
        self.row += n


def _identity(s: _Sheet, left: dict, right: dict | None, left_hdr: str, right_hdr: str | None) -> None:
    s.put(["NO", left_hdr, None, "NO", right_hdr] if right_hdr else ["NO", left_hdr], bold=True, box=True, fill=True)
    for n, (label, field) in enumerate(L.IDENTITY, start=1):
        row = [n, label, left.get(field)]
        if right is not None:
            row += [n, label, right.get(field)]
        s.put(row, box=True)


def _hasil_kerja(s: _Sheet, ws: Worksheet, c: SkpContent) -> None:
    """The RHK rows, Utama then Tambahan: one row per IKI, the RHK's cells merged."""
    n = 0
    for jenis, label in ((JenisRhk.Utama, L.SEC_UTAMA), (JenisRhk.Tambahan, L.SEC_TAMBAHAN)):
        s.put([label], bold=True)
        for rhk in [r for r in c.hasil_kerja if r.jenis == jenis]:
            n += 1
            ikis = rhk.iki or [None]
            first = s.row
            for k, iki in enumerate(ikis):
                row = [n, rhk.rhk_intervensi_uraian, rhk.uraian] if k == 0 else [None, None, None]
                if iki is not None:
                    row += [iki.aspek.value, iki.indikator, iki.target.teks() if iki.target else None,
                            iki.perspektif.value if iki.perspektif else None]
                else:
                    row += [None, None, None, None]
                row += [rhk.id if k == 0 else None, iki.id if iki else None, rhk.rhk_intervensi_id if k == 0 else None,
                        iki.polaritas.value if iki else None]
                s.put(row, box=True)
            if len(ikis) > 1:
                for col in (1, 2, 3):
                    ws.merge_cells(start_row=first, start_column=col, end_row=s.row - 1, end_column=col)


def _detail_sheets(wb: Workbook, c: SkpContent) -> None:
    """The "Rincian Target" and "Rencana Aksi" sheets (exact numbers, breakdowns, plans)."""
    t = wb.create_sheet(L.SHEET_TARGET)
    tsheet = _Sheet(t)
    tsheet.put(L.COLS_TARGET, bold=True, fill=True)
    ra = wb.create_sheet(L.SHEET_RA)
    rsheet = _Sheet(ra)
    rsheet.put(L.COLS_RA, bold=True, fill=True)
    for *_, iki in c.iter_iki():
        tg = iki.target
        typed = iki.target_periode
        months: list[object] = (
            [format_target_periode(t) for t in typed.bulanan] if typed and typed.bulanan
            else list(iki.target_bulanan or [None] * 12))
        quarters: list[object] = (
            [format_target_periode(t) for t in typed.triwulan] if typed and typed.triwulan
            else list(iki.target_triwulan or [None] * 4))
        tsheet.put([iki.id, tg.jenis if tg else None,
                    *(str(v) if v is not None else None for v in ((tg.nilai, tg.minimum, tg.maksimum) if tg else (None,) * 3)),
                    tg.deskripsi if tg else None, tg.satuan if tg else None,
                    iki.triwulan_target.value if iki.triwulan_target else None,
                    *(str(v) if v is not None else None for v in months),
                    *(str(v) if v is not None else None for v in quarters),
                    "bulanan" if iki.target_bulanan is not None or (typed and typed.bulanan) else None,
                    "triwulan" if iki.target_triwulan is not None or (typed and typed.triwulan) else None,
                    iki.sifat_target.value if iki.sifat_target else None])
        for k, plan in enumerate(iki.rencana_aksi, start=1):
            if not plan.output:
                rsheet.put([iki.id, k, plan.uraian, None, None])
            for o in plan.output:
                rsheet.put([iki.id, k, plan.uraian, o.uraian, o.triwulan.value])


def write_skp(content: SkpContent) -> bytes:
    c = content
    data = c.model_dump(mode="json")
    wb = Workbook()
    ws = wb.active
    ws.title = L.SHEET
    for col, w in WIDTHS.items():
        ws.column_dimensions[col].width = w
    s = _Sheet(ws)
    r = s.put([L.TITLE], bold=True)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=7)
    ws.cell(r, 1).alignment = Alignment(horizontal="center")
    s.put([(c.pegawai.instansi or "").upper()], bold=True)
    s.put([periode_text(c)])
    s.put(["JENIS PEGAWAI", None, L.JENIS_PEGAWAI_LABEL[c.jenis_pegawai.value]])
    s.put(["JENIS JABATAN", None, c.jenis_jabatan.value])
    s.put(["PENDEKATAN", None, c.pendekatan.value])
    s.put(["TANGGAL SK", None, c.tanggal_sk.isoformat() if c.tanggal_sk else None])
    s.put(["TEMPAT", None, c.tempat])
    s.skip()
    _identity(s, data["pegawai"], data["penilai"], L.HDR_PEGAWAI, L.HDR_PENILAI)
    if data.get("atasan_pejabat_penilai"):
        s.skip()
        _identity(s, data["atasan_pejabat_penilai"], None, L.HDR_ATASAN, None)
    s.skip()
    s.put([L.HDR_HASIL_KERJA], bold=True)
    s.put(L.COLS_HASIL_KERJA, bold=True, box=True, fill=True)
    _hasil_kerja(s, ws, c)
    s.skip()
    s.put([L.HDR_PERILAKU], bold=True)
    for n, p in enumerate(c.perilaku_kerja, start=1):
        s.put([n, p.nilai.value, "\n".join(f"- {line}" for line in p.panduan), None, L.LBL_EKSPEKTASI, p.ekspektasi_khusus],
              box=True)
    s.skip()
    s.put([L.HDR_LAMPIRAN], bold=True)
    for label, field in L.LAMPIRAN:
        s.put([label], bold=True)
        for n, line in enumerate(getattr(c.lampiran, field), start=1):
            s.put([n, line])
    s.skip()
    tempat = c.tempat or "(tempat)"
    s.put([None, None, None, None, f"{tempat}, (tanggal, bulan, tahun)"])
    s.put([None, L.SIGN_PEGAWAI, None, None, L.SIGN_PENILAI], bold=True)
    s.skip(3)
    s.put([None, c.pegawai.nama, None, None, c.penilai.nama])
    s.put([None, f"NIP {c.pegawai.nip}", None, None, f"NIP {c.penilai.nip}"])

    _detail_sheets(wb, c)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["format_angka", "write_skp"]
