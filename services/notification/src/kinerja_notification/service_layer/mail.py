"""Turn events into deliveries (runs in the consumer's transaction).

Every e-mail is a row in the delivery log keyed by (event, recipient),
written in the same transaction as the consumer's `processed_event` record: the same
event handled twice finds its row and writes nothing. The delivery worker is
woken after the commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from kinerja_contracts.calendar import utcnow
from kinerja_platform.db import after_commit
from kinerja_contracts.events.envelope import Envelope
from sqlalchemy import bindparam, case, insert, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..adapters.tables import Delivery, DigestItem, Recipient, SkpSettlement
from ..domain.messages import render
from ..domain.routing import KINDS, Outgoing, identities, route, settles_skp
from . import directory


@dataclass
class MailConfig:
    """What the consumers need from settings (set once at start)."""

    domain: str = "kinerja.local"
    base_url: str = "http://127.0.0.1:8001"
    default_locale: str = "id"
    digest_default: bool = False


config = MailConfig()

#: the delivery workers running in this process (``wake()``, ``offer(rows)``, ``lease``)
workers: list = []


def wake_workers() -> None:
    for worker in list(workers):
        worker.wake()


@dataclass(eq=False)
class QueuedMail:
    """A delivery row just written, with what the worker needs to send it
    (handed over in memory on the fast path; the worker reads rows it claims
    from the database, ``Delivery`` objects, by the same names)."""

    event_id: uuid.UUID
    recipient_nip: str
    kind: str
    email: str | None
    subject: str
    body_text: str
    body_html: str | None
    message_id: str
    correlation_id: str | None
    priority: int
    attempts: int = 0


#: every column given on each call: one statement, compiled once
_INSERT_DELIVERY = insert(Delivery.__table__)


def _hand_over_after_commit(session, d: QueuedMail) -> None:
    """Fast path: a new mail is written already leased to this process's
    worker, and handed to it in memory right after the commit, so it goes out
    without the worker polling or claiming it. Should the process die first,
    the lease ends and any worker takes the row from the database."""
    sync = getattr(session, "sync_session", session)
    fresh = sync.info.get("fresh_deliveries")
    if fresh is None:
        fresh = sync.info["fresh_deliveries"] = []
        worker = workers[0]
        after_commit(session, lambda: worker.offer(fresh))
    fresh.append(d)


def message_id(event_id: uuid.UUID, nip: str, domain: str, resend: int = 0) -> str:
    """Deterministic Message-ID per (event, recipient): a crash between
    sending and committing makes a second send with the same id, which mail
    systems see as a duplicate. A deliberate resend gets ``.r<n>``."""
    suffix = f".r{resend}" if resend else ""
    return f"<{event_id}.{nip}{suffix}@{domain}>"


def link(path: str) -> str:
    return f"{config.base_url.rstrip('/')}{path}"


def wants_digest(rec: Recipient | None) -> bool:
    if rec is None or rec.digest is None:
        return config.digest_default
    return rec.digest


def locale_of(rec: Recipient | None) -> str:
    return (rec.locale if rec is not None and rec.locale else None) or config.default_locale


async def handle_event(session, env: Envelope) -> int:
    """Learn the people in the event and queue its e-mails; returns how many
    were queued (a digest item counts as one)."""
    payload = env.data
    known = await directory.remember(session, identities(payload))
    settled = settles_skp(payload)
    if settled is not None:
        await settle_digest_items(session, *settled)
    outgoing = route(payload)
    for out in outgoing:
        rec = known.get(out.to.nip) or await directory.lookup(session, out.to.nip)
        await queue(session, env, out, rec)
    return len(outgoing)


async def queue(session, env: Envelope, out: Outgoing, rec) -> None:
    """Write the delivery row (or digest item) for one recipient. The consumer's
    ``processed_event`` claim has already made sure this event is handled once."""
    if out.digestible and wants_digest(rec):
        await _queue_digest_item(session, env, out)
        return
    rendered = render(out.kind, locale_of(rec), **out.ctx, link=link(out.path))
    email = rec.email if rec is not None else None
    priority = 1 if KINDS[out.kind].bulk else 0
    # the fast path always for a person's own workflow mail; bulk only while the worker has room
    worker = workers[0] if workers and email and (priority == 0 or workers[0].has_room()) else None
    now = utcnow()
    d = QueuedMail(
        event_id=env.event_id,
        recipient_nip=out.to.nip,
        kind=out.kind,
        email=email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        message_id=message_id(env.event_id, out.to.nip, config.domain),
        correlation_id=env.correlation_id,
        priority=priority,
    )
    await session.exec(_INSERT_DELIVERY, params=dict(
        event_id=d.event_id, recipient_nip=d.recipient_nip, kind=d.kind, event_type=env.event_type, email=email,
        locale=rendered.locale, subject=d.subject, body_text=d.body_text, body_html=d.body_html,
        message_id=d.message_id, status="pending" if email else "undeliverable", priority=priority,
        attempts=0, resends=0, version=1,
        last_error=None if email else "alamat e-mail tidak diketahui untuk NIP ini (no e-mail address known for this NIP)",
        correlation_id=d.correlation_id, created_at=now,
        next_attempt_at=now + worker.lease if worker is not None else now, sent_at=None,
    ))
    if worker is not None:
        _hand_over_after_commit(session, d)
    elif email:
        after_commit(session, wake_workers)


async def _queue_digest_item(session, env: Envelope, out: Outgoing) -> None:
    if await session.get(DigestItem, (env.event_id, out.to.nip)) is not None:
        return
    periode = out.ctx.get("periode")
    sequence = out.extra.get("sequence")
    settled = await session.get(SkpSettlement, out.skp_id) if out.skp_id else None
    stale = settled is not None and (sequence is None or sequence < settled.sequence)
    session.add(
        DigestItem(
            event_id=env.event_id,
            recipient_nip=out.to.nip,
            skp_id=out.skp_id,
            pegawai_nip=out.ctx["pegawai"].nip,
            pegawai_nama=out.ctx["pegawai"].nama,
            periode_mulai=periode.mulai if periode else None,
            periode_selesai=periode.selesai if periode else None,
            resubmission=bool(out.extra.get("resubmission")),
            sequence=sequence,
            reminder_days=out.extra.get("reminder_days"),
            correlation_id=env.correlation_id,
            status="resolved" if stale else "pending",
        )
    )


_settlements: dict[str, object] = {}
_digest_table = DigestItem.__table__
#: built once: pending digest items of an SKP up to a transition become resolved
_RESOLVE_ITEMS = (
    update(_digest_table)
    .where(_digest_table.c.skp_id == bindparam("b_skp_id", type_=_digest_table.c.skp_id.type),
           _digest_table.c.status == "pending",
           or_(_digest_table.c.sequence.is_(None),
               _digest_table.c.sequence < bindparam("b_sequence", type_=_digest_table.c.sequence.type)))
    .values(status="resolved")
)


def _settlement(dialect: str):
    """Record an SKP's latest settling transition (the highest sequence wins);
    built once per dialect."""
    stmt = _settlements.get(dialect)
    if stmt is None:
        table = SkpSettlement.__table__
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(table).values(skp_id=bindparam("b_skp_id", type_=table.c.skp_id.type),
                                    sequence=bindparam("b_sequence", type_=table.c.sequence.type))
        stmt = _settlements[dialect] = stmt.on_conflict_do_update(
            index_elements=[table.c.skp_id],
            set_={"sequence": case((table.c.sequence < stmt.excluded.sequence, stmt.excluded.sequence),
                                   else_=table.c.sequence)},
        )
    return stmt


async def settle_digest_items(session, skp_id: uuid.UUID, sequence: int) -> None:
    """An SKP was decided or reassigned: drop it from summaries not sent yet
    (items of a later transition, e.g. a resubmission, stay)."""
    params = {"b_skp_id": skp_id, "b_sequence": sequence}
    await session.exec(_settlement(session.bind.dialect.name), params=params)
    await session.exec(_RESOLVE_ITEMS, params=params)
