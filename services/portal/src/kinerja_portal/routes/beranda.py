"""The home page (``/``): what waits for the signed-in person."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..pages import render
from ..viewer import SignedIn

router = APIRouter()


@router.get("/")
async def beranda(request: Request, viewer: SignedIn):
    return render(request, "beranda.html", title="Beranda", nav="beranda")
