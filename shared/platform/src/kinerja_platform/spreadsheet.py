"""Spreadsheets in and out, within limits (every XLSX the system reads or writes).

Reading: an XLSX is a zip archive, so a 55 KB upload can hold a million
cells. :func:`check_archive` measures the archive *before* a workbook library
sees it (members, and their inflated size, counted while inflating, not
taken from the archive's own directory), and :func:`bounded_rows` reads a
sheet row by row (openpyxl's read-only mode streams) with caps on rows,
columns and time. Both raise :class:`SpreadsheetTooLarge`, which the API
answers with 413.

Writing: :func:`put` and :func:`append` write a value so that it stays a
value: a text that a spreadsheet would take as a formula (it starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written as a text
cell with Excel's quote prefix, and characters XML cannot carry (control
characters) are replaced by U+FFFD instead of failing the whole export.

The functions use only the public cell API of openpyxl (``cell.value``,
``cell.data_type``, ``cell.quotePrefix``); this module does not import it, so
the platform does not depend on it.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: what makes a spreadsheet read a text as a formula (OWASP "CSV injection", the same in XLSX)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: characters XML 1.0 cannot carry (openpyxl refuses them with IllegalCharacterError)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class SpreadsheetTooLarge(ValueError):
    """The workbook is over a limit; the message says which (HTTP 413)."""


@dataclass(frozen=True)
class XlsxLimits:
    """Caps on one uploaded workbook (docs/reliability.md, "Limits")."""

    max_uncompressed_bytes: int = 24 * 1024 * 1024
    max_members: int = 500
    #: a part that inflates to more than this many times its compressed size (past 1 MB) is a bomb; real
    #: sheets inflate 5-20 times (Apache POI's ZipSecureFile uses the same rule)
    max_ratio: float = 100.0
    max_rows: int = 50_000
    max_columns: int = 64
    max_seconds: float = 30.0


def check_archive(data: bytes, limits: XlsxLimits) -> None:
    """Refuse a workbook whose archive is over the limits, before it is parsed.

    The inflated size is counted while inflating each member in 64 KB steps
    (the sizes in the archive's directory can lie), so at most
    ``max_uncompressed_bytes`` are inflated and none of it is kept. A file
    that is no zip archive passes: the workbook reader then says it is not a
    workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise SpreadsheetTooLarge(f"workbook has {len(members)} parts (at most {limits.max_members})")
        total = 0
        for info in members:
            total += info.file_size
            if total > limits.max_uncompressed_bytes:
                break
        if total > limits.max_uncompressed_bytes:
            raise SpreadsheetTooLarge(_too_big(limits))
        total = 0
        for info in members:
            inflated = 0
            try:
                with archive.open(info) as member:
                    while chunk := member.read(65536):
                        total += len(chunk)
                        inflated += len(chunk)
                        if total > limits.max_uncompressed_bytes:
                            raise SpreadsheetTooLarge(_too_big(limits))
                        if inflated > _RATIO_FLOOR and inflated > limits.max_ratio * max(info.compress_size, 1):
                            raise SpreadsheetTooLarge(f"part {info.filename!r} inflates more than {limits.max_ratio:g} times "
                                                      "(a zip bomb)")
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as exc:
                if isinstance(exc, SpreadsheetTooLarge):
                    raise
                return  # a broken archive: the workbook reader reports it


_RATIO_FLOOR = 1024 * 1024


def _too_big(limits: XlsxLimits) -> str:
    return f"workbook inflates to more than {limits.max_uncompressed_bytes} bytes"


def bounded_rows(ws, limits: XlsxLimits, *, deadline: float, min_row: int = 1) -> Iterator[tuple[Any, ...]]:
    """The rows of a (read-only) worksheet as tuples of at most
    ``max_columns`` values; :class:`SpreadsheetTooLarge` past ``max_rows`` or
    past ``deadline`` (a ``time.monotonic()`` value)."""
    for n, row in enumerate(ws.iter_rows(min_row=min_row, max_col=limits.max_columns, values_only=True), start=1):
        if n > limits.max_rows:
            raise SpreadsheetTooLarge(f"sheet '{ws.title}' has more than {limits.max_rows} rows")
        if n % 256 == 0 and time.monotonic() > deadline:
            raise SpreadsheetTooLarge(f"reading the workbook took more than {limits.max_seconds:g} s")
        yield row


def cell_value(value: Any) -> Any:
    """``value`` with the characters XML cannot carry replaced by U+FFFD."""
    if isinstance(value, str) and _ILLEGAL.search(value):
        return _ILLEGAL.sub("\ufffd", value)
    return value


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def as_text(cell) -> None:
    """Make a cell that holds formula-like text a text cell with the quote prefix."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def put(ws, row: int, column: int, value: Any):
    """Write ``value`` to a cell as a value, never a formula; the cell."""
    cell = ws.cell(row=row, column=column)
    cell.value = cell_value(value)
    as_text(cell)
    return cell


def append(ws, values) -> None:
    """``ws.append(values)``, every value written as a value, never a formula."""
    ws.append([cell_value(v) for v in values])
    for cell in ws[ws.max_row]:
        as_text(cell)


def formula_cells(wb) -> list[str]:
    """Where a workbook holds a formula or an unquoted formula-like text
    (``Sheet!A1``); empty for every workbook Kinerja writes (tests use it)."""
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (is_formula_like(cell.value) and not cell.quotePrefix):
                    found.append(f"{ws.title}!{cell.coordinate}")
    return found
