"""Use cases behind the API: correct an address, set preferences, resend."""

from __future__ import annotations

import uuid

from kinerja_contracts.calendar import utcnow
from kinerja_platform.db import after_commit
from kinerja_platform.web.errors import ProblemError
from sqlalchemy import func
from sqlmodel import select

from ..adapters.tables import Delivery, Recipient
from .mail import config, message_id, wake_workers


def _stale(what: str, current: int) -> ProblemError:
    return ProblemError(409, "stale-version",
                        f"{what} sudah diubah orang lain; muat ulang lalu coba lagi (stale version; current is {current}).",
                        current_version=current)


async def get_recipient(session, nip: str) -> Recipient:
    rec = await session.get(Recipient, nip)
    if rec is None:
        raise ProblemError(404, "recipient-not-found",
                           f"NIP {nip} belum dikenal layanan notifikasi (no recipient with NIP {nip}).")
    return rec


async def correct_email(session, nip: str, email: str, version: int, *, resend_undelivered: bool) -> tuple[Recipient, int]:
    """An admin sets the address; later events no longer overwrite it. Mails
    that had no address, or bounced permanently, are queued again when
    ``resend_undelivered``. Returns the entry and how many mails were queued."""
    rec = await get_recipient(session, nip)
    if rec.version != version:
        raise _stale("Data penerima", rec.version)
    rec.email, rec.email_corrected = email, True
    rec.version += 1
    rec.updated_at = utcnow()
    queued = 0
    if resend_undelivered:
        rows = (await session.exec(
            select(Delivery).where(Delivery.recipient_nip == nip, Delivery.status.in_(("undeliverable", "failed")))
        )).all()
        for d in rows:
            _requeue(d, email)
            queued += 1
        if queued:
            after_commit(session, wake_workers)
    return rec, queued


async def set_preferences(session, nip: str, *, digest: bool | None, locale: str | None, version: int) -> Recipient:
    rec = await get_recipient(session, nip)
    if rec.version != version:
        raise _stale("Preferensi", rec.version)
    rec.digest, rec.locale = digest, locale
    rec.version += 1
    rec.updated_at = utcnow()
    return rec


async def get_delivery(session, event_id: uuid.UUID, nip: str) -> Delivery:
    d = await session.get(Delivery, (event_id, nip))
    if d is None:
        raise ProblemError(404, "delivery-not-found",
                           f"Tidak ada e-mail untuk event {event_id} kepada NIP {nip} (no such delivery).")
    return d


def _requeue(d: Delivery, email: str) -> None:
    d.resends += 1
    d.version += 1
    d.email = email
    d.status, d.attempts, d.last_error, d.sent_at = "pending", 0, None, None
    d.next_attempt_at = utcnow()
    d.message_id = message_id(d.event_id, d.recipient_nip, config.domain, d.resends)


async def resend(session, event_id: uuid.UUID, nip: str, version: int) -> Delivery:
    """Send one e-mail again, to the recipient's current address, with a new
    Message-ID (``.r<n>``): a deliberate second copy, not a duplicate."""
    d = await get_delivery(session, event_id, nip)
    if d.version != version:
        raise _stale("E-mail ini", d.version)
    if d.status == "pending":
        raise ProblemError(409, "delivery-pending",
                           "E-mail ini masih dalam antrean pengiriman (the mail is still queued).")
    rec = await session.get(Recipient, nip)
    email = (rec.email if rec else None) or d.email
    if not email:
        raise ProblemError(409, "no-address",
                           f"NIP {nip} belum punya alamat e-mail; perbaiki dulu alamatnya "
                           "(no address known; correct it first with PUT /api/v1/recipients/{nip}/email).")
    _requeue(d, email)
    after_commit(session, wake_workers)
    return d


async def page(session, *, nip: str | None = None, event_id: uuid.UUID | None = None, status: str | None = None,
               kind: str | None = None, instansi: str | None = None, limit: int = 50,
               offset: int = 0) -> tuple[list[Delivery], int]:
    """A page of the delivery log, newest first; ``instansi`` limits it to
    people of that agency (an admin's scope)."""
    conds = []
    if instansi:
        conds.append(Delivery.recipient_nip.in_(select(Recipient.nip).where(Recipient.instansi == instansi)))
    if nip:
        conds.append(Delivery.recipient_nip == nip)
    if event_id:
        conds.append(Delivery.event_id == event_id)
    if status:
        conds.append(Delivery.status == status)
    if kind:
        conds.append(Delivery.kind == kind)
    total = (await session.exec(select(func.count()).select_from(Delivery).where(*conds))).one()
    rows = (await session.exec(
        select(Delivery).where(*conds).order_by(Delivery.created_at.desc(), Delivery.recipient_nip).offset(offset).limit(limit)
    )).all()
    return list(rows), int(total)


async def recipients(session, *, missing_email: bool | None, instansi: str | None = None, limit: int,
                     offset: int) -> tuple[list[Recipient], int]:
    conds = []
    if instansi:
        conds.append(Recipient.instansi == instansi)
    if missing_email is True:
        conds.append(Recipient.email.is_(None))
    elif missing_email is False:
        conds.append(Recipient.email.is_not(None))
    total = (await session.exec(select(func.count()).select_from(Recipient).where(*conds))).one()
    rows = (await session.exec(select(Recipient).where(*conds).order_by(Recipient.nama).offset(offset).limit(limit))).all()
    return list(rows), int(total)
