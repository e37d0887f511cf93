"""Calls to the other services, as the signed-in person.

The portal never reads another service's database. For each call it mints a
short-lived token (``token_ttl_seconds``, default five minutes) with the
person's NIP as subject and the role the call needs: ``pegawai`` for their
own documents, ``atasan`` for decisions on their staff, ``admin`` of their
instansi only when the directory sign-in said they are one. The services then
apply their own access rules exactly as for any other caller: the portal adds
no right of its own (docs/portal.md, "How the portal acts for you").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx
from kinerja_contracts.values import Role
from kinerja_platform.context import get_correlation_id
from kinerja_platform.tokens import mint_token

from .settings import Settings
from .viewer import Viewer

SERVICES = ("skp", "approval", "evaluation", "notification", "directory")


@dataclass
class ApiError(Exception):
    """A service said no (an RFC 9457 problem) or could not be reached.

    ``field_errors`` maps a field's path (as the service names it, without the
    leading ``body.``) to its messages, for showing each beside its field."""

    status: int
    code: str
    message: str
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    problem: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        errors: dict[str, list[str]] = {}
        for e in body.get("errors") or []:
            path = str(e.get("path", ""))
            path = path.removeprefix("body.")
            errors.setdefault(path, []).append(str(e.get("message", "")))
        message = str(body.get("detail") or body.get("title") or response.reason_phrase or "Kesalahan")
        return cls(response.status_code, str(body.get("code") or f"http-{response.status_code}"), message, errors, body)


class Services:
    """One HTTP client per service (connection reuse), shared by all requests."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self.clients = {
            s: httpx.AsyncClient(base_url=settings.service_url(s), timeout=settings.api_timeout_seconds,
                                 transport=transport)
            for s in SERVICES
        }

    async def close(self) -> None:
        for c in self.clients.values():
            await c.aclose()

    def token(self, viewer: Viewer, role: Role) -> str:
        """A token for one call made for ``viewer`` in ``role`` (an admin token only for an admin)."""
        if role == Role.admin and not viewer.is_admin:
            raise PermissionError("only an admin of the instansi acts as admin")
        if role in (Role.portal, Role.operator):
            raise PermissionError(f"the portal never acts as {role} for a person")
        c = self.settings.common
        return mint_token(viewer.nip, role, secret=self.settings.signing_key(), audience=c.jwt_audience,
                          issuer=c.jwt_issuer, instansi=viewer.instansi if role == Role.admin else None,
                          nama=viewer.nama, ttl=dt.timedelta(seconds=self.settings.token_ttl_seconds),
                          algorithm=c.jwt_algorithm)

    def system_token(self, instansi: str) -> str:
        """A ``portal`` token of ``instansi``: only for the development sign-in's list of people
        (before anyone is signed in) and for finding a signed-in person in the directory."""
        c = self.settings.common
        return mint_token("kinerja-portal", Role.portal, secret=self.settings.signing_key(), audience=c.jwt_audience,
                          issuer=c.jwt_issuer, instansi=instansi, ttl=dt.timedelta(seconds=self.settings.token_ttl_seconds),
                          algorithm=c.jwt_algorithm)

    async def request(self, service: str, method: str, path: str, *, token: str, raw: bool = False,
                      headers: dict[str, str] | None = None, **kw: Any) -> Any:
        """Call ``service``; answers the decoded JSON (or the response when ``raw``); raises :class:`ApiError`."""
        h = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        h["X-Correlation-ID"] = get_correlation_id()
        h.update(headers or {})
        try:
            response = await self.clients[service].request(method, path, headers=h, **kw)
        except httpx.HTTPError as exc:
            raise ApiError(503, "service-unavailable",
                           f"Layanan {service} tidak dapat dihubungi; coba lagi sebentar lagi ({type(exc).__name__}).") from exc
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        if raw:
            return response
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def as_(self, viewer: Viewer, role: Role, service: str, method: str, path: str, **kw: Any) -> Any:
        """Call ``service`` for ``viewer`` in ``role``."""
        return await self.request(service, method, path, token=self.token(viewer, role), **kw)
