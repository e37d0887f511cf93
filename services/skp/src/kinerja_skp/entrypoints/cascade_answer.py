"""The typed answer of ``GET /api/v1/skp/{skp_id}/cascade`` (the tree that
service_layer/cascade.py builds), so the OpenAPI document shows its shape."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class CascadeIki(BaseModel):
    id: str | None
    indikator: str | None


class CascadePegawai(BaseModel):
    nip: str
    nama: str | None
    jabatan: str | None
    unit_kerja: str | None


class CascadeNode(BaseModel):
    """One RHK of one SKP, with the subordinates' RHK that intervene it."""

    skp_id: uuid.UUID
    status: str
    pegawai: CascadePegawai
    rhk_id: str | None
    jenis: str | None = Field(description="utama or tambahan")
    uraian: str | None
    iki: list[CascadeIki]
    intervensi: list[CascadeNode] = Field(description="subordinate RHK whose rhk_intervensi_id is this RHK")


class CascadeOut(BaseModel):
    skp_id: uuid.UUID
    nip: str
    nama: str | None
    tahun: int
    rhk: list[CascadeNode]
