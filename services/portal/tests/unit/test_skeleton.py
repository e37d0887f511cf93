"""The portal's skeleton: open redirects, roles from a claim, problem answers, secrets,
the development sign-in switch, security headers, CSRF and cookie flags.

The app runs in-process (httpx's ASGITransport) where no other service is needed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from kinerja_platform.settings import CommonSettings
from kinerja_portal.main import SESSION_COOKIE, check_secrets, create_app
from kinerja_portal.services import ApiError
from kinerja_portal.settings import Settings
from kinerja_portal.signin import roles_of
from kinerja_portal.viewer import safe_next
from pydantic import SecretStr

OWN_SECRET = SecretStr("an-agency-session-secret-of-enough-length-0123")
OWN_JWT = "an-agency-jwt-secret-of-enough-length-0123456789"


# --- safe_next: only a path on this portal --------------------------------------------------------

@pytest.mark.parametrize("value", ["/", "/skp/123", "/persetujuan?q=budi&status=PENDING", "/a//b"])
def test_safe_next_keeps_a_path_on_the_portal(value):
    assert safe_next(value) == value


@pytest.mark.parametrize("value", [
    None, "", "https://evil.example/x", "http://evil.example", "//evil.example/x", "/\\evil.example",
    "\\\\evil.example", "javascript:alert(1)", "evil.example", " //evil.example",
    # browsers drop tabs and newlines from a URL: "/\t/evil" would become "//evil"
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example", "/\x00/evil",
])
def test_safe_next_refuses_anything_that_could_leave_the_portal(value):
    assert safe_next(value) == "/"


# --- roles_of: a list, or a space/comma separated string ------------------------------------------

@pytest.mark.parametrize(("claims", "expected"), [
    ({"roles": ["pegawai", "kinerja-admin"]}, {"pegawai", "kinerja-admin"}),
    ({"roles": "pegawai kinerja-admin"}, {"pegawai", "kinerja-admin"}),
    ({"roles": "pegawai,kinerja-admin, x"}, {"pegawai", "kinerja-admin", "x"}),
    ({"roles": ("a",)}, {"a"}),
    ({"roles": None}, set()),
    ({"roles": {"kinerja-admin": True}}, set()),  # an object is not a list of roles
    ({}, set()),
])
def test_roles_of(claims, expected):
    assert roles_of(claims, "roles") == expected


def test_roles_of_a_nested_name_is_a_plain_key():
    assert roles_of({"realm_access.roles": ["kinerja-admin"]}, "realm_access.roles") == {"kinerja-admin"}


# --- ApiError.from_response -----------------------------------------------------------------------

def test_api_error_from_a_problem_with_field_errors():
    problem = {"type": "about:blank", "title": "Unprocessable", "status": 422, "code": "validation-failed",
               "detail": "SKP tidak valid",
               "errors": [{"path": "body.rhk[0].indikator", "message": "wajib diisi"},
                          {"path": "body.rhk[0].indikator", "message": "terlalu pendek"},
                          {"path": "periode", "message": "salah"}]}
    err = ApiError.from_response(httpx.Response(422, json=problem))
    assert (err.status, err.code, err.message) == (422, "validation-failed", "SKP tidak valid")
    assert err.field_errors == {"rhk[0].indikator": ["wajib diisi", "terlalu pendek"], "periode": ["salah"]}
    assert err.problem == problem
    assert str(err) == "422 validation-failed: SKP tidak valid"


def test_api_error_title_when_no_detail():
    err = ApiError.from_response(httpx.Response(409, json={"title": "Conflict", "code": "stale"}))
    assert (err.code, err.message) == ("stale", "Conflict")


@pytest.mark.parametrize("response", [
    httpx.Response(502, text="<html>Bad Gateway</html>"),
    httpx.Response(502, json=["not", "an", "object"]),
])
def test_api_error_from_a_body_that_is_no_problem(response):
    err = ApiError.from_response(response)
    assert (err.status, err.code, err.message, err.field_errors) == (502, "http-502", "Bad Gateway", {})


# --- secrets --------------------------------------------------------------------------------------

def settings(**kw) -> Settings:
    common = kw.pop("common", None) or CommonSettings(allow_dev_jwt_secret=False, jwt_secret=OWN_JWT)
    return Settings(common=common, **kw)


def test_check_secrets_refuses_the_development_session_secret():
    with pytest.raises(RuntimeError, match="KINERJA_PORTAL_SESSION_SECRET"):
        check_secrets(settings())


def test_check_secrets_refuses_signing_with_the_development_jwt_secret():
    with pytest.raises(RuntimeError, match="KINERJA_JWT_SECRET"):
        check_secrets(settings(session_secret=OWN_SECRET, common=CommonSettings(allow_dev_jwt_secret=False)))


def test_check_secrets_accepts_own_secrets_or_an_own_signing_key():
    check_secrets(settings(session_secret=OWN_SECRET))
    check_secrets(settings(session_secret=OWN_SECRET, token_signing_key=SecretStr(OWN_JWT),
                           common=CommonSettings(allow_dev_jwt_secret=False)))


def test_check_secrets_allows_the_development_secrets_with_the_development_setting():
    check_secrets(settings(common=CommonSettings(allow_dev_jwt_secret=True)))


def test_create_app_refuses_to_start_with_the_development_secrets():
    with pytest.raises(RuntimeError):
        create_app(settings())


# --- cookie flags ---------------------------------------------------------------------------------

def test_cookies_are_secure_when_the_public_url_is_https():
    assert settings(public_url="https://kinerja.example.go.id").secure_cookies is True
    assert settings(public_url="http://127.0.0.1:8000").secure_cookies is False
    assert settings(public_url="http://127.0.0.1:8000", cookie_secure=True).secure_cookies is True
    assert settings(public_url="https://kinerja.example.go.id", cookie_secure=False).secure_cookies is False


# --- the app in-process ---------------------------------------------------------------------------

@asynccontextmanager
async def portal(**kw) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings(session_secret=OWN_SECRET, **kw))
    async with LifespanManager(app):
        base = kw.get("public_url", "http://portal.test")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as http:
            yield http


async def csrf_of(http: httpx.AsyncClient) -> str:
    r = await http.get("/masuk")
    assert r.status_code == 200
    return http.cookies["csrftoken"]


async def test_every_answer_carries_the_security_headers():
    async with portal() as http:
        for path in ("/masuk", "/healthz", "/tidak-ada", "/static/portal.css"):
            r = await http.get(path)
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "same-origin"


async def test_a_page_signed_out_sends_to_sign_in_with_the_way_back():
    async with portal() as http:
        r = await http.get("/?tab=2")
        assert r.status_code == 303
        assert r.headers["location"] == "/masuk?next=%2F%3Ftab%3D2"


async def test_the_development_sign_in_is_off_without_its_setting():
    async with portal() as http:
        token = await csrf_of(http)
        page = await http.get("/masuk")
        assert "Masuk pengembangan" not in page.text
        r = await http.post("/masuk/dev", data={"csrftoken": token, "nip": "199503152025212001", "next": "/"})
        assert r.status_code == 404
        assert (await http.get("/")).status_code == 303  # still signed out


async def test_a_form_without_its_csrf_token_is_refused():
    async with portal(dev_sign_in=True) as http:
        await csrf_of(http)
        for path, data in (("/keluar", {}), ("/masuk/dev", {"nip": "199503152025212001", "next": "/"})):
            r = await http.post(path, data=data)
            assert r.status_code == 403, path
            assert "Formulir kedaluwarsa" in r.text
            assert SESSION_COOKIE not in r.cookies


async def test_a_form_with_a_wrong_csrf_token_is_refused():
    async with portal() as http:
        await csrf_of(http)
        r = await http.post("/keluar", data={"csrftoken": "palsu"})
        assert r.status_code == 403


async def test_session_and_csrf_cookies_are_http_only_and_secure_behind_https():
    async with portal(public_url="https://kinerja.example.go.id") as http:
        r = await http.get("/masuk")
        csrf = r.headers["set-cookie"]
        assert "csrftoken=" in csrf and "secure" in csrf.lower()
        token = http.cookies["csrftoken"]
        r = await http.post("/keluar", data={"csrftoken": token})  # a flash message starts a session
        assert r.status_code == 303
        session = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
        flags = {f.strip().lower() for f in session.split(";")[1:]}
        assert {"httponly", "secure", "samesite=lax"} <= flags


async def test_session_cookie_is_http_only_and_not_secure_on_plain_http():
    async with portal() as http:
        token = await csrf_of(http)
        r = await http.post("/keluar", data={"csrftoken": token})
        session = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
        flags = {f.strip().lower() for f in session.split(";")[1:]}
        assert "httponly" in flags and "secure" not in flags


async def test_without_a_provider_the_oidc_route_goes_back_to_the_sign_in_page():
    async with portal() as http:
        r = await http.get("/masuk/oidc?next=/skp")
        assert (r.status_code, r.headers["location"]) == (303, "/masuk")
        r = await http.get("/masuk/callback?code=x&state=y")
        assert (r.status_code, r.headers["location"]) == (303, "/masuk")
