"""Composition root of the portal: the app, its layers and its pages."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from kinerja_platform.logging import setup_logging
from kinerja_platform.settings import DEV_JWT_SECRET
from kinerja_platform.web.middleware import CorrelationMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from . import signin
from .pages import STATIC, render
from .routes import ROUTERS
from .services import ApiError, Services
from .settings import DEV_SESSION_SECRET, Settings
from .viewer import AdminRequired, SignInRequired, sign_in_url
from .web import CsrfMiddleware, SecurityHeadersMiddleware

log = structlog.get_logger("kinerja.portal")

SESSION_COOKIE = "kinerja_sesi"


def check_secrets(settings: Settings) -> None:
    """Refuse the public development secrets unless the development setting allows them."""
    if settings.common.allow_dev_jwt_secret:
        return
    if settings.session_secret.get_secret_value() == DEV_SESSION_SECRET:
        raise RuntimeError("KINERJA_PORTAL_SESSION_SECRET is the public development value; set your own "
                           "(or KINERJA_ALLOW_DEV_JWT_SECRET=true for development)")
    if settings.token_signing_key is None and settings.common.jwt_secret == DEV_JWT_SECRET:
        raise RuntimeError("the portal would sign tokens with the public development JWT secret; set "
                           "KINERJA_JWT_SECRET (or KINERJA_ALLOW_DEV_JWT_SECRET=true for development)")


def create_app(settings: Settings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """Build the portal. ``transport``: how to reach the services (tests may pass one; default: HTTP)."""
    settings = settings or Settings()
    common = settings.common
    setup_logging(common.log_level, common.log_format, service="portal", person_ids=common.log_person_ids)
    check_secrets(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.services = Services(settings, transport=transport)
        log.info("portal started", port=settings.port, oidc=settings.oidc_enabled, dev_sign_in=settings.dev_sign_in)
        try:
            yield
        finally:
            await app.state.services.close()

    app = FastAPI(title="Kinerja Portal", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.oauth = signin.oauth_client(settings)

    secret = settings.session_secret.get_secret_value()
    # outermost last: correlation id -> security headers -> session -> CSRF -> routes
    app.add_middleware(CsrfMiddleware, secret=secret, secure=settings.secure_cookies,
                       always_protect={"/masuk/dev", "/keluar"})
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=settings.session_max_age_seconds, same_site="lax", https_only=settings.secure_cookies)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(CorrelationMiddleware)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired):
        return RedirectResponse(sign_in_url(exc.next_url), status_code=303)

    @app.exception_handler(AdminRequired)
    async def not_admin(request: Request, exc: AdminRequired):
        return render(request, "galat.html", 403, title="Khusus admin",
                      message="Halaman ini hanya untuk admin instansi.")

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        if exc.status == 401:  # the service no longer accepts us: sign in again, then come back
            return RedirectResponse(sign_in_url(request.url.path), status_code=303)
        status = exc.status if exc.status in (403, 404, 409, 422, 503) else 502
        title = {403: "Tidak berhak", 404: "Tidak ditemukan", 409: "Data sudah berubah", 503: "Layanan sibuk"}.get(
            status, "Terjadi kesalahan")
        return render(request, "galat.html", status, title=title, message=exc.message, code=exc.code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        title = {404: "Halaman tidak ditemukan", 405: "Metode tidak diizinkan"}.get(exc.status_code, "Terjadi kesalahan")
        return render(request, "galat.html", exc.status_code, title=title,
                      message=str(exc.detail) if exc.status_code != 404 else "Alamat yang Anda buka tidak ada.")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "ok", "service": "portal"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        services: Services = request.app.state.services

        async def up(name: str) -> bool:
            try:
                return (await services.clients[name].get("/healthz", timeout=2.0)).status_code == 200
            except httpx.HTTPError:
                return False

        names = list(services.clients)
        results = await asyncio.gather(*(up(n) for n in names))
        checks = {n: "ok" if ok else "down" for n, ok in zip(names, results, strict=True)}
        ok = all(results)
        return JSONResponse({"status": "ok" if ok else "unavailable", "service": "portal", "checks": checks},
                            status_code=200 if ok else 503)

    for router in ROUTERS:
        app.include_router(router)
    return app
