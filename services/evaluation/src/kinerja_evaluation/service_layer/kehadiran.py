"""Attendance for the monthly rekap: by API (JSON rows) and by CSV upload."""

from __future__ import annotations

import csv
import io

from kinerja_contracts.calendar import utcnow
from kinerja_platform.web.errors import ProblemError
from kinerja_contracts.values import Teks
from pydantic import BaseModel, Field, ValidationError, model_validator

from ..adapters.repository import EvaluationRepository
from ..adapters.tables import Kehadiran
from . import access
from .scope import foreign_nips

CSV_COLUMNS = ["nip", "hari_kerja_efektif", "izin", "cuti_sakit", "cuti_melahirkan", "alpa", "keterangan"]


class KehadiranIn(BaseModel):
    """Attendance of one pegawai in one month."""

    nip: str = Field(pattern=r"^[0-9]{18}$", examples=["199503152025212001"])
    hari_kerja_efektif: int = Field(ge=0, le=31, examples=[21])
    izin: int = Field(default=0, ge=0, le=31)
    cuti_sakit: int = Field(default=0, ge=0, le=31)
    cuti_melahirkan: int = Field(default=0, ge=0, le=31)
    alpa: int = Field(default=0, ge=0, le=31)
    keterangan: Teks | None = Field(default=None, max_length=500, description="e.g. the dates of absence")

    @model_validator(mode="after")
    def _fits(self):
        if self.izin + self.cuti_sakit + self.cuti_melahirkan + self.alpa > self.hari_kerja_efektif:
            raise ValueError("jumlah ketidakhadiran melebihi hari kerja efektif (absences exceed working days)")
        return self


def parse_csv(data: bytes) -> list[KehadiranIn]:
    """Parse a CSV (comma or semicolon, header row) into rows; every bad line
    is reported with its line number."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemError(422, "invalid-csv", "Berkas bukan teks UTF-8 (the file is not UTF-8 text).") from exc
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;")
    except csv.Error:
        pass
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS[:2] if c not in header]
    if missing:
        raise ProblemError(422, "invalid-csv", f"Kolom wajib tidak ada: {', '.join(missing)} (missing columns); kolom: "
                           f"{', '.join(CSV_COLUMNS)}.")
    rows, errors = [], []
    for line_no, raw in enumerate(reader, start=2):
        rec = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(rec.values()):
            continue
        rec = {k: v for k, v in rec.items() if k in CSV_COLUMNS and v != ""}
        try:
            rows.append(KehadiranIn.model_validate(rec))
        except ValidationError as exc:
            for e in exc.errors():
                where = ".".join(str(x) for x in e["loc"]) or "baris"
                errors.append({"path": f"line {line_no}.{where}", "message": e["msg"]})
    if errors:
        raise ProblemError(422, "invalid-csv", f"{len(errors)} kesalahan pada CSV (errors in the CSV): "
                           + "; ".join(f"{e['path']}: {e['message']}" for e in errors[:10]), errors=errors)
    return rows


async def save(session, tahun: int, bulan: int, rows: list[KehadiranIn], by: str) -> int:
    now = utcnow()
    repo = EvaluationRepository(session)
    for r in rows:
        rec = await repo.kehadiran(r.nip, tahun, bulan)
        values = r.model_dump(exclude={"nip"})
        if rec is None:
            repo.add(Kehadiran(nip=r.nip, tahun=tahun, bulan=bulan, updated_by=by, updated_at=now, **values))
        else:
            for k, v in values.items():
                setattr(rec, k, v)
            rec.updated_by, rec.updated_at = by, now
    return len(rows)



async def save_for_admin(session, principal, tahun: int, bulan: int, rows: list[KehadiranIn]) -> int:
    """An admin saves a month's attendance of the pegawai of their instansi."""
    access.require_admin(principal)
    access.ensure_own_instansi(await foreign_nips(session, [r.nip for r in rows], access.admin_scope(principal)))
    return await save(session, tahun, bulan, rows, principal.sub)


async def read(session, principal, tahun: int, bulan: int, nip: str | None) -> list[KehadiranIn]:
    """A month's attendance: an admin's of their instansi, anybody else's own."""
    rows = await EvaluationRepository(session).kehadiran_of_month(tahun, bulan, access.kehadiran_nip(principal, nip))
    foreign = await foreign_nips(session, [k.nip for k in rows], access.admin_scope(principal))
    return [KehadiranIn.model_validate(k, from_attributes=True) for k in rows if k.nip not in foreign]


async def save_csv_for_admin(session, principal, tahun: int, bulan: int, data: bytes) -> int:
    """An admin uploads a month's attendance as CSV (every bad line reported; nothing saved then)."""
    access.require_admin(principal)
    return await save_for_admin(session, principal, tahun, bulan, parse_csv(data))
