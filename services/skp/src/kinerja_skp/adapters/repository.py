"""The skp service's SQL, behind repository methods: the use cases in
service_layer/ call these and never build a statement.

:class:`SkpRepository` wraps the session of one unit of work. The hot paths
use statements built once at import (below): executing them only binds
values, with no per-call statement construction or cache-key walk of a
freshly built tree.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, Protocol

from kinerja_contracts.calendar import utcnow
from sqlalchemy import and_, bindparam, case, delete, func, insert, null, or_, type_coerce, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from .tables import DeadlineExtension, ImportJob, SkpDocument, SkpVersion

_DOC = SkpDocument.__table__
_VER = SkpVersion.__table__

#: the id of the SKP of one pegawai for one period (the unique key)
_EXISTING = select(SkpDocument.id).where(
    SkpDocument.nip == bindparam("nip"),
    SkpDocument.periode_mulai == bindparam("mulai"),
    SkpDocument.periode_selesai == bindparam("selesai"),
)
_EXT = DeadlineExtension.__table__
#: the pegawai's SKPs a new or changed one is checked against, and the
#: deadline extensions of its instansi and year, in one read
#: (:meth:`SkpRepository.neighbours`). The SKPs: those overlapping the period
#: (the same period included: the unique key) and those of the previous year,
#: the content only of the latter (the tenfold check reads it). The
#: extensions: rows without an id, ``sampai`` in the second column.
_NEIGHBOURS = union_all(
    select(
        _DOC.c.id, _DOC.c.periode_mulai, _DOC.c.periode_selesai, _DOC.c.tahun,
        type_coerce(case((_DOC.c.tahun == bindparam("tahun_lalu"), _DOC.c.content), else_=None), _DOC.c.content.type),
        type_coerce(null(), _EXT.c.unit_kerja.type), type_coerce(null(), _EXT.c.nip.type),
    ).where(
        _DOC.c.nip == bindparam("nip"),
        or_(_DOC.c.tahun == bindparam("tahun_lalu"),
            and_(_DOC.c.periode_mulai <= bindparam("selesai"), _DOC.c.periode_selesai >= bindparam("mulai"))),
    ),
    select(
        type_coerce(null(), _DOC.c.id.type), _EXT.c.sampai, type_coerce(null(), _DOC.c.periode_selesai.type),
        type_coerce(null(), _DOC.c.tahun.type), type_coerce(null(), _DOC.c.content.type), _EXT.c.unit_kerja, _EXT.c.nip,
    ).where(_EXT.c.instansi == bindparam("instansi"), _EXT.c.tahun == bindparam("tahun")),
)
#: the contents of the penilai's SKPs overlapping a period
_SUPERIOR = select(SkpDocument.content).where(
    SkpDocument.nip == bindparam("nip"),
    SkpDocument.tahun == bindparam("tahun"),
    SkpDocument.periode_mulai <= bindparam("selesai"),
    SkpDocument.periode_selesai >= bindparam("mulai"),
)

# Core UPDATEs on the table (not the mapped class): no ORM bulk-update machinery
# and no evaluation of the WHERE clause against the session's objects. The
# repository sets the values it wrote on the loaded object itself
# (``_written``), so no refresh SELECT follows. Each is a compare-and-set:
# rowcount 0 = lost the race.
_UPDATE_CONTENT = update(_DOC).where(_DOC.c.id == bindparam("b_id"), _DOC.c.version == bindparam("b_version"))
_SUBMIT = update(_DOC).where(
    _DOC.c.id == bindparam("b_id"), _DOC.c.version == bindparam("b_version"), _DOC.c.status == bindparam("b_status")
)
#: the SET clause comes from the parameters given at execution (status,
#: approval_sequence, updated_at and the event's optional columns)
_PROJECT = update(_DOC).where(
    _DOC.c.id == bindparam("b_id"),
    _DOC.c.approval_sequence < bindparam("b_sequence"),
    _DOC.c.version <= bindparam("b_version"),
)
#: a new SKP and its first version: the columns of both, bound at execution
#: (``content`` once for both rows). PostgreSQL writes them in one statement
#: (the version's INSERT as a data-modifying CTE), SQLite in two.
_NEW_DOC_COLUMNS = ("id", "nip", "nama", "tahun", "periode_mulai", "periode_selesai", "jenis_pegawai", "unit_kerja",
                    "instansi", "penilai_nip", "status", "version", "content", "content_hash", "approval_sequence",
                    "catatan_perbaikan", "tanggal_sk", "persetujuan", "penilai_override", "created_by", "created_at",
                    "updated_at")
_NEW_DOC = insert(_DOC).values({k: bindparam(k, type_=_DOC.c[k].type) for k in _NEW_DOC_COLUMNS})
_NEW_VERSION = insert(_VER).values(
    skp_id=bindparam("id", type_=_VER.c.skp_id.type), version=bindparam("version", type_=_VER.c.version.type),
    content=bindparam("content", type_=_VER.c.content.type),
    content_hash=bindparam("content_hash", type_=_VER.c.content_hash.type),
    created_by=bindparam("created_by", type_=_VER.c.created_by.type),
    penilai_override=bindparam("penilai_override", type_=_VER.c.penilai_override.type),
    created_at=bindparam("version_created_at", type_=_VER.c.created_at.type),
)
_NEW_DOC_AND_VERSION = _NEW_DOC.add_cte(_NEW_VERSION.cte("first_version"))
#: what the status endpoint answers (and what the access check needs), without the content
_STATUS = select(
    _DOC.c.id, _DOC.c.nip, _DOC.c.instansi, _DOC.c.penilai_nip, _DOC.c.status, _DOC.c.version,
    _DOC.c.approval_sequence, _DOC.c.catatan_perbaikan, _DOC.c.updated_at,
).where(_DOC.c.id == bindparam("id"))
_EXTENSIONS = (
    select(DeadlineExtension)
    .where(DeadlineExtension.instansi == bindparam("instansi"), DeadlineExtension.tahun == bindparam("tahun"))
    .order_by(col(DeadlineExtension.created_at))
)
#: what the deadline rules read of an instansi's extensions of a year (no ORM objects)
_EXTENSION_RULES = (
    select(_EXT.c.sampai, _EXT.c.unit_kerja, _EXT.c.nip)
    .where(_EXT.c.instansi == bindparam("instansi"), _EXT.c.tahun == bindparam("tahun"))
    .order_by(_EXT.c.created_at)
)
#: the keys of the stored SKPs of some pegawai, locked for a bulk write
_BULK_EXISTING = (
    select(_DOC.c.id, _DOC.c.nip, _DOC.c.periode_mulai, _DOC.c.periode_selesai, _DOC.c.status, _DOC.c.version,
           _DOC.c.content_hash, _DOC.c.instansi, _DOC.c.penilai_override)
    .where(_DOC.c.nip.in_(bindparam("nips", expanding=True)))
    .with_for_update()
)
_BULK_INSERT = {
    dialect: (pg_insert(_DOC) if dialect == "postgresql" else sqlite_insert(_DOC))
    .on_conflict_do_nothing(index_elements=["nip", "periode_mulai", "periode_selesai"])
    .returning(_DOC.c.id)
    for dialect in ("postgresql", "sqlite")
}


def _written(doc: SkpDocument, values: dict[str, Any]) -> None:
    """Record on ``doc`` what an UPDATE just stored, as its committed state
    (what a refresh would read back, without the SELECT)."""
    for key, value in values.items():
        set_committed_value(doc, key, value)


class Neighbours(NamedTuple):
    """The pegawai's other SKPs that a new or changed one is checked against,
    and the deadline extensions of its instansi and year."""

    #: the id of the SKP of exactly this period, if any (the unique key)
    existing: uuid.UUID | None
    #: the content of the pegawai's latest SKP of the previous year (None: none)
    previous: dict | None
    #: the periods of the SKPs with another start that overlap this one (mutasi)
    overlapping: list[tuple[dt.date, dt.date]]
    #: (sampai, unit_kerja, nip) of each extension, as :meth:`SkpRepository.extension_rules`
    extensions: list[tuple[dt.date, str | None, str | None]]


class Visibility(Protocol):
    """Which SKPs a list may show (service_layer.access.Visibility)."""

    nip: str | None
    penilai_nip: str | None
    instansi: str | None


def _where(v: Visibility):
    t = SkpDocument
    conds = []
    if v.nip is not None:
        conds.append(t.nip == v.nip)
    if v.penilai_nip is not None:
        conds.append(t.penilai_nip == v.penilai_nip)
    if v.instansi is not None:
        conds.append(t.instansi == v.instansi)
    return or_(*conds) if len(conds) > 1 else conds[0]


async def read_status_row(engine: AsyncEngine, skp_id: uuid.UUID):
    """The status columns of one SKP on a connection of its own (no
    transaction, no ORM): the long poll asks this often."""
    async with engine.connect() as connection:
        return (await connection.execute(_STATUS, {"id": skp_id})).first()


class SkpRepository:
    """SKP documents, their versions, deadline extensions, and
    import jobs, in one unit of work's session."""

    def __init__(self, session):
        self.session = session

    # --- documents ----------------------------------------------------------

    async def get(self, skp_id: uuid.UUID) -> SkpDocument | None:
        return await self.session.get(SkpDocument, skp_id)

    async def id_for(self, nip: str, mulai: dt.date, selesai: dt.date) -> uuid.UUID | None:
        return (await self.session.exec(_EXISTING, params={"nip": nip, "mulai": mulai, "selesai": selesai})).first()

    async def neighbours(self, nip: str, mulai: dt.date, selesai: dt.date, instansi: str | None) -> Neighbours:
        """In one SELECT: :meth:`id_for`; the content of the pegawai's latest
        SKP of the year before ``mulai``'s; the periods of their SKPs with
        another start that overlap [mulai, selesai] (mutasi); and
        :meth:`extension_rules` of ``instansi`` and ``mulai``'s year."""
        tahun_lalu = mulai.year - 1
        rows = (await self.session.exec(_NEIGHBOURS, params={
            "nip": nip, "mulai": mulai, "selesai": selesai, "tahun_lalu": tahun_lalu, "instansi": instansi,
            "tahun": mulai.year})).all()
        existing = previous = None
        latest: dt.date | None = None
        overlapping = []
        extensions = []
        for id_, a, b, tahun, content, unit_kerja, ext_nip in rows:
            if id_ is None:
                extensions.append((a, unit_kerja, ext_nip))
                continue
            if tahun == tahun_lalu and (latest is None or b > latest):  # the one that ends last
                previous, latest = content, b
            if a == mulai:
                if b == selesai:
                    existing = id_
            elif a <= selesai and b >= mulai:
                overlapping.append((a, b))
        return Neighbours(existing, previous, overlapping, extensions)

    async def superior_contents(self, nip: str, tahun: int, mulai: dt.date, selesai: dt.date) -> list[dict]:
        return list((await self.session.exec(_SUPERIOR, params={
            "nip": nip, "tahun": tahun, "mulai": mulai, "selesai": selesai})).all())

    async def add(self, doc: SkpDocument, first: SkpVersion) -> None:
        self.session.add(doc)
        self.session.add(first)
        await self.session.flush()

    async def add_new(self, values: dict[str, Any], version_created_at: dt.datetime) -> None:
        """Insert a new SKP (every column of :data:`_NEW_DOC_COLUMNS` in
        ``values``) and its first version (its content, hash, author and
        override, created ``version_created_at``)."""
        params = {**values, "version_created_at": version_created_at}
        conn = await self.session.connection()
        if conn.dialect.name == "postgresql":
            await conn.execute(_NEW_DOC_AND_VERSION, params)
        else:
            await conn.execute(_NEW_DOC, params)
            await conn.execute(_NEW_VERSION, params)

    def add_version(self, version: SkpVersion) -> None:
        self.session.add(version)

    async def update_content(self, doc: SkpDocument, version: int, values: dict[str, Any]) -> bool:
        """Write new content if ``doc`` is still at ``version``; False when another write won."""
        result = await self.session.exec(_UPDATE_CONTENT, params={"b_id": doc.id, "b_version": version, **values})
        if result.rowcount != 1:
            return False
        _written(doc, values)
        return True

    async def set_status(self, doc: SkpDocument, version: int, from_status: str, values: dict[str, Any]) -> bool:
        """Move ``doc`` on from ``from_status`` at ``version``; False when another write won."""
        result = await self.session.exec(_SUBMIT, params={
            "b_id": doc.id, "b_version": version, "b_status": from_status, **values})
        if result.rowcount != 1:
            return False
        _written(doc, values)
        return True

    async def delete(self, skp_id: uuid.UUID, version: int) -> bool:
        """Delete the SKP at ``version`` and its versions; False when another write won."""
        result = await self.session.exec(delete(SkpDocument).where(SkpDocument.id == skp_id, SkpDocument.version == version))
        if result.rowcount != 1:
            return False
        await self.session.exec(delete(SkpVersion).where(SkpVersion.skp_id == skp_id))
        return True

    async def project(self, skp_id: uuid.UUID, sequence: int, version: int, values: dict[str, Any]) -> bool:
        """Apply an approval event's ``values`` when it is newer than the last
        applied (``sequence``) and about the current ``version`` (compare-and-set)."""
        result = await self.session.exec(
            _PROJECT, params={"b_id": skp_id, "b_sequence": sequence, "b_version": version, **values})
        return result.rowcount == 1

    async def page(self, visibility: Visibility, *, tahun: int | None, periode_mulai, periode_selesai,
                   unit_kerja: str | None, status: str | None, penilai_nip: str | None, nip: str | None,
                   limit: int, offset: int) -> tuple[int, list[SkpDocument]]:
        t = SkpDocument
        conds = [_where(visibility)]
        if tahun is not None:
            conds.append(t.tahun == tahun)
        if periode_mulai is not None:
            conds.append(t.periode_selesai >= periode_mulai)
        if periode_selesai is not None:
            conds.append(t.periode_mulai <= periode_selesai)
        if unit_kerja:
            conds.append(t.unit_kerja == unit_kerja)
        if status is not None:
            conds.append(t.status == status)
        if penilai_nip:
            conds.append(t.penilai_nip == penilai_nip)
        if nip:
            conds.append(t.nip == nip)
        total = (await self.session.exec(select(func.count()).select_from(t).where(*conds))).one()
        rows = (await self.session.exec(
            select(t).where(*conds).order_by(col(t.periode_mulai).desc(), t.nama, t.id).limit(limit).offset(offset)
        )).all()
        return total, list(rows)

    async def appraised_by(self, nips: Iterable[str], tahun: int) -> list[SkpDocument]:
        """The SKPs of a year whose pejabat penilai is one of ``nips`` (the cascade's next level)."""
        return list((await self.session.exec(
            select(SkpDocument).where(SkpDocument.penilai_nip.in_(set(nips)), SkpDocument.tahun == tahun))).all())

    async def waiting_in_years(self, years: Sequence[int]) -> list[SkpDocument]:
        """The SKPs still in Draft or Revisi of the given years (the reminder scan)."""
        return list((await self.session.exec(select(SkpDocument).where(
            SkpDocument.status.in_(("Draft", "Revisi")), SkpDocument.tahun.in_(tuple(years))))).all())

    async def drafts_of(self, instansi: str, tahun: int) -> list[SkpDocument]:
        """The SKPs of an instansi and year still in Draft, by unit kerja and NIP (the late list)."""
        return list((await self.session.exec(select(SkpDocument).where(
            SkpDocument.instansi == instansi, SkpDocument.tahun == tahun, SkpDocument.status == "Draft",
        ).order_by(SkpDocument.unit_kerja, SkpDocument.nip))).all())

    # --- versions -----------------------------------------------------------

    async def versions(self, skp_id: uuid.UUID) -> list[SkpVersion]:
        return list((await self.session.exec(
            select(SkpVersion).where(SkpVersion.skp_id == skp_id).order_by(SkpVersion.version))).all())

    async def version(self, skp_id: uuid.UUID, version: int) -> SkpVersion | None:
        return await self.session.get(SkpVersion, (skp_id, version))

    # --- bulk writes (one chunk: one SELECT, one INSERT, one UPDATE, one INSERT) ---

    async def lock_existing(self, nips: Sequence[str]) -> list:
        """Key, status, version and hash of every stored SKP of ``nips``,
        locked FOR UPDATE (PostgreSQL) until the chunk commits."""
        conn = await self.session.connection()
        return list((await conn.execute(_BULK_EXISTING, {"nips": list(nips)})).all())

    async def insert_new(self, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
        """Insert documents, skipping keys stored meanwhile; the ids inserted."""
        conn = await self.session.connection()
        stmt = _BULK_INSERT["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
        return set((await conn.execute(stmt, rows)).scalars().all())

    async def update_many(self, rows: list[dict[str, Any]]) -> None:
        """Executemany compare-and-set UPDATE (``b_id``, ``b_version`` and the new values)."""
        conn = await self.session.connection()
        stmt = (
            update(_DOC)
            .where(_DOC.c.id == bindparam("b_id"), _DOC.c.version == bindparam("b_version"))
            .values({k: bindparam(k) for k in rows[0] if not k.startswith("b_")})
        )
        await conn.execute(stmt, rows)

    async def insert_versions(self, rows: list[dict[str, Any]]) -> None:
        conn = await self.session.connection()
        await conn.execute(_VER.insert(), rows)

    # --- deadline extensions --------------------------------------------------

    async def extensions(self, instansi: str, tahun: int) -> list[DeadlineExtension]:
        return list((await self.session.exec(_EXTENSIONS, params={"instansi": instansi, "tahun": tahun})).all())

    async def extension_rules(self, instansi: str, tahun: int) -> list[tuple[dt.date, str | None, str | None]]:
        """(sampai, unit_kerja, nip) of each extension of an instansi and year, oldest first."""
        # on the session (not its connection): a pending grant or revoke is flushed first
        return [tuple(r) for r in (await self.session.exec(
            _EXTENSION_RULES, params={"instansi": instansi, "tahun": tahun})).all()]

    async def extensions_of_years(self, years: Iterable[int]) -> list[DeadlineExtension]:
        return list((await self.session.exec(
            select(DeadlineExtension).where(DeadlineExtension.tahun.in_(set(years))))).all())

    async def add_extension(self, ext: DeadlineExtension) -> None:
        self.session.add(ext)
        await self.session.flush()

    async def get_extension(self, ext_id: uuid.UUID) -> DeadlineExtension | None:
        return await self.session.get(DeadlineExtension, ext_id)

    async def delete_extension(self, ext: DeadlineExtension) -> None:
        await self.session.delete(ext)

    # --- import jobs ------------------------------------------------------------

    async def add_job(self, job: ImportJob) -> None:
        self.session.add(job)
        await self.session.flush()

    async def get_job(self, job_id: uuid.UUID) -> ImportJob | None:
        return await self.session.get(ImportJob, job_id)

    async def update_job(self, job_id: uuid.UUID, **values) -> None:
        await self.session.exec(update(ImportJob).where(ImportJob.id == job_id).values(updated_at=utcnow(), **values))
