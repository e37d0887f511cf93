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
