"""The directory's SQL, behind repository methods: the use cases in
service_layer/ call these and never build a statement.

:class:`DirectoryRepository` wraps the session of one unit of work and hands
out domain objects (:class:`~..domain.model.Record`, :class:`~..domain.model.Unit`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from kinerja_contracts.events import JenisJabatan
from kinerja_contracts.values import JenisPegawai
from sqlalchemy import bindparam, delete, func, inspect, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select

from ..domain.model import ATTRIBUTES, Record, Unit
from .tables import ChangeRow, ImportJob, PersonRecordRow, PersonRow, UnitRow, utcnow

_PERSON = PersonRow.__table__

#: compare-and-set of a person's version, built once: a concurrent writer that
#: read the same version loses (rowcount 0) and its transaction is retried
_BUMP = update(_PERSON).where(
    _PERSON.c.person_id == bindparam("b_person_id"), _PERSON.c.version == bindparam("b_version"),
).values(version=bindparam("b_new_version"), instansi=bindparam("b_instansi"), updated_at=bindparam("b_at"))


def _in_force(day):
    return (PersonRecordRow.berlaku_mulai <= day) & or_(
        PersonRecordRow.berlaku_sampai.is_(None), PersonRecordRow.berlaku_sampai >= day)


def record_of(row: PersonRecordRow) -> Record:
    return Record(
        person_id=row.person_id, nama=row.nama, instansi=row.instansi, berlaku_mulai=row.berlaku_mulai,
        berlaku_sampai=row.berlaku_sampai, nip=row.nip, nrk=row.nrk,
        jenis_asn=JenisPegawai(row.jenis_asn) if row.jenis_asn else None, pangkat_golongan=row.pangkat_golongan,
        jabatan=row.jabatan, jenis_jabatan=JenisJabatan(row.jenis_jabatan) if row.jenis_jabatan else None,
        unit_id=row.unit_id, email=row.email, aktif=row.aktif, atasan_id=row.atasan_id,
    )


def row_of(record: Record) -> PersonRecordRow:
    values: dict[str, Any] = {k: getattr(record, k) for k in ATTRIBUTES}
    for k in ("jenis_asn", "jenis_jabatan"):
        values[k] = values[k].value if values[k] is not None else None
    return PersonRecordRow(person_id=record.person_id, berlaku_mulai=record.berlaku_mulai,
                           berlaku_sampai=record.berlaku_sampai, **values)


def unit_of(row: UnitRow) -> Unit:
    return Unit(unit_id=row.unit_id, instansi=row.instansi, nama=row.nama, induk_id=row.induk_id, aktif=row.aktif)


class DirectoryRepository:
    """People, their records, units, the audit trail and import jobs in one unit of work's session."""

    def __init__(self, session):
        self.session = session

    # --- people ------------------------------------------------------------------------------------

    async def person(self, person_id: str) -> PersonRow | None:
        return await self.session.get(PersonRow, person_id)

    async def riwayat(self, person_id: str) -> list[Record]:
        rows = (await self.session.exec(
            select(PersonRecordRow).where(PersonRecordRow.person_id == person_id)
            .order_by(PersonRecordRow.berlaku_mulai))).all()
        return [record_of(r) for r in rows]

    async def persons(self, person_ids: Iterable[str]) -> dict[str, PersonRow]:
        """The stored people among ``person_ids`` (one SELECT for a bulk chunk)."""
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        rows = (await self.session.exec(select(PersonRow).where(PersonRow.person_id.in_(ids)))).all()
        return {r.person_id: r for r in rows}

    async def riwayat_of(self, person_ids: Iterable[str]) -> dict[str, list[Record]]:
        """The riwayat of each of ``person_ids`` that has one (one SELECT for a bulk chunk)."""
        ids = sorted(set(person_ids))
        out: dict[str, list[Record]] = {}
        if not ids:
            return out
        rows = (await self.session.exec(
            select(PersonRecordRow).where(PersonRecordRow.person_id.in_(ids))
            .order_by(PersonRecordRow.person_id, PersonRecordRow.berlaku_mulai))).all()
        for r in rows:
            out.setdefault(r.person_id, []).append(record_of(r))
        return out

    async def add_person(self, person_id: str, instansi: str, at: dt.datetime, *, flush: bool = True) -> PersonRow:
        """A new person at version 1 (IntegrityError at flush when another writer created it first;
        ``flush=False`` leaves that to the commit, for a bulk chunk)."""
        row = PersonRow(person_id=person_id, instansi=instansi, version=1, created_at=at, updated_at=at)
        self.session.add(row)
        if flush:
            await self.session.flush()
        return row

    async def bump(self, person: PersonRow, instansi: str, at: dt.datetime) -> bool:
        """The person's version + 1 if nobody changed it since it was read."""
        if inspect(person).pending:  # created in this transaction and not written yet: nobody else can see it
            person.version, person.instansi, person.updated_at = person.version + 1, instansi, at
            return True
        result = await self.session.exec(_BUMP, params={
            "b_person_id": person.person_id, "b_version": person.version, "b_new_version": person.version + 1,
            "b_instansi": instansi, "b_at": at})
        if result.rowcount != 1:
            return False
        # what the UPDATE stored, without a refresh SELECT (a second write in the same transaction reads it)
        for key, value in (("version", person.version + 1), ("instansi", instansi), ("updated_at", at)):
            set_committed_value(person, key, value)
        return True

    async def replace_riwayat(self, person_id: str, riwayat: Iterable[Record], *, fresh: bool = False,
                              flush: bool = True) -> None:
        """Write the person's whole riwayat (``fresh``: they have no rows yet, nothing to delete)."""
        if not fresh:
            await self.session.exec(delete(PersonRecordRow).where(PersonRecordRow.person_id == person_id))
        self.session.add_all([row_of(r) for r in riwayat])
        if flush:
            await self.session.flush()

    async def records_on(self, person_ids: Iterable[str], day: dt.date) -> dict[str, Record]:
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        rows = (await self.session.exec(
            select(PersonRecordRow).where(PersonRecordRow.person_id.in_(ids), _in_force(day)))).all()
        return {r.person_id: record_of(r) for r in rows}

    async def people_page(self, instansi: str, day: dt.date, *, q: str | None, unit_id: str | None,
                          atasan_id: str | None, aktif: bool | None, limit: int, offset: int) -> tuple[int, list[Record]]:
        """The records in force on ``day`` of the people of ``instansi``, by name."""
        conditions = [PersonRecordRow.instansi == instansi, _in_force(day)]
        if q:
            like = f"%{q.lower()}%"
            conditions.append(or_(func.lower(PersonRecordRow.nama).like(like), PersonRecordRow.person_id.like(like),
                                  func.lower(func.coalesce(PersonRecordRow.jabatan, "")).like(like)))
        for column, value in ((PersonRecordRow.unit_id, unit_id), (PersonRecordRow.atasan_id, atasan_id),
                              (PersonRecordRow.aktif, aktif)):
            if value is not None:
                conditions.append(column == value)
        total = (await self.session.exec(select(func.count()).select_from(PersonRecordRow).where(*conditions))).one()
        rows = (await self.session.exec(
            select(PersonRecordRow).where(*conditions)
            .order_by(PersonRecordRow.nama, PersonRecordRow.person_id).limit(limit).offset(offset))).all()
        return int(total), [record_of(r) for r in rows]

    # --- units -------------------------------------------------------------------------------------

    async def unit(self, instansi: str, unit_id: str) -> UnitRow | None:
        return await self.session.get(UnitRow, (instansi, unit_id))

    async def save_unit(self, row: UnitRow) -> None:
        self.session.add(row)
        await self.session.flush()

    async def units(self, instansi: str, aktif: bool | None = None) -> list[UnitRow]:
        q = select(UnitRow).where(UnitRow.instansi == instansi)
        if aktif is not None:
            q = q.where(UnitRow.aktif == aktif)
        return list((await self.session.exec(q.order_by(UnitRow.unit_id))).all())

    async def unit_names(self, instansi: str, unit_ids: Iterable[str | None]) -> dict[str, str]:
        ids = sorted({u for u in unit_ids if u})
        if not ids:
            return {}
        rows = (await self.session.exec(
            select(UnitRow.unit_id, UnitRow.nama).where(UnitRow.instansi == instansi, UnitRow.unit_id.in_(ids)))).all()
        return {u: n for u, n in rows}

    # --- the audit trail ------------------------------------------------------------------------------

    def add_change(self, row: ChangeRow) -> None:
        self.session.add(row)

    async def changes(self, kind: str, entity_id: str) -> list[ChangeRow]:
        return list((await self.session.exec(
            select(ChangeRow).where(ChangeRow.kind == kind, ChangeRow.entity_id == entity_id)
            .order_by(ChangeRow.version))).all())

    # --- import jobs ---------------------------------------------------------------------------------

    async def add_job(self, job: ImportJob) -> None:
        self.session.add(job)
        await self.session.flush()

    async def job(self, job_id: uuid.UUID) -> ImportJob | None:
        return await self.session.get(ImportJob, job_id)

    async def update_job(self, job_id: uuid.UUID, **values: Any) -> None:
        await self.session.exec(update(ImportJob).where(ImportJob.id == job_id).values(updated_at=utcnow(), **values))
