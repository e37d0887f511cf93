"""HTTP API of the skp service (``/api/v1/skp``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from kinerja_contracts.lifecycle import SkpStatus, allowed_actions
from kinerja_contracts.runtime import Runtime, get_runtime
from kinerja_contracts.values import Role
from kinerja_contracts.web.auth import CurrentPrincipal, Principal, require_roles
from kinerja_contracts.web.errors import PROBLEM_RESPONSES, ProblemError
from pydantic import BaseModel, Field

from ..adapters.tables import SkpDocument
from ..domain.model import SkpContent
from ..domain.rules import validate
from ..service_layer import documents

router = APIRouter(prefix="/api/v1/skp", tags=["skp"], responses=PROBLEM_RESPONSES)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Writer = Annotated[Principal, Depends(require_roles(Role.pegawai, Role.admin, Role.portal))]


class SkpOut(BaseModel):
    """An SKP as the API returns it."""

    id: uuid.UUID
    status: SkpStatus
    version: int = Field(description="send it back as If-Match (or `version`) on the next write")
    content_hash: str
    catatan_revisi: str | None = Field(description="the atasan's note when the SKP was returned (Revisi)")
    allowed_actions: list[str]
    content: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, doc: SkpDocument) -> SkpOut:
        return cls(
            id=doc.id,
            status=SkpStatus(doc.status),
            version=doc.version,
            content_hash=doc.content_hash,
            catatan_revisi=doc.catatan_revisi,
            allowed_actions=list(allowed_actions(SkpStatus(doc.status))),
            content=doc.content,
            created_at=doc.created_at,
            updated_at=doc.updated_at,
        )


class VersionIn(BaseModel):
    version: int = Field(ge=1, description="the version you read")


def _etag(response: Response, doc: SkpDocument) -> None:
    response.headers["ETag"] = f'"{doc.version}"'


def _version_from(if_match: str | None, body_version: int | None) -> int:
    if if_match:
        try:
            return int(if_match.strip().strip('W/').strip('"'))
        except ValueError as exc:
            raise ProblemError(400, "bad-if-match", f"If-Match harus berisi versi SKP, mis. \"3\" (got {if_match!r}).") from exc
    if body_version is not None:
        return body_version
    raise ProblemError(428, "version-required", "Kirim versi SKP lewat header If-Match atau isian `version` (send the version you read).")


@router.post("", status_code=201, response_model=SkpOut, summary="Buat draft SKP (create a draft)")
async def create(content: SkpContent, principal: Writer, rt: RuntimeDep, response: Response) -> SkpOut:
    async with rt.uow() as session:
        doc = await documents.create_draft(session, content, principal)
    _etag(response, doc)
    response.headers["Location"] = f"/api/v1/skp/{doc.id}"
    return SkpOut.of(doc)


@router.get("/{skp_id}", response_model=SkpOut, summary="Baca SKP (read one)")
async def read(skp_id: uuid.UUID, principal: CurrentPrincipal, rt: RuntimeDep, response: Response) -> SkpOut:
    async with rt.uow() as session:
        doc = await documents.get_document(session, skp_id)
        if principal.role == Role.atasan and doc.penilai_nip == principal.sub:
            pass
        else:
            documents.check_owner(doc.nip, principal)
    _etag(response, doc)
    return SkpOut.of(doc)


class UpdateIn(BaseModel):
    version: int | None = Field(default=None, ge=1, description="or send If-Match")
    content: SkpContent


@router.put("/{skp_id}", response_model=SkpOut, summary="Ubah draft SKP (update; needs the version)")
async def update_(
    skp_id: uuid.UUID, body: UpdateIn, principal: Writer, rt: RuntimeDep, response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> SkpOut:
    version = _version_from(if_match, body.version)
    async with rt.uow() as session:
        doc = await documents.update_draft(session, skp_id, version, body.content, principal)
    _etag(response, doc)
    return SkpOut.of(doc)


@router.post("/{skp_id}/submit", response_model=SkpOut, summary="Ajukan verifikasi (submit for approval)")
async def submit(
    skp_id: uuid.UUID, principal: Writer, rt: RuntimeDep, response: Response,
    body: VersionIn | None = None, if_match: Annotated[str | None, Header()] = None,
) -> SkpOut:
    version = _version_from(if_match, body.version if body else None)
    async with rt.uow() as session:
        doc = await documents.submit(session, skp_id, version, principal)
    _etag(response, doc)
    return SkpOut.of(doc)


@router.post("/validate", summary="Periksa SKP tanpa menyimpan (validate without saving)")
async def validate_only(content: SkpContent, principal: CurrentPrincipal) -> dict:
    findings = validate(content)
    return {
        "valid": not any(f.severity == "error" for f in findings),
        "errors": [f.as_dict() for f in findings if f.severity == "error"],
        "warnings": [f.as_dict() for f in findings if f.severity == "warning"],
    }
