"""Writing and reading people: the upsert (one, or many in bulk), the person
with their riwayat, who appraises them on a date, the instansi's list and
the history of versions.

Every change is one transaction: the new riwayat, the person's version + 1
(compare-and-set), an audit row (who, when, through which door, which
fields), and a ``kinerja.directory.person_changed`` event in the outbox. A
write that changes nothing writes nothing. A bulk chunk reads its people,
their riwayat and its units up front (:class:`Known`), one SELECT each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kinerja_contracts.calendar import today_jakarta
from kinerja_contracts.events import DirectoryRecord, PersonChanged
from kinerja_contracts.values import Actor
from kinerja_platform.messaging.outbox import add_event
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from ..adapters.repository import DirectoryRepository
from ..adapters.tables import ChangeRow
from ..domain.model import Penilai, Record, apply, chain_of, latest, record_on
from ..domain.validation import PersonInput, errors_of, identity_problems
from . import access

#: items per transaction in a bulk write
CHUNK = 100
ATTEMPTS = 3


def today(now: dt.datetime) -> dt.date:
    """The date in Asia/Jakarta of ``now`` (the one calendar of the contracts)."""
    return today_jakarta(now)


class _Lost(Exception):
    """Another writer changed the person between our read and our write: retry."""


@dataclass
class Outcome:
    """What one upsert did: ``created``, ``updated`` or ``unchanged``; or ``invalid`` with errors (bulk)."""

    person_id: str | None
    status: str
    version: int | None = None
    perubahan: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"person_id": self.person_id, "status": self.status}
        if self.version is not None:
            d["version"] = self.version
        if self.perubahan:
            d["perubahan"] = self.perubahan
        if self.code:
            d["code"] = self.code
        if self.errors:
            d["errors"] = self.errors
        return d


def wire(record: Record, unit_names: dict[str, str]) -> DirectoryRecord:
    """A record as it travels (API answers and events), with its unit's name."""
    return DirectoryRecord(
        person_id=record.person_id, nip=record.nip, nrk=record.nrk, nama=record.nama, jenis_asn=record.jenis_asn,
        pangkat_golongan=record.pangkat_golongan, jabatan=record.jabatan, jenis_jabatan=record.jenis_jabatan,
        unit_id=record.unit_id, unit_kerja=unit_names.get(record.unit_id or ""), instansi=record.instansi,
        email=record.email, aktif=record.aktif, atasan_id=record.atasan_id, berlaku_mulai=record.berlaku_mulai,
        berlaku_sampai=record.berlaku_sampai,
    )


def _invalid(code: str, detail: str, errors: list[dict[str, Any]]) -> ProblemError:
    return ProblemError(422, code, detail, errors=errors)


@dataclass
class Known:
    """What one bulk chunk reads up front (one SELECT each) and keeps current as it writes."""

    persons: dict[str, Any]
    riwayat: dict[str, list[Record]]
    unit_names: dict[str, str]

    @classmethod
    async def read(cls, repo: DirectoryRepository, instansi: str, person_ids: list[str],
                   unit_ids: list[str | None]) -> Known:
        persons = await repo.persons(person_ids)
        return cls(persons, await repo.riwayat_of(list(persons)), await repo.unit_names(instansi, unit_ids))


async def _upsert_in(session, principal: Principal, person_id: str, data: PersonInput, *, source: str,
                     now: dt.datetime, known: Known | None = None) -> Outcome:
    """One upsert inside the caller's transaction. Every refusal is raised
    before anything is written (so a bulk chunk goes on with the next item).
    ``known``: what a bulk chunk read up front (else each read is one query)."""
    problems = identity_problems(person_id, data)
    if problems:
        raise _invalid("person-invalid", "Data orang tidak valid (invalid person): "
                       + "; ".join(f"{p['path']}: {p['message']}" for p in problems), problems)
    repo = DirectoryRepository(session)
    stored = known.persons.get(person_id) if known else await repo.person(person_id)
    mine = access.ensure_writes_in(stored.instansi if stored else None, principal, person_id)
    instansi = data.instansi or mine
    if instansi != mine:
        raise _invalid("instansi-mismatch", "Instansi harus instansi token (the record's instansi must be the token's).",
                       [{"path": "instansi", "message": f"must be {mine!r}"}])
    if data.unit_id:
        unit_known = data.unit_id in known.unit_names if known else await repo.unit(mine, data.unit_id) is not None
        if not unit_known:
            raise _invalid("unit-unknown", f"Unit kerja {data.unit_id} belum terdaftar di instansi ini; kirim dulu "
                           "PUT /api/v1/units/{unit_id} (unknown unit kerja: register it first).",
                           [{"path": "unit_id", "message": "unknown unit kerja of this instansi"}])
    riwayat = [] if stored is None else known.riwayat.get(person_id, []) if known else await repo.riwayat(person_id)
    change = apply(riwayat, data.record(person_id, instansi))
    if change is None:
        assert stored is not None
        return Outcome(person_id, "unchanged", stored.version)
    head = latest(change.riwayat)
    assert head is not None
    if stored is None:
        row = await repo.add_person(person_id, head.instansi, now, flush=known is None)
        if known is not None:
            known.persons[person_id] = row
        version = 1
    else:
        if not await repo.bump(stored, head.instansi, now):
            raise _Lost()
        version = stored.version
    await repo.replace_riwayat(person_id, change.riwayat, fresh=stored is None, flush=known is None)
    if known is not None:
        known.riwayat[person_id] = change.riwayat
        names = known.unit_names
    else:
        names = await repo.unit_names(instansi, [r.unit_id for r in change.riwayat])
    record = wire(change.record, names)
    before = record_on(riwayat, change.record.berlaku_mulai) if riwayat else None
    repo.add_change(ChangeRow(
        kind="person", entity_id=person_id, version=version, instansi=instansi, actor_sub=principal.sub,
        actor_role=principal.role.value, source=source, perubahan=change.perubahan,
        berlaku_mulai=change.record.berlaku_mulai, changed_fields=change.changed_fields,
        before=wire(before, names).model_dump(mode="json") if before else None, record=record.model_dump(mode="json"),
        at=now,
    ))
    add_event(session, PersonChanged(
        person_id=person_id, version=version, perubahan=change.perubahan, record=record,
        riwayat=[wire(r, names) for r in change.riwayat], changed_fields=change.changed_fields,
    ), actor=Actor(sub=principal.sub, role=principal.role.value))
    return Outcome(person_id, "created" if stored is None else "updated", version, change.perubahan)


async def upsert(uow, principal: Principal, person_id: str, data: PersonInput, *, now: dt.datetime,
                 source: str = "api") -> Outcome:
    """PUT one person (idempotent: the same data twice is one version)."""
    for attempt in range(ATTEMPTS):
        try:
            async with uow() as session:
                return await _upsert_in(session, principal, person_id, data, source=source, now=now)
        except (_Lost, IntegrityError):
            if attempt == ATTEMPTS - 1:
                raise ProblemError(409, "person-conflict", "Orang ini sedang diubah bersamaan; ulangi "
                                   "(the person was changed concurrently; retry).") from None
    raise AssertionError("unreachable")  # pragma: no cover


async def _one(uow, principal: Principal, person_id: str, data: PersonInput, source: str, now: dt.datetime) -> Outcome:
    try:
        return await upsert(uow, principal, person_id, data, now=now, source=source)
    except ProblemError as exc:
        return Outcome(person_id, "invalid", errors=exc.extra.get("errors") or [{"path": "", "message": exc.detail}],
                       code=exc.code)


async def upsert_many(uow, principal: Principal, items: Sequence[tuple[str | None, PersonInput | None, list]], *,
                      now: dt.datetime, source: str,
                      progress: Callable[[int], Any] | None = None) -> list[Outcome]:
    """Many upserts, one transaction per chunk; an item refused for its own
    reasons is ``invalid`` and the others go on. ``items`` are (person_id,
    input or None, errors found while parsing)."""
    mine = access.writer_instansi(principal)
    out: list[Outcome] = []
    for start in range(0, len(items), CHUNK):
        chunk = items[start:start + CHUNK]
        results: list[Outcome] = []
        try:
            async with uow() as session:
                known = await Known.read(DirectoryRepository(session), mine, [p for p, d, _ in chunk if d and p],
                                         [d.unit_id for _, d, _ in chunk if d])
                for person_id, data, errors in chunk:
                    if data is None or person_id is None:
                        results.append(Outcome(person_id, "invalid", errors=errors, code="person-invalid"))
                        continue
                    try:
                        results.append(await _upsert_in(session, principal, person_id, data, source=source, now=now,
                                                        known=known))
                    except ProblemError as exc:
                        results.append(Outcome(person_id, "invalid", errors=exc.extra.get("errors") or [
                            {"path": "", "message": exc.detail}], code=exc.code))
        except (_Lost, IntegrityError):
            # a concurrent writer: the chunk was rolled back; do it item by item, each with its retries
            results = []
            for person_id, data, errors in chunk:
                if data is None or person_id is None:
                    results.append(Outcome(person_id, "invalid", errors=errors, code="person-invalid"))
                else:
                    results.append(await _one(uow, principal, person_id, data, source, now))
        out += results
        if progress is not None:
            await progress(len(out))
    return out


def parse_items(raw: Sequence[Any]) -> list[tuple[str | None, PersonInput | None, list]]:
    """Bulk items (``{"person_id": ..., **record}``) -> what :func:`upsert_many` takes; errors per item."""
    items: list[tuple[str | None, PersonInput | None, list]] = []
    for obj in raw:
        if not isinstance(obj, dict):
            items.append((None, None, [{"path": "", "message": "item harus objek (an item must be an object)"}]))
            continue
        body = dict(obj)
        person_id = body.pop("person_id", None) or body.get("nip")
        try:
            data = PersonInput.model_validate(body)
        except ValidationError as exc:
            items.append((person_id if isinstance(person_id, str) else None, None, errors_of(exc)))
            continue
        if not isinstance(person_id, str) or not person_id:
            items.append((None, None, [{"path": "person_id", "message": "isi person_id atau nip (person_id or nip "
                                                                        "is required)"}]))
            continue
        items.append((person_id, data, []))
    return items


# --- reading ----------------------------------------------------------------------------------------------


@dataclass
class PersonView:
    person_id: str
    version: int
    instansi: str
    record: DirectoryRecord | None  # in force on the date asked
    riwayat: list[DirectoryRecord]


async def _related(repo: DirectoryRepository, principal: Principal, day: dt.date) -> tuple[str | None, ...]:
    """The pejabat penilai and atasan pejabat penilai of the caller on ``day`` (pegawai and atasan)."""
    if access.is_scoped_reader(principal):
        return ()
    mine = (await repo.records_on([principal.sub], day)).get(principal.sub)
    if mine is None or mine.atasan_id is None:
        return ()
    boss = (await repo.records_on([mine.atasan_id], day)).get(mine.atasan_id)
    return (mine.atasan_id, boss.atasan_id if boss else None)


async def get_person(uow, principal: Principal, person_id: str, *, day: dt.date) -> PersonView:
    async with uow() as session:
        repo = DirectoryRepository(session)
        stored = await repo.person(person_id)
        related = await _related(repo, principal, day)
        access.ensure_can_read(person_id, stored.instansi if stored else None, principal, related)
        assert stored is not None
        riwayat = await repo.riwayat(person_id)
        names = await repo.unit_names(stored.instansi, [r.unit_id for r in riwayat])
    now_record = record_on(riwayat, day)
    return PersonView(person_id, stored.version, stored.instansi, wire(now_record, names) if now_record else None,
                      [wire(r, names) for r in riwayat])


async def penilai_of(uow, principal: Principal, person_id: str, *, day: dt.date) -> tuple[Penilai, dict[str, str]]:
    """Who appraises ``person_id`` on ``day``: the direct superior and theirs (records of that day)."""
    async with uow() as session:
        repo = DirectoryRepository(session)
        stored = await repo.person(person_id)
        access.ensure_own(person_id, stored.instansi if stored else None, principal)
        pegawai = (await repo.records_on([person_id], day)).get(person_id)
        if pegawai is None:
            raise ProblemError(404, "no-record-on-date", f"Orang {person_id} tidak tercatat pada {day.isoformat()} "
                               "(the person has no record on that date).")
        superior = (await repo.records_on([pegawai.atasan_id], day)).get(pegawai.atasan_id) if pegawai.atasan_id else None
        boss = None
        if superior is not None and superior.atasan_id:
            boss = (await repo.records_on([superior.atasan_id], day)).get(superior.atasan_id)
        chain = chain_of(pegawai, day, superior, boss)
        names = await repo.unit_names(pegawai.instansi, [pegawai.unit_id, superior.unit_id if superior else None,
                                                          boss.unit_id if boss else None])
    return chain, names


async def list_people(uow, principal: Principal, *, day: dt.date, q: str | None, unit_id: str | None,
                      atasan_id: str | None, aktif: bool | None, limit: int, offset: int
                      ) -> tuple[int, list[DirectoryRecord]]:
    """The people of the caller's instansi as on ``day``."""
    instansi = access.writer_instansi(principal)
    async with uow() as session:
        repo = DirectoryRepository(session)
        total, records = await repo.people_page(instansi, day, q=q, unit_id=unit_id, atasan_id=atasan_id,
                                                aktif=aktif, limit=limit, offset=offset)
        names = await repo.unit_names(instansi, [r.unit_id for r in records])
    return total, [wire(r, names) for r in records]


async def history(uow, principal: Principal, person_id: str) -> list[ChangeRow]:
    """Every version of a person: who changed what, when and through which door."""
    async with uow() as session:
        repo = DirectoryRepository(session)
        stored = await repo.person(person_id)
        access.ensure_own(person_id, stored.instansi if stored else None, principal)
        return await repo.changes("person", person_id)
