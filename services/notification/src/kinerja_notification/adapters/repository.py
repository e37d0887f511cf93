"""The notification service's SQL, behind repository methods: the use cases
in service_layer/ (the consumers' mail queueing, the digest, the delivery
worker, the admin API) call these and never build a statement.

:class:`NotificationRepository` wraps one session. The hot statements are
built once (at import, or once per dialect or per set of columns, cached
here) and compiled once: executing them only binds values.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kinerja_contracts.calendar import utcnow
from kinerja_platform.directory_view import DirectoryPerson
from sqlalchemy import Boolean, Integer, String, Text, bindparam, case, cast, func, insert, literal_column, null, or_, \
    tuple_, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select

from .tables import Delivery, DigestItem, Recipient, SkpSettlement

_DELIVERY = Delivery.__table__
_RECIPIENT = Recipient.__table__
_DIGEST = DigestItem.__table__
_PERSON = DirectoryPerson.__table__

#: keys per statement at most (an announcement names thousands of people)
_CHUNK = 500

#: built once: the preferences rows of ``nips`` (an expanding list)
_RECIPIENTS = select(Recipient).where(Recipient.nip.in_(bindparam("nips", expanding=True)))

#: built once: in one round trip, the directory projection's riwayat of
#: ``person_ids`` (rows ``("d", person_id, riwayat, None, None)``) and the
#: preferences of ``nips`` (rows ``("r", nip, None, locale, digest)``)
_PEOPLE_AND_PREFERENCES = union_all(
    select(literal_column("'d'").label("source"), _PERSON.c.person_id.label("key"), _PERSON.c.riwayat,
           cast(null(), String).label("locale"), cast(null(), Boolean).label("digest"))
    .where(_PERSON.c.person_id.in_(bindparam("person_ids", expanding=True))),
    select(literal_column("'r'"), _RECIPIENT.c.nip, cast(null(), Text), _RECIPIENT.c.locale, _RECIPIENT.c.digest)
    .where(_RECIPIENT.c.nip.in_(bindparam("nips", expanding=True))),
)

#: every column given on each call: one statement, compiled once
_INSERT_DELIVERY = insert(_DELIVERY)

#: due rows, a person's own mail first (built once; ``now`` and ``limit`` bound per call)
_DUE = (
    select(Delivery)
    .where(Delivery.status == "pending",
           Delivery.next_attempt_at <= bindparam("now", type_=_DELIVERY.c.next_attempt_at.type))
    .order_by(Delivery.priority, Delivery.next_attempt_at)
    .limit(bindparam("limit", type_=Integer))
)
_DUE_FOR_UPDATE = _DUE.with_for_update(skip_locked=True)

#: built once: pending digest items of an SKP up to a transition become resolved
_RESOLVE_ITEMS = (
    update(_DIGEST)
    .where(_DIGEST.c.skp_id == bindparam("b_skp_id", type_=_DIGEST.c.skp_id.type),
           _DIGEST.c.status == "pending",
           or_(_DIGEST.c.sequence.is_(None),
               _DIGEST.c.sequence < bindparam("b_sequence", type_=_DIGEST.c.sequence.type)))
    .values(status="resolved")
)

_upserts: dict[str, object] = {}
_settlements: dict[str, object] = {}
_outcome_updates: dict[tuple[str, ...], object] = {}


def _new_recipient(dialect: str):
    """INSERT of a preferences row .. ON CONFLICT DO NOTHING (two first
    writes at once cannot collide); built once per dialect."""
    stmt = _upserts.get(dialect)
    if stmt is None:
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = _upserts[dialect] = ins(_RECIPIENT).on_conflict_do_nothing(index_elements=[_RECIPIENT.c.nip])
    return stmt


def _settlement(dialect: str):
    """Record an SKP's latest settling transition (the highest sequence wins);
    built once per dialect."""
    stmt = _settlements.get(dialect)
    if stmt is None:
        table = SkpSettlement.__table__
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = ins(table).values(skp_id=bindparam("b_skp_id", type_=table.c.skp_id.type),
                                 sequence=bindparam("b_sequence", type_=table.c.sequence.type))
        stmt = _settlements[dialect] = stmt.on_conflict_do_update(
            index_elements=[table.c.skp_id],
            set_={"sequence": case((table.c.sequence < stmt.excluded.sequence, stmt.excluded.sequence),
                                   else_=table.c.sequence)},
        )
    return stmt


#: built once: the settlement's upsert and the items' resolution in one statement (PostgreSQL runs a
#: data-modifying CTE; the UPDATE does not read skp_settlement, so the shared snapshot changes nothing)
_SETTLE_PG = _RESOLVE_ITEMS.add_cte(_settlement("postgresql").cte("settled"))


#: built once: a pending row's lease is extended to ``v_until`` only while it is still leased to ``b_owner``
#: (compare-and-set: a worker whose lease another worker took gets no row back and does not send)
_KEEP_LEASE = (
    update(_DELIVERY)
    .where(_DELIVERY.c.event_id == bindparam("b_event_id", type_=_DELIVERY.c.event_id.type),
           _DELIVERY.c.recipient_nip == bindparam("b_recipient_nip", type_=_DELIVERY.c.recipient_nip.type),
           _DELIVERY.c.status == "pending",
           _DELIVERY.c.leased_by == bindparam("b_owner", type_=_DELIVERY.c.leased_by.type))
    .values(next_attempt_at=bindparam("v_until", type_=_DELIVERY.c.next_attempt_at.type))
)


def _outcome_update(columns: tuple[str, ...]):
    """UPDATE of ``columns`` (bound as ``v_<column>``) of one pending row
    (``b_event_id``, ``b_recipient_nip``) still leased to ``b_owner``: one
    statement per set of columns."""
    stmt = _outcome_updates.get(columns)
    if stmt is None:
        c = _DELIVERY.c
        stmt = _outcome_updates[columns] = (
            update(_DELIVERY)
            .where(c.event_id == bindparam("b_event_id", type_=c.event_id.type),
                   c.recipient_nip == bindparam("b_recipient_nip", type_=c.recipient_nip.type),
                   c.status == "pending",
                   c.leased_by == bindparam("b_owner", type_=c.leased_by.type))
            .values({k: bindparam(f"v_{k}", type_=c[k].type) for k in columns})
        )
    return stmt


@dataclass(frozen=True, slots=True)
class Choices:
    """A person's stored preferences, as the mail queueing reads them."""

    locale: str | None
    digest: bool | None


class NotificationRepository:
    """Recipients, deliveries, digest items and settlements, in one session."""

    def __init__(self, session):
        self.session = session

    @property
    def _dialect(self) -> str:
        return self.session.bind.dialect.name

    # --- recipients ------------------------------------------------------------------

    async def recipient(self, nip: str, *, fresh: bool = False) -> Recipient | None:
        """A person's preferences; ``fresh`` reads them again even if the session holds them."""
        if fresh:
            return await self.session.get(Recipient, nip, populate_existing=True)
        return await self.session.get(Recipient, nip)

    async def recipient_for_update(self, nip: str) -> Recipient:
        """A person's preferences row, made (with the defaults) when they have none yet."""
        await self.session.exec(_new_recipient(self._dialect),
                                params={"nip": nip, "locale": None, "digest": None, "version": 1, "updated_at": utcnow()})
        rec = await self.recipient(nip, fresh=True)
        assert rec is not None
        return rec

    async def recipients(self, nips: Sequence[str]) -> dict[str, Recipient]:
        """The preferences rows of ``nips`` that exist."""
        if not nips:
            return {}
        rows = (await self.session.exec(_RECIPIENTS, params={"nips": list(nips)})).all()
        return {r.nip: r for r in rows}

    async def people_and_preferences(self, person_ids: Sequence[str],
                                     nips: Sequence[str]) -> tuple[dict[str, str], dict[str, Choices]]:
        """The directory projection's riwayat (its JSON) of the ``person_ids``
        it holds, and the stored preferences of the ``nips`` that have some:
        one statement per 500 of each (one for a workflow mail)."""
        riwayat: dict[str, str] = {}
        choices: dict[str, Choices] = {}
        for start in range(0, max(len(person_ids), len(nips)), _CHUNK):
            result = await self.session.exec(_PEOPLE_AND_PREFERENCES, params={
                "person_ids": list(person_ids[start:start + _CHUNK]), "nips": list(nips[start:start + _CHUNK])})
            for source, key, raw, locale, digest in result.all():
                if source == "d":
                    riwayat[key] = raw
                else:
                    choices[key] = Choices(locale, digest)
        return riwayat, choices

    async def people_of(self, instansi: str, *, limit: int, offset: int) -> tuple[list[str], int]:
        """A page of the ids of the people the directory holds in ``instansi`` (by id) and how many there are."""
        cond = DirectoryPerson.instansi == instansi
        total = (await self.session.exec(select(func.count()).select_from(DirectoryPerson).where(cond))).one()
        ids = (await self.session.exec(select(DirectoryPerson.person_id).where(cond).order_by(DirectoryPerson.person_id)
                                       .offset(offset).limit(limit))).all()
        return list(ids), int(total)

    # --- deliveries ------------------------------------------------------------------

    async def insert_delivery(self, values: dict[str, Any]) -> None:
        """Insert one delivery row (every column given)."""
        await self.session.exec(_INSERT_DELIVERY, params=values)

    def _waiting(self, nip: str, key: str) -> tuple:
        return (Delivery.recipient_nip == nip, Delivery.coalesce_key == key, Delivery.status == "pending",
                Delivery.attempts == 0)

    async def waiting_due_after(self, nip: str, key: str, due: dt.datetime) -> bool:
        """Whether a mail with ``coalesce_key`` waits for ``nip`` that is due after ``due``."""
        stmt = select(Delivery.event_id).where(*self._waiting(nip, key), Delivery.next_attempt_at > due).limit(1)
        return (await self.session.exec(stmt)).first() is not None

    async def supersede_waiting(self, nip: str, key: str, reason: str) -> None:
        """Mark the mails with ``coalesce_key`` still waiting for ``nip`` superseded."""
        await self.session.exec(
            update(Delivery).where(*self._waiting(nip, key))
            .values(status="superseded", last_error=reason, version=Delivery.version + 1)
        )

    def add_delivery(self, d: Delivery) -> None:
        self.session.add(d)

    async def delivery(self, event_id: uuid.UUID, nip: str) -> Delivery | None:
        return await self.session.get(Delivery, (event_id, nip))

    async def deliveries(self, *, nip: str | None, event_id: uuid.UUID | None, status: str | None, kind: str | None,
                         instansi: str | None, limit: int, offset: int) -> tuple[list[Delivery], int]:
        """A page of the delivery log, newest first; ``instansi`` limits it to people of that agency."""
        conds = []
        if instansi:  # the people the directory holds in that instansi
            conds.append(Delivery.recipient_nip.in_(
                select(DirectoryPerson.person_id).where(DirectoryPerson.instansi == instansi)))
        if nip:
            conds.append(Delivery.recipient_nip == nip)
        if event_id:
            conds.append(Delivery.event_id == event_id)
        if status:
            conds.append(Delivery.status == status)
        if kind:
            conds.append(Delivery.kind == kind)
        total = (await self.session.exec(select(func.count()).select_from(Delivery).where(*conds))).one()
        rows = (await self.session.exec(
            select(Delivery).where(*conds).order_by(Delivery.created_at.desc(), Delivery.recipient_nip)
            .offset(offset).limit(limit))).all()
        return list(rows), int(total)

    async def due(self, now: dt.datetime, limit: int) -> list[Delivery]:
        """Pending rows due at ``now``, a person's own mail first; locked with
        SKIP LOCKED on PostgreSQL (another worker takes other rows)."""
        stmt = _DUE_FOR_UPDATE if self._dialect == "postgresql" else _DUE
        return list((await self.session.exec(stmt, params={"now": now, "limit": limit})).all())

    async def lease(self, keys: Sequence[tuple[uuid.UUID, str]], owner: str, now: dt.datetime,
                    until: dt.datetime) -> set[tuple[uuid.UUID, str]]:
        """Lease the rows of ``keys`` (event id, NIP) to ``owner`` until
        ``until``, each only if it is still pending and due at ``now``; returns
        the keys leased. One conditional UPDATE whose own WHERE decides
        (compare-and-set): a row another worker leased since it was read is no
        longer due and stays that worker's. On SQLite this is what makes a
        claim safe (a SELECT there locks nothing, and two processes may read
        the same due rows); on PostgreSQL the rows read are locked as well."""
        if not keys:
            return set()
        c = _DELIVERY.c
        result = await self.session.exec(
            update(_DELIVERY)
            .where(tuple_(c.event_id, c.recipient_nip).in_(list(keys)), c.status == "pending",
                   c.next_attempt_at <= now)
            .values(next_attempt_at=until, leased_by=owner)
            .returning(c.event_id, c.recipient_nip))
        return {(r.event_id, r.recipient_nip) for r in result.all()}

    async def keep_lease(self, event_id: uuid.UUID, nip: str, owner: str, until: dt.datetime) -> bool:
        """Extend the lease of a pending row to ``until`` if it is still
        leased to ``owner`` (even if its time ran out, as long as no other
        worker took it); False: another worker holds it now, or it is no
        longer pending."""
        result = await self.session.exec(_KEEP_LEASE, params={
            "b_event_id": event_id, "b_recipient_nip": nip, "b_owner": owner, "v_until": until})
        return result.rowcount == 1

    async def record_outcomes(self, columns: tuple[str, ...], params: list[dict[str, Any]]) -> None:
        """One UPDATE of ``columns`` run for every row of ``params`` (rows
        still pending and still leased to ``b_owner`` only)."""
        await self.session.exec(_outcome_update(columns), params=params if len(params) > 1 else params[0])

    # --- digest items and settlements --------------------------------------------------------

    async def digest_item(self, event_id: uuid.UUID, nip: str) -> DigestItem | None:
        return await self.session.get(DigestItem, (event_id, nip))

    def add_digest_item(self, item: DigestItem) -> None:
        self.session.add(item)

    async def settlement(self, skp_id: uuid.UUID) -> SkpSettlement | None:
        return await self.session.get(SkpSettlement, skp_id)

    async def settle(self, skp_id: uuid.UUID, sequence: int) -> None:
        """Record the SKP's settling transition and resolve its pending items
        up to it (on PostgreSQL one statement, the upsert a CTE of the UPDATE)."""
        params = {"b_skp_id": skp_id, "b_sequence": sequence}
        if self._dialect == "postgresql":
            await self.session.exec(_SETTLE_PG, params=params)
            return
        await self.session.exec(_settlement(self._dialect), params=params)
        await self.session.exec(_RESOLVE_ITEMS, params=params)

    async def digest_recipients(self, before: dt.datetime) -> list[str]:
        """Who has pending digest items from before ``before``."""
        return list((await self.session.exec(
            select(DigestItem.recipient_nip)
            .where(DigestItem.status == "pending", DigestItem.created_at < before)
            .distinct()
        )).all())

    async def pending_digest_items(self, nip: str, before: dt.datetime) -> list[DigestItem]:
        """A person's pending items from before ``before``, oldest first; locked
        with SKIP LOCKED on PostgreSQL (another replica takes other people)."""
        stmt = (
            select(DigestItem)
            .where(DigestItem.recipient_nip == nip, DigestItem.status == "pending", DigestItem.created_at < before)
            .order_by(DigestItem.created_at)
        )
        if self._dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return list((await self.session.exec(stmt)).all())

    async def mark_digest_failed(self, nip: str, before: dt.datetime) -> None:
        """The pending items of a summary that could not be made end ``failed``."""
        await self.session.exec(
            update(DigestItem)
            .where(DigestItem.recipient_nip == nip, DigestItem.status == "pending", DigestItem.created_at < before)
            .values(status="failed")
        )

    async def mark_digest_sent(self, nip: str, event_ids: Sequence[uuid.UUID], digest_event_id: uuid.UUID) -> None:
        await self.session.exec(
            update(DigestItem)
            .where(DigestItem.recipient_nip == nip, DigestItem.event_id.in_(list(event_ids)))
            .values(status="sent", digest_event_id=digest_event_id)
        )
