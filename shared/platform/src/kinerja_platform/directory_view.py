"""A service's own projection of the directory: every person's dated
records, as the directory service last published them.

The directory (services/directory) is the one source of who a person is,
their e-mail and who appraises them (docs/directory.md, docs/security.md).
A service that routes or mails by person keeps this projection of the
``directory.person_changed`` events in its own database (table
``directory_person``) and reads it with :class:`DirectoryView`; it never
calls the directory over HTTP on a hot path and never trusts the identity
block an SKP carries.

Next to it, table ``directory_superior`` holds, per person, every
``atasan_id`` their riwayat names on some date (:class:`DirectorySuperior`):
"whose riwayat names X as superior" is an indexed query (approval moves the
Pending cases a change of X may reroute), kept by the same upsert.

Wiring, per service:

- the tables: the migrations call
  :func:`kinerja_platform.messaging.migrations.create_directory_person_table`
  and :func:`~kinerja_platform.messaging.migrations.create_directory_superior_table`,
  and ``migrations/env.py`` imports :class:`DirectoryPerson` (which registers
  both);
- the consumer: ``register(consumers)`` adds the handler to the service's
  :class:`~kinerja_platform.messaging.consumer.EventConsumers`;
- reading: ``DirectoryView(session)`` in a use case.

Each event carries the person's whole riwayat and a version; the projection
keeps the highest version (a compare-and-set upsert), so redelivered or
reordered events never move a person back in time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from kinerja_contracts.directory import RantaiPenilai, rantai_penilai, record_on
from kinerja_contracts.events import PersonChanged
from kinerja_contracts.events.types import DirectoryRecord
from pydantic import TypeAdapter
from sqlalchemy import Column, DateTime, Text, bindparam, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from .db import dialect_of, execute

_RIWAYAT = TypeAdapter(list[DirectoryRecord])


class DirectoryPerson(SQLModel, table=True):
    """One person as the directory last published them (projection)."""

    __tablename__ = "directory_person"

    person_id: str = Field(primary_key=True, max_length=64)
    instansi: str = Field(max_length=300, index=True, description="instansi of the person's latest record")
    version: int
    riwayat: str = Field(sa_column=Column(Text, nullable=False), description="JSON list of DirectoryRecord, oldest first")
    updated_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class DirectorySuperior(SQLModel, table=True):
    """A superior a person's riwayat names (``atasan_id`` of any of their
    records, past, current or future), one row per person and superior;
    written with the person's :class:`DirectoryPerson` row."""

    __tablename__ = "directory_superior"

    person_id: str = Field(primary_key=True, max_length=64)
    atasan_id: str = Field(primary_key=True, max_length=64, index=True)


_TABLE = DirectoryPerson.__table__  # type: ignore[attr-defined]
_SUPERIORS = DirectorySuperior.__table__  # type: ignore[attr-defined]
_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def parse_riwayat(raw: str) -> list[DirectoryRecord]:
    """A projection row's ``riwayat`` column (its JSON) as records, oldest
    first: for a service that reads the column in a statement of its own
    (e.g. joined with its own tables) instead of through :class:`DirectoryView`."""
    return _RIWAYAT.validate_json(raw)


def superiors_named(riwayat: Iterable[DirectoryRecord]) -> list[str]:
    """Every ``atasan_id`` a riwayat names, once each, in order."""
    return list(dict.fromkeys(r.atasan_id for r in riwayat if r.atasan_id))


def _build_upsert(dialect: str):
    """The compare-and-set upsert of one person, built once per dialect with
    bound parameters (SQLAlchemy then caches its compiled form; building the
    ``INSERT ... ON CONFLICT`` per event was most of a directory import's CPU)."""
    stmt = _INSERTS[dialect](_TABLE).values(
        person_id=bindparam("person_id"), instansi=bindparam("instansi"), version=bindparam("version"),
        riwayat=bindparam("riwayat"), updated_at=bindparam("updated_at"))
    return stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.person_id],
        set_={k: stmt.excluded[k] for k in ("instansi", "version", "riwayat", "updated_at")},
        where=_TABLE.c.version < stmt.excluded.version,
    )


_UPSERTS = {dialect: _build_upsert(dialect) for dialect in _INSERTS}
_DELETE_SUPERIORS = delete(_SUPERIORS).where(_SUPERIORS.c.person_id == bindparam("pid"))
_INSERT_SUPERIOR = insert(_SUPERIORS)
_SELECT_RIWAYAT = select(_TABLE.c.riwayat).where(_TABLE.c.person_id == bindparam("pid"))
_S1 = _SUPERIORS.alias("s1")
_S2 = _SUPERIORS.alias("s2")
#: a person with every superior their riwayat names and every superior those name (two levels: the
#: pegawai, the penilai, the atasan pejabat penilai), in one round trip instead of one per level
_SELECT_CHAIN = select(_TABLE.c.person_id, _TABLE.c.riwayat).where(
    (_TABLE.c.person_id == bindparam("pid"))
    | _TABLE.c.person_id.in_(select(_S1.c.atasan_id).where(_S1.c.person_id == bindparam("pid")))
    | _TABLE.c.person_id.in_(select(_S2.c.atasan_id).join(_S1, _S1.c.atasan_id == _S2.c.person_id)
                             .where(_S1.c.person_id == bindparam("pid"))))
_SELECT_MANY = select(_TABLE.c.person_id, _TABLE.c.riwayat).where(
    _TABLE.c.person_id.in_(bindparam("pids", expanding=True)))


async def apply_person_changed(session, payload: PersonChanged) -> bool:
    """Store the person's riwayat from the event unless a newer version is
    already there; True when the projection changed."""
    latest = max(payload.riwayat, key=lambda r: r.berlaku_mulai) if payload.riwayat else payload.record
    values = {
        "person_id": payload.person_id,
        "instansi": latest.instansi,
        "version": payload.version,
        "riwayat": _RIWAYAT.dump_json(list(payload.riwayat)).decode(),
        "updated_at": dt.datetime.now(dt.UTC),
    }
    result = await execute(session, _UPSERTS[dialect_of(session)], values)
    if not result.rowcount:
        return False
    pid = payload.person_id
    await execute(session, _DELETE_SUPERIORS, {"pid": pid})
    named = superiors_named(payload.riwayat)
    if named:
        await execute(session, _INSERT_SUPERIOR, [{"person_id": pid, "atasan_id": a} for a in named])
    return True


class DirectoryView:
    """Read the projection inside one session (one unit of work).

    Riwayat are cached for the session's life, so one use case that asks
    for a pegawai, their penilai and the penilai's superior reads each person
    once."""

    def __init__(self, session) -> None:
        self.session = session
        self._cache: dict[str, list[DirectoryRecord]] = {}

    async def riwayat(self, person_id: str) -> list[DirectoryRecord]:
        """The person's records, oldest first; empty when the directory does not know them."""
        if person_id not in self._cache:
            result = await execute(self.session, _SELECT_RIWAYAT, {"pid": person_id})
            raw = result.scalar_one_or_none()
            self._cache[person_id] = _RIWAYAT.validate_json(raw) if raw is not None else []
        return self._cache[person_id]

    async def load(self, person_ids: Iterable[str]) -> None:
        """Read many people into the session's cache at once (one SELECT per
        500 ids), so a bulk use case that then asks for each of them costs no
        statement per person; people already cached are not read again."""
        wanted = [p for p in dict.fromkeys(person_ids) if p not in self._cache]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found = {pid: raw for pid, raw in (await execute(self.session, _SELECT_MANY, {"pids": chunk})).all()}
            for pid in chunk:
                self._cache[pid] = _RIWAYAT.validate_json(found[pid]) if pid in found else []

    async def record_on(self, person_id: str, tanggal: dt.date) -> DirectoryRecord | None:
        """The person's record in force on ``tanggal``."""
        return record_on(await self.riwayat(person_id), tanggal)

    async def rantai_penilai(self, pegawai_id: str, tanggal: dt.date) -> RantaiPenilai | None:
        """Who appraises ``pegawai_id`` on ``tanggal`` (see
        :func:`kinerja_contracts.directory.rantai_penilai`)."""
        if pegawai_id not in self._cache:
            await self._load_chain(pegawai_id)
        pegawai = await self.record_on(pegawai_id, tanggal)
        if pegawai is None:
            return None
        if pegawai.atasan_id is not None:  # load the chain first: the pure rule reads from the cache
            superior = await self.record_on(pegawai.atasan_id, tanggal)
            if superior is not None and superior.atasan_id is not None:
                await self.riwayat(superior.atasan_id)
        return rantai_penilai(pegawai_id, tanggal, self._cached)

    async def _load_chain(self, pegawai_id: str) -> None:
        """Read the pegawai and the superiors of two levels their riwayat names (``directory_superior``)
        into the cache with one statement; people already cached keep their cached riwayat."""
        rows = (await execute(self.session, _SELECT_CHAIN, {"pid": pegawai_id})).all()
        for pid, raw in rows:
            if pid not in self._cache:
                self._cache[pid] = _RIWAYAT.validate_json(raw)
        self._cache.setdefault(pegawai_id, [])  # not in the directory: known to be absent

    def _cached(self, person_id: str) -> Sequence[DirectoryRecord]:
        return self._cache.get(person_id, [])


def register(consumers) -> None:
    """Add the projection's handler to a service's ``EventConsumers``
    (durable ``<service>--directory-person_changed``)."""

    @consumers.on(PersonChanged)
    async def on_person_changed(session, env) -> None:
        """The directory changed a person: keep the newest riwayat."""
        await apply_person_changed(session, env.data)
