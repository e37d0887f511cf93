"""Fixtures of the portal's browser tests: the whole system with the portal, and Chromium.

One stack per test module (starting it takes ~20 s): tests in a module share
it, so each test uses its own people or SKPs where they must not meet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kinerja_devstack.browser import ensure_chromium
from kinerja_devstack.directory_seed import seed_sample_directory
from kinerja_devstack.natsserver import NatsServer
from kinerja_devstack.procs import PORTAL, SERVICES, Stack
from kinerja_devstack.samples import DKI

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def portal_stack_env() -> dict[str, str]:
    """Extra environment for the services and the portal; override in a test module."""
    return {}


@pytest.fixture(scope="module")
def portal_stack(tmp_path_factory, test_databases, tokens, portal_stack_env) -> Iterator[Stack]:
    """The five services, the portal (development sign-in on), the SMTP sink and a private
    nats-server; the sample directory seeded and known to skp."""
    var = tmp_path_factory.mktemp("portal") / "var"
    bus = NatsServer(auth=True, log_file=str(var.parent / "nats.log")).start()
    s = Stack.on_free_ports(
        var, nats=bus, nats_url=bus.url, portal=True,
        database_urls={svc: test_databases.new(f"web_{svc}") for svc in SERVICES},
        extra_env={"KINERJA_LOG_FORMAT": "json", "KINERJA_RELAY_POLL_INTERVAL": "0.5",
                   "KINERJA_SKP_ENFORCE_DEADLINES": "false", **portal_stack_env},
    )
    try:
        s.start(timeout=120)
        seed_sample_directory(s.url("directory"), s.url("skp"), tokens("portal-dki", "portal", instansi=DKI))
    except Exception:
        s.stop()
        bus.cleanup()
        for log in sorted((var / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}")
        raise
    yield s
    s.stop()
    bus.cleanup()


@pytest.fixture(scope="module")
def portal_url(portal_stack: Stack) -> str:
    return portal_stack.url(PORTAL)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium (installed when missing), launched headless by Playwright.

    Module-scoped, not session-scoped: Playwright's sync API runs its own event loop in this thread
    while it is started, and every asyncio.run() (pytest-asyncio's runner included) refuses to run
    beside it; so it stops at the end of each browser module, before the suite's other tests."""
    from playwright.sync_api import sync_playwright

    path = ensure_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium) -> Iterator[object]:
    """A fresh browser context (no cookies) and page, desktop size, Indonesian locale."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def phone(chromium) -> Iterator[object]:
    """A phone-sized page (390 x 844, touch)."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                   locale="id-ID")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent.name == "browser":
            item.add_marker(pytest.mark.e2e)
