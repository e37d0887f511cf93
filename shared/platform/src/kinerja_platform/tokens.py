"""Minting development tokens (``kinerja-token``, tests, the devstack).

Kept apart from :mod:`kinerja_platform.web.auth` (which verifies tokens and
needs FastAPI): ``kinerja-token`` imports only PyJWT, the settings and the
contracts' ``Role``, so a call takes a few tenths of a second instead of the
second or more that importing the web stack costs.
"""

from __future__ import annotations

import argparse
import datetime as dt

import jwt

from kinerja_contracts.values import Role

from .settings import CommonSettings

#: roles whose rights stop at their token's ``instansi``: every service refuses them without one
SCOPED_ROLES = (Role.admin, Role.portal)


def mint_token(
    sub: str,
    role: Role | str,
    *,
    secret: str,
    audience: str = "kinerja",
    issuer: str | None = None,
    instansi: str | None = None,
    nama: str | None = None,
    email: str | None = None,
    ttl: dt.timedelta = dt.timedelta(hours=8),
    algorithm: str = "HS256",
) -> str:
    """A signed JWT with the claims every service reads (see web.auth)."""
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": sub, "role": str(Role(role)), "aud": audience, "iat": now, "exp": now + ttl}
    if issuer:
        claims["iss"] = issuer
    for k, v in (("instansi", instansi), ("nama", nama), ("email", email)):
        if v:
            claims[k] = v
    return jwt.encode(claims, secret, algorithm=algorithm)


def token_cli(argv: list[str] | None = None) -> None:
    """``kinerja-token``: mint a development token (HS256, the configured secret)."""
    p = argparse.ArgumentParser(description="Mint a development JWT for Kinerja (HS256 with KINERJA_JWT_SECRET).")
    p.add_argument("--sub", required=True, help="NIP / NI PPPK, or a portal client id")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--instansi", help="agency: required for admin and portal (their rights stop at it); "
                                      "none for operator (deployment-wide, audited)")
    p.add_argument("--nama")
    p.add_argument("--email")
    p.add_argument("--hours", type=float, default=8.0, help="lifetime in hours (default 8)")
    a = p.parse_args(argv)
    if Role(a.role) in SCOPED_ROLES and not a.instansi:
        p.error(f"--role {a.role} needs --instansi: every service refuses an admin or portal token without it")
    if Role(a.role) == Role.operator and a.instansi:
        p.error("--role operator is deployment-wide: give no --instansi")
    s = CommonSettings()
    print(
        mint_token(
            a.sub,
            a.role,
            secret=s.jwt_secret,
            audience=s.jwt_audience,
            issuer=s.jwt_issuer,
            instansi=a.instansi,
            nama=a.nama,
            email=a.email,
            ttl=dt.timedelta(hours=a.hours),
        )
    )


if __name__ == "__main__":  # pragma: no cover
    token_cli()
