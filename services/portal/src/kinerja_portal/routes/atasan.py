"""Pages of the atasan area (see docs/portal.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
