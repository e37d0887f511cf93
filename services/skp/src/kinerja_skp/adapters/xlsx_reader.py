"""Read an SKP from a workbook in the official layout (openpyxl).

The reader finds the blocks by their labels, not by fixed row numbers, so a
sheet typed by hand after the official form reads too: ids missing in
columns H-K are generated (``rhk-1``, ``iki-1``), a target is read from its
text ("12 Laporan", "80 - 90 %"), and the "Rincian Target" / "Rencana Aksi"
sheets are optional.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from decimal import Decimal
from typing import Any

from kinerja_contracts.calendar import NAMA_BULAN
from kinerja_platform.spreadsheet import XlsxLimits, bounded_rows, check_archive
from openpyxl import load_workbook

from ..domain.target_text import parse_target
from . import xlsx_layout as L


class WorkbookError(ValueError):
    """The workbook cannot be read as an SKP; ``problems`` name the cells."""

    def __init__(self, problems: list[dict[str, str]]):
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems


def _s(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip()
    return text or None


def _norm(v: Any) -> str:
    return " ".join((_s(v) or "").upper().split())


_TANGGAL = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})")


def _tanggal(text: str) -> dt.date | None:
    m = _TANGGAL.search(text)
    if not m:
        return None
    months = [b.lower() for b in NAMA_BULAN]
    if m.group(2).lower() not in months:
        return None
    return dt.date(int(m.group(3)), months.index(m.group(2).lower()) + 1, int(m.group(1)))


def parse_periode(text: str) -> dict[str, str] | None:
    """``PERIODE PENILAIAN: 1 September s.d. 31 Desember 2025`` (the first date may omit its year)."""
    body = text.split(":", 1)[-1]
    parts = re.split(r"\s+(?:s\.?\s*d\.?|sampai(?: dengan)?|-)\s+", body.strip(), maxsplit=1, flags=re.IGNORECASE)
    if len(parts) != 2:
        return None
    end = _tanggal(parts[1])
    if end is None:
        return None
    start = _tanggal(parts[0]) or _tanggal(f"{parts[0].strip()} {end.year}")
    if start is None:
        return None
    return {"mulai": start.isoformat(), "selesai": end.isoformat()}


def _jenis_pegawai(text: str | None) -> str | None:
    if not text:
        return None
    t = _norm(text).replace(" ", "_")
    return {"PNS": "PNS", "PPPK": "PPPK", "PPPK_PARUH_WAKTU": "PPPK_PARUH_WAKTU"}.get(t, text)


def _identity_label(label: Any) -> str | None:
    n = _norm(label)
    for lbl, field in L.IDENTITY:
        if n == lbl:
            return field
    return L.IDENTITY_ALIASES.get(n)


#: one SKP fills tens of rows; a few thousand is generous
SKP_LIMITS = XlsxLimits(max_rows=5_000)


def open_workbook(data: bytes, limits: XlsxLimits):
    """The workbook in openpyxl's read-only (streaming) mode, after the archive
    passed :func:`check_archive` (SpreadsheetTooLarge otherwise)."""
    check_archive(data, limits)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        raise WorkbookError([{"cell": "-", "message": f"Berkas bukan workbook XLSX yang sah (not a valid XLSX workbook): {exc}"}]) from exc


def read_skp(data: bytes, limits: XlsxLimits = SKP_LIMITS) -> dict[str, Any]:
    """The SKP content (API shape, not yet validated) from workbook bytes,
    read within ``limits`` (SpreadsheetTooLarge past them)."""
    deadline = time.monotonic() + limits.max_seconds  # opening counts: a sheet without <dimension> is scanned once
    wb = open_workbook(data, limits)
    try:
        return _read_skp(wb, limits, deadline)
    finally:
        wb.close()


def _read_skp(wb, limits: XlsxLimits, deadline: float) -> dict[str, Any]:
    if not wb.worksheets:
        raise WorkbookError([{"cell": "-", "message": "Workbook tanpa sheet (a workbook without sheets)"}])
    ws = wb[L.SHEET] if L.SHEET in wb.sheetnames else wb.worksheets[0]
    reader = _SkpSheet()
    for i, r in enumerate(bounded_rows(ws, limits, deadline=deadline)):
        reader.read_row(list(r) + [None] * 11, excel_row=i + 1)
    content = reader.finish()
    _merge_details(wb, content, limits, deadline)
    for r in content["hasil_kerja"]:
        for iki in r["iki"]:
            iki.pop("_cell", None)
    return content


class _SkpSheet:
    """The main sheet read row by row: each row is taken by the first part of
    the form that recognises it (period, meta, identity, section headers, a
    hasil kerja row, a perilaku row, a lampiran row)."""

    def __init__(self) -> None:
        self.problems: list[dict[str, str]] = []
        self.content: dict[str, Any] = {"hasil_kerja": [], "perilaku_kerja": [],
                                        "lampiran": {f: [] for _, f in L.LAMPIRAN}}
        self.section: str | None = None
        self.jenis_rhk = "Utama"
        self.rhk: dict | None = None
        self.lampiran_field: str | None = None
        self.identity_blocks: list[tuple[str, str | None]] = []
        self.people: dict[str, dict] = {}

    def read_row(self, row: list[Any], excel_row: int) -> None:
        a, b = _norm(row[0]), _norm(row[1])
        for part in (self._periode, self._meta, self._identity, self._section_header, self._hasil_row,
                     self._perilaku_row, self._lampiran_row):
            if part(row, a, b, excel_row):
                return

    def finish(self) -> dict[str, Any]:
        content, problems = self.content, self.problems
        for key in ("pegawai", "penilai", "atasan_pejabat_penilai"):
            if self.people.get(key):
                content[key] = self.people[key]
        if "periode" not in content and not any(p["cell"].startswith("A") for p in problems):
            problems.append({"cell": "A3", "message": "Baris 'PERIODE PENILAIAN: ...' tidak ditemukan (period row missing)"})
        if "pegawai" not in content:
            problems.append({"cell": "B", "message": f"Blok '{L.HDR_PEGAWAI}' tidak ditemukan (identity block missing)"})
        if problems:
            raise WorkbookError(problems)
        return content

    def _periode(self, row: list[Any], a: str, b: str, excel_row: int) -> bool:
        if not a.startswith(L.LBL_PERIODE):
            return False
        p = parse_periode(_s(row[0]) or "")
        if p is None:
            self.problems.append({"cell": f"A{excel_row}", "message": f"Periode tidak terbaca: {_s(row[0])!r} "
                                  "(period unreadable; write e.g. 'PERIODE PENILAIAN: 1 Januari s.d. 31 Desember 2026')"})
        else:
            self.content["periode"] = p
        return True

    def _meta(self, row: list[Any], a: str, b: str, excel_row: int) -> bool:
        if not (a in L.META and self.section is None):
            return False
        field = L.META[a]
        value = _s(row[2])
        if field == "jenis_pegawai":
            value = _jenis_pegawai(value)
        if value is not None:
            self.content[field] = value
        return True

    def _identity(self, row: list[Any], a: str, b: str, excel_row: int) -> bool:
        people = self.people
        if b == L.HDR_PEGAWAI:
            self.section = "identity"
            self.identity_blocks = [("pegawai", "penilai" if _norm(row[4]) == L.HDR_PENILAI else None)]
            for key, _ in self.identity_blocks:
                people.setdefault(key, {})
            people.setdefault("penilai", {})
        elif b == L.HDR_ATASAN:
            self.section = "identity"
            self.identity_blocks = [("atasan_pejabat_penilai", None)]
            people.setdefault("atasan_pejabat_penilai", {})
        elif self.section == "identity" and _identity_label(row[1]):
            left, right = self.identity_blocks[0]
            if (v := _s(row[2])) is not None:
                people[left][_identity_label(row[1])] = v
            if right and _identity_label(row[4]) and (v := _s(row[5])) is not None:
                people[right][_identity_label(row[4])] = v
        else:
            return False
        return True

    def _section_header(self, row: list[Any], a: str, b: str, excel_row: int) -> bool:
        if a == "NO" and _norm(row[2]) == "RENCANA HASIL KERJA":
            self.section = "hasil"
        elif self.section == "hasil" and a in (L.SEC_UTAMA, L.SEC_TAMBAHAN):
            self.jenis_rhk = "Utama" if a == L.SEC_UTAMA else "Tambahan"
            self.rhk = None
        elif a == L.HDR_PERILAKU:
            self.section = "perilaku"
        elif a == L.HDR_LAMPIRAN:
            self.section = "lampiran"
        else:
            return False
        return True

    def _hasil_row(self, row: list[Any], a: str, b: str, excel_row: int) -> bool:
        if not (self.section == "hasil" and any(_s(x) for x in row[:11])):
            return False
        hasil_kerja = self.content["hasil_kerja"]
        if _s(row[0]) or _s(row[2]) or self.rhk is None:
            self.rhk = {"id": _s(row[7]) or f"rhk-{len(hasil_kerja) + 1}", "jenis": self.jenis_rhk,
                        "uraian": _s(row[2]) or "", "rhk_intervensi_uraian": _s(row[1]), "rhk_intervensi_id": _s(row[9]),
                        "iki": []}
            hasil_kerja.append(self.rhk)
        if _s(row[4]) or _s(row[5]):
            n_iki = sum(len(r["iki"]) for r in hasil_kerja) + 1
            target = parse_target(_s(row[5]))
            iki = {"id": _s(row[8]) or f"iki-{n_iki}", "aspek": (_s(row[3]) or "Kuantitas").capitalize(),
                   "indikator": _s(row[4]) or "",
                   "target": target.model_dump(mode="json", exclude_none=True) if target else None,
                   "_cell": f"F{excel_row}"}
            if _s(row[6]):
                iki["perspektif"] = _s(row[6])
            if _s(row[10]):
                iki["polaritas"] = _s(row[10])
            self.rhk["iki"].append(iki)
        return True

    def _perilaku_row(self, row: list[Any], a: str, b: str, excel_row: int) -> bool:
        if not (self.section == "perilaku" and _s(row[1])):
            return False
        self.content["perilaku_kerja"].append({"nilai": _s(row[1]), "ekspektasi_khusus": _s(row[5])})
        return True

    def _lampiran_row(self, row: list[Any], a: str, b: str, excel_row: int) -> bool:
        if self.section != "lampiran":
            return False
        labels = {lbl: f for lbl, f in L.LAMPIRAN}
        if a in labels:
            self.lampiran_field = labels[a]
        elif self.lampiran_field and _s(row[1]) and _s(row[0]) and _s(row[0]).isdigit():
            self.content["lampiran"][self.lampiran_field].append(_s(row[1]))
        elif _norm(row[1]) == _norm(L.SIGN_PEGAWAI):
            self.section = None
        return True


def _plain_number(v: Any) -> bool:
    s = _s(v)
    if s is None:
        return True
    try:
        Decimal(s)
    except ArithmeticError:
        return False
    return True


def _dec(v: Any) -> str | None:
    s = _s(v)
    return s if s is None else str(Decimal(s))


def _merge_details(wb, content: dict[str, Any], limits: XlsxLimits, deadline: float) -> None:
    ikis = {iki["id"]: iki for r in content["hasil_kerja"] for iki in r["iki"]}
    if L.SHEET_TARGET in wb.sheetnames:
        for row in bounded_rows(wb[L.SHEET_TARGET], limits, deadline=deadline, min_row=2):
            row = list(row) + [None] * 30
            iki = ikis.get(_s(row[0]) or "")
            if iki is None:
                continue
            detail = {"jenis": _s(row[1]), "nilai": _dec(row[2]), "minimum": _dec(row[3]), "maksimum": _dec(row[4]),
                      "deskripsi": _s(row[5]), "satuan": _s(row[6])}
            detail = {k: v for k, v in detail.items() if v is not None}
            if iki.get("target") and _same_target(iki["target"], detail):
                iki["target"] = detail  # exact spelling of the numbers and the unit
            if _s(row[7]):
                iki["triwulan_target"] = _s(row[7])
            if _s(row[26]):
                iki["sifat_target"] = _s(row[26]).lower()
            for flag, key, cells in ((row[24], "bulanan", row[8:20]), (row[25], "triwulan", row[20:24])):
                if _s(flag) != key:
                    continue
                if all(_plain_number(v) for v in cells):
                    iki[f"target_{key}"] = [_dec(v) for v in cells]
                else:  # "N/A", "80 - 100", "30 (maximize)": per-period targets as typed (shared rule)
                    iki.setdefault("target_periode", {})[key] = [_s(v) for v in cells]
    if L.SHEET_RA in wb.sheetnames:
        for row in bounded_rows(wb[L.SHEET_RA], limits, deadline=deadline, min_row=2):
            row = list(row) + [None] * 5
            iki = ikis.get(_s(row[0]) or "")
            if iki is None or not _s(row[2]):
                continue
            plans = iki.setdefault("rencana_aksi", [])
            k = int(_s(row[1]) or len(plans) or 1)
            while len(plans) < k:
                plans.append({"uraian": _s(row[2]), "output": []})
            if _s(row[3]):
                plans[k - 1]["output"].append({"uraian": _s(row[3]), "triwulan": _s(row[4])})


def _same_target(parsed: dict, detail: dict) -> bool:
    def num(v):
        return Decimal(v) if v is not None else None

    if parsed.get("jenis") != detail.get("jenis"):
        return False
    if parsed.get("jenis") == "deskriptif":
        return (parsed.get("deskripsi") or "") == (detail.get("deskripsi") or "")
    return all(num(parsed.get(k)) == num(detail.get(k)) for k in ("nilai", "minimum", "maksimum")) and \
        " ".join((parsed.get("satuan") or "").split()) == " ".join((detail.get("satuan") or "").split())
