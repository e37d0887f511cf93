"""HTTP API for upstream portals (bulk intake) and admins (deadlines)."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import uuid
from typing import Annotated, Any

import pydantic_core
from fastapi import APIRouter, Body, Query, Request, Response
from kinerja_contracts.calendar import tanggal_indonesia
from kinerja_contracts.values import Tahun, Tanggal, UtcDatetime
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES, ProblemError
from kinerja_platform.web.middleware import inflate_body
from kinerja_platform.web.openapi import DocumentedAs
from pydantic import BaseModel, Field

from ..service_layer import bulk, deadlines, documents
from .api import ItemError
from .deps import Admin, ContainerDep, Intake, PolicyDep, UowDep
from .examples import skp_example

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)


class BulkItemOut(BaseModel):
    """What became of one item (keys without a value are left out)."""

    index: int = Field(description="position in the request's items")
    status: str = Field(description="created, updated, unchanged, invalid, locked or conflict")
    nip: str | None = Field(description="the pegawai's NIP / NI PPPK, when the item names one")
    skp_id: uuid.UUID | None = Field(default=None, description="the SKP written or found")
    version: int | None = Field(default=None, description="its version now")
    issues: int | None = Field(default=None, description="validation errors that still block its submission")
    errors: list[ItemError] = Field(default_factory=list, description="why it was refused (invalid, locked, conflict)")


class BulkOut(BaseModel):
    summary: dict[str, int] = Field(description="counts per status")
    items: list[Annotated[dict[str, Any], DocumentedAs(BulkItemOut)]] = Field(
        description="one per item, in order: index, status, nip, skp_id, version, issues, errors")


_BULK_EXAMPLE = {"items": [skp_example()]}
_BULK_ANSWER = {
    "summary": {"created": 1, "updated": 0, "unchanged": 0, "invalid": 1, "locked": 0, "conflict": 0},
    "items": [
        {"index": 0, "status": "created", "nip": "199503152025212001", "skp_id": "6f1c0b7e-3f0e-4e57-9a39-0c2b8e7d9a11",
         "version": 1, "issues": 0},
        {"index": 1, "status": "invalid", "nip": "199513452025212001", "errors": [
            {"path": "items[1].pegawai.nip", "type": "nip-format",
             "message": "NIP/NI PPPK 199513452025212001: 8 digit pertama 19951345 bukan tanggal lahir yang sah (digits 1-8 "
                        "are not a real birth date)"}]},
    ],
}


def _load_body(raw: bytes, encoding: str | None, max_bytes: int) -> Any:
    """Decode (gzip allowed) and parse the JSON body with the garbage collector
    paused: parsing tens of megabytes creates millions of containers, and the
    collector's repeated full scans would cost more than the parsing itself."""
    raw = inflate_body(raw, encoding, max_bytes)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pydantic_core.from_json(raw)
    except ValueError as exc:
        raise ProblemError(400, "bad-json", f"Isi permintaan bukan JSON yang sah (the body is not valid JSON): {exc}") from exc
    finally:
        if enabled:
            gc.enable()


@router.post("/skp/bulk", response_model=BulkOut, tags=["intake"],
             summary="Unggah massal draft SKP dari portal (bulk upsert, idempotent)",
             description="For portal tokens (and admins): up to 20,000 drafts in one call, keyed by (NIP, periode). Each item "
             "is answered: `created`, `updated` (a new version of a Draft/Revisi), `unchanged` (same content: a retried "
             "call changes nothing), `locked` (Pending/Approved, refused), `invalid` (with its errors) or `conflict` "
             "(written concurrently; send it again). `issues` counts the validation errors that still block submission. "
             "The body may be sent gzip-compressed (`Content-Encoding: gzip`).",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"type": "object", "required": ["items"], "title": "BulkIn", "properties": {"items": {
                     "type": "array", "minItems": 1, "maxItems": 20000, "items": {"$ref": "#/components/schemas/SkpDraft"},
                     "description": "SKP contents (each checked on its own: a bad item is answered `invalid`)"}}},
                 "examples": {"satu_draft": {"summary": "Satu draft PPPK Paruh Waktu", "value": _BULK_EXAMPLE}}}}}},
             responses={200: {"content": {"application/json": {"example": _BULK_ANSWER}}}})
async def bulk_upsert(request: Request, principal: Intake, c: ContainerDep) -> BulkOut:
    raw = await request.body()
    body = await asyncio.to_thread(_load_body, raw, request.headers.get("content-encoding"),
                                   c.settings.common.max_body_bytes)
    del raw
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise ProblemError(422, "validation-error", "Isi permintaan harus {\"items\": [...]} dengan minimal satu draft "
                           "(the body must be {\"items\": [...]} with at least one draft).",
                           errors=[{"path": "body.items", "message": "a non-empty list is required", "type": "missing"}])
    limit = c.settings.bulk_max_items
    if len(items) > limit:
        raise ProblemError(413, "bulk-too-many", f"Maksimal {limit} draft per permintaan; diterima {len(items)} "
                           f"(at most {limit} drafts per call).", limit=limit)
    # The items are long-lived for this call: keep the collector from rescanning them over and over.
    gc.freeze()
    try:
        summary, results = await bulk.bulk_upsert(c.uow, items, principal, c.policy, chunk_size=c.settings.bulk_chunk_size)
    finally:
        gc.unfreeze()
    return BulkOut(summary=summary, items=[r.as_dict() for r in results])


# --- deadlines ------------------------------------------------------------------


class DeadlineOut(BaseModel):
    skp_id: uuid.UUID
    deadline: dt.date = Field(description="effective deadline (Asia/Jakarta), extensions included")
    deadline_dasar: dt.date = Field(description="deadline before any extension")
    dasar: str = Field(description="tahunan (31 Januari), terima-sk (10 hari setelah menerima SK), sk (10 hari setelah "
                       "tanggal SK, when receipt is not recorded), mulai (10 hari setelah mulai), perpanjangan")
    lewat: bool = Field(description="true when the deadline has passed")
    keterangan: str


@router.get("/skp/{skp_id}/deadline", response_model=DeadlineOut, tags=["deadlines"],
            summary="Batas waktu pengajuan SKP (submission deadline of one SKP)")
async def deadline_of(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep, policy: PolicyDep) -> DeadlineOut:
    async with uow() as session:
        doc = await documents.read_document(session, skp_id, principal)
        d = await deadlines.deadline_of(session, doc, policy)
    passed = d.passed(policy.today())
    text = (f"Batas waktu {tanggal_indonesia(d.effective)} sudah lewat; admin kepegawaian {doc.instansi or ''} dapat "
            "membuka perpanjangan" if passed else f"Ajukan paling lambat {tanggal_indonesia(d.effective)}")
    return DeadlineOut(skp_id=doc.id, deadline=d.effective, deadline_dasar=d.base, dasar=d.reason, lewat=passed,
                       keterangan=text)


class ExtensionIn(BaseModel):
    tahun: Tahun = Field(description="year of the SKP period", examples=[2026])
    sampai: Tanggal = Field(description="new deadline (inclusive)", examples=["2026-02-14"])
    unit_kerja: str | None = Field(default=None, description="extend for a whole unit kerja ...")
    nip: str | None = Field(default=None, description="... or for one pegawai", pattern=r"^[0-9]{18}$")
    alasan: str | None = Field(default=None, examples=["Gangguan aplikasi pada 30-31 Januari"])


class ExtensionOut(BaseModel):
    id: uuid.UUID
    instansi: str
    tahun: int
    unit_kerja: str | None
    nip: str | None
    sampai: dt.date
    alasan: str | None
    granted_by: str
    created_at: UtcDatetime


@router.post("/deadline-extensions", status_code=201, response_model=ExtensionOut, tags=["deadlines"],
             summary="Buka perpanjangan batas waktu (admin: extend the deadline for a unit or a person)")
async def grant(
    body: Annotated[ExtensionIn, Body(openapi_examples={"unit": {"summary": "Perpanjangan untuk satu unit kerja", "value": {
        "tahun": 2026, "sampai": "2026-02-14",
        "unit_kerja": "Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur",
        "alasan": "Gangguan aplikasi pada 30-31 Januari"}}})],
    principal: Admin, uow: UowDep,
) -> ExtensionOut:
    async with uow() as session:
        ext = await deadlines.grant_extension(session, principal, tahun=body.tahun, sampai=body.sampai,
                                              unit_kerja=body.unit_kerja, nip=body.nip, alasan=body.alasan)
    return ExtensionOut.model_validate(ext, from_attributes=True)


@router.get("/deadline-extensions", response_model=list[ExtensionOut], tags=["deadlines"],
            summary="Daftar perpanjangan (admin: extensions of my instansi)")
async def list_extensions(principal: Admin, uow: UowDep, tahun: Annotated[int, Query(ge=1900, le=9999, examples=[2026])]) -> list[ExtensionOut]:
    async with uow() as session:
        rows = await deadlines.extensions_of_admin(session, principal, tahun)
    return [ExtensionOut.model_validate(r, from_attributes=True) for r in rows]


class TerlambatOut(BaseModel):
    skp_id: uuid.UUID
    nip: str
    nama: str | None
    unit_kerja: str | None
    status: str = Field(description="Draft: never submitted")
    deadline: dt.date
    dasar: str
    hari_terlambat: int


@router.get("/deadlines/terlambat", response_model=list[TerlambatOut], tags=["deadlines"],
            summary="SKP terlambat di instansi saya (admin: late SKPs, the list for the TPP cut)")
async def late(principal: Admin, uow: UowDep, policy: PolicyDep,
               tahun: Annotated[int, Query(ge=1900, le=9999, examples=[2026])]) -> list[TerlambatOut]:
    async with uow() as session:
        return [TerlambatOut(**x) for x in await deadlines.terlambat(session, principal, tahun, policy)]


@router.delete("/deadline-extensions/{ext_id}", status_code=204, tags=["deadlines"], summary="Cabut perpanjangan (revoke)")
async def revoke(ext_id: uuid.UUID, principal: Admin, uow: UowDep) -> Response:
    async with uow() as session:
        await deadlines.revoke_extension(session, principal, ext_id)
    return Response(status_code=204)
