"""Issue 15 at the platform's edge: token lifetime, the development secret,
and the inflate limit of gzip bodies."""

from __future__ import annotations

import datetime as dt
import gzip
import time

import jwt
import pytest
from kinerja_platform.settings import DEV_JWT_SECRET, CommonSettings
from kinerja_platform.web.auth import InsecureSecretError, TokenVerifier, check_secret, mint_token
from kinerja_platform.web.errors import ProblemError
from kinerja_platform.web.middleware import inflate_body

SECRET = "a-secret-of-our-own-for-these-tests-32b"


def _settings(**kw) -> CommonSettings:
    return CommonSettings(jwt_secret=SECRET, **kw)


def test_a_token_that_lives_a_hundred_years_is_refused():
    v = TokenVerifier(_settings())
    long = mint_token("199503152025212001", "pegawai", secret=SECRET, ttl=dt.timedelta(days=365 * 100))
    with pytest.raises(ProblemError) as err:
        v.verify(long)
    assert err.value.status == 401 and err.value.code == "token-lifetime"
    # without iat the lifetime counts from now
    now = time.time()
    no_iat = jwt.encode({"sub": "x", "role": "pegawai", "aud": "kinerja", "exp": now + 10 * 365 * 86400}, SECRET)
    with pytest.raises(ProblemError) as err:
        v.verify(no_iat)
    assert err.value.code == "token-lifetime"
    # an ordinary 8-hour token, and a longer one when the setting allows it
    assert v.verify(mint_token("199503152025212001", "pegawai", secret=SECRET)).sub == "199503152025212001"
    week = mint_token("199503152025212001", "pegawai", secret=SECRET, ttl=dt.timedelta(days=7))
    with pytest.raises(ProblemError):
        v.verify(week)
    assert TokenVerifier(_settings(jwt_max_lifetime_seconds=8 * 86400)).verify(week).role == "pegawai"


def test_a_token_issued_in_the_future_is_refused():
    now = time.time()
    t = jwt.encode({"sub": "x", "role": "pegawai", "aud": "kinerja", "iat": now + 3600, "exp": now + 7200}, SECRET)
    with pytest.raises(ProblemError) as err:
        TokenVerifier(_settings()).verify(t)
    assert err.value.status == 401


def test_the_development_secret_needs_a_development_setting(monkeypatch):
    monkeypatch.delenv("KINERJA_ALLOW_DEV_JWT_SECRET", raising=False)
    with pytest.raises(InsecureSecretError):
        check_secret(CommonSettings())
    with pytest.raises(InsecureSecretError):
        TokenVerifier(CommonSettings(jwt_secret=DEV_JWT_SECRET))
    check_secret(CommonSettings(allow_dev_jwt_secret=True))
    check_secret(CommonSettings(jwt_secret=SECRET))
    monkeypatch.setenv("KINERJA_ALLOW_DEV_JWT_SECRET", "true")
    check_secret(CommonSettings())


def test_a_service_refuses_to_start_with_the_development_secret(monkeypatch, tmp_path):
    from kinerja_notification.main import create_app
    from kinerja_notification.settings import Settings

    monkeypatch.delenv("KINERJA_ALLOW_DEV_JWT_SECRET", raising=False)
    with pytest.raises(InsecureSecretError):
        create_app(Settings(database_url=f"sqlite:///{tmp_path}/n.db", common=CommonSettings()))
    create_app(Settings(database_url=f"sqlite:///{tmp_path}/n.db", common=CommonSettings(jwt_secret=SECRET)))


def test_inflated_bodies_are_capped_at_the_body_limit():
    limit = 64 * 1024
    bomb = gzip.compress(b"0" * (16 * 1024 * 1024))  # 16 KB that inflate to 16 MB
    assert len(bomb) < 20 * 1024
    with pytest.raises(ProblemError) as err:
        inflate_body(bomb, "gzip", limit)
    assert err.value.status == 413 and err.value.code == "payload-too-large"
    ok = gzip.compress(b"1" * limit)
    assert inflate_body(ok, "gzip", limit) == b"1" * limit
    with pytest.raises(ProblemError) as err:
        inflate_body(gzip.compress(b"1" * (limit + 1)), "gzip", limit)
    assert err.value.status == 413
    with pytest.raises(ProblemError) as err:
        inflate_body(b"not gzip", "gzip", limit)
    assert err.value.status == 400
    with pytest.raises(ProblemError) as err:
        inflate_body(b"x", "br", limit)
    assert err.value.status == 415
    assert inflate_body(b"plain", None, limit) == b"plain"


def _guarded_app():
    import httpx
    from fastapi import FastAPI
    from kinerja_platform.web.errors import install_error_handlers
    from kinerja_platform.web.middleware import TextGuardMiddleware

    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(TextGuardMiddleware)

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return body

    @app.post("/skp/bulk")
    async def bulk(body: dict) -> dict:
        return {"n": len(body)}

    @app.get("/find")
    async def find(q: str = "") -> dict:
        return {"q": q}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\x7f", "\x85", "\x08", "\ud800"])
async def test_control_characters_are_422_naming_the_field(bad):
    import json

    async with _guarded_app() as c:
        body = json.dumps({"a": {"b": ["ok", "x" + bad]}, "c": "fine"}).encode()
        r = await c.post("/echo", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "invalid-character"
        assert [e["path"] for e in r.json()["errors"]] == ["body.a.b[1]"]
        if bad == "\ud800":  # a lone surrogate as percent-encoded (invalid) UTF-8
            r = await c.get("/find?q=%ED%A0%80")
        else:
            r = await c.get("/find", params={"q": "a" + bad})
        assert r.status_code == 422 and r.json()["errors"][0]["path"] == "query.q", r.text


async def test_line_breaks_tabs_and_any_script_pass():
    async with _guarded_app() as c:
        for text in ("Siti\tRahmawati\r\nS.Kom.", "😀 emoji", "ناصر", "Ｎ全角", "\u2028"):
            r = await c.post("/echo", json={"t": text})
            assert r.status_code == 200 and r.json() == {"t": text}
            r = await c.get("/find", params={"q": text})
            assert r.status_code == 200 and r.json() == {"q": text}
        # a bulk route answers each item itself
        r = await c.post("/skp/bulk", json={"a": "x\x00"})
        assert r.status_code == 200
