"""Use cases behind the API: the delivery log, resend, a person's entry and
preferences. There is no address correction here: an address is corrected
in the directory (services/directory, by an admin of the person's
instansi), and this service reads it from there."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from kinerja_contracts.calendar import utcnow
from kinerja_platform.db import after_commit
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError

from ..adapters.repository import NotificationRepository
from ..adapters.tables import Delivery, Recipient
from . import access, directory
from .mail import Mailroom, message_id


def _stale(what: str, current: int) -> ProblemError:
    return ProblemError(409, "stale-version",
                        f"{what} sudah diubah orang lain; muat ulang lalu coba lagi (stale version; current is {current}).",
                        current_version=current)


@dataclass(frozen=True)
class RecipientInfo:
    """A person as this service mails them: who they are and their address
    (the directory's, today), and their own preferences (defaults, version
    1, while they have set none)."""

    nip: str
    nama: str | None
    email: str | None
    instansi: str | None
    in_directory: bool
    aktif: bool
    undeliverable_reason: str | None
    locale: str | None
    digest: bool | None
    version: int
    updated_at: dt.datetime | None


def _info(who: directory.Addressee, rec: Recipient | None) -> RecipientInfo:
    return RecipientInfo(
        nip=who.nip, nama=who.nama, email=who.email, instansi=who.instansi, in_directory=who.record is not None,
        aktif=bool(who.record and who.record.aktif), undeliverable_reason=who.why_not,
        locale=rec.locale if rec else None, digest=rec.digest if rec else None,
        version=rec.version if rec else 1, updated_at=rec.updated_at if rec else None,
    )


async def get_recipient(session, nip: str) -> RecipientInfo:
    """A person by NIP: the directory's record and their preferences."""
    rec = await NotificationRepository(session).recipient(nip)
    return _info(await directory.addressee(session, nip), rec)


async def set_preferences(session, nip: str, *, digest: bool | None, locale: str | None, version: int) -> RecipientInfo:
    rec = await NotificationRepository(session).recipient_for_update(nip)
    if rec.version != version:
        raise _stale("Preferensi", rec.version)
    rec.digest, rec.locale = digest, locale
    rec.version += 1
    rec.updated_at = utcnow()
    return _info(await directory.addressee(session, nip), rec)


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
    d.next_attempt_at, d.leased_by = utcnow(), None
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
    who = await directory.addressee(session, nip)
    email = who.email  # the directory's address today, never the one the mail was queued with
    if not email:
        raise ProblemError(409, "no-address",
                           f"NIP {nip}: {who.why_not} Perbaiki data orang ini di layanan direktori "
                           "(PUT /api/v1/people/{person_id} there), lalu kirim ulang (then resend).")
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


async def recipients(session, *, instansi: str, missing_email: bool | None, limit: int,
                     offset: int) -> tuple[list[RecipientInfo], int]:
    """A page of the people the directory holds in ``instansi``, with their
    preferences; ``missing_email`` keeps (true) or drops (false) those whose
    mail cannot go out (filtered within the page)."""
    repo = NotificationRepository(session)
    ids, total = await repo.people_of(instansi, limit=limit, offset=offset)
    prefs = await repo.recipients(ids)
    people = directory.Addresses(session)
    await people.load(ids)
    infos = [_info(await people.of(nip), prefs.get(nip)) for nip in ids]
    if missing_email is not None:
        infos = [i for i in infos if (i.email is None) == missing_email]
    return infos, total


# --- the API's use cases: who may (access), then what ------------------------------------


async def _instansi_of(session, nip: str) -> str | None:
    """The person's instansi as the directory holds it (None: unknown to it)."""
    return (await directory.addressee(session, nip)).instansi


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
                         offset: int) -> tuple[list[RecipientInfo], int]:
    """The people of an admin's instansi (the directory's) with their preferences."""
    return await recipients(session, instansi=access.admin_scope(principal), missing_email=missing_email, limit=limit,
                            offset=offset)


async def read_recipient(session, principal: Principal, nip: str) -> RecipientInfo:
    info = await get_recipient(session, nip)
    access.ensure_may_see(principal, nip, info.instansi)
    return info


async def set_preferences_for(session, principal: Principal, nip: str, *, digest: bool | None, locale: str | None,
                              version: int) -> RecipientInfo:
    """A person sets their own preferences (an admin of their instansi may, for them)."""
    access.ensure_may_see(principal, nip, await _instansi_of(session, nip))
    return await set_preferences(session, nip, digest=digest, locale=locale, version=version)
