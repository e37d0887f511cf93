"""People and their dated records: the pure rules of the directory.

A person (``person_id``: the NIP / NI PPPK when there is one, a generated id
otherwise) has a *riwayat*: dated records that do not overlap, oldest first.
Each record says who the person is, where and under whom they work from
``berlaku_mulai`` to ``berlaku_sampai`` (Asia/Jakarta dates, inclusive;
``None``: open-ended).

Writing a record from a date D (:func:`apply`):

- nothing in force on D is different -> no change at all (no new version, no
  event): a portal may send the same data every night;
- a record starts on D -> it is corrected in place (*koreksi*);
- a record started before D -> it is closed on D - 1 and the new one holds
  from D until the old one would have ended (*mutasi*);
- no record is in force on D (D before the first record) -> the new one holds
  until the day before the next record starts;
- no record at all -> the first one (*baru*), open-ended.

Records after D are never touched: a correction of the past does not undo a
mutasi recorded for a later date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from kinerja_contracts.events import JenisJabatan
from kinerja_contracts.values import JenisPegawai

#: the fields of a record that a change compares (everything but the dates and the id)
ATTRIBUTES: tuple[str, ...] = (
    "nip", "nrk", "nama", "jenis_asn", "pangkat_golongan", "jabatan", "jenis_jabatan", "unit_id", "instansi",
    "email", "aktif", "atasan_id",
)

Perubahan = Literal["baru", "mutasi", "koreksi"]


@dataclass(frozen=True)
class Record:
    """One dated record of a person (see the module docstring)."""

    person_id: str
    nama: str
    instansi: str
    berlaku_mulai: dt.date
    berlaku_sampai: dt.date | None = None
    nip: str | None = None
    nrk: str | None = None
    jenis_asn: JenisPegawai | None = None
    pangkat_golongan: str | None = None
    jabatan: str | None = None
    jenis_jabatan: JenisJabatan | None = None
    unit_id: str | None = None
    email: str | None = None
    aktif: bool = True
    atasan_id: str | None = None

    def attributes(self) -> dict[str, Any]:
        """The compared fields, by name."""
        return {name: getattr(self, name) for name in ATTRIBUTES}

    def in_force(self, day: dt.date) -> bool:
        """Whether this record holds on ``day``."""
        return self.berlaku_mulai <= day and (self.berlaku_sampai is None or day <= self.berlaku_sampai)

    def but(self, **changes: Any) -> Record:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Change:
    """What writing a record does to a riwayat."""

    perubahan: Perubahan
    record: Record  # the record written, with its end date
    riwayat: list[Record]  # the whole riwayat after the change, oldest first
    changed_fields: list[str] = field(default_factory=list)
    closed: Record | None = None  # the record a mutasi closed (with its new end date)


def record_on(riwayat: list[Record], day: dt.date) -> Record | None:
    """The record in force on ``day`` (None when there is none)."""
    for r in riwayat:
        if r.in_force(day):
            return r
    return None


def latest(riwayat: list[Record]) -> Record | None:
    """The record that starts last: what the person is now or will be."""
    return max(riwayat, key=lambda r: r.berlaku_mulai) if riwayat else None


def changed_fields(old: Record | None, new: Record) -> list[str]:
    """The compared fields in which ``new`` differs from ``old`` (all set ones when there is no ``old``)."""
    if old is None:
        return [k for k, v in new.attributes().items() if v is not None]
    before = old.attributes()
    return [k for k, v in new.attributes().items() if before[k] != v]


def apply(riwayat: list[Record], new: Record) -> Change | None:
    """Write ``new`` (from ``new.berlaku_mulai``) into ``riwayat``; None when nothing changes.

    ``new.berlaku_sampai`` is ignored: a record ends where the riwayat says
    (a person who leaves gets a record with ``aktif`` False from that day)."""
    ordered = sorted(riwayat, key=lambda r: r.berlaku_mulai)
    day = new.berlaku_mulai
    if not ordered:
        written = new.but(berlaku_sampai=None)
        return Change("baru", written, [written], changed_fields(None, written))
    current = record_on(ordered, day)
    if current is not None and current.attributes() == new.attributes():
        return None
    if current is not None and current.berlaku_mulai == day:
        written = new.but(berlaku_sampai=current.berlaku_sampai)
        after = [written if r is current else r for r in ordered]
        return Change("koreksi", written, after, changed_fields(current, written))
    if current is not None:
        closed = current.but(berlaku_sampai=day - dt.timedelta(days=1))
        written = new.but(berlaku_sampai=current.berlaku_sampai)
        after = []
        for r in ordered:
            after += [closed, written] if r is current else [r]
        return Change("mutasi", written, after, changed_fields(current, written), closed=closed)
    # nothing in force on the day: before the first record
    following = [r for r in ordered if r.berlaku_mulai > day]
    until = following[0].berlaku_mulai - dt.timedelta(days=1) if following else None
    written = new.but(berlaku_sampai=until)
    after = sorted([*ordered, written], key=lambda r: r.berlaku_mulai)
    return Change("mutasi", written, after, changed_fields(following[0] if following else None, written))


@dataclass(frozen=True)
class Penilai:
    """Who appraises a pegawai on a date: the direct superior on that date
    (pejabat penilai kinerja) and that superior's superior on the same date
    (atasan pejabat penilai). An id without a record is a superior the
    directory does not know (yet), or knows only in another instansi."""

    tanggal: dt.date
    pegawai: Record
    penilai_id: str | None
    penilai: Record | None
    atasan_pejabat_penilai_id: str | None
    atasan_pejabat_penilai: Record | None


def chain_of(pegawai: Record, day: dt.date, superior: Record | None, superiors_superior: Record | None) -> Penilai:
    """Assemble :class:`Penilai` from the records in force on ``day``.

    A superior counts only within the pegawai's instansi (another instansi's
    record is never shown through this one)."""

    def same(r: Record | None) -> Record | None:
        return r if r is not None and r.instansi == pegawai.instansi else None

    penilai = same(superior)
    atasan = same(superiors_superior) if penilai is not None else None
    return Penilai(
        tanggal=day, pegawai=pegawai, penilai_id=pegawai.atasan_id, penilai=penilai,
        atasan_pejabat_penilai_id=penilai.atasan_id if penilai is not None else None, atasan_pejabat_penilai=atasan,
    )


@dataclass(frozen=True)
class Unit:
    """A unit kerja of an instansi."""

    unit_id: str
    instansi: str
    nama: str
    induk_id: str | None = None
    aktif: bool = True

    def attributes(self) -> dict[str, Any]:
        return {"instansi": self.instansi, "nama": self.nama, "induk_id": self.induk_id, "aktif": self.aktif}


def unit_changes(old: Unit | None, new: Unit) -> list[str] | None:
    """The fields a unit write changes; None when it changes nothing."""
    if old is None:
        return [k for k, v in new.attributes().items() if v is not None]
    before = old.attributes()
    diff = [k for k, v in new.attributes().items() if before[k] != v]
    return diff or None
