"""Hostile files for the tests of issue 15: a zip-bomb workbook and a gzip bomb."""

from __future__ import annotations

import gzip
import io
import zipfile

from openpyxl import Workbook


def xlsx_bomb(cells: int = 1_000_000, columns: int = 50, sheet: str = "SKP") -> bytes:
    """A valid XLSX whose one sheet holds ``cells`` numeric cells in rows of
    ``columns``: tens of kilobytes that inflate to tens of megabytes."""
    wb = Workbook()
    wb.active.title = sheet
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main"><sheetData>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open(info.filename, "w") as f:
                    f.write(head.encode())
                    chunk = (row * 1000).encode()
                    for _ in range(cells // columns // 1000):
                        f.write(chunk)
                    f.write(b"</sheetData></worksheet>")
            else:
                dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def gzip_bomb(inflated: int = 16 * 1024 * 1024) -> bytes:
    """A gzip body of ~16 KB that inflates to ``inflated`` bytes of bulk JSON:
    ``{"items": [{}, {}, ...]}``, millions of objects once parsed."""
    n = (inflated - 14) // 3
    return gzip.compress(b'{"items": [' + b"{}," * n + b"{}]}", compresslevel=9)
