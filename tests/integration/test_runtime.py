"""The service runtime kit, exercised through the skp app: health, readiness
through a NATS outage, AsyncAPI, migrations on a fresh database."""

from __future__ import annotations

from kinerja_platform.settings import CommonSettings
from kinerja_devstack.testing import eventually, running
from kinerja_skp.main import create_app
from kinerja_skp.settings import Settings


async def test_health_readiness_follow_nats(new_database, nats_server):
    app = create_app(Settings(database_url=new_database("rt"), common=CommonSettings(nats_url=nats_server.url)))
    async with running(app) as c:
        assert (await c.get("/healthz")).json() == {"status": "ok", "service": "skp"}
        r = await c.get("/readyz")
        assert r.status_code == 200 and r.json()["checks"] == {"database": "ok", "nats": "ok"}

        nats_server.stop()

        async def not_ready():
            r = await c.get("/readyz")
            return r.status_code == 503 and r.json()["checks"]["nats"] == "down"

        await eventually(not_ready, timeout=15)
        assert (await c.get("/healthz")).status_code == 200  # the process is still up

        nats_server.start()

        async def ready():
            return (await c.get("/readyz")).status_code == 200

        await eventually(ready, timeout=30)


async def test_asyncapi_lists_the_subscriptions(new_database, nats_server):
    app = create_app(Settings(database_url=new_database("rt"), common=CommonSettings(nats_url=nats_server.url)))
    async with running(app) as c:
        doc = (await c.get("/asyncapi.json")).json()
        assert "kinerja.approval.approved" in str(doc["channels"])
        openapi = (await c.get("/openapi.json")).json()
        assert "/api/v1/skp" in openapi["paths"]


async def test_migrations_apply_on_a_fresh_database_and_are_idempotent(new_database, nats_server):
    url = new_database("rt")
    for _ in range(2):  # the second start finds the schema at head
        app = create_app(Settings(database_url=url, common=CommonSettings(nats_url=nats_server.url)))
        async with running(app) as c:
            assert (await c.get("/readyz")).status_code == 200


async def test_the_container_exists_while_the_app_runs_and_each_app_has_its_own(new_database, nats_server):
    """The runtime's typed container is built by the service's bootstrap at
    start; two apps in one process never share one (nor their consumers)."""
    import pytest
    from kinerja_skp.bootstrap import Container

    settings = Settings(database_url=new_database("rt"), common=CommonSettings(nats_url=nats_server.url))
    first, second = create_app(settings), create_app(settings)
    with pytest.raises(RuntimeError, match="not started"):
        _ = first.state.runtime.container
    async with running(first), running(second):
        a, b = first.state.runtime.container, second.state.runtime.container
        assert isinstance(a, Container) and isinstance(b, Container)
        assert a is not b and a.watch is not b.watch and a.uow is first.state.runtime.uow
        assert first.state.consumers is not second.state.consumers
        assert first.state.consumers.registrations and len(first.state.consumers.registrations) == len(
            second.state.consumers.registrations)


async def test_a_commit_with_an_event_wakes_the_relay_without_waiting_for_its_poll(new_database, nats_server):
    """The unit of work runs the relay's wake after a commit that wrote outbox
    rows (no process-wide list of wake-ups): with a 30 s poll, the event still
    leaves at once."""
    import datetime as dt
    import uuid

    from kinerja_contracts.events import SkpDeadlineApproaching
    from kinerja_contracts.values import Pegawai, Periode
    from kinerja_platform.messaging import add_event
    from kinerja_platform.messaging.outbox import OutboxMessage
    from sqlalchemy import func, select

    app = create_app(Settings(database_url=new_database("rt"),
                              common=CommonSettings(nats_url=nats_server.url, relay_poll_interval=30.0)))
    async with running(app):
        runtime = app.state.runtime
        assert runtime.uow.on_outbox_commit == runtime.relay.wake
        async with runtime.uow() as session:
            add_event(session, SkpDeadlineApproaching(
                skp_id=uuid.uuid4(), pegawai=Pegawai(nip="199503152025212001", nama="Siti"),
                periode=Periode(mulai=dt.date(2027, 1, 1), selesai=dt.date(2027, 12, 31)),
                deadline=dt.date(2027, 1, 31), days_left=3))

        async def sent() -> bool:
            async with runtime.uow() as session:
                unsent = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                return (await session.exec(unsent)).one()[0] == 0

        assert await eventually(sent, timeout=5)
