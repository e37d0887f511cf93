"""Who a person is and who appraises them on a date, read from the
directory's dated records.

services/directory is the one source of people, their e-mail and their
direct superior (docs/directory.md). The other services keep a projection of
its ``directory.person_changed`` events (kinerja_platform.directory_view) and
answer "who is the pejabat penilai of X on D" with these pure functions, the
same rule the directory's own ``GET /people/{id}/penilai`` applies:

- the record in force on D is the one whose ``berlaku_mulai`` <= D <=
  ``berlaku_sampai`` (open-ended when null);
- the pejabat penilai is the ``atasan_id`` of the pegawai's record on D, with
  the superior's own record on D; the atasan pejabat penilai is the
  penilai's ``atasan_id`` on D;
- a superior counts only inside the pegawai's instansi and only while active
  (``aktif``) on D: another instansi's person, or one who has left, never
  appraises (local choice, following DESIGN.md "Trust": one instansi never
  acts on another's data).

No I/O here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .events.types import DirectoryRecord
from .values import Pegawai

#: how a caller fetches a person's riwayat (oldest first; empty when unknown)
RiwayatOf = Callable[[str], Sequence[DirectoryRecord]]


def record_on(riwayat: Sequence[DirectoryRecord], tanggal: dt.date) -> DirectoryRecord | None:
    """The record in force on ``tanggal``; None when there is none."""
    for r in riwayat:
        if r.berlaku_mulai <= tanggal and (r.berlaku_sampai is None or tanggal <= r.berlaku_sampai):
            return r
    return None


@dataclass(frozen=True)
class RantaiPenilai:
    """The chain of appraisal of a pegawai on a date: the pegawai's record,
    the pejabat penilai (their direct superior) and the atasan pejabat
    penilai (the superior's superior), each as the directory holds them on
    that date. ``penilai_id`` is set when the record names a superior even if
    that superior does not count (unknown, inactive, or another instansi):
    then ``penilai`` is None and the SKP cannot be routed."""

    tanggal: dt.date
    pegawai: DirectoryRecord
    penilai_id: str | None
    penilai: DirectoryRecord | None
    atasan_penilai: DirectoryRecord | None


def _superior(record: DirectoryRecord, tanggal: dt.date, riwayat_of: RiwayatOf, instansi: str) -> DirectoryRecord | None:
    if record.atasan_id is None:
        return None
    superior = record_on(riwayat_of(record.atasan_id), tanggal)
    if superior is None or not superior.aktif or superior.instansi != instansi:
        return None
    return superior


def rantai_penilai(pegawai_id: str, tanggal: dt.date, riwayat_of: RiwayatOf) -> RantaiPenilai | None:
    """Who appraises ``pegawai_id`` on ``tanggal``; None when the directory
    has no record of the pegawai in force on that date."""
    pegawai = record_on(riwayat_of(pegawai_id), tanggal)
    if pegawai is None:
        return None
    penilai = _superior(pegawai, tanggal, riwayat_of, pegawai.instansi)
    atasan = _superior(penilai, tanggal, riwayat_of, pegawai.instansi) if penilai is not None else None
    return RantaiPenilai(tanggal=tanggal, pegawai=pegawai, penilai_id=pegawai.atasan_id, penilai=penilai,
                         atasan_penilai=atasan)


def as_pegawai(record: DirectoryRecord) -> Pegawai | None:
    """The identity snapshot that SKPs and events carry, from a directory
    record; None for a person without NIP (the snapshot needs one: a JPT's
    penilai without NIP cannot be carried yet, see docs/directory.md)."""
    if record.nip is None:
        return None
    return Pegawai(
        nip=record.nip, nama=record.nama, email=record.email, nrk=record.nrk,
        pangkat_golongan=record.pangkat_golongan, jabatan=record.jabatan, unit_kerja=record.unit_kerja,
        instansi=record.instansi,
    )
