"""The notification service in-process: real database, a private nats-server,
and the real in-process SMTP server of the devstack (``smtp_sink``)."""

from __future__ import annotations

import uuid

import nats
import pytest
from kinerja_contracts.events.envelope import EventPayload, new_envelope
from kinerja_platform.settings import CommonSettings
from kinerja_notification.main import create_app
from kinerja_notification.settings import Settings


def make_settings(db_url: str, nats_url: str, sink, **kw) -> Settings:
    base = dict(
        database_url=db_url, smtp_port=sink.port, delivery_poll_interval=0.2, retry_base_seconds=0.2,
        retry_max_seconds=0.5, rate_limit_per_second=0, digest_tick_seconds=3600,
        link_base_url="https://kinerja.example.go.id",
        rerating_window_seconds=0,  # mails at once; test_rerating_window.py sets a window
        common=CommonSettings(nats_url=nats_url, consumer_ack_wait=5),
    )
    base.update(kw)
    return Settings(**base)


@pytest.fixture
def settings(new_database, nats_server, smtp_sink):
    return make_settings(new_database("notification"), nats_server.url, smtp_sink)


@pytest.fixture
def app(settings):
    return create_app(settings)


class Bus:
    """Publishes envelopes to JetStream as another service's relay would."""

    def __init__(self, url: str):
        self.url = url
        self.nc = None

    async def publish(self, payload: EventPayload, *, event_id: uuid.UUID | None = None, msg_id: str | None = None,
                      correlation_id: str = "test-correlation"):
        env = new_envelope(payload, correlation_id=correlation_id, event_id=event_id)
        if self.nc is None:
            self.nc = await nats.connect(self.url)
        js = self.nc.jetstream()
        await js.publish(payload.subject, env.model_dump_json().encode(),
                         headers={"Nats-Msg-Id": msg_id or str(env.event_id), "X-Correlation-ID": correlation_id})
        return env

    async def close(self):
        if self.nc is not None:
            await self.nc.close()


@pytest.fixture
async def bus(nats_server):
    b = Bus(nats_server.url)
    yield b
    await b.close()


async def wait_for(predicate, timeout: float = 15.0):
    """``eventually`` for a plain (non-async) predicate."""
    from kinerja_devstack.testing import eventually

    async def check():
        return predicate()

    return await eventually(check, timeout=timeout, interval=0.05)
