"""Request and answer bodies of the directory API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from kinerja_contracts.events import DirectoryRecord, DirectoryUnit
from kinerja_contracts.values import UtcDatetime
from kinerja_platform.web.openapi import DocumentedAs
from pydantic import BaseModel, Field

from ..domain.validation import PersonInput

__all__ = ["PersonInput", "PersonOut", "WriteOut", "BulkIn", "BulkOut", "PeoplePage", "PenilaiOut", "HistoryOut",
           "UnitIn", "UnitOut", "ImportOut"]


class PersonOut(BaseModel):
    person_id: str
    version: int
    instansi: str
    tanggal: dt.date = Field(description="the date `record` is in force on")
    record: DirectoryRecord | None = Field(description="the record in force on `tanggal` (null: none on that date)")
    riwayat: list[DirectoryRecord] = Field(description="every dated record, oldest first")


class WriteOut(BaseModel):
    person_id: str
    status: Literal["created", "updated", "unchanged"]
    version: int
    perubahan: Literal["baru", "mutasi", "koreksi"] | None = Field(
        default=None, description="what the write did to the riwayat (null when unchanged)")


class BulkIn(BaseModel):
    items: list[dict[str, Any]] = Field(
        min_length=1, description="each: `person_id` (or `nip`) and the fields of PUT /people/{person_id}; "
                                  "items are checked one by one")


class ItemError(BaseModel):
    """One field at fault in an item (or a row) that was refused."""

    path: str = Field(description="the field (bulk: items[i].field; import: the column's field), empty for the whole item")
    message: str
    type: str | None = Field(default=None, description="machine code of the check that failed, when there is one")


class Outcome(BaseModel):
    """What became of one item or row (keys without a value are left out)."""

    person_id: str | None
    status: Literal["created", "updated", "unchanged", "invalid"]
    version: int | None = Field(default=None, description="the person's version now")
    perubahan: Literal["baru", "mutasi", "koreksi"] | None = Field(default=None, description="what the write did to the riwayat")
    code: str | None = Field(default=None, description="why it was refused (invalid)")
    errors: list[ItemError] = Field(default_factory=list, description="the fields at fault (invalid)")


class BulkResult(Outcome):
    index: int = Field(description="position in the request's items")


class ImportRow(Outcome):
    baris: int = Field(description="line in the file")


class BulkOut(BaseModel):
    summary: dict[str, int]
    results: list[Annotated[dict[str, Any], DocumentedAs(BulkResult)]] = Field(
        description="per item, in order: index, person_id, status (created|updated|unchanged|invalid), version, code, errors")


class PeoplePage(BaseModel):
    total: int
    limit: int
    offset: int
    tanggal: dt.date
    items: list[DirectoryRecord]


class PenilaiOut(BaseModel):
    tanggal: dt.date
    pegawai: DirectoryRecord
    penilai_id: str | None = Field(description="the direct superior on that date (pejabat penilai kinerja)")
    penilai: DirectoryRecord | None = Field(description="their record on that date; null when unknown to the directory")
    atasan_pejabat_penilai_id: str | None
    atasan_pejabat_penilai: DirectoryRecord | None


class Version(BaseModel):
    version: int
    at: UtcDatetime
    actor_sub: str
    actor_role: str
    source: Literal["api", "bulk", "import"]
    perubahan: str
    berlaku_mulai: dt.date | None
    changed_fields: list[str]
    before: Annotated[dict[str, Any], DocumentedAs(DirectoryRecord)] | None = Field(
        description="the record in force on berlaku_mulai before the change (as stored with the change)")
    record: Annotated[dict[str, Any], DocumentedAs(DirectoryRecord)] = Field(
        description="the record the change wrote (as stored with the change)")


class HistoryOut(BaseModel):
    person_id: str
    versions: list[Version]


class UnitIn(BaseModel):
    nama: str = Field(min_length=1, max_length=300)
    induk_id: str | None = Field(default=None, max_length=64, description="the unit this one belongs to")
    aktif: bool = True


class UnitOut(BaseModel):
    status: Literal["created", "updated", "unchanged"] | None = None
    version: int
    unit: DirectoryUnit


class ImportOut(BaseModel):
    id: uuid.UUID
    status: Literal["running", "done", "failed"]
    filename: str | None
    total: int | None = Field(description="rows in the file (null until read)")
    processed: int = Field(description="rows written so far")
    summary: dict[str, int] | None
    report: list[Annotated[dict[str, Any], DocumentedAs(ImportRow)]] | None = Field(
        description="per row: baris (line in the file), person_id, status, version, code, errors (by column)")
    error: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
