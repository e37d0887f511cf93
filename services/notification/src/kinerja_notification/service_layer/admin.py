"""Use cases behind the API: correct an address, set preferences, resend."""

from __future__ import annotations

import uuid

from kinerja_contracts.calendar import utcnow
from kinerja_platform.db import after_commit
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

from ..adapters.repository import NotificationRepository
from ..adapters.tables import Delivery, Recipient
from . import access
from .mail import Mailroom, message_id


def _stale(what: str, current: int) -> ProblemError:
    return ProblemError(409, "stale-version",
                        f"{what} sudah diubah orang lain; muat ulang lalu coba lagi (stale version; current is {current}).",
                        current_version=current)


async def get_recipient(session, nip: str) -> Recipient:
    rec = await NotificationRepository(session).recipient(nip)
    if rec is None:
        raise ProblemError(404, "recipient-not-found",
                           f"NIP {nip} belum dikenal layanan notifikasi (no recipient with NIP {nip}).")
    return rec


async def correct_email(session, nip: str, email: str, version: int, *, resend_undelivered: bool,
                        mail: Mailroom) -> tuple[Recipient, int]:
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
        for d in await NotificationRepository(session).undelivered_to(nip):
            _requeue(d, email, mail.config.domain)
            queued += 1
        if queued:
            after_commit(session, mail.wake_workers)
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
    d = await NotificationRepository(session).delivery(event_id, nip)
    if d is None:
        raise ProblemError(404, "delivery-not-found",
                           f"Tidak ada e-mail untuk event {event_id} kepada NIP {nip} (no such delivery).")
    return d


def _requeue(d: Delivery, email: str, domain: str) -> None:
    d.resends += 1
    d.version += 1
    d.email = email
    d.status, d.attempts, d.last_error, d.sent_at = "pending", 0, None, None
    d.next_attempt_at = utcnow()
    d.message_id = message_id(d.event_id, d.recipient_nip, domain, d.resends)


async def resend(session, event_id: uuid.UUID, nip: str, version: int, mail: Mailroom) -> Delivery:
    """Send one e-mail again, to the recipient's current address, with a new
    Message-ID (``.r<n>``): a deliberate second copy, not a duplicate."""
    d = await get_delivery(session, event_id, nip)
    if d.version != version:
        raise _stale("E-mail ini", d.version)
    if d.status == "pending":
        raise ProblemError(409, "delivery-pending",
                           "E-mail ini masih dalam antrean pengiriman (the mail is still queued).")
    rec = await NotificationRepository(session).recipient(nip)
    email = (rec.email if rec else None) or d.email
    if not email:
        raise ProblemError(409, "no-address",
                           f"NIP {nip} belum punya alamat e-mail; perbaiki dulu alamatnya "
                           "(no address known; correct it first with PUT /api/v1/recipients/{nip}/email).")
    _requeue(d, email, mail.config.domain)
    after_commit(session, mail.wake_workers)
    return d


async def page(session, *, nip: str | None = None, event_id: uuid.UUID | None = None, status: str | None = None,
               kind: str | None = None, instansi: str | None = None, limit: int = 50,
               offset: int = 0) -> tuple[list[Delivery], int]:
    """A page of the delivery log, newest first; ``instansi`` limits it to
    people of that agency (an admin's scope)."""
    return await NotificationRepository(session).deliveries(nip=nip, event_id=event_id, status=status, kind=kind,
                                                             instansi=instansi, limit=limit, offset=offset)


async def recipients(session, *, missing_email: bool | None, instansi: str | None = None, limit: int,
                     offset: int) -> tuple[list[Recipient], int]:
    return await NotificationRepository(session).recipients(missing_email=missing_email, instansi=instansi,
                                                             limit=limit, offset=offset)


# --- the API's use cases: who may (access), then what ------------------------------------


async def _instansi_of(session, nip: str) -> str | None:
    rec = await NotificationRepository(session).recipient(nip)
    return rec.instansi if rec else None


async def log_page(session, principal: Principal, *, nip: str | None, event_id: uuid.UUID | None,
                   status: str | None, kind: str | None, limit: int, offset: int) -> tuple[list[Delivery], int]:
    """The delivery log of an admin's instansi."""
    return await page(session, nip=nip, event_id=event_id, status=status, kind=kind,
                      instansi=access.admin_scope(principal), limit=limit, offset=offset)


async def log_of_recipient(session, principal: Principal, nip: str, *, status: str | None, limit: int,
                           offset: int) -> tuple[list[Delivery], int]:
    access.ensure_may_see(principal, nip, await _instansi_of(session, nip))
    return await page(session, nip=nip, status=status, limit=limit, offset=offset)


async def log_of_event(session, principal: Principal, event_id: uuid.UUID) -> list[Delivery]:
    rows, _ = await page(session, event_id=event_id, instansi=access.admin_scope(principal), limit=500)
    return rows


async def read_delivery(session, principal: Principal, event_id: uuid.UUID, nip: str) -> Delivery:
    access.ensure_may_see(principal, nip, await _instansi_of(session, nip))
    return await get_delivery(session, event_id, nip)


async def resend_for(session, principal: Principal, event_id: uuid.UUID, nip: str, version: int,
                     mail: Mailroom) -> Delivery:
    access.ensure_may_see(principal, nip, await _instansi_of(session, nip))
    return await resend(session, event_id, nip, version, mail)


async def directory_page(session, principal: Principal, *, missing_email: bool | None, limit: int,
                         offset: int) -> tuple[list[Recipient], int]:
    return await recipients(session, missing_email=missing_email, instansi=access.admin_scope(principal), limit=limit,
                            offset=offset)


async def read_recipient(session, principal: Principal, nip: str) -> Recipient:
    rec = await get_recipient(session, nip)
    access.ensure_may_see(principal, nip, rec.instansi)
    return rec


async def correct_email_for(session, principal: Principal, nip: str, email: str, version: int, *,
                            resend_undelivered: bool, mail: Mailroom) -> tuple[Recipient, int]:
    await read_recipient(session, principal, nip)
    return await correct_email(session, nip, email, version, resend_undelivered=resend_undelivered, mail=mail)


async def set_preferences_for(session, principal: Principal, nip: str, *, digest: bool | None, locale: str | None,
                              version: int) -> Recipient:
    await read_recipient(session, principal, nip)
    return await set_preferences(session, nip, digest=digest, locale=locale, version=version)
