"""The admin pages' pure rules: counts per unit, the predikat chart, form fields <-> API JSON.

No I/O here: the routes (``kinerja_portal.routes.admin``) fetch the pages of the
services' lists and hand them to these functions.

Counts of SKPs by status per unit: the skp service has no aggregate endpoint,
so :func:`count_by_unit` sums the admin listing (``GET /api/v1/skp``, pages of
at most 500) in the portal.

The expected predikat curve ("kurva distribusi"): the regulation draws one
curve per capaian kinerja organisasi (BKN, Pengelolaan Kinerja PermenPANRB
6/2022, "KURVA DISTRIBUSI PREDIKAT KINERJA PEGAWAI DENGAN CAPAIAN KINERJA
ORGANISASI ISTIMEWA / BAIK / KURANG", ../shared/reference, lines 842-866) but
gives no figures in its text ("KURVA BUKANLAH FORCED DISTRIBUSI, MELAINKAN
SEBAGAI PANDUAN"). So the expected shares are a setting of the portal
(``KINERJA_PORTAL_ADMIN_KURVA_DISTRIBUSI``), parsed by :func:`parse_kurva`;
unset, the chart shows no expected curve and says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: SKP statuses, in the order of the cycle
STATUSES: tuple[str, ...] = ("Draft", "Pending", "Revisi", "Approved")

#: predikat kinerja pegawai, lowest to highest (the chart's x axis, left to right; the curves' order)
PREDIKAT: tuple[str, ...] = ("Sangat Kurang", "Kurang/Misconduct", "Butuh Perbaikan", "Baik", "Sangat Baik")

#: capaian kinerja organisasi levels the evaluation service records
CAPAIAN_ORGANISASI: tuple[str, ...] = ("Istimewa", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")

NO_UNIT = "(tanpa unit kerja)"
NIP_RE = re.compile(r"^[0-9]{18}$")


# --- counts of SKPs by status per unit -------------------------------------------------------------


@dataclass
class UnitCounts:
    unit_kerja: str
    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def count_by_unit(items: Iterable[Mapping[str, Any]]) -> list[UnitCounts]:
    """SKP summaries (items of ``GET /api/v1/skp``) -> counts by status per unit kerja, units by name,
    the SKPs without a unit last. An unknown status is counted under its own name."""
    units: dict[str, UnitCounts] = {}
    for item in items:
        unit = str(item.get("unit_kerja") or NO_UNIT)
        status = str(item.get("status") or "")
        row = units.setdefault(unit, UnitCounts(unit))
        row.counts[status] = row.counts.get(status, 0) + 1
    return sorted(units.values(), key=lambda u: (u.unit_kerja == NO_UNIT, u.unit_kerja.casefold()))


def totals(rows: Iterable[UnitCounts]) -> UnitCounts:
    out = UnitCounts("Jumlah")
    for r in rows:
        for k, v in r.counts.items():
            out.counts[k] = out.counts.get(k, 0) + v
    return out


# --- the expected curve (a setting) -----------------------------------------------------------------


class KurvaInvalid(ValueError):
    """The setting's value is not a curve per capaian organisasi."""


def parse_kurva(raw: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """``{capaian organisasi: {predikat: share}}``; every share 0..1 (or a percent 0..100, then all of
    that curve are), every curve summing to 1 (± 0.01). Unset (None or empty): ``{}``, no curve."""
    if not raw:
        return {}
    out: dict[str, dict[str, float]] = {}
    for level, curve in raw.items():
        if level not in CAPAIAN_ORGANISASI:
            raise KurvaInvalid(f"capaian organisasi tidak dikenal: {level!r} (pilihan: {', '.join(CAPAIAN_ORGANISASI)})")
        if not isinstance(curve, Mapping):
            raise KurvaInvalid(f"kurva {level}: harus berupa pasangan predikat: bagian")
        unknown = [k for k in curve if k not in PREDIKAT]
        if unknown:
            raise KurvaInvalid(f"kurva {level}: predikat tidak dikenal {unknown!r}")
        try:
            shares = {p: float(curve.get(p, 0) or 0) for p in PREDIKAT}
        except (TypeError, ValueError) as exc:
            raise KurvaInvalid(f"kurva {level}: bagian harus berupa angka") from exc
        if any(v < 0 for v in shares.values()):
            raise KurvaInvalid(f"kurva {level}: bagian tidak boleh negatif")
        total = sum(shares.values())
        if total > 1.5:  # given in percent
            shares = {p: v / 100 for p, v in shares.items()}
            total = total / 100
        if abs(total - 1) > 0.01:
            raise KurvaInvalid(f"kurva {level}: jumlah bagian {total:.2f}, harus 1 (100 %)")
        out[level] = shares
    return out


# --- the chart: bars of the unit's distribution, the expected curve over them ------------------------


@dataclass(frozen=True)
class Bar:
    predikat: str
    jumlah: int
    persen: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """An SVG chart in user units: bars (the unit's share per predikat), the expected curve as polyline
    points (empty when there is none), the y gridlines at 0, 25, 50, 75, 100 %."""

    width: int
    height: int
    left: int
    top: int
    plot_height: int
    bars: tuple[Bar, ...]
    expected_points: str
    expected: tuple[tuple[str, float, float, float], ...]  # predikat, share in %, x, y
    grid: tuple[tuple[int, float], ...]
    total: int

    @property
    def baseline(self) -> float:
        return float(self.top + self.plot_height)


def shares(dist: Mapping[str, int]) -> dict[str, float]:
    total = sum(int(dist.get(p, 0) or 0) for p in PREDIKAT)
    return {p: (int(dist.get(p, 0) or 0) / total if total else 0.0) for p in PREDIKAT}


def chart(dist: Mapping[str, int], expected: Mapping[str, float] | None, *, width: int = 520,
          height: int = 240) -> Chart:
    """The unit's predikat distribution (counts) as bars of its shares, with ``expected`` (shares 0..1)
    as a curve through the bars' centres. The y axis is 0..100 %."""
    left, top, right, bottom = 44, 12, 8, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(PREDIKAT)
    bar_w = slot * 0.6
    s = shares(dist)
    total = sum(int(dist.get(p, 0) or 0) for p in PREDIKAT)
    bars = []
    for i, p in enumerate(PREDIKAT):
        h = round(s[p] * plot_h, 2)
        x = round(left + i * slot + (slot - bar_w) / 2, 2)
        bars.append(Bar(p, int(dist.get(p, 0) or 0), round(s[p] * 100, 1), x, round(top + plot_h - h, 2),
                        round(bar_w, 2), h))
    exp: list[tuple[str, float, float, float]] = []
    if expected:
        for i, p in enumerate(PREDIKAT):
            v = float(expected.get(p, 0.0))
            exp.append((p, round(v * 100, 1), round(left + i * slot + slot / 2, 2), round(top + plot_h - v * plot_h, 2)))
    points = " ".join(f"{x:g},{y:g}" for _, _, x, y in exp)
    grid = tuple((pct, round(top + plot_h - pct / 100 * plot_h, 2)) for pct in (0, 25, 50, 75, 100))
    return Chart(width, height, left, top, plot_h, tuple(bars), points, tuple(exp), grid, total)


# --- forms -> API JSON --------------------------------------------------------------------------------

Errors = dict[str, list[str]]


def _date(value: str, name: str, errors: Errors) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        errors.setdefault(name, []).append("Wajib diisi.")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.setdefault(name, []).append("Tanggal tidak sah (TTTT-BB-HH).")
        return None


def _nip(value: str, name: str, errors: Errors) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(name, []).append("Wajib dipilih.")
    elif not NIP_RE.match(value):
        errors.setdefault(name, []).append("NIP harus 18 angka.")
    return value


def penugasan_payload(form: Mapping[str, str]) -> tuple[dict[str, Any], Errors]:
    """The Plt/Plh form -> the body of approval ``POST /penugasan`` and evaluation ``POST /penugasan-penilai``
    (the same fields), and the errors by field."""
    errors: Errors = {}
    delegate = _nip(form.get("delegate_nip", ""), "delegate_nip", errors)
    penilai = _nip(form.get("penilai_nip", ""), "penilai_nip", errors)
    if delegate and penilai and delegate == penilai and "delegate_nip" not in errors:
        errors.setdefault("delegate_nip", []).append("Plt/Plh tidak boleh pejabat penilai itu sendiri.")
    jenis = (form.get("jenis") or "").strip()
    if jenis not in ("Plt", "Plh"):
        errors.setdefault("jenis", []).append("Pilih Plt atau Plh.")
    mulai = _date(form.get("mulai", ""), "mulai", errors)
    selesai = _date(form.get("selesai", ""), "selesai", errors)
    if mulai and selesai and selesai < mulai:
        errors.setdefault("selesai", []).append("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    nomor = (form.get("nomor_sk") or "").strip() or None
    if nomor and len(nomor) > 200:
        errors.setdefault("nomor_sk", []).append("Paling banyak 200 karakter.")
    body = {"delegate_nip": delegate, "penilai_nip": penilai, "jenis": jenis,
            "mulai": mulai.isoformat() if mulai else None, "selesai": selesai.isoformat() if selesai else None,
            "nomor_sk": nomor}
    return body, errors


def extension_payload(form: Mapping[str, str]) -> tuple[dict[str, Any], Errors]:
    """The extension form -> the body of skp ``POST /deadline-extensions``: a whole unit kerja or one pegawai."""
    errors: Errors = {}
    tahun_raw = (form.get("tahun") or "").strip()
    tahun: int | None = None
    if not tahun_raw.isdigit() or not 1900 <= int(tahun_raw) <= 9999:
        errors.setdefault("tahun", []).append("Tahun tidak sah.")
    else:
        tahun = int(tahun_raw)
    sampai = _date(form.get("sampai", ""), "sampai", errors)
    unit = (form.get("unit_kerja") or "").strip() or None
    nip = (form.get("nip") or "").strip() or None
    if (unit is None) == (nip is None):
        errors.setdefault("unit_kerja", []).append("Isi salah satu: unit kerja atau NIP pegawai.")
    if nip and not NIP_RE.match(nip):
        errors.setdefault("nip", []).append("NIP harus 18 angka.")
    alasan = (form.get("alasan") or "").strip() or None
    return {"tahun": tahun, "sampai": sampai.isoformat() if sampai else None, "unit_kerja": unit, "nip": nip,
            "alasan": alasan}, errors


def reassign_payload(form: Mapping[str, str], version: int) -> tuple[dict[str, Any], Errors]:
    """The "Alihkan penilai" form -> the body of approval ``POST /approvals/{skp_id}/reassign``."""
    errors: Errors = {}
    nip = _nip(form.get("penilai_nip", ""), "penilai_nip", errors)
    reason = (form.get("reason") or "").strip() or None
    if reason and len(reason) > 2000:
        errors.setdefault("reason", []).append("Paling banyak 2000 karakter.")
    return {"version": version, "penilai_nip": nip, "reason": reason}, errors


# --- imports and paging --------------------------------------------------------------------------------


def import_percent(job: Mapping[str, Any]) -> int:
    """How far an import job is, 0..100 (100 once done or failed)."""
    if job.get("status") in ("done", "failed"):
        return 100
    total = job.get("total")
    if not total:
        return 0
    return max(0, min(100, int(int(job.get("processed") or 0) * 100 / int(total))))


IMPORT_STATUS = {"running": "Sedang berjalan", "done": "Selesai", "failed": "Gagal"}
ROW_STATUS = {"created": "Baru", "updated": "Diperbarui", "unchanged": "Tidak berubah", "invalid": "Ditolak",
              "total": "Jumlah baris"}


def row_errors(row: Mapping[str, Any]) -> str:
    """One report row's errors as one line: ``kolom: pesan; ...``."""
    parts = []
    for e in row.get("errors") or []:
        path = str(e.get("path") or "")
        parts.append(f"{path}: {e.get('message', '')}" if path else str(e.get("message", "")))
    return "; ".join(parts)


@dataclass(frozen=True)
class Paging:
    total: int
    limit: int
    offset: int

    @property
    def first(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.limit, self.total)

    @property
    def previous(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None

    @property
    def next(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None


def filter_units(units: Iterable[Mapping[str, Any]], q: str | None) -> list[Mapping[str, Any]]:
    """Units (items of directory ``GET /units``, each ``{"unit": {...}}``) whose id or name holds ``q``."""
    needle = (q or "").strip().casefold()
    out = []
    for u in units:
        unit = u.get("unit") or {}
        if not needle or needle in str(unit.get("unit_id", "")).casefold() or needle in str(unit.get("nama", "")).casefold():
            out.append(u)
    return sorted(out, key=lambda u: str((u.get("unit") or {}).get("nama", "")).casefold())
