"""Turn events into deliveries (runs in the consumer's transaction).

Every e-mail is a row in the delivery log keyed by (event, recipient),
written in the same transaction as the consumer's `processed_event` record: the same
event handled twice finds its row and writes nothing. The delivery worker is
woken after the commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Protocol

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.values import Pegawai, email_problem
from kinerja_platform.db import after_commit
from kinerja_contracts.events.envelope import Envelope

from ..adapters.repository import NotificationRepository
from ..adapters.tables import DigestItem
from ..domain.messages import render
from ..domain.routing import KINDS, PREFERENCES_PATH, Outgoing, route, settles_skp
from . import directory


class Preferences(Protocol):
    """A person's own choices (a ``Recipient`` row, or what the API shows)."""

    @property
    def digest(self) -> bool | None: ...

    @property
    def locale(self) -> str | None: ...


@dataclass
class MailConfig:
    """What queueing mail needs from settings."""

    domain: str = "kinerja.local"
    base_url: str = "http://127.0.0.1:8001"
    default_locale: str = "id"
    digest_default: bool = False
    #: seconds an evaluation result mail waits for a re-rating that replaces it (0: none)
    rerating_window: float = 300.0


#: kinds whose mails about the same thing (the same path: one evaluation)
#: replace each other while they wait, instead of each going out
COALESCED_KINDS = frozenset({"evaluation.finalized"})


class Mailroom:
    """What turns events into mail in one running service: its
    :class:`MailConfig` and the delivery workers it runs (``wake()``,
    ``offer(rows)``, ``has_room()``, ``lease``, ``worker_id``). Built by ``bootstrap``, one
    per container; the consumers, the digest and the admin use cases get it
    from there."""

    def __init__(self, config: MailConfig | None = None):
        self.config = config or MailConfig()
        self.workers: list = []

    def wake_workers(self) -> None:
        for worker in list(self.workers):
            worker.wake()

    def link(self, path: str) -> str:
        return f"{self.config.base_url.rstrip('/')}{path}"

    def wants_digest(self, rec: Preferences | None) -> bool:
        if rec is None or rec.digest is None:
            return self.config.digest_default
        return rec.digest

    def locale_of(self, rec: Preferences | None) -> str:
        return (rec.locale if rec is not None and rec.locale else None) or self.config.default_locale


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
    locale: str = "id"


def _handed_over(session) -> int:
    """How many new mails this transaction has written leased to the worker so far."""
    return len(getattr(session, "sync_session", session).info.get("fresh_deliveries", ()))


def _hand_over_after_commit(session, d: QueuedMail, worker) -> None:
    """Fast path: a new mail is written already leased to this process's
    worker, and handed to it in memory right after the commit, so it goes out
    without the worker polling or claiming it. Should the process die first,
    the lease ends and any worker takes the row from the database."""
    sync = getattr(session, "sync_session", session)
    fresh = sync.info.get("fresh_deliveries")
    if fresh is None:
        fresh = sync.info["fresh_deliveries"] = []
        after_commit(session, lambda: worker.offer(fresh))
    fresh.append(d)


def message_id(event_id: uuid.UUID, nip: str, domain: str, resend: int = 0) -> str:
    """Deterministic Message-ID per (event, recipient): a crash between
    sending and committing makes a second send with the same id, which mail
    systems see as a duplicate. A deliberate resend gets ``.r<n>``."""
    suffix = f".r{resend}" if resend else ""
    return f"<{event_id}.{nip}{suffix}@{domain}>"


async def handle_event(session, env: Envelope, mail: Mailroom) -> int:
    """Queue the e-mails of an event; returns how many were queued (a digest
    item counts as one). Each recipient's address, and the names the mail
    shows, come from the directory projection, never from the event."""
    payload = env.data
    settled = settles_skp(payload)
    if settled is not None:
        await settle_digest_items(session, *settled)
    outgoing = route(payload)
    if not outgoing:
        return 0
    people = directory.Addresses(session)
    mentioned = _mentioned(outgoing)
    # every person the mails name and the recipients' preferences: one SELECT (per 500)
    riwayat, prefs = await NotificationRepository(session).people_and_preferences(
        mentioned, [out.to.nip for out in outgoing])
    people.know(mentioned, riwayat)
    for out in outgoing:
        who = await people.of(out.to.nip)
        await queue(session, env, await _named(out, people), who, prefs.get(out.to.nip), mail)
    return len(outgoing)


def _mentioned(outgoing: list[Outgoing]) -> list[str]:
    """The NIPs of every recipient and every person the mails' contexts name, once each."""
    return list(dict.fromkeys([out.to.nip for out in outgoing] + [v.nip for out in outgoing for v in out.ctx.values()
                                                                  if isinstance(v, Pegawai)]))


async def _named(out: Outgoing, people: directory.Addresses) -> Outgoing:
    """``out`` with every person of its context named as the directory names them."""
    ctx = {k: await people.named(v) if isinstance(v, Pegawai) else v for k, v in out.ctx.items()}
    return replace(out, ctx=ctx)


async def queue(session, env: Envelope, out: Outgoing, who: directory.Addressee, rec: Preferences | None,
                mail: Mailroom) -> None:
    """Write the delivery row (or digest item) for one recipient: to the
    directory's address of ``who``, with ``rec``'s preferences. The
    consumer's ``processed_event`` claim has already made sure this event is
    handled once."""
    if out.digestible and mail.wants_digest(rec):
        await _queue_digest_item(session, env, out)
        return
    rendered = render(out.kind, mail.locale_of(rec), **out.ctx, link=mail.link(out.path),
                      preferences_link=mail.link(PREFERENCES_PATH))
    email = who.email
    status, reason = delivery_status(email, who.why_not)
    email_for_worker = email if status == "pending" else None  # a bad address is never handed to a worker
    priority = 1 if KINDS[out.kind].bulk else 0
    # the fast path always for a person's own workflow mail; bulk only while the worker has room
    # (counting the rows this transaction already leased to it: a bulk event leases no more than it sends soon)
    workers = mail.workers
    worker = (workers[0] if workers and email_for_worker and (priority == 0 or workers[0].has_room(_handed_over(session)))
              else None)
    now = utcnow()
    coalesce_key = None
    if out.kind in COALESCED_KINDS and mail.config.rerating_window > 0 and email_for_worker:
        coalesce_key = f"{out.kind}:{out.path}"
        worker = None  # held for the window: no fast path
    d = QueuedMail(
        event_id=env.event_id,
        recipient_nip=out.to.nip,
        kind=out.kind,
        email=email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        message_id=message_id(env.event_id, out.to.nip, mail.config.domain),
        correlation_id=env.correlation_id,
        priority=priority,
        locale=rendered.locale,
    )
    repo = NotificationRepository(session)
    last_error = reason
    due = now + worker.lease if worker is not None else now
    if coalesce_key is not None:
        due = env.occurred_at + dt.timedelta(seconds=mail.config.rerating_window)
        if await _coalesce(repo, out.to.nip, coalesce_key, due, env.event_id):
            status, last_error = "superseded", "a newer result of the same evaluation was already waiting"
    await repo.insert_delivery(dict(
        event_id=d.event_id, recipient_nip=d.recipient_nip, kind=d.kind, event_type=env.event_type, email=email,
        locale=rendered.locale, subject=d.subject, body_text=d.body_text, body_html=d.body_html,
        message_id=d.message_id, status=status, priority=priority,
        attempts=0, resends=0, version=1, last_error=last_error,
        correlation_id=d.correlation_id, created_at=now, coalesce_key=coalesce_key,
        next_attempt_at=due, sent_at=None, leased_by=worker.worker_id if worker is not None else None,
    ))
    if coalesce_key is not None:
        return  # the worker's poll takes it when the window has passed
    if worker is not None:
        _hand_over_after_commit(session, d, worker)
    elif email_for_worker:
        after_commit(session, mail.wake_workers)


def delivery_status(email: str | None, why_not: str | None = None) -> tuple[str, str | None]:
    """The first status of a mail to ``email`` and why it will not be sent:
    no address is ``undeliverable`` with ``why_not`` (the person is not in
    the directory, not active, or has no address there; an admin corrects the
    directory, then resends), an address that can never be delivered (a line
    break, a list of addresses, no domain) is ``failed`` at once with its
    reason, never retried."""
    if not email:
        return "undeliverable", why_not or directory.NO_ADDRESS
    problem = email_problem(email)
    if problem:
        return "failed", f"alamat e-mail tidak sah (invalid address, never sent): {problem}"
    return "pending", None


async def _coalesce(repo: NotificationRepository, nip: str, key: str, due: dt.datetime, event_id: uuid.UUID) -> bool:
    """Re-rating within the window: the waiting mail(s) about the same
    evaluation are superseded by this one, which goes out instead, at its own
    time. Events may be handled out of order: a waiting mail due later came
    from a newer event, and then this one is the superseded one (True)."""
    if await repo.waiting_due_after(nip, key, due):
        return True
    await repo.supersede_waiting(nip, key, f"replaced by the re-rating in event {event_id}")
    return False


async def _queue_digest_item(session, env: Envelope, out: Outgoing) -> None:
    repo = NotificationRepository(session)
    if await repo.digest_item(env.event_id, out.to.nip) is not None:
        return
    periode = out.ctx.get("periode")
    sequence = out.extra.get("sequence")
    settled = await repo.settlement(out.skp_id) if out.skp_id else None
    stale = settled is not None and (sequence is None or sequence < settled.sequence)
    repo.add_digest_item(
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


async def settle_digest_items(session, skp_id: uuid.UUID, sequence: int) -> None:
    """An SKP was decided or reassigned: drop it from summaries not sent yet
    (items of a later transition, e.g. a resubmission, stay)."""
    await NotificationRepository(session).settle(skp_id, sequence)
