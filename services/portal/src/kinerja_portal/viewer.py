"""Who is signed in: the :class:`Viewer` kept in the session cookie.

The session (Starlette's signed, HTTP-only cookie) holds only who the person
is, as the directory told the portal at sign-in; never a token. Every call to
a service carries a token the portal mints for that call
(:mod:`kinerja_portal.services`).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

SESSION_KEY = "viewer"


@dataclass(frozen=True)
class Viewer:
    """The signed-in person. ``nip`` is the directory's person id (NIP / NI PPPK);
    ``instansi`` the agency the directory puts them in; ``is_admin`` whether
    they administer that instansi (an OIDC role claim, or the development sign-in)."""

    nip: str
    nama: str
    instansi: str
    email: str | None = None
    jabatan: str | None = None
    is_admin: bool = False
    signed_in_at: float = 0.0
    #: the directory's kind of ASN (PNS, PPPK, PPPK_PARUH_WAKTU): a first SKP's jenis_pegawai
    jenis_asn: str | None = None


def sign_in(request: Request, viewer: Viewer) -> None:
    """Start a new session for ``viewer`` (what was there before is dropped)."""
    request.session.clear()
    request.session[SESSION_KEY] = asdict(viewer) | {"signed_in_at": time.time()}


def sign_out(request: Request) -> None:
    request.session.clear()


def current(request: Request) -> Viewer | None:
    raw = request.session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        return Viewer(**raw)
    except TypeError:  # a cookie from an older portal: sign in again
        return None


class SignInRequired(Exception):
    """Raised by :func:`require_viewer`; answered with a redirect to the sign-in
    page that comes back to ``next`` afterwards."""

    def __init__(self, next_url: str):
        self.next_url = next_url


class AdminRequired(Exception):
    """The page is for the admin of an instansi."""


def next_of(request: Request) -> str:
    """The path (and query) to come back to after sign-in."""
    url = request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


def sign_in_url(next_url: str) -> str:
    return "/masuk?next=" + quote(next_url, safe="")


def require_viewer(request: Request) -> Viewer:
    viewer = current(request)
    if viewer is None:
        raise SignInRequired(next_of(request) if request.method == "GET" else "/")
    return viewer


def require_admin(viewer: Annotated[Viewer, Depends(require_viewer)]) -> Viewer:
    if not viewer.is_admin:
        raise AdminRequired()
    return viewer


def safe_next(value: str | None) -> str:
    """Only a path on this portal: never an absolute or protocol-relative URL (open redirect).

    No whitespace or control character either: browsers drop tabs and line
    breaks from a URL, so ``/<TAB>/evil.example`` would become ``//evil.example``."""
    if (not value or not value.startswith("/") or value.startswith("//") or "\\" in value
            or any(c <= " " or c == "\x7f" for c in value)):
        return "/"
    return value


SignedIn = Annotated[Viewer, Depends(require_viewer)]
Admin = Annotated[Viewer, Depends(require_admin)]
