"""Pages of the admin area (see docs/portal.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
