"""The one scoping rule every service keeps (kinerja_platform.web.auth,
issue 14 item 5): an admin or portal token without ``instansi`` is refused,
never deployment-wide; the operator (the one deployment-wide role) is
refused everywhere but where an endpoint asks for it, and each of its
requests is audited."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from kinerja_platform import isolation
from kinerja_platform.settings import CommonSettings
from kinerja_platform.web import set_aside
from kinerja_platform.web.auth import CurrentPrincipal, TokenVerifier, mint_token, token_cli
from kinerja_platform.web.errors import install_error_handlers
from structlog.testing import capture_logs

from .test_web import SECRET, bearer, client

DKI = "Pemerintah Provinsi DKI Jakarta"


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.verifier = TokenVerifier(CommonSettings())
    install_error_handlers(app)
    app.include_router(set_aside.router)

    @app.get("/me")
    def me(p: CurrentPrincipal) -> dict:
        return {"sub": p.sub, "role": p.role, "instansi": p.instansi}

    return app


@pytest.mark.parametrize(("role", "instansi", "status", "code"), [
    ("admin", None, 403, "instansi-scope-missing"),
    ("portal", None, 403, "instansi-scope-missing"),
    ("operator", None, 403, "operator-not-allowed"),
    ("operator", DKI, 403, "operator-not-allowed"),
    ("admin", DKI, 200, None),
    ("portal", DKI, 200, None),
    ("pegawai", None, 200, None),
])
async def test_every_endpoint_applies_the_scoping_rule(role, instansi, status, code):
    token = mint_token("199503152025212001", role, secret=SECRET, instansi=instansi)
    async with client(make_app()) as c:
        r = await c.get("/me", headers=bearer(token))
    assert r.status_code == status, r.text
    if code:
        assert r.headers["content-type"].startswith("application/problem+json") and r.json()["code"] == code


async def test_only_the_operator_reads_the_set_aside_rows_and_each_read_is_audited():
    isolation.set_aside("scoping-test", "row-1", ValueError("broken"))
    async with client(make_app()) as c:
        for role, instansi in (("admin", None), ("admin", DKI), ("portal", DKI), ("pegawai", None)):
            with capture_logs() as logs:
                r = await c.get("/api/v1/admin/set-aside",
                                headers=bearer(mint_token("ops-1", role, secret=SECRET, instansi=instansi)))
            assert r.status_code == 403 and r.json()["code"] == "operator-only", (role, instansi, r.text)
            assert not [e for e in logs if e.get("audit")]
        with capture_logs() as logs:
            r = await c.get("/api/v1/admin/set-aside", headers=bearer(mint_token("ops-1", "operator", secret=SECRET)))
        assert r.status_code == 200 and r.json()["counts"]["scoping-test"] >= 1
    [entry] = [e for e in logs if e.get("audit")]
    assert (entry["event"], entry["sub"], entry["method"], entry["path"]) == (
        "operator access", "ops-1", "GET", "/api/v1/admin/set-aside")


def test_kinerja_token_mints_no_unscoped_admin_or_portal(capsys):
    for argv in (["--sub", "a", "--role", "admin"], ["--sub", "p", "--role", "portal"],
                 ["--sub", "o", "--role", "operator", "--instansi", DKI]):
        with pytest.raises(SystemExit):
            token_cli(argv)
    token_cli(["--sub", "ops-1", "--role", "operator"])
    assert capsys.readouterr().out.count(".") == 2  # a JWT


async def test_a_stored_answer_is_never_replayed_to_another_role_or_an_unscoped_token(new_database):
    """Idempotency keys belong to the caller: a portal token whose sub is an
    atasan's NIP, with the atasan's key, gets no replay of the atasan's
    answer; an admin token without instansi is refused, never replayed."""
    from kinerja_platform.db import create_engine
    from kinerja_platform.web.idempotency import IdempotencyMiddleware, IdempotencyRecord

    engine = create_engine(new_database("idem"))
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: IdempotencyRecord.__table__.create(c))
    app = make_app()
    app.state.engine = engine
    app.add_middleware(IdempotencyMiddleware)
    calls: list[str] = []

    @app.post("/decide")
    async def decide(p: CurrentPrincipal) -> dict:
        calls.append(f"{p.role}:{p.instansi}")
        return {"secret": f"for {p.role} {p.instansi}"}

    atasan = "197001011995031003"
    key = {"Idempotency-Key": "k-1"}
    try:
        async with client(app) as c:
            first = await c.post("/decide", json={}, headers={**key, **bearer(mint_token(atasan, "atasan", secret=SECRET))})
            assert first.status_code == 200
            again = await c.post("/decide", json={}, headers={**key, **bearer(mint_token(atasan, "atasan", secret=SECRET))})
            assert again.headers.get("Idempotent-Replayed") == "true"  # the same person: a replay
            portal = await c.post("/decide", json={}, headers={
                **key, **bearer(mint_token(atasan, "portal", secret=SECRET, instansi=DKI))})
            assert portal.status_code == 200 and portal.json()["secret"] == f"for portal {DKI}"
            assert portal.headers.get("Idempotent-Replayed") is None
            unscoped = await c.post("/decide", json={}, headers={
                **key, **bearer(mint_token(atasan, "admin", secret=SECRET))})
            assert unscoped.status_code == 403 and unscoped.json()["code"] == "instansi-scope-missing"
        assert calls == ["atasan:None", f"portal:{DKI}"]
    finally:
        await engine.dispose()
