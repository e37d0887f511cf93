"""Fixtures every Kinerja test suite shares (registered as a pytest plugin).

- ``nats_server``: a fresh nats-server with JetStream on a free port per test;
- ``own_nats``: the same, named for tests that stop or restart it;
- ``new_database(name)``: a fresh database URL (PostgreSQL when
  KINERJA_TEST_DATABASE_URL is set, else a SQLite file);
- ``smtp_sink``: an in-process SMTP server that keeps what it receives;
- ``tokens``: mint bearer tokens for the development secret.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator

import pytest

from .databases import TestDatabases
from .natsserver import NatsServer
from .smtp_sink import SmtpSink

# The tests run with the public development JWT secret: a development setting
# (without it every service refuses to start with that secret).
os.environ.setdefault("KINERJA_ALLOW_DEV_JWT_SECRET", "true")


def pytest_report_header(config):
    backend = TestDatabases().backend
    return f"kinerja: database backend = {backend}"


@pytest.fixture
def nats_server() -> Iterator[NatsServer]:
    """A fresh nats-server per test (~70 ms): durable consumers start from the
    whole stream, so a server shared between tests would hand one test the
    events another left behind."""
    server = NatsServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def own_nats() -> Iterator[NatsServer]:
    server = NatsServer().start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def test_databases() -> Iterator[TestDatabases]:
    dbs = TestDatabases()
    yield dbs
    dbs.cleanup()


@pytest.fixture
def new_database(test_databases: TestDatabases) -> Callable[[str], str]:
    return test_databases.new


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


class Tokens:
    def __init__(self, secret: str):
        self.secret = secret

    def __call__(self, sub: str, role: str, **claims) -> dict[str, str]:
        """Authorization header for ``sub`` with ``role``."""
        from kinerja_platform.web.auth import mint_token

        return {"Authorization": "Bearer " + mint_token(sub, role, secret=self.secret, **claims)}

    def raw(self, sub: str, role: str, **claims) -> str:
        from kinerja_platform.web.auth import mint_token

        return mint_token(sub, role, secret=self.secret, **claims)


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    from kinerja_platform.settings import CommonSettings

    return Tokens(CommonSettings().jwt_secret)


@pytest.fixture
def expired_token(tokens: Tokens) -> str:
    return tokens.raw("199001012015011001", "pegawai", ttl=-dt.timedelta(minutes=5))
