"""HTTP API of the skp service: SKP documents (``/api/v1/skp``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Response
from kinerja_contracts.lifecycle import SkpStatus, allowed_actions, is_editable
from kinerja_contracts.skp import NilaiBerakhlak, SkpSnapshot
from kinerja_contracts.skp_diff import Change, diff_skp
from kinerja_contracts.values import STORED, Pegawai, UtcDatetime
from kinerja_platform.context import bind_subject
from kinerja_platform.web.auth import CurrentPrincipal
from kinerja_platform.web.errors import PROBLEM_RESPONSES
from kinerja_platform.web.openapi import DocumentedAs
from pydantic import BaseModel, Field

from ..domain.model import PANDUAN_BERAKHLAK, SkpContent, SkpDraft
from ..service_layer import deadlines, documents, people
from ..service_layer.access import acting_role
from ..service_layer.cascade import cascade_tree
from .cascade_answer import CascadeOut
from .deps import Admin, ContainerDep, PolicyDep, UowDep, Writer, version_from
from .examples import CONTENT_EXAMPLES, VALIDATE_EXAMPLES

router = APIRouter(prefix="/api/v1/skp", tags=["skp"], responses=PROBLEM_RESPONSES)


class FindingOut(BaseModel):
    """One finding of the validation."""

    rule: str = Field(description="machine code of the rule")
    path: str = Field(description="JSON path in the content")
    severity: Literal["error", "warning"]
    message: str


class ItemError(BaseModel):
    """Why one item of a bulk write or one row of an import was refused."""

    path: str = Field(description="JSON path of the field at fault, e.g. items[1].pegawai.nip")
    message: str
    type: str = Field(description="machine code, e.g. nip-format, instansi-scope, skp-locked, or pydantic's error type")


class ValidationOut(BaseModel):
    """All findings at once: errors block submission, warnings do not."""

    valid: bool
    errors: list[FindingOut] = Field(description="each with rule, path (JSON path in the content), message")
    warnings: list[FindingOut]

    model_config = {"json_schema_extra": {"examples": [{
        "valid": False,
        "errors": [{"rule": "rhk-utama-required", "path": "hasil_kerja", "severity": "error",
                    "message": "SKP harus memiliki minimal satu RHK Utama (at least one RHK Utama is required)."}],
        "warnings": [{"rule": "target-bulanan-sum", "path": "hasil_kerja[0].iki[0].target_bulanan", "severity": "warning",
                      "message": "Jumlah target bulanan 11 tidak sama dengan target tahunan 12 (monthly targets do not add "
                                 "up to the annual target)."}],
    }]}}


class Persetujuan(BaseModel):
    """Who approved an SKP, as the skp service recorded it from the
    ``approval.approved`` event (documented; the stored record is answered as it is)."""

    penilai: Pegawai = Field(description="the pejabat penilai who signed (identity snapshot)")
    decided_by: str = Field(description="NIP of the person who decided (a Plt/Plh for the penilai, or the penilai)")
    on_behalf_of: str | None = Field(default=None, description="NIP of the penilai when a Plt/Plh decided")
    at: dt.datetime = Field(description="when it was approved")
    version: int = Field(description="the version approved")
    content_hash: str | None = Field(default=None, description="sha256 of the content approved")


#: the SKP content as stored: the document the pegawai wrote (answered as stored)
StoredContent = Annotated[dict[str, Any], DocumentedAs(SkpContent)]


class PenilaiOverride(BaseModel):
    """The pejabat penilai an admin of the instansi set on one SKP instead of
    the directory's (PUT /api/v1/skp/{id}/penilai): stored as written."""

    nip: str = Field(description="NIP of the penilai the admin named")
    alasan: str = Field(description="the admin's reason")
    by: str = Field(description="the admin's token subject")
    role: str = Field(description="the role of that token (admin)")
    at: dt.datetime = Field(description="when it was set (UTC)")


StoredOverride = Annotated[dict[str, Any], DocumentedAs(PenilaiOverride)]


class SkpOut(BaseModel):
    """An SKP as the API returns it."""

    id: uuid.UUID
    status: SkpStatus = Field(description="Draft, Pending (menunggu persetujuan), Revisi, Approved")
    version: int = Field(description="send it back as If-Match (or `version`) on the next write")
    content_hash: str = Field(description="sha256 of the canonical content: what the penilai signs")
    catatan_perbaikan: str | None = Field(description="Catatan Perbaikan of the penilai when the SKP was returned (Revisi)")
    terkunci: bool = Field(description="true while Pending or Approved: the content cannot change")
    allowed_actions: list[str] = Field(description="what you may do now")
    deadline: dt.date | None = Field(default=None, description="submission deadline, extensions included")
    persetujuan: Annotated[dict[str, Any], DocumentedAs(Persetujuan)] | None = Field(
        default=None, description="once Approved: the penilai who signed (snapshot), decided_by (a Plt/Plh), at, version")
    penilai_override: StoredOverride | None = Field(
        default=None, description="set when an admin of the instansi named another pejabat penilai than the directory's: "
        "nip, alasan, by, role, at (PUT /api/v1/skp/{id}/penilai)")
    content: StoredContent
    validation: ValidationOut | None = Field(default=None, description="findings, on create and update")
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @classmethod
    def of(cls, doc: documents.Document, principal=None, **extra) -> SkpOut:
        state = SkpStatus(doc.status)
        role = acting_role(doc.nip, principal) if principal is not None else None
        return cls(
            id=doc.id, status=state, version=doc.version, content_hash=doc.content_hash, catatan_perbaikan=doc.catatan_perbaikan,
            terkunci=not is_editable(state),
            allowed_actions=list(allowed_actions(state, role)), content=doc.content, persetujuan=doc.persetujuan,
            penilai_override=doc.penilai_override,
            created_at=doc.created_at, updated_at=doc.updated_at, **extra,
        )


class SkpSummary(BaseModel):
    id: uuid.UUID
    nip: str
    nama: str | None
    tahun: int
    periode_mulai: dt.date
    periode_selesai: dt.date
    jenis_pegawai: str
    unit_kerja: str | None
    instansi: str | None
    penilai_nip: str
    status: SkpStatus
    version: int
    updated_at: UtcDatetime


class SkpPage(BaseModel):
    items: list[SkpSummary]
    total: int
    limit: int
    offset: int


class VersionIn(BaseModel):
    version: int = Field(ge=1, description="the version you read", examples=[1])


class UpdateIn(BaseModel):
    version: int | None = Field(default=None, ge=1, description="or send If-Match")
    content: SkpDraft


class PenilaiIn(BaseModel):
    """Another pejabat penilai for one SKP, set by an admin of the pegawai's instansi."""

    version: int | None = Field(default=None, ge=1, description="the version you read (or send If-Match)")
    nip: str | None = Field(default=None, pattern=r"^[0-9]{18}$",
                            description="NIP of the penilai: an active person of the instansi in the directory; null "
                            "gives the SKP back to the directory's penilai")
    alasan: str = Field(min_length=5, max_length=1000, description="why (stored with who and when)",
                        examples=["Atasan langsung cuti besar; dinilai Kepala Seksi lain sesuai SK 800/12/2026"])


def _etag(response: Response, doc: documents.Document) -> None:
    response.headers["ETag"] = f'"{doc.version}"'


IfMatch = Annotated[str | None, Header(description='the version you read, e.g. "3"')]


@router.post("", status_code=201, response_model=SkpOut, summary="Buat draft SKP (create a draft)",
             description="Creates the Draft of one pegawai for one period. A pegawai creates only their own; an admin or a "
             "portal within its instansi (naming the pegawai in `pegawai.nip`). The pegawai, pejabat penilai and atasan "
             "pejabat penilai blocks are filled from the directory (docs/directory.md): they may be left out, and a "
             "block that is sent must name the directory's person, or 422 names the field (`pegawai-not-in-directory`, "
             "`penilai-mismatch`, `penilai-not-in-directory`, `atasan-pejabat-penilai-mismatch`). The answer carries "
             "every validation finding, so the draft may be saved incomplete and fixed later.")
async def create(
    draft: Annotated[SkpDraft, Body(openapi_examples=CONTENT_EXAMPLES)],
    principal: Writer, uow: UowDep, policy: PolicyDep, response: Response,
) -> SkpOut:
    async with uow() as session:
        doc, _, report = await documents.create_checked(session, draft, principal, policy)
        bind_subject(skp_id=doc.id, nip=doc.nip)  # the new SKP's trail starts here (docs/operations.md)
        deadline = await deadlines.deadline_of(session, doc, policy)
    _etag(response, doc)
    response.headers["Location"] = f"/api/v1/skp/{doc.id}"
    return SkpOut.of(doc, principal, validation=report.as_dict(), deadline=deadline.effective)


@router.get("", response_model=SkpPage, summary="Daftar SKP (list with filters and pagination)",
            description="Only the SKPs you may see: your own; as atasan also those you appraise; as admin those of your "
            "instansi.")
async def list_(
    principal: CurrentPrincipal, uow: UowDep,
    tahun: Annotated[int | None, Query(ge=1900, le=9999, description="year of the period", examples=[2026])] = None,
    periode_mulai: Annotated[dt.date | None, Query(description="periods that end on or after this date")] = None,
    periode_selesai: Annotated[dt.date | None, Query(description="periods that start on or before this date")] = None,
    unit_kerja: Annotated[str | None, Query(examples=["Suku Dinas Pendidikan Wilayah I Kota Administrasi Jakarta Timur"])] = None,
    status: SkpStatus | None = None,
    penilai_nip: Annotated[str | None, Query(description="NIP of the pejabat penilai")] = None,
    nip: Annotated[str | None, Query(description="NIP / NI PPPK of the pegawai")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> SkpPage:
    async with uow() as session:
        total, rows = await documents.list_documents(
            session, principal, tahun=tahun, periode_mulai=periode_mulai, periode_selesai=periode_selesai,
            unit_kerja=unit_kerja, status=status, penilai_nip=penilai_nip, nip=nip, limit=limit, offset=offset,
        )
    return SkpPage(items=[SkpSummary.model_validate(r, from_attributes=True) for r in rows], total=total, limit=limit,
                   offset=offset)


@router.post("/validate", response_model=ValidationOut, summary="Periksa SKP tanpa menyimpan (validate without saving)",
             description="Runs every rule and returns all errors and warnings at once, each with the JSON path of the field "
             "at fault. Nothing is stored.")
async def validate_only(
    content: Annotated[SkpContent, Body(openapi_examples=VALIDATE_EXAMPLES)],
    principal: CurrentPrincipal, uow: UowDep, policy: PolicyDep,
) -> dict:
    async with uow() as session:
        return (await documents.check(session, content, policy)).as_dict()


class RantaiOut(BaseModel):
    """Who an SKP of the pegawai names on ``tanggal``, as the directory holds them."""

    tanggal: dt.date = Field(description="the date the chain was read on (Asia/Jakarta)")
    pegawai: Pegawai
    penilai: Pegawai = Field(description="pejabat penilai kinerja: the pegawai's direct superior")
    atasan_pejabat_penilai: Pegawai | None = Field(description="the penilai's own superior, if any")


@router.get("/rantai-penilai", response_model=RantaiOut,
            summary="Pejabat penilai menurut direktori (who an SKP would name)",
            description="The pegawai, pejabat penilai and atasan pejabat penilai an SKP of `nip` would carry on `tanggal` "
            "(default today), from this service's copy of the directory (docs/directory.md). A pegawai or atasan asks "
            "about themselves (`nip` may be left out); an admin or portal about a pegawai of its instansi. An unknown "
            "pegawai, one of another instansi, or someone else's NIP answers 404 `pegawai-not-in-directory`; a pegawai "
            "without an active penilai 422 `penilai-not-in-directory`.")
async def rantai_penilai(
    principal: Writer, uow: UowDep, policy: PolicyDep,
    nip: Annotated[str | None, Query(pattern=r"^[0-9]{18}$", description="NIP / NI PPPK of the pegawai")] = None,
    tanggal: Annotated[dt.date | None, Query(description="default: today (Asia/Jakarta)")] = None,
) -> RantaiOut:
    on = tanggal or policy.today()
    async with uow() as session:
        chain = await people.preview(session, nip, on, principal)
    return RantaiOut(tanggal=on, pegawai=chain.pegawai, penilai=chain.penilai,
                     atasan_pejabat_penilai=chain.atasan_pejabat_penilai)


class PerilakuReferensi(BaseModel):
    """One BerAKHLAK value and the fixed guidance lines printed under it."""

    nilai: NilaiBerakhlak
    panduan: list[str]


@router.get("/referensi/perilaku-kerja", response_model=list[PerilakuReferensi],
            summary="Nilai BerAKHLAK dan panduannya (the seven values and their fixed texts)")
async def berakhlak() -> list[dict]:
    return [{"nilai": n.value, "panduan": list(lines)} for n, lines in PANDUAN_BERAKHLAK.items()]


@router.get("/{skp_id}", response_model=SkpOut, summary="Baca SKP (read one)")
async def read(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep, policy: PolicyDep, response: Response) -> SkpOut:
    async with uow() as session:
        doc = await documents.read_document(session, skp_id, principal)
        deadline = await deadlines.deadline_of(session, doc, policy)
    _etag(response, doc)
    return SkpOut.of(doc, principal, deadline=deadline.effective)


class StatusOut(BaseModel):
    """Where an SKP stands, without its content: cheap to ask often."""

    id: uuid.UUID
    status: SkpStatus = Field(description="Draft, Pending (menunggu persetujuan), Revisi, Approved")
    version: int = Field(description="the content's version (the ETag of GET /api/v1/skp/{id})")
    approval_sequence: int = Field(description="how many approval events were applied; grows with every decision")
    terkunci: bool = Field(description="true while Pending or Approved: the content cannot change")
    catatan_perbaikan: str | None = Field(description="the penilai's Catatan Perbaikan when the SKP was returned (Revisi)")
    updated_at: UtcDatetime

    model_config = {"json_schema_extra": {"examples": [{
        "id": "0b6f5c1e-8d1a-4a53-9d0e-2f8a4c1b7e11", "status": "Approved", "version": 1, "approval_sequence": 2,
        "terkunci": True, "catatan_perbaikan": None, "updated_at": "2027-01-14T03:12:09.518000Z",
    }]}}


@router.get("/{skp_id}/status", response_model=StatusOut, summary="Status SKP; can wait for it to change (long poll)",
            description="The status, version and Catatan Perbaikan of one SKP, without its content. With `while_status` "
            "and `wait`, the answer is held while the SKP still has that status, for at most `wait` seconds, and "
            "comes as soon as it changes: `GET /api/v1/skp/{id}/status?while_status=Pending&wait=25` answers when the "
            "penilai's decision reaches this service (Approved or Revisi), or after 25 s with `Pending` still; then "
            "ask again. Same access as reading the SKP.")
async def status_(
    skp_id: uuid.UUID, principal: CurrentPrincipal, c: ContainerDep,
    while_status: Annotated[SkpStatus | None, Query(
        description="wait while the SKP has this status (usually the one you last saw)", examples=["Pending"])] = None,
    wait: Annotated[float, Query(ge=0, le=30, description="longest wait in seconds (0 = answer at once)")] = 0,
) -> StatusOut:
    async def read():
        return await documents.read_status(c.engine, skp_id, principal)

    row = await documents.status_after_wait(read, skp_id, while_status, wait,
                                            recheck=c.settings.status_recheck_seconds, watch=c.watch)
    state = SkpStatus(row.status)
    return StatusOut(id=row.id, status=state, version=row.version, approval_sequence=row.approval_sequence,
                     terkunci=not is_editable(state), catatan_perbaikan=row.catatan_perbaikan,
                     updated_at=row.updated_at)


@router.put("/{skp_id}", response_model=SkpOut, summary="Ubah draft SKP (update; needs the version)",
            description="Replaces the content of a Draft or Revisi. Send the version you read (If-Match or `version`); a "
            "stale version gets 409 `stale-version`, a Pending or Approved SKP 409 `skp-locked`. The people are filled "
            "from the directory as on create (or the penilai an admin set on this SKP).")
async def update_(
    skp_id: uuid.UUID, body: Annotated[UpdateIn, Body(openapi_examples={"ubah": {
        "summary": "Ubah versi 1", "value": {"version": 1, "content": CONTENT_EXAMPLES["pppk_paruh_waktu"]["value"]}}})],
    principal: Writer, uow: UowDep, policy: PolicyDep, response: Response, if_match: IfMatch = None,
) -> SkpOut:
    version = version_from(if_match, body.version)
    async with uow() as session:
        doc, content = await documents.update_draft(session, skp_id, version, body.content, principal, policy)
        report = await documents.check(session, content, policy)
        deadline = await deadlines.deadline_of(session, doc, policy)
    _etag(response, doc)
    return SkpOut.of(doc, principal, validation=report.as_dict(), deadline=deadline.effective)


@router.delete("/{skp_id}", status_code=204, summary="Hapus draft SKP (delete a never-submitted draft)")
async def delete_(
    skp_id: uuid.UUID, principal: Writer, c: ContainerDep,
    if_match: IfMatch = None, version: Annotated[int | None, Query(ge=1, description="or send If-Match")] = None,
) -> Response:
    v = version_from(if_match, version)
    async with c.uow() as session:
        await documents.delete_draft(session, skp_id, v, principal, c.watch)
    return Response(status_code=204)


@router.post("/{skp_id}/validate", response_model=ValidationOut, summary="Periksa SKP tersimpan (validate a stored SKP)")
async def validate_stored(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep, policy: PolicyDep) -> dict:
    async with uow() as session:
        doc = await documents.read_document(session, skp_id, principal)
        return (await documents.check(session, SkpContent.model_validate(doc.content, context=STORED), policy)).as_dict()


@router.post("/{skp_id}/submit", response_model=SkpOut, summary="Ajukan verifikasi (submit for approval)",
             description="Draft or Revisi -> Pending, only when the SKP is valid (422 `skp-invalid` lists every error) and, "
             "for a first submission, before the deadline (409 `deadline-passed` names it and who can extend it). "
             "Writes the `kinerja.skp.submitted` event with the full snapshot and its content hash.")
async def submit(
    skp_id: uuid.UUID, principal: Writer, c: ContainerDep, response: Response,
    body: Annotated[VersionIn | None, Body(openapi_examples={"ajukan": {"summary": "Ajukan versi 1", "value": {"version": 1}}})] = None,
    if_match: IfMatch = None,
) -> SkpOut:
    version = version_from(if_match, body.version if body else None)
    async with c.uow() as session:
        doc = await documents.submit(session, skp_id, version, principal, c.policy, c.watch)
        deadline = await deadlines.deadline_of(session, doc, c.policy)
    _etag(response, doc)
    return SkpOut.of(doc, principal, deadline=deadline.effective)


@router.put("/{skp_id}/penilai", response_model=SkpOut, summary="Tetapkan pejabat penilai lain (admin override)",
            description="An admin of the pegawai's instansi names another pejabat penilai than the directory's for one "
            "Draft or Revisi (`nip`: an active person with a NIP of the same instansi in the directory), with the "
            "reason; `nip: null` gives it back to the directory's penilai. The SKP gets a new version whose penilai "
            "and atasan pejabat penilai are that person and their superior; the reason, who and when are stored on "
            "the SKP (`penilai_override`) and on every version written while it holds (GET .../versions). Later "
            "writes of the SKP keep that penilai.")
async def set_penilai(
    skp_id: uuid.UUID, body: PenilaiIn, principal: Admin, uow: UowDep, policy: PolicyDep, response: Response,
    if_match: IfMatch = None,
) -> SkpOut:
    version = version_from(if_match, body.version)
    async with uow() as session:
        doc = await documents.set_penilai(session, skp_id, version, body.nip, body.alasan, principal, policy)
        deadline = await deadlines.deadline_of(session, doc, policy)
    _etag(response, doc)
    return SkpOut.of(doc, principal, deadline=deadline.effective)


class VersionOut(BaseModel):
    version: int
    content_hash: str
    created_by: str
    penilai_override: StoredOverride | None = Field(
        default=None, description="the pejabat penilai an admin set, in force at this version (nip, alasan, by, at)")
    created_at: UtcDatetime


@router.get("/{skp_id}/versions", response_model=list[VersionOut], summary="Riwayat versi (versions)")
async def versions(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep) -> list[VersionOut]:
    async with uow() as session:
        await documents.read_document(session, skp_id, principal)
        rows = await documents.list_versions(session, skp_id)
    return [VersionOut.model_validate(v, from_attributes=True) for v in rows]


class VersionContentOut(BaseModel):
    """One stored version of an SKP with its content."""

    version: int
    content_hash: str = Field(description="sha256 of the canonical content")
    created_by: str = Field(description="NIP (or portal client id) that wrote this version")
    created_at: str = Field(description="when it was written (ISO 8601)", json_schema_extra={"format": "date-time"})
    content: StoredContent


class DiffOut(BaseModel):
    """Every changed field between two versions."""

    dari: int = Field(description="the older version")
    ke: int = Field(description="the newer version")
    changes: list[Change]


@router.get("/{skp_id}/versions/{version}", response_model=VersionContentOut,
            summary="Isi satu versi (the content of one version)")
async def version_content(skp_id: uuid.UUID, version: Annotated[int, Path(ge=1, le=2**31 - 1)], principal: CurrentPrincipal, uow: UowDep) -> dict:
    async with uow() as session:
        await documents.read_document(session, skp_id, principal)
        v = await documents.get_version(session, skp_id, version)
    return {"version": v.version, "content_hash": v.content_hash, "created_by": v.created_by,
            "penilai_override": v.penilai_override, "created_at": v.created_at.isoformat(), "content": v.content}


@router.get("/{skp_id}/diff", response_model=DiffOut, summary="Perbedaan antar versi (field-level diff)",
            description="Every changed field between two versions, with its path, e.g. "
            "`hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai` changed from \"4\" to \"12\".")
async def version_diff(
    skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep,
    dari: Annotated[int, Query(ge=1, le=2**31 - 1, description="older version", examples=[1])],
    ke: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="newer version (default: the current one)", examples=[2])] = None,
) -> dict:
    async with uow() as session:
        doc = await documents.read_document(session, skp_id, principal)
        a = await documents.get_version(session, skp_id, dari)
        b = await documents.get_version(session, skp_id, ke or doc.version)
    changes = diff_skp(SkpSnapshot.model_validate(a.content), SkpSnapshot.model_validate(b.content))
    return {"dari": a.version, "ke": b.version, "changes": [c.model_dump(mode="json") for c in changes]}


@router.get("/{skp_id}/cascade", response_model=CascadeOut,
            summary="Pohon cascading (RHK and every subordinate RHK that intervenes it)")
async def cascade(skp_id: uuid.UUID, principal: CurrentPrincipal, uow: UowDep) -> dict:
    async with uow() as session:
        doc = await documents.read_document(session, skp_id, principal)
        return await cascade_tree(session, doc)
