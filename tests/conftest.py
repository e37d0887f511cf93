"""Fixtures for the whole-system tests (tests/e2e)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kinerja_devstack.directory_seed import seed_sample_directory
from kinerja_devstack.natsserver import NatsServer
from kinerja_devstack.procs import SERVICES, Stack
from kinerja_devstack.samples import DKI


@pytest.fixture
def stack_env() -> dict[str, str]:
    """Extra environment for the services; override this fixture in a test
    module (e.g. a controllable clock, short scheduler intervals)."""
    return {}


@pytest.fixture
def secured_bus(tmp_path: Path) -> Iterator[NatsServer]:
    """A private nats-server that, like ``make run``'s and deploy/nats, admits
    each service only as its own user (kinerja_platform.messaging.bus_auth)."""
    server = NatsServer(auth=True, log_file=str(tmp_path / "nats.log")).start()
    yield server
    server.cleanup()


@pytest.fixture
def stack(tmp_path: Path, secured_bus, new_database, stack_env, tokens) -> Iterator[Stack]:
    """The five services, the SMTP sink and a private nats-server, as processes;
    each service connects to NATS with its own credentials. The sample
    directory of ``make run`` is seeded through the directory's API and skp
    has it before the test starts (kinerja_devstack.directory_seed)."""
    s = Stack.on_free_ports(
        tmp_path / "var",
        nats=secured_bus,
        nats_url=secured_bus.url,
        database_urls={svc: new_database(f"e2e_{svc}") for svc in SERVICES},
        # The sample SKPs are dated 2025, so their submission deadlines have passed
        # on this clock; deadlines are covered by the skp integration tests.
        extra_env={"KINERJA_LOG_FORMAT": "json", "KINERJA_RELAY_POLL_INTERVAL": "0.5",
                   "KINERJA_SKP_ENFORCE_DEADLINES": "false", **stack_env},
    )
    try:
        s.start(timeout=120)
        seed_sample_directory(s.url("directory"), s.url("skp"), tokens("portal-dki", "portal", instansi=DKI))
    except Exception:
        s.stop()
        for log in sorted((tmp_path / "var" / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}")
        raise
    yield s
    s.stop()
