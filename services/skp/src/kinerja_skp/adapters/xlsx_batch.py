"""Many SKPs in one workbook: sheet "Daftar SKP", one row per IKI.

Rows of one pegawai and period (NIP, PERIODE MULAI, PERIODE SELESAI) form
one SKP; within it, rows with the same JENIS RHK and RENCANA HASIL KERJA
form one RHK. The reader remembers which rows made each SKP and each IKI, so
the import can answer row by row.

Optional columns after TARGET (:data:`TARGET_COLUMNS`, labelled as in the
"Rincian Target" sheet of the one-SKP workbook): SIFAT TARGET (jumlah,
tingkat, waktu, biaya), TARGET JAN ... TARGET DES and TARGET TW I ... TARGET
TW IV, each cell a number, a range "80 - 100", "N/A", or a text with its
polarity "30 (maximize)": the IKI's ``sifat_target`` and ``target_periode``
(the shared rule, :mod:`kinerja_contracts.targets`). A workbook without them
reads as before. A cell the rule cannot read is reported on its row.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any

from kinerja_contracts.targets import format_target_periode
from kinerja_platform.spreadsheet import XlsxLimits, append, bounded_rows
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ..domain.model import SkpContent
from ..domain.target_text import parse_target
from .xlsx_reader import WorkbookError, _plain_number, _s, open_workbook

SHEET = "Daftar SKP"
COLUMNS = [
    ("NIP", "pegawai.nip"), ("NAMA", "pegawai.nama"), ("JENIS PEGAWAI", "jenis_pegawai"), ("NRK", "pegawai.nrk"),
    ("PANGKAT/GOL. RUANG", "pegawai.pangkat_golongan"), ("JABATAN", "pegawai.jabatan"), ("UNIT KERJA", "pegawai.unit_kerja"),
    ("INSTANSI", "pegawai.instansi"), ("E-MAIL", "pegawai.email"),
    ("NIP PENILAI", "penilai.nip"), ("NAMA PENILAI", "penilai.nama"), ("PANGKAT/GOL. RUANG PENILAI", "penilai.pangkat_golongan"),
    ("JABATAN PENILAI", "penilai.jabatan"), ("UNIT KERJA PENILAI", "penilai.unit_kerja"), ("E-MAIL PENILAI", "penilai.email"),
    ("PERIODE MULAI", "periode.mulai"), ("PERIODE SELESAI", "periode.selesai"), ("JENIS JABATAN", "jenis_jabatan"),
    ("PENDEKATAN", "pendekatan"), ("TANGGAL SK", "tanggal_sk"),
    ("JENIS RHK", "rhk.jenis"), ("RHK PIMPINAN YANG DIINTERVENSI", "rhk.rhk_intervensi_uraian"),
    ("RENCANA HASIL KERJA", "rhk.uraian"), ("ASPEK", "iki.aspek"), ("INDIKATOR KINERJA INDIVIDU", "iki.indikator"),
    ("TARGET", "iki.target"),
]
BULAN_SINGKAT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
#: optional per-IKI target columns (written by :func:`write_batch`; read when present)
TARGET_COLUMNS = [("SIFAT TARGET", "iki.sifat_target"),
                  *[(f"TARGET {b.upper()}", f"iki.bulanan.{i}") for i, b in enumerate(BULAN_SINGKAT)],
                  *[(f"TARGET TW {q}", f"iki.triwulan.{i}") for i, q in enumerate(("I", "II", "III", "IV"))]]
_JENIS_PEGAWAI = {"PNS": "PNS", "PPPK": "PPPK", "PPPK PARUH WAKTU": "PPPK_PARUH_WAKTU", "PPPK_PARUH_WAKTU": "PPPK_PARUH_WAKTU"}


@dataclass
class Group:
    """One SKP read from the sheet, with the rows it came from."""

    content: dict[str, Any]
    rows: list[int] = field(default_factory=list)
    iki_rows: dict[tuple[int, int], int] = field(default_factory=dict)  # (rhk index, iki index) -> row
    row_errors: list[dict[str, Any]] = field(default_factory=list)


def _date(v: Any) -> str | None:
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return _s(v)


BATCH_LIMITS = XlsxLimits()


def read_batch(data: bytes, limits: XlsxLimits = BATCH_LIMITS) -> list[Group]:
    """The SKPs of sheet "Daftar SKP", read within ``limits`` (SpreadsheetTooLarge past them)."""
    deadline = time.monotonic() + limits.max_seconds
    wb = open_workbook(data, limits)
    try:
        return _read_batch(wb, limits, deadline)
    finally:
        wb.close()


def _read_batch(wb, limits: XlsxLimits, deadline: float) -> list[Group]:
    if SHEET not in wb.sheetnames:
        raise WorkbookError([{"cell": "-", "message": f"Sheet '{SHEET}' tidak ditemukan (sheet missing)"}])
    rows = bounded_rows(wb[SHEET], limits, deadline=deadline)
    header = [(_s(h) or "").upper() for h in next(rows, [])]
    index = {}
    for label, key in COLUMNS:
        if label not in header:
            raise WorkbookError([{"cell": "1", "message": f"Kolom '{label}' tidak ada di baris judul (column missing)"}])
        index[key] = header.index(label)
    optional = {key: header.index(label) for label, key in TARGET_COLUMNS if label in header}
    groups: dict[tuple, Group] = {}
    for n, row in enumerate(rows, start=2):
        row = list(row) + [None] * len(header)
        if not any(_s(v) for v in row):
            continue
        get = {key: row[i] for key, i in index.items()}
        key = (_s(get["pegawai.nip"]), _date(get["periode.mulai"]), _date(get["periode.selesai"]))
        g = groups.get(key)
        if g is None:
            jp = (_s(get["jenis_pegawai"]) or "PNS").upper()
            content: dict[str, Any] = {
                "periode": {"mulai": key[1], "selesai": key[2]},
                "jenis_pegawai": _JENIS_PEGAWAI.get(jp, jp),
                "jenis_jabatan": _s(get["jenis_jabatan"]) or "pelaksana",
                "pendekatan": _s(get["pendekatan"]) or "kuantitatif",
                "pegawai": {}, "penilai": {}, "hasil_kerja": [],
            }
            if _date(get["tanggal_sk"]):
                content["tanggal_sk"] = _date(get["tanggal_sk"])
            for k, v in get.items():
                who, _, f = k.partition(".")
                if who in ("pegawai", "penilai") and _s(v) is not None:
                    content[who][f] = _s(v)
            content["penilai"].setdefault("instansi", content["pegawai"].get("instansi"))
            g = groups[key] = Group(content)
        g.rows.append(n)
        jenis = (_s(get["rhk.jenis"]) or "Utama").capitalize()
        uraian = _s(get["rhk.uraian"]) or ""
        rhks = g.content["hasil_kerja"]
        ri = next((i for i, r in enumerate(rhks) if r["jenis"] == jenis and r["uraian"] == uraian), None)
        if ri is None:
            rhks.append({"id": f"rhk-{len(rhks) + 1}", "jenis": jenis, "uraian": uraian,
                         "rhk_intervensi_uraian": _s(get["rhk.rhk_intervensi_uraian"]), "iki": []})
            ri = len(rhks) - 1
        if _s(get["iki.indikator"]) or _s(get["iki.target"]):
            ikis = rhks[ri]["iki"]
            target = parse_target(_s(get["iki.target"]))
            ikis.append({"id": f"iki-{sum(len(r['iki']) for r in rhks) + 1}", "aspek": (_s(get["iki.aspek"]) or "Kuantitas").capitalize(),
                         "indikator": _s(get["iki.indikator"]) or "",
                         "target": target.model_dump(mode="json", exclude_none=True) if target else None,
                         **_per_period({key: row[i] for key, i in optional.items()})})
            g.iki_rows[(ri, len(ikis) - 1)] = n
    return list(groups.values())


def _cell(v: Any) -> Any:
    """A per-period target cell as typed: numbers stay numbers, text is trimmed, empty is None."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return _s(v)


def _per_period(cells: dict[str, Any]) -> dict[str, Any]:
    """``sifat_target`` and ``target_periode`` of one IKI row from the optional
    columns. A group (months, quarters) with a cell written is the IKI's
    per-period targets, its empty cells not measured (the shared rule); the
    values go to the SKP model as typed, so a cell it cannot read is an error
    on this row."""
    out: dict[str, Any] = {}
    sifat = _s(cells.get("iki.sifat_target"))
    if sifat:
        out["sifat_target"] = sifat.lower()
    for name, n in (("bulanan", 12), ("triwulan", 4)):
        values = [_cell(cells.get(f"iki.{name}.{i}")) for i in range(n)]
        if all(v is None for v in values):
            continue
        if all(_plain_number(v) for v in values):  # plain numbers: the number lists, as the SKP workbook reads them
            out[f"target_{name}"] = [None if v is None else str(Decimal(_s(v) or "0")) for v in values]
        else:  # "N/A", "80 - 100", "30 (maximize)": per-period targets as typed
            out.setdefault("target_periode", {})[name] = values
    return out


def _target_cells(iki) -> list[Any]:
    """The optional target columns of one IKI (typed per-period targets, else the plain number lists)."""
    typed = iki.target_periode
    cells: list[Any] = [iki.sifat_target.value if iki.sifat_target else None]
    for name, plain, n in (("bulanan", iki.target_bulanan, 12), ("triwulan", iki.target_triwulan, 4)):
        written = getattr(typed, name) if typed is not None else None
        if written:
            cells += [format_target_periode(t) for t in written]
        elif plain:
            cells += list(plain)  # Decimal: a number cell
        else:
            cells += [None] * n
    return cells


def write_batch(contents: list[SkpContent]) -> bytes:
    """The same sheet from SKPs (a template, or an export of many)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([label for label, _ in COLUMNS + TARGET_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
    for c in contents:
        data = c.model_dump(mode="json")
        for rhk in c.hasil_kerja:
            for iki in rhk.iki or [None]:
                row = []
                for _, key in COLUMNS:
                    who, _, f = key.partition(".")
                    if who in ("pegawai", "penilai", "periode"):
                        row.append(data[who].get(f))
                    elif key == "jenis_pegawai":
                        row.append(data["jenis_pegawai"])
                    elif key in ("jenis_jabatan", "pendekatan", "tanggal_sk"):
                        row.append(data.get(key))
                    elif who == "rhk":
                        row.append(getattr(rhk, f) if f != "jenis" else rhk.jenis.value)
                    elif iki is None:
                        row.append(None)
                    elif key == "iki.target":
                        row.append(iki.target.teks() if iki.target else None)
                    elif key == "iki.aspek":
                        row.append(iki.aspek.value)
                    else:
                        row.append(iki.indikator)
                row += _target_cells(iki) if iki is not None else [None] * len(TARGET_COLUMNS)
                append(ws, row)  # values, never formulas
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
