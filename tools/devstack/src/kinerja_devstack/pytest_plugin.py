"""Fixtures every Kinerja test suite shares (registered as a pytest plugin).

- ``nats_server``: a nats-server with JetStream on a free port for the run;
- ``own_nats``: a private nats-server for a test that stops or restarts it;
- ``new_database(name)``: a fresh database URL (PostgreSQL when
  KINERJA_TEST_DATABASE_URL is set, else a SQLite file);
- ``smtp_sink``: an in-process SMTP server that keeps what it receives;
- ``tokens``: mint bearer tokens for the development secret.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest

from .databases import TestDatabases
from .natsserver import NatsServer
from .smtp_sink import SmtpSink


def pytest_report_header(config):
    backend = TestDatabases().backend
    return f"kinerja: database backend = {backend}"


@pytest.fixture(scope="session")
def nats_server() -> Iterator[NatsServer]:
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
        from kinerja_contracts.web.auth import mint_token

        return {"Authorization": "Bearer " + mint_token(sub, role, secret=self.secret, **claims)}

    def raw(self, sub: str, role: str, **claims) -> str:
        from kinerja_contracts.web.auth import mint_token

        return mint_token(sub, role, secret=self.secret, **claims)


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    from kinerja_contracts.settings import CommonSettings

    return Tokens(CommonSettings().jwt_secret)


@pytest.fixture
def expired_token(tokens: Tokens) -> str:
    return tokens.raw("199001012015011001", "pegawai", ttl=-dt.timedelta(minutes=5))
