"""Sign-in and sign-out pages: ``/masuk`` (OIDC, or the development list), ``/keluar``."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from .. import signin
from ..pages import flash, render
from ..services import ApiError, Services
from ..settings import Settings
from ..viewer import current, safe_next, sign_in, sign_out

router = APIRouter()

NEXT_KEY = "masuk_next"


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _services(request: Request) -> Services:
    return request.app.state.services


@router.get("/masuk")
async def masuk(request: Request, next: str | None = None):
    """The sign-in page: the identity provider's button and, in development, the list of people."""
    settings = _settings(request)
    target = safe_next(next)
    if current(request) is not None:
        return RedirectResponse(target, status_code=303)
    people: list[dict] = []
    problem = None
    if settings.dev_sign_in:
        try:
            people = await signin.dev_people(_services(request), settings)
        except ApiError as exc:
            problem = exc.message
    return render(request, "masuk.html", title="Masuk", next=target, people=people, problem=problem,
                  oidc=settings.oidc_enabled, dev=settings.dev_sign_in)


@router.post("/masuk/dev")
async def masuk_dev(request: Request, nip: Annotated[str, Form(max_length=64)],
                    next: Annotated[str, Form(max_length=2000)] = "/", admin: Annotated[bool, Form()] = False):
    """Development sign-in: only when ``KINERJA_PORTAL_DEV_SIGN_IN`` is on."""
    settings = _settings(request)
    if not settings.dev_sign_in:
        return render(request, "galat.html", 404, title="Halaman tidak ditemukan", message="Alamat yang Anda buka tidak ada.")
    try:
        viewer = await signin.viewer_from_directory(_services(request), nip.strip(), is_admin=admin)
    except signin.NotInDirectory:
        flash(request, f"NIP {nip} tidak ada di direktori atau tidak aktif.", "galat")
        return RedirectResponse("/masuk?next=" + safe_next(next), status_code=303)
    sign_in(request, viewer)
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/masuk/oidc")
async def masuk_oidc(request: Request, next: str | None = None):
    """Off to the identity provider; it comes back to ``/masuk/callback``."""
    oauth = request.app.state.oauth
    if oauth is None:
        return RedirectResponse("/masuk", status_code=303)
    request.session[NEXT_KEY] = safe_next(next)
    redirect_uri = _settings(request).public_url.rstrip("/") + "/masuk/callback"
    return await oauth.idp.authorize_redirect(request, redirect_uri)


@router.get("/masuk/callback")
async def masuk_callback(request: Request):
    """The identity provider's answer: who signed in, looked up in the directory."""
    from authlib.integrations.starlette_client import OAuthError

    settings = _settings(request)
    oauth = request.app.state.oauth
    if oauth is None:
        return RedirectResponse("/masuk", status_code=303)
    target = safe_next(request.session.get(NEXT_KEY))
    try:
        token = await oauth.idp.authorize_access_token(request)
    except OAuthError as exc:
        return render(request, "galat.html", 401, title="Gagal masuk",
                      message=f"Penyedia identitas menolak masuk: {exc.description or exc.error}. Silakan coba lagi.")
    except httpx.HTTPError as exc:  # the provider's token endpoint unreachable
        return render(request, "galat.html", 502, title="Gagal masuk",
                      message=f"Penyedia identitas tidak dapat dihubungi ({type(exc).__name__}). Silakan coba lagi.")
    try:
        claims = await signin.claims_of(oauth.idp, token)
    except (OAuthError, httpx.HTTPError, ValueError) as exc:  # userinfo unreachable or not JSON
        return render(request, "galat.html", 502, title="Gagal masuk",
                      message=f"Penyedia identitas tidak memberi data akun Anda ({type(exc).__name__}). Silakan coba lagi.")
    nip = str(claims.get(settings.oidc_nip_claim) or "").strip()
    if not nip:
        return render(request, "galat.html", 403, title="NIP tidak dikenal",
                      message=f"Akun Anda tidak membawa NIP (klaim '{settings.oidc_nip_claim}'). Hubungi admin instansi.")
    is_admin = settings.oidc_admin_role in signin.roles_of(claims, settings.oidc_roles_claim)
    try:
        viewer = await signin.viewer_from_directory(_services(request), nip, is_admin=is_admin)
    except signin.NotInDirectory:
        return render(request, "galat.html", 403, title="Tidak terdaftar",
                      message=f"NIP {nip} tidak ada di direktori kepegawaian atau tidak aktif. Hubungi admin instansi.")
    sign_in(request, viewer)
    return RedirectResponse(target, status_code=303)


@router.post("/keluar")
async def keluar(request: Request):
    sign_out(request)
    flash(request, "Anda telah keluar.")
    return RedirectResponse("/masuk", status_code=303)
