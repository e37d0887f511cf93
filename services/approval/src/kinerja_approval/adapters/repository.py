"""The approval service's SQL, behind repository methods: the use cases in
service_layer/ call these and never build a statement.

:class:`ApprovalRepository` wraps the session of one unit of work. The hot
paths (the compare-and-set of a decision, the usual inbox page, the Plt/Plh
in force) use statements built once at import: executing them only binds
values.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kinerja_contracts.lifecycle import SkpAction, SkpStatus
from sqlalchemy import Date, String, bindparam, case as sql_case, exists, func, insert, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select

from kinerja_platform.db import dialect_of
from kinerja_platform.directory_view import DirectoryPerson, DirectorySuperior

from ..domain.authority import JenisPenugasan, Penugasan
from .tables import ApprovalCase, ApprovalTransition, ApprovalVersion, PenugasanRow

_CASE = ApprovalCase.__table__
_VERSION = ApprovalVersion.__table__
_TRANSITION = ApprovalTransition.__table__

#: the columns of an audit row the use cases give (``id`` comes from the database)
TRANSITION_COLUMNS = tuple(c.name for c in _TRANSITION.c if c.name != "id")

#: compare-and-set on a case, a Core UPDATE on the table built once: no ORM
#: bulk-update machinery, no evaluation against the session's objects. The SET
#: clause comes from the parameters given at execution.
_CAS = (
    _CASE.c.skp_id == bindparam("b_skp_id"),
    _CASE.c.sequence == bindparam("b_sequence"),
    _CASE.c.status == bindparam("b_status"),
)
_ADVANCE = update(_CASE).where(*_CAS)

#: a new case, a version and an audit row: Core INSERTs of the tables (no ORM
#: object built, no unit-of-work flush); the values come at execution
_INSERT_CASE = insert(_CASE)
_INSERT_VERSION = insert(_VERSION)
_INSERT_TRANSITION = insert(_TRANSITION)


def _bound(table, prefix: str, names) -> dict[str, Any]:
    """``{column: bind parameter prefix+column}`` for ``names`` of ``table`` (typed as the column)."""
    return {n: bindparam(prefix + n, type_=table.c[n].type) for n in names}


def _build_open_pg():
    """On PostgreSQL, one statement (one round trip) writes a new case, its
    first version (the case's snapshot, sent once) and its first audit row:
    data-modifying CTEs, each run exactly once."""
    case = insert(_CASE).values(_bound(_CASE, "c_", [c.name for c in _CASE.c])).returning(
        _CASE.c.skp_id, _CASE.c.version, _CASE.c.content_hash, _CASE.c.snapshot).cte("opened")
    version = insert(_VERSION).from_select(
        ["skp_id", "version", "content_hash", "snapshot", "received_at"],
        select(case.c.skp_id, case.c.version, case.c.content_hash, case.c.snapshot,
               bindparam("v_received_at", type_=_VERSION.c.received_at.type)),
    ).cte("kept")
    return insert(_TRANSITION).values(_bound(_TRANSITION, "t_", TRANSITION_COLUMNS)).add_cte(case).add_cte(version)


_OPEN_PG = _build_open_pg()

#: compare-and-set plus its audit row in one statement on PostgreSQL, per set of
#: columns the transition writes (a handful: decisions, submissions, moves)
_ADVANCE_AUDITED_PG: dict[frozenset[str], Any] = {}


def _advance_audited_pg(columns: frozenset[str]):
    """``WITH moved AS (UPDATE .. WHERE <same sequence and status> RETURNING ..)
    INSERT INTO approval_transition SELECT .. FROM moved``: the audit row is
    written exactly when the case moved (0 rows: another transition won)."""
    stmt = _ADVANCE_AUDITED_PG.get(columns)
    if stmt is None:
        moved = update(_CASE).where(*_CAS).values(_bound(_CASE, "c_", sorted(columns))).returning(
            _CASE.c.skp_id).cte("moved")
        audit = _bound(_TRANSITION, "t_", TRANSITION_COLUMNS)
        stmt = insert(_TRANSITION).from_select(list(TRANSITION_COLUMNS), select(*audit.values()).select_from(moved))
        _ADVANCE_AUDITED_PG[columns] = stmt
    return stmt

#: the inbox lists cases without their snapshot (the whole SKP document, the
#: largest column): not read, not decoded. Plain rows of the table's columns
#: (attribute access like a case), no ORM objects: the page only answers.
_LISTED = tuple(c for c in _CASE.c if c.name != "snapshot")

#: the Plt/Plh assignments in force for a delegate on a day (every delegated
#: decision asks it): the columns a Penugasan needs, as rows
_PENUGASAN = PenugasanRow.__table__


def _in_force(delegate_nip, day) -> tuple:
    """The assignments of ``delegate_nip`` in force on ``day`` (values or bind parameters)."""
    return (_PENUGASAN.c.delegate_nip == delegate_nip, _PENUGASAN.c.mulai <= day, _PENUGASAN.c.selesai >= day,
            _PENUGASAN.c.revoked_at.is_(None))


_IN_FORCE = select(
    _PENUGASAN.c.delegate_nip, _PENUGASAN.c.penilai_nip, _PENUGASAN.c.mulai, _PENUGASAN.c.selesai,
    _PENUGASAN.c.jenis, _PENUGASAN.c.instansi,
).where(*_in_force(bindparam("delegate_nip"), bindparam("day")))

#: pending_routed_through's three reads (every directory change of a person asks them)
_PENDING = ApprovalCase.status == SkpStatus.Pending.value
_OWN_PENDING = select(ApprovalCase).where(_PENDING, ApprovalCase.pegawai_nip == bindparam("pid"))
_INSTANSI_OF = select(DirectoryPerson.instansi).where(DirectoryPerson.person_id == bindparam("pid"))
_SUBORDINATES_PENDING = (
    select(ApprovalCase)
    .join(DirectorySuperior, DirectorySuperior.person_id == ApprovalCase.pegawai_nip)  # type: ignore[arg-type]
    .join(DirectoryPerson, DirectoryPerson.person_id == ApprovalCase.pegawai_nip)  # type: ignore[arg-type]
    .where(_PENDING, DirectorySuperior.atasan_id == bindparam("pid"), ApprovalCase.instansi == bindparam("instansi"),
           DirectoryPerson.instansi == bindparam("instansi"))
    .order_by(ApprovalCase.pending_since, ApprovalCase.skp_id)
)


def penugasan_of(row: Any) -> Penugasan:
    """The domain's Penugasan of a stored assignment (a PenugasanRow or a row of its columns)."""
    return Penugasan(
        delegate_nip=row.delegate_nip, penilai_nip=row.penilai_nip, mulai=row.mulai, selesai=row.selesai,
        jenis=JenisPenugasan(row.jenis), instansi=row.instansi,
    )


#: the atasan whose inbox is read, and their day (Asia/Jakarta) for the Plt/Plh in force
_ME = bindparam("me", type_=String)
_DAY = bindparam("day", type_=Date)


def _inbox_conditions(unit_kerja: str | None, jenis_pegawai: str | None, periode_dari: dt.date | None,
                      periode_sampai: dt.date | None) -> list:
    """The WHERE of an inbox (bind parameters ``me`` and ``day``): Pending
    with ``me`` as penilai, or with a penilai ``me`` acts for on ``day``
    (Plt/Plh in force, of the case's instansi when the assignment names one;
    domain.authority), never ``me``'s own SKP. The assignments are read in the
    same statement: the penilai are one indexed IN (``me`` and those acted
    for), the instansi of an assignment a filter on those rows."""
    penilai = ApprovalCase.penilai_nip
    inboxes = select(_ME).union_all(select(_PENUGASAN.c.penilai_nip).where(*_in_force(_ME, _DAY)))
    acting_here = exists().where(
        *_in_force(_ME, _DAY), _PENUGASAN.c.penilai_nip == penilai,
        or_(_PENUGASAN.c.instansi.is_(None), _PENUGASAN.c.instansi == ApprovalCase.instansi))
    conditions = [
        ApprovalCase.status == SkpStatus.Pending.value,
        penilai.in_(inboxes),  # type: ignore[union-attr]
        or_(penilai == _ME, acting_here),
        ApprovalCase.pegawai_nip != _ME,  # a Plh never sees (or decides) their own SKP
    ]
    if unit_kerja:
        conditions.append(ApprovalCase.unit_kerja == unit_kerja)
    if jenis_pegawai:
        conditions.append(ApprovalCase.jenis_pegawai == jenis_pegawai)
    if periode_dari:
        conditions.append(ApprovalCase.periode_selesai >= periode_dari)
    if periode_sampai:
        conditions.append(ApprovalCase.periode_mulai <= periode_sampai)
    return conditions


def _own():
    return func.coalesce(func.sum(sql_case((ApprovalCase.penilai_nip == _ME, 1), else_=0)), 0)


def _page_query(conditions: list):
    """One page of the inbox, each row with the totals of every match (window
    aggregates, computed before LIMIT/OFFSET): count, own, oldest pending_since."""
    own = func.coalesce(func.sum(sql_case((ApprovalCase.penilai_nip == _ME, 1), else_=0)).over(), 0)
    return (
        select(*_LISTED, func.count().over(), own, func.min(ApprovalCase.pending_since).over())
        .where(*conditions)
        .order_by(ApprovalCase.pending_since, ApprovalCase.skp_id)
        .limit(bindparam("limit")).offset(bindparam("offset"))
    )


#: the usual inbox (no filter), built once
_PLAIN_PAGE = _page_query(_inbox_conditions(None, None, None, None))


class ApprovalRepository:
    """Cases, their versions and audit trail, and Plt/Plh assignments, in one
    unit of work's session (a reminder sent is its outbox row: add_event_once)."""

    def __init__(self, session):
        self.session = session

    # --- cases ----------------------------------------------------------------

    async def get(self, skp_id: uuid.UUID) -> ApprovalCase | None:
        return await self.session.get(ApprovalCase, skp_id)

    async def open(self, case: dict[str, Any], received_at: dt.datetime, audit: dict[str, Any]) -> None:
        """Write a new case (every column in ``case``), its first version (the
        case's version, content hash and snapshot, received at ``received_at``)
        and its first audit row (:data:`TRANSITION_COLUMNS`): one statement on
        PostgreSQL, three INSERTs elsewhere. IntegrityError when the case or
        the audit row exists already."""
        if dialect_of(self.session) == "postgresql":
            params = {"v_received_at": received_at}
            params.update({"c_" + k: v for k, v in case.items()})
            params.update({"t_" + k: v for k, v in audit.items()})
            await self.session.exec(_OPEN_PG, params=params)
            return
        await self.session.exec(_INSERT_CASE, params=case)
        await self.session.exec(_INSERT_VERSION, params={
            "skp_id": case["skp_id"], "version": case["version"], "content_hash": case["content_hash"],
            "snapshot": case["snapshot"], "received_at": received_at})
        await self.session.exec(_INSERT_TRANSITION, params=audit)

    async def advance(self, case: ApprovalCase, values: dict[str, Any], audit: dict[str, Any]) -> bool:
        """Write ``values`` on ``case`` and append the audit row ``audit``
        (:data:`TRANSITION_COLUMNS`) if nobody moved the case since it was read
        (same sequence and status); False, and nothing written, when another
        transition won. One statement on PostgreSQL. IntegrityError when the
        audit row's (skp_id, sequence) exists already."""
        where = {"b_skp_id": case.skp_id, "b_sequence": case.sequence, "b_status": case.status}
        if dialect_of(self.session) == "postgresql":
            params = {**where, **{"c_" + k: v for k, v in values.items()}, **{"t_" + k: v for k, v in audit.items()}}
            result = await self.session.exec(_advance_audited_pg(frozenset(values)), params=params)
            if result.rowcount != 1:
                return False
        else:
            result = await self.session.exec(_ADVANCE, params={**where, **values})
            if result.rowcount != 1:
                return False
            await self.session.exec(_INSERT_TRANSITION, params=audit)
        for key, value in values.items():  # what the UPDATE stored: no refresh SELECT needed
            set_committed_value(case, key, value)
        return True

    async def set_unrouted_reason(self, case: ApprovalCase, reason: str) -> None:
        """Why an unrouted case waits (informational: no transition, the sequence stays)."""
        await self.session.exec(update(_CASE).where(_CASE.c.skp_id == case.skp_id, _CASE.c.penilai_nip.is_(None))
                                .values(unrouted_reason=reason))
        set_committed_value(case, "unrouted_reason", reason)

    async def flush(self) -> None:
        """Write what is staged now (IntegrityError when a unique key refuses it)."""
        await self.session.flush()

    async def version(self, skp_id: uuid.UUID, version: int) -> ApprovalVersion | None:
        return await self.session.get(ApprovalVersion, (skp_id, version))

    async def add_version(self, skp_id: uuid.UUID, version: int, content_hash: str, snapshot: dict[str, Any],
                          received_at: dt.datetime) -> None:
        await self.session.exec(_INSERT_VERSION, params={
            "skp_id": skp_id, "version": version, "content_hash": content_hash, "snapshot": snapshot,
            "received_at": received_at})

    async def history(self, skp_id: uuid.UUID) -> list[ApprovalTransition]:
        return list((await self.session.exec(
            select(ApprovalTransition).where(ApprovalTransition.skp_id == skp_id).order_by(ApprovalTransition.sequence)
        )).all())

    async def last_return(self, skp_id: uuid.UUID) -> ApprovalTransition | None:
        return (await self.session.exec(
            select(ApprovalTransition)
            .where(ApprovalTransition.skp_id == skp_id, ApprovalTransition.action == SkpAction.return_.value)
            .order_by(ApprovalTransition.sequence.desc()).limit(1)
        )).first()

    # --- inboxes and lists ----------------------------------------------------------

    async def inbox_page(self, me: str, day: dt.date, *, unit_kerja: str | None, jenis_pegawai: str | None,
                         periode_dari: dt.date | None, periode_sampai: dt.date | None,
                         limit: int, offset: int) -> tuple[list[Any], int, int, dt.datetime | None]:
        """The cases Pending with ``me`` as penilai, or with a penilai ``me``
        acts for on ``day`` (Plt/Plh), oldest first; with the totals of every
        match: (cases, total, own, oldest pending_since). One statement. A
        case here is a row of the case's columns but its snapshot (read by
        attribute, like a case)."""
        filters = (unit_kerja, jenis_pegawai, periode_dari, periode_sampai)
        conditions = _inbox_conditions(*filters) if any(filters) else None
        query = _PLAIN_PAGE if conditions is None else _page_query(conditions)
        params = {"me": me, "day": day}
        rows = (await self.session.exec(query, params={**params, "limit": limit, "offset": offset})).all()
        n = len(_LISTED)
        if rows:
            total, own, oldest = rows[0][n:]
        elif offset == 0:
            total, own, oldest = 0, 0, None  # nothing matches at all
        else:  # a page past the end: the totals need their own query
            if conditions is None:
                conditions = _inbox_conditions(*filters)
            total, own, oldest = (await self.session.exec(
                select(func.count(), _own(), func.min(ApprovalCase.pending_since)).where(*conditions),
                params=params)).one()
        return list(rows), int(total), int(own), oldest

    async def of_instansi(self, instansi: str, *, status: str | None, penilai_nip: str | None,
                          pegawai_nip: str | None, unit_kerja: str | None, limit: int,
                          offset: int, unrouted: bool | None = None) -> tuple[int, list[ApprovalCase]]:
        conditions = [ApprovalCase.instansi == instansi]
        if unrouted is not None:
            column = ApprovalCase.penilai_nip
            conditions.append(column.is_(None) if unrouted else column.is_not(None))  # type: ignore[union-attr]
        for column, value in ((ApprovalCase.status, status), (ApprovalCase.penilai_nip, penilai_nip),
                              (ApprovalCase.pegawai_nip, pegawai_nip), (ApprovalCase.unit_kerja, unit_kerja)):
            if value:
                conditions.append(column == value)
        total = (await self.session.exec(select(func.count()).select_from(ApprovalCase).where(*conditions))).one()
        rows = (await self.session.exec(
            select(ApprovalCase).where(*conditions)
            .order_by(ApprovalCase.pending_since.is_(None), ApprovalCase.pending_since, ApprovalCase.updated_at,
                      ApprovalCase.skp_id)
            .limit(limit).offset(offset)
        )).all()
        return int(total), list(rows)

    async def pending_since_before(self, horizon: dt.datetime) -> list[ApprovalCase]:
        """Routed cases Pending since ``horizon`` or earlier, in one order for every replica
        (an unrouted case has no penilai to remind: its admin sees it in the case list)."""
        return list((await self.session.exec(
            select(ApprovalCase).where(
                ApprovalCase.status == SkpStatus.Pending.value, ApprovalCase.pending_since <= horizon,
                ApprovalCase.penilai_nip.is_not(None),  # type: ignore[union-attr]
            ).order_by(ApprovalCase.pending_since, ApprovalCase.skp_id)
        )).all())

    async def pending_routed_through(self, person_id: str) -> list[ApprovalCase]:
        """The Pending cases whose routing a change of ``person_id`` in the
        directory may change: the person's own, and those of pegawai of the
        person's instansi whose directory riwayat names them as superior
        (``atasan_id``) on some date. Read from the directory projection
        (kinerja_platform.directory_view: ``directory_superior`` holds every
        superior each stored riwayat names, indexed by superior)."""
        own = list((await self.session.exec(_OWN_PENDING, params={"pid": person_id})).all())
        instansi = (await self.session.exec(_INSTANSI_OF, params={"pid": person_id})).first()
        if instansi is None:
            return own
        subordinates = (await self.session.exec(
            _SUBORDINATES_PENDING, params={"pid": person_id, "instansi": instansi})).all()
        seen = {c.skp_id for c in own}
        return own + [c for c in subordinates if c.skp_id not in seen]

    # --- Plt/Plh assignments ---------------------------------------------------------

    async def in_force_for(self, delegate_nip: str, day: dt.date) -> list[Penugasan]:
        rows = (await self.session.exec(_IN_FORCE, params={"delegate_nip": delegate_nip, "day": day})).all()
        return [penugasan_of(r) for r in rows]

    async def add_penugasan(self, row: PenugasanRow) -> None:
        self.session.add(row)
        await self.session.flush()

    async def penugasan_of_instansi(self, instansi: str, aktif_pada: dt.date | None) -> list[PenugasanRow]:
        q = select(PenugasanRow).where(PenugasanRow.instansi == instansi)
        if aktif_pada is not None:
            q = q.where(PenugasanRow.mulai <= aktif_pada, PenugasanRow.selesai >= aktif_pada,
                        PenugasanRow.revoked_at.is_(None))
        return list((await self.session.exec(q.order_by(PenugasanRow.mulai, PenugasanRow.created_at))).all())

    async def get_penugasan(self, penugasan_id: uuid.UUID) -> PenugasanRow | None:
        return await self.session.get(PenugasanRow, penugasan_id)

    async def save_penugasan(self, row: PenugasanRow) -> None:
        self.session.add(row)
        await self.session.flush()
