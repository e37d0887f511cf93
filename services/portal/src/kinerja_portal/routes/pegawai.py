"""Pages of the pegawai area (see docs/portal.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
