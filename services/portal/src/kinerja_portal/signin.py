"""Signing in: OpenID Connect against the agency's identity provider, or
(only with the development setting) by picking a person from the directory.

Either way the portal asks the directory who the person is (name, instansi,
e-mail) with a token for that person: someone the directory does not know
cannot sign in.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth
from kinerja_contracts.values import Role

from .services import ApiError, Services
from .settings import Settings
from .viewer import Viewer


def oauth_client(settings: Settings) -> OAuth | None:
    """Authlib's Starlette client for the provider in the settings (None when OIDC is not configured)."""
    if not settings.oidc_enabled:
        return None
    oauth = OAuth()
    oauth.register(
        name="idp",
        server_metadata_url=settings.oidc_metadata_url,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None,
        client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
    )
    return oauth


async def claims_of(client: Any, token: dict[str, Any]) -> dict[str, Any]:
    """The person's claims: the ID token's, completed from the userinfo endpoint.

    Most providers (and the OIDC default for claims asked by scope) put only
    ``sub`` in the ID token when an access token is issued too, and the rest
    (name, NIP, roles) at the userinfo endpoint. The userinfo answer counts
    only when its ``sub`` is the ID token's (OIDC Core 5.3.2)."""
    claims = dict(token.get("userinfo") or {})
    if token.get("access_token") and client.server_metadata.get("userinfo_endpoint"):
        extra = dict(await client.userinfo(token=token))
        if extra.get("sub") == claims.get("sub"):
            claims = extra | claims
    return claims


def roles_of(claims: dict[str, Any], claim: str) -> set[str]:
    """The roles claim as a set: a list, or a space- or comma-separated string."""
    value = claims.get(claim)
    if isinstance(value, str):
        return {v for v in value.replace(",", " ").split() if v}
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return set()


class NotInDirectory(Exception):
    """The identity provider (or the development list) named someone the directory does not hold."""

    def __init__(self, nip: str):
        self.nip = nip


async def viewer_from_directory(services: Services, nip: str, *, is_admin: bool) -> Viewer:
    """Who ``nip`` is, read from the directory with their own token (pegawai role)."""
    probe = Viewer(nip=nip, nama=nip, instansi="")
    try:
        person = await services.as_(probe, Role.pegawai, "directory", "GET", f"/api/v1/people/{nip}")
    except ApiError as exc:
        if exc.status == 404:
            raise NotInDirectory(nip) from exc
        raise
    record = person.get("record") or {}
    if record.get("aktif") is False:
        raise NotInDirectory(nip)
    return Viewer(nip=nip, nama=record.get("nama") or nip, instansi=person.get("instansi") or record.get("instansi") or "",
                  email=record.get("email"), jabatan=record.get("jabatan"), is_admin=is_admin,
                  jenis_asn=record.get("jenis_asn"))


async def dev_people(services: Services, settings: Settings) -> list[dict]:
    """The people the development sign-in offers: the active people of ``dev_instansi``."""
    out: list[dict] = []
    for instansi in settings.dev_instansi:
        page = await services.request("directory", "GET", "/api/v1/people", token=services.system_token(instansi),
                                      params={"aktif": "true", "limit": 500})
        for item in page.get("items", []):
            rec = item.get("record") or item
            out.append({"nip": item.get("person_id") or rec.get("nip"), "nama": rec.get("nama"),
                        "jabatan": rec.get("jabatan"), "instansi": instansi})
    return sorted(out, key=lambda p: (p["instansi"], p["nama"] or ""))
