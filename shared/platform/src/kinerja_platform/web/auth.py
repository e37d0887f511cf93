"""Bearer-JWT authentication shared by every service.

Claims: ``sub`` (NIP / NI PPPK, or a portal's client id), ``role`` (one of
pegawai, atasan, admin, portal, operator), ``instansi`` (an admin's or a
portal's scope), optional ``nama`` and ``email``; ``aud`` must be the
configured audience.

One scoping rule for every service (:func:`scope_problem`, applied by
:data:`CurrentPrincipal`): an admin or portal token without ``instansi`` is
refused (403 ``instansi-scope-missing``), never deployment-wide; an
``operator`` token (the one deployment-wide role) is refused by every
endpoint except those that ask for :data:`OperatorPrincipal`, which logs
each of its requests to the audit log (docs/security.md).
HS256 with a shared secret by default (a development secret); RS256 with a
PEM public key or a JWKS URL by setting.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from ..logging import get_logger
from ..settings import DEV_JWT_SECRET, CommonSettings
# minting lives apart so that kinerja-token stays light; re-exported for existing callers
from ..tokens import SCOPED_ROLES as SCOPED_ROLES
from ..tokens import mint_token as mint_token
from ..tokens import token_cli as token_cli
from kinerja_contracts.values import Role
from .errors import ProblemError


class Principal(BaseModel):
    """The authenticated caller."""

    sub: str
    role: Role
    instansi: str | None = None
    nama: str | None = None
    email: str | None = None

    def has(self, *roles: Role) -> bool:
        return self.role in roles


class TokenVerifier:
    """Verifies bearer tokens for one app's settings.

    A client sends the same token on every request until it expires, so the
    principal of a verified token is remembered (bounded LRU, ``cache_size``
    tokens) until the token's ``exp``: a hit skips the signature check and the
    claim parsing. A cached token at or past its ``exp`` is verified afresh,
    which gives the same 401 ``token-expired`` as before. Only tokens that
    passed every check are cached; the key is the whole token string, so a
    tampered token is never a hit.
    """

    def __init__(self, settings: CommonSettings, *, cache_size: int = 4096):
        check_secret(settings)
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        self.cache_size = cache_size
        self._cache: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._lock = threading.Lock()  # verify() may run in the thread pool (JWKS)

    def cached(self, token: str) -> Principal | None:
        """The principal of ``token`` when it was verified before and has not expired."""
        with self._lock:
            hit = self._cache.get(token)
            if hit is None:
                return None
            principal, exp = hit
            if exp <= time.time():  # PyJWT's own test (leeway 0): expired from exp on
                del self._cache[token]
                return None
            self._cache.move_to_end(token)
            return principal

    @property
    def may_block(self) -> bool:
        """True when verifying may do network I/O (RS256 keys from a JWKS URL)."""
        return self._jwks is not None and self.settings.jwt_algorithm == "RS256"

    def verify(self, token: str) -> Principal:
        principal = self.cached(token)
        if principal is not None:
            return principal
        principal, exp = self._verify(token)
        if self.cache_size > 0:
            with self._lock:
                self._cache[token] = (principal, exp)
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        """Check signature and claims; the principal and the token's exp."""
        s = self.settings
        try:
            if s.jwt_algorithm == "RS256":
                key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else s.jwt_public_key
                if not key:
                    raise ProblemError(500, "auth-misconfigured", "RS256 dipilih tanpa kunci publik (no public key configured).")
            else:
                key = s.jwt_secret
            claims = jwt.decode(
                token,
                key,
                algorithms=[s.jwt_algorithm],
                audience=s.jwt_audience,
                issuer=s.jwt_issuer,
                options={"require": ["sub", "exp", "aud"]},
            )
            _check_lifetime(claims, s.jwt_max_lifetime_seconds)
        except jwt.ExpiredSignatureError as exc:
            raise _unauthorized("token-expired", "Token kedaluwarsa (token expired).") from exc
        except jwt.InvalidAudienceError as exc:
            raise _unauthorized("invalid-token", "Audience token salah (wrong token audience).") from exc
        except jwt.PyJWTError as exc:
            raise _unauthorized("invalid-token", f"Token tidak valid (invalid token): {exc}.") from exc
        try:
            principal = Principal(
                sub=str(claims["sub"]),
                role=Role(claims.get("role")),
                instansi=claims.get("instansi"),
                nama=claims.get("nama"),
                email=claims.get("email"),
            )
        except ValueError as exc:
            raise _unauthorized("invalid-token", f"Peran token tidak dikenal (unknown role {claims.get('role')!r}).") from exc
        return principal, float(claims["exp"])


class InsecureSecretError(RuntimeError):
    """The service was configured with the public development JWT secret outside development."""


def check_secret(settings: CommonSettings) -> None:
    """Refuse the public development secret unless a development setting
    (``KINERJA_ALLOW_DEV_JWT_SECRET=true``) allows it: anybody can mint tokens with it."""
    if settings.jwt_algorithm == "HS256" and settings.jwt_secret == DEV_JWT_SECRET and not settings.allow_dev_jwt_secret:
        raise InsecureSecretError(
            "KINERJA_JWT_SECRET is the public development secret; set a secret of your own, or set "
            "KINERJA_ALLOW_DEV_JWT_SECRET=true in a development setting (make run does)"
        )


def _check_lifetime(claims: dict, max_seconds: int) -> None:
    """A token may live at most ``max_seconds``: measured from ``iat`` when the
    token has one, else from now (a stolen long-lived token stays refused)."""
    try:
        exp = float(claims["exp"])
        start = float(claims["iat"]) if "iat" in claims else time.time()
    except (TypeError, ValueError) as exc:
        raise _unauthorized("invalid-token", "Klaim waktu token tidak sah (invalid time claims).") from exc
    if exp - start > max_seconds:
        raise _unauthorized("token-lifetime", f"Masa berlaku token melebihi {max_seconds} detik "
                            f"(token lifetime exceeds {max_seconds} seconds).")
    if "iat" in claims and start > time.time() + 300:
        raise _unauthorized("invalid-token", "Token diterbitkan di masa depan (token issued in the future).")


def _unauthorized(code: str, detail: str) -> ProblemError:
    return ProblemError(401, code, detail, title="Unauthorized")


_bearer = HTTPBearer(auto_error=False, description="JWT: `Authorization: Bearer <token>`; mint one with `uv run kinerja-token`")


async def _verified_principal(request: Request, creds: HTTPAuthorizationCredentials | None) -> Principal:
    """The caller of a verified bearer token (no scoping rule applied yet)."""
    if creds is None or creds.scheme.lower() != "bearer":
        raise _unauthorized("missing-token", "Header Authorization: Bearer <token> wajib (a bearer token is required).")
    # Not cached on request.state: that dict can be shared between requests
    # (it is the lifespan state), which would leak one caller's identity.
    verifier: TokenVerifier = request.app.state.verifier
    principal = verifier.cached(creds.credentials)
    if principal is not None:
        return principal
    if verifier.may_block:
        # a JWKS lookup may fetch keys over the network: keep it off the event loop
        return await run_in_threadpool(verifier.verify, creds.credentials)
    # HS256 / a PEM key: pure CPU, microseconds; async so that FastAPI does
    # not hand every request to its thread pool (measured: bench/flow.py)
    return verifier.verify(creds.credentials)


def scope_problem(principal: Principal) -> ProblemError | None:
    """The one scoping rule every service keeps (None: the caller may go on to
    the endpoint's own checks): an admin or portal token names its instansi;
    an operator acts only where an endpoint asks for :data:`OperatorPrincipal`."""
    if principal.role in SCOPED_ROLES and not principal.instansi:
        return ProblemError(403, "instansi-scope-missing",
                            f"Token {principal.role} tanpa klaim instansi tidak berhak; hak admin dan portal dibatasi "
                            f"per instansi (a {principal.role} token needs an `instansi` claim; nothing is "
                            "deployment-wide but the operator role).")
    if principal.role == Role.operator:
        return ProblemError(403, "operator-not-allowed",
                            "Token operator hanya untuk operasi tingkat deployment (an operator token is for the "
                            "deployment-wide operations only, e.g. GET /api/v1/admin/set-aside).")
    return None


async def current_principal(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The authenticated caller, after the scoping rule (:func:`scope_problem`)."""
    principal = await _verified_principal(request, creds)
    problem = scope_problem(principal)
    if problem is not None:
        raise problem
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

_audit = get_logger("kinerja.audit")


async def operator_principal(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The deployment-wide operator (role ``operator``); every request that
    gets through is written to the audit log (logger ``kinerja.audit``)."""
    principal = await _verified_principal(request, creds)
    if principal.role != Role.operator:
        raise ProblemError(403, "operator-only", "Hanya operator deployment (token dengan peran operator) "
                           "(only the deployment's operator: a token with role operator).")
    _audit.warning("operator access", audit=True, sub=principal.sub, role=str(principal.role),
                   method=request.method, path=request.url.path)
    return principal


OperatorPrincipal = Annotated[Principal, Depends(operator_principal)]


def require_roles(*roles: Role):
    """Dependency: the caller must have one of ``roles``."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise ProblemError(
                403,
                "forbidden-role",
                f"Peran '{principal.role}' tidak berhak; perlu salah satu dari: {', '.join(roles)} "
                f"(role '{principal.role}' is not allowed here).",
            )
        return principal

    return check
