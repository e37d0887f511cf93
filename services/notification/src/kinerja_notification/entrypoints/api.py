"""HTTP API: the delivery log, resend, the people of an instansi, preferences.

Admins see everything of their instansi (a token without an instansi claim
is refused); a person sees their own log and sets their own preferences.
Names, instansi and addresses are the directory's: nobody changes an
address here (docs/security.md, "Where mail goes").
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from kinerja_contracts.values import UtcDatetime
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES, ProblemError
from pydantic import BaseModel, ConfigDict, Field

from ..bootstrap import Container
from ..service_layer import admin, unsubscribe
from .deps import Admin, ContainerDep, UowDep

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)
NIP_EXAMPLE = "199503152025212001"
EVENT_EXAMPLE = "0b8f6a52-3c1e-4f57-9a51-2d7c2f0f4e11"


class DeliveryOut(BaseModel):
    """One row of the delivery log: one e-mail to one person for one event."""

    event_id: uuid.UUID
    recipient_nip: str
    kind: str = Field(description="which e-mail (see docs/notification.md)")
    event_type: str | None
    email: str | None
    locale: str
    subject: str
    message_id: str
    status: Literal["pending", "sent", "failed", "undeliverable", "superseded"]
    priority: int = Field(description="0: a person's own workflow mail, sent first; 1: bulk")
    attempts: int
    resends: int
    version: int = Field(description="send it back with a resend (stale -> 409)")
    last_error: str | None
    correlation_id: str | None
    created_at: UtcDatetime
    next_attempt_at: UtcDatetime
    sent_at: UtcDatetime | None

    model_config = ConfigDict(json_schema_extra={"example": {
        "event_id": EVENT_EXAMPLE, "recipient_nip": NIP_EXAMPLE, "kind": "approval.returned",
        "event_type": "approval.returned", "email": "siti.rahma@example.go.id", "locale": "id",
        "subject": "[Kinerja] SKP Anda dikembalikan untuk perbaikan",
        "message_id": f"<{EVENT_EXAMPLE}.{NIP_EXAMPLE}@kinerja.local>", "status": "sent", "priority": 0, "attempts": 1,
        "resends": 0, "version": 1, "last_error": None, "correlation_id": "4c1f0e8b9d2a4e7f8a6b5c4d3e2f1a0b",
        "created_at": "2026-11-25T03:15:02Z", "next_attempt_at": "2026-11-25T03:15:02Z",
        "sent_at": "2026-11-25T03:15:02Z"}})

    @classmethod
    def of(cls, d: admin.Delivery) -> DeliveryOut:
        return cls.model_validate(d, from_attributes=True)


class DeliveryDetail(DeliveryOut):
    body_text: str
    body_html: str | None

    @classmethod
    def of(cls, d: admin.Delivery) -> DeliveryDetail:
        return cls.model_validate(d, from_attributes=True)


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    total: int
    limit: int
    offset: int


class ResendIn(BaseModel):
    version: int = Field(ge=1, description="the delivery's current version", examples=[1])


class RecipientOut(BaseModel):
    """A person as this service mails them: name, instansi and address from
    the directory (today's record), preferences of their own."""

    nip: str
    nama: str | None = Field(description="the directory's; null when the directory does not know the person")
    email: str | None = Field(description="where mail goes: the directory's address of an active person; "
                                          "corrected in the directory service, never here")
    instansi: str | None
    in_directory: bool = Field(description="the directory knows the person")
    aktif: bool
    undeliverable_reason: str | None = Field(description="why no mail can go to this person now (null: it can)")
    locale: str | None = Field(description="id or en; null = the service default")
    digest: bool | None = Field(description="summary instead of one mail per SKP; null = the service default")
    version: int = Field(description="of the preferences (1 while none were set)")
    updated_at: UtcDatetime | None = Field(description="when the preferences last changed")

    @classmethod
    def of(cls, r: admin.RecipientInfo) -> RecipientOut:
        return cls.model_validate(r, from_attributes=True)


class RecipientPage(BaseModel):
    items: list[RecipientOut]
    total: int = Field(description="people of the instansi in the directory (before `missing_email`)")
    limit: int
    offset: int


class PreferencesIn(BaseModel):
    digest: bool | None = Field(default=None, description="true: one summary per interval; null: service default",
                                examples=[True])
    locale: Literal["id", "en"] | None = Field(default=None, examples=["id"])
    version: int = Field(ge=1, examples=[1])


class PreferencesOut(BaseModel):
    nip: str
    digest: bool | None
    digest_effective: bool = Field(description="what applies now (the choice, or the service default)")
    locale: str | None
    version: int


Limit = Annotated[int, Query(ge=1, le=500, description="rows per page")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Status = Annotated[Literal["pending", "sent", "failed", "undeliverable", "superseded"] | None, Query(description="only this status")]


@router.get("/deliveries", response_model=DeliveryPage, tags=["deliveries"],
            summary="Log pengiriman, dengan saringan (delivery log, filtered; admin)")
async def list_deliveries(principal: Admin, uow: UowDep, status: Status = None, kind: str | None = None,
                          recipient_nip: str | None = None, event_id: uuid.UUID | None = None,
                          limit: Limit = 50, offset: Offset = 0) -> DeliveryPage:
    async with uow() as s:
        rows, total = await admin.log_page(s, principal, nip=recipient_nip, event_id=event_id, status=status, kind=kind,
                                           limit=limit, offset=offset)
        return DeliveryPage(items=[DeliveryOut.of(d) for d in rows], total=total, limit=limit, offset=offset)


@router.get("/recipients/{nip}/deliveries", response_model=DeliveryPage, tags=["deliveries"],
            summary="E-mail kepada satu orang (delivery log by recipient)")
async def deliveries_of_recipient(nip: str, principal: CurrentPrincipal, uow: UowDep, status: Status = None,
                                  limit: Limit = 50, offset: Offset = 0) -> DeliveryPage:
    async with uow() as s:
        rows, total = await admin.log_of_recipient(s, principal, nip, status=status, limit=limit, offset=offset)
        return DeliveryPage(items=[DeliveryOut.of(d) for d in rows], total=total, limit=limit, offset=offset)


@router.get("/events/{event_id}/deliveries", response_model=list[DeliveryOut], tags=["deliveries"],
            summary="E-mail karena satu event (delivery log by event; admin)")
async def deliveries_of_event(event_id: uuid.UUID, principal: Admin, uow: UowDep) -> list[DeliveryOut]:
    async with uow() as s:
        rows = await admin.log_of_event(s, principal, event_id)
        return [DeliveryOut.of(d) for d in rows]


@router.get("/deliveries/{event_id}/{nip}", response_model=DeliveryDetail, tags=["deliveries"],
            summary="Satu e-mail beserta isinya (one delivery with its text and HTML)")
async def read_delivery(event_id: uuid.UUID, nip: str, principal: CurrentPrincipal, uow: UowDep) -> DeliveryDetail:
    async with uow() as s:
        return DeliveryDetail.of(await admin.read_delivery(s, principal, event_id, nip))


@router.post("/deliveries/{event_id}/{nip}/resend", response_model=DeliveryOut, tags=["deliveries"],
             summary="Kirim ulang satu e-mail (resend one; admin)",
             description="Queues the e-mail again to the recipient's current address with a new Message-ID "
                         "(`<event.nip.r1@domain>`). Refused with 409 while it is still queued, or when no "
                         "address is known, or when `version` is stale.")
async def resend(event_id: uuid.UUID, nip: str, body: ResendIn, principal: Admin, c: ContainerDep) -> DeliveryOut:
    async with c.uow() as s:
        return DeliveryOut.of(await admin.resend_for(s, principal, event_id, nip, body.version, c.mail))


@router.get("/recipients", response_model=RecipientPage, tags=["recipients"],
            summary="Orang di instansi admin, menurut direktori (the instansi's people as the directory holds them; admin)",
            description="Name, instansi and address come from the directory service; an address is corrected "
                        "there. `missing_email=true`: only people whose mail cannot go out (filtered within the page).")
async def list_recipients(principal: Admin, uow: UowDep,
                          missing_email: Annotated[bool | None, Query(description="true: only people without an address")] = None,
                          limit: Limit = 50, offset: Offset = 0) -> RecipientPage:
    async with uow() as s:
        rows, total = await admin.directory_page(s, principal, missing_email=missing_email, limit=limit, offset=offset)
        return RecipientPage(items=[RecipientOut.of(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/recipients/{nip}", response_model=RecipientOut, tags=["recipients"],
            summary="Satu penerima (one recipient)")
async def read_recipient(nip: str, principal: CurrentPrincipal, uow: UowDep) -> RecipientOut:
    async with uow() as s:
        return RecipientOut.of(await admin.read_recipient(s, principal, nip))


def _prefs(rec: admin.RecipientInfo, c: Container) -> PreferencesOut:
    return PreferencesOut(nip=rec.nip, digest=rec.digest, digest_effective=c.mail.wants_digest(rec), locale=rec.locale,
                          version=rec.version)


@router.get("/recipients/{nip}/preferences", response_model=PreferencesOut, tags=["recipients"],
            summary="Preferensi e-mail seseorang (a person's digest and language)")
async def read_preferences(nip: str, principal: CurrentPrincipal, c: ContainerDep) -> PreferencesOut:
    async with c.uow() as s:
        return _prefs(await admin.read_recipient(s, principal, nip), c)


@router.put("/recipients/{nip}/preferences", response_model=PreferencesOut, tags=["recipients"],
            summary="Atur ringkasan dan bahasa (set digest and language)",
            description="`digest: true` folds 'SKP waits for you' mails and reminders into one summary per "
                        "interval; returns and approvals to the pegawai always go one by one.")
async def set_preferences(nip: str, body: PreferencesIn, principal: CurrentPrincipal, c: ContainerDep) -> PreferencesOut:
    async with c.uow() as s:
        rec = await admin.set_preferences_for(s, principal, nip, digest=body.digest, locale=body.locale,
                                              version=body.version)
        return _prefs(rec, c)


def _unsubscribed_nip(token: str, c: Container) -> str:
    nip = unsubscribe.verify(token, c.settings.unsubscribe_secret)
    if nip is None:  # a forged or mangled link answers like an unknown one
        raise ProblemError(404, "unknown-link", "Tautan berhenti berlangganan tidak dikenal (unknown unsubscribe link).")
    return nip


@router.get("/unsubscribe/{token}", response_model=PreferencesOut, tags=["recipients"],
            summary="Periksa tautan berhenti berlangganan (read what the unsubscribe link would change)",
            description="Changes nothing (link checkers and previews open links): `POST` to the same URL unsubscribes. "
                        "The signed token in the path is the authorisation; no bearer token.",
            openapi_extra={"security": []})
async def unsubscribe_preview(token: str, c: ContainerDep) -> PreferencesOut:
    nip = _unsubscribed_nip(token, c)
    async with c.uow() as s:
        return _prefs(await admin.get_recipient(s, nip), c)


@router.post("/unsubscribe/{token}", response_model=PreferencesOut, tags=["recipients"],
             summary="Berhenti berlangganan satu klik (RFC 8058 one-click unsubscribe)",
             description="What the `List-Unsubscribe` header of every mail points to; mail clients POST "
                         "`List-Unsubscribe=One-Click`. Turns the summary on: 'an SKP waits for you' mails and "
                         "reminders come folded into one mail per interval. Mails about the person's own SKP "
                         "still come one by one. Idempotent. No bearer token: the signed path is the authorisation.",
             openapi_extra={"security": []})
async def unsubscribe_one_click(token: str, c: ContainerDep) -> PreferencesOut:
    nip = _unsubscribed_nip(token, c)
    async with c.uow() as s:
        return _prefs(await unsubscribe.unsubscribe(s, nip), c)
