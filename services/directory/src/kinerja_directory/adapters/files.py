"""Reading an import file (CSV or XLSX) into rows keyed by the header's
column names (the layout is in docs/directory.md). Pure parsing of bytes: no
database, no network."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..domain.validation import header_problems

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 50_000


class FileProblem(ValueError):
    """The file cannot be read as an import at all (the job fails with these messages)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _csv_rows(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # a spreadsheet's "CSV" saved on Windows
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Indonesian Excel saves with semicolons
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise FileProblem([f"berkas XLSX tidak dapat dibaca (unreadable workbook): {exc}"]) from exc
    try:
        ws = wb["Pegawai"] if "Pegawai" in wb.sheetnames else wb.worksheets[0]
        return [list(row) for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(line number, {column: value}) for every non-empty row after the header."""
    raw = _xlsx_rows(data) if data[:4] == XLSX_MAGIC else _csv_rows(data)
    while raw and not any(v not in (None, "") for v in raw[0]):
        raw.pop(0)
    if not raw:
        raise FileProblem(["berkas kosong (the file is empty)"])
    header = ["" if h is None else str(h).strip().lower() for h in raw[0]]
    problems = header_problems(header)
    if problems:
        raise FileProblem(problems)
    rows = []
    for line, values in enumerate(raw[1:], start=2):
        if not any(v not in (None, "") and str(v).strip() for v in values):
            continue
        rows.append((line, {h: v for h, v in zip(header, values, strict=False) if h}))
    if len(rows) > MAX_ROWS:
        raise FileProblem([f"lebih dari {MAX_ROWS} baris (more than {MAX_ROWS} rows): split the file"])
    return rows
