"""Auth, problem+json, correlation ids and the body limit on a small app."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI
from kinerja_platform.settings import CommonSettings
from kinerja_contracts.values import Role
from kinerja_platform.web.auth import CurrentPrincipal, TokenVerifier, mint_token, require_roles
from kinerja_platform.web.errors import ProblemError, install_error_handlers
from kinerja_platform.web.middleware import BodyLimitMiddleware, CorrelationMiddleware
from pydantic import BaseModel

SECRET = CommonSettings().jwt_secret
OTHER_SECRET = "another-secret-just-as-long-as-a-real-one"  # >= 32 bytes: no InsecureKeyLengthWarning


class Item(BaseModel):
    name: str
    count: int


def make_app(settings: CommonSettings | None = None, max_bytes: int = 1000) -> FastAPI:
    app = FastAPI()
    app.state.verifier = TokenVerifier(settings or CommonSettings())
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_bytes)
    app.add_middleware(CorrelationMiddleware)

    @app.get("/me")
    def me(p: CurrentPrincipal) -> dict:
        return {"sub": p.sub, "role": p.role}

    @app.post("/admin-only")
    def admin_only(item: Item, p=Depends(require_roles(Role.admin))) -> dict:  # noqa: B008 (FastAPI style)
        return {"ok": True}

    @app.get("/boom")
    def boom() -> None:
        raise ProblemError(409, "skp-locked", "SKP terkunci (locked).", status_skp="Pending")

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("bug")

    return app


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_valid_token_gives_the_principal():
    async with client(make_app()) as c:
        r = await c.get("/me", headers=bearer(mint_token("199503152025212001", "pegawai", secret=SECRET)))
    assert r.status_code == 200 and r.json() == {"sub": "199503152025212001", "role": "pegawai"}


@pytest.mark.parametrize(
    "token, code",
    [
        (lambda: mint_token("1", "pegawai", secret=OTHER_SECRET), "invalid-token"),
        (lambda: mint_token("1", "pegawai", secret=SECRET, audience="someone-else"), "invalid-token"),
        (lambda: mint_token("1", "pegawai", secret=SECRET, ttl=-dt.timedelta(seconds=5)), "token-expired"),
        (lambda: jwt.encode({"sub": "1", "role": "king", "aud": "kinerja", "exp": int(time.time()) + 3600}, SECRET), "invalid-token"),
        (lambda: jwt.encode({"sub": "1", "role": "admin", "aud": "kinerja"}, SECRET), "invalid-token"),  # no exp
        (lambda: "not.a.jwt", "invalid-token"),
    ],
    ids=["bad-signature", "wrong-audience", "expired", "unknown-role", "no-expiry", "garbage"],
)
async def test_bad_tokens_are_refused_with_401(token, code):
    async with client(make_app()) as c:
        r = await c.get("/me", headers=bearer(token()))
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code


async def test_missing_token_is_401_and_wrong_role_is_403():
    async with client(make_app()) as c:
        assert (await c.get("/me")).json()["code"] == "missing-token"
        r = await c.post("/admin-only", json={"name": "x", "count": 1}, headers=bearer(mint_token("1", "pegawai", secret=SECRET)))
    assert r.status_code == 403 and r.json()["code"] == "forbidden-role"


async def test_rs256_with_a_public_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    settings = CommonSettings(jwt_algorithm="RS256", jwt_public_key=pem)
    token = jwt.encode({"sub": "9", "role": "atasan", "aud": "kinerja", "exp": int(time.time()) + 3600}, key, algorithm="RS256")
    hs_token = mint_token("9", "atasan", secret=SECRET)
    async with client(make_app(settings)) as c:
        assert (await c.get("/me", headers=bearer(token))).json()["role"] == "atasan"
        assert (await c.get("/me", headers=bearer(token))).json()["role"] == "atasan"  # from the cache
        assert (await c.get("/me", headers=bearer(hs_token))).status_code == 401  # no algorithm confusion


async def test_validation_errors_name_every_field_and_problems_have_one_shape():
    admin = bearer(mint_token("1", "admin", secret=SECRET, instansi="Pemkot Uji"))
    async with client(make_app()) as c:
        r = await c.post("/admin-only", json={"count": "many"}, headers=admin)
        assert r.status_code == 422
        body = r.json()
        assert {e["path"] for e in body["errors"]} == {"body.name", "body.count"}
        assert set(body) >= {"type", "title", "status", "detail", "code", "correlation_id"}

        r = await c.get("/boom")
        assert r.status_code == 409 and r.json()["code"] == "skp-locked" and r.json()["status_skp"] == "Pending"

        r = await c.get("/crash", headers={"X-Correlation-ID": "corr-crash"})
        assert r.status_code == 500 and r.json()["code"] == "internal-error"
        assert r.json()["correlation_id"] == "corr-crash"

        r = await c.get("/nowhere")
        assert r.status_code == 404 and r.json()["code"] == "not-found"


async def test_correlation_id_is_echoed_or_created():
    async with client(make_app()) as c:
        r = await c.get("/boom", headers={"X-Correlation-ID": "abc-123"})
        assert r.headers["x-correlation-id"] == "abc-123"
        r = await c.get("/boom")
        assert len(r.headers["x-correlation-id"]) == 32


async def test_oversized_bodies_get_413():
    admin = bearer(mint_token("1", "admin", secret=SECRET, instansi="Pemkot Uji"))
    async with client(make_app(max_bytes=100)) as c:
        r = await c.post("/admin-only", content=b'{"name": "' + b"x" * 500 + b'", "count": 1}',
                         headers={**admin, "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "payload-too-large"


async def test_streamed_oversized_bodies_get_413_not_400():
    """Without Content-Length the limit trips while FastAPI reads the body; it
    must still be 413, not FastAPI's 400 'error parsing the body'."""
    admin = bearer(mint_token("1", "admin", secret=SECRET, instansi="Pemkot Uji"))
    body = b'{"name": "' + b"x" * 500 + b'", "count": 1}'

    async def chunks():
        for i in range(0, len(body), 64):
            yield body[i:i + 64]

    async with client(make_app(max_bytes=100)) as c:
        r = await c.post("/admin-only", content=chunks(), headers={**admin, "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "payload-too-large"
    assert r.headers["content-type"].startswith("application/problem+json")


def token_expiring_at(exp: int, sub: str = "199503152025212001") -> str:
    return jwt.encode({"sub": sub, "role": "pegawai", "aud": "kinerja", "exp": exp}, SECRET)


async def test_a_cached_token_past_its_expiry_is_refused_as_expired():
    import time

    app = make_app()
    exp = int(time.time()) + 2
    token = token_expiring_at(exp)
    async with client(app) as c:
        assert (await c.get("/me", headers=bearer(token))).status_code == 200
        assert app.state.verifier.cached(token) is not None  # remembered
        while time.time() < exp + 0.05:
            await asyncio.sleep(0.1)
        r = await c.get("/me", headers=bearer(token))
    assert r.status_code == 401 and r.json()["code"] == "token-expired"
    assert app.state.verifier.cached(token) is None


async def test_the_token_cache_verifies_other_tokens_anew_and_refuses_tampered_ones():
    import base64
    import json

    app = make_app()
    token = token_expiring_at(int(time.time()) + 3600, sub="111")
    other = token_expiring_at(int(time.time()) + 3600, sub="222")
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["role"] = "admin"  # a pegawai tries to become admin, keeping the signature
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    async with client(app) as c:
        assert (await c.get("/me", headers=bearer(token))).json() == {"sub": "111", "role": "pegawai"}
        assert (await c.get("/me", headers=bearer(other))).json() == {"sub": "222", "role": "pegawai"}
        r = await c.get("/me", headers=bearer(f"{head}.{forged}.{sig}"))
        assert r.status_code == 401 and r.json()["code"] == "invalid-token"
        r = await c.get("/me", headers=bearer(mint_token("111", "pegawai", secret=OTHER_SECRET)))
        assert r.status_code == 401 and r.json()["code"] == "invalid-token"
        assert (await c.get("/me", headers=bearer(token))).json() == {"sub": "111", "role": "pegawai"}


def test_the_token_cache_is_bounded():
    verifier = TokenVerifier(CommonSettings(), cache_size=3)
    tokens = [token_expiring_at(int(time.time()) + 3600, sub=str(i)) for i in range(5)]
    for t in tokens:
        verifier.verify(t)
    assert [verifier.cached(t) is not None for t in tokens] == [False, False, True, True, True]


async def test_rs256_with_a_jwks_url_verifies_and_caches():
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()
    fetches = []

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            fetches.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(jwks)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = CommonSettings(jwt_algorithm="RS256", jwt_jwks_url=f"http://127.0.0.1:{server.server_port}/jwks")
        claims = {"sub": "9", "role": "atasan", "aud": "kinerja", "exp": int(time.time()) + 3600}
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = jwt.encode({**claims, "role": "admin"}, other_key, algorithm="RS256", headers={"kid": "k1"})
        async with client(make_app(settings)) as c:
            assert (await c.get("/me", headers=bearer(token))).json()["role"] == "atasan"
            assert (await c.get("/me", headers=bearer(token))).json()["role"] == "atasan"
            assert (await c.get("/me", headers=bearer(forged))).status_code == 401
        assert fetches  # the keys did come from the URL
    finally:
        server.shutdown()
