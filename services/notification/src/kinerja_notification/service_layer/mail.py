"""Turn events into deliveries (run in the consumer's transaction)."""

from __future__ import annotations

import uuid

from kinerja_contracts.context import get_correlation_id
from kinerja_contracts.db import after_commit
from kinerja_contracts.values import Pegawai

from ..adapters.tables import Delivery, Recipient, utcnow
from ..domain.messages import Rendered


#: wake-up callbacks of the delivery workers in this process
delivery_wakeups: list = []


def _wake_workers() -> None:
    for wake in list(delivery_wakeups):
        wake()


async def remember(session, person: Pegawai) -> Recipient:
    """Upsert the directory entry for ``person`` (an admin's correction wins)."""
    rec = await session.get(Recipient, person.nip)
    if rec is None:
        rec = Recipient(nip=person.nip, nama=person.nama, email=person.email)
        session.add(rec)
    else:
        rec.nama = person.nama
        if person.email and not rec.email_corrected:
            rec.email = person.email
        rec.updated_at = utcnow()
    return rec


def message_id(event_id: uuid.UUID, nip: str, domain: str) -> str:
    """Deterministic Message-ID per (event, recipient)."""
    return f"<{event_id}.{nip}@{domain}>"


async def enqueue(session, event_id: uuid.UUID, person: Pegawai, rendered: Rendered, *, domain: str) -> Delivery:
    rec = await remember(session, person)
    existing = await session.get(Delivery, (event_id, person.nip))
    if existing is not None:
        return existing
    d = Delivery(
        event_id=event_id,
        recipient_nip=person.nip,
        kind=rendered.kind,
        email=rec.email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        message_id=message_id(event_id, person.nip, domain),
        status="pending" if rec.email else "undeliverable",
        last_error=None if rec.email else "no e-mail address known for this NIP",
        correlation_id=get_correlation_id(),
    )
    session.add(d)
    if d.status == "pending":
        after_commit(session, _wake_workers)
    return d
