"""Re-ratings of one evaluation within the window send one mail: the result
mail waits ``rerating_window_seconds`` and a newer result replaces it."""

from __future__ import annotations

import asyncio
import datetime as dt

import nats
from kinerja_contracts.events.envelope import new_envelope
from kinerja_devstack.testing import running
from kinerja_notification.adapters.tables import Delivery
from kinerja_notification.domain import examples as ex
from kinerja_notification.main import create_app
from sqlmodel import select

from .conftest import directory_db, make_settings, wait_for

WINDOW = 5.0
PEGAWAI = "siti.rahma@example.go.id"


async def _publish(url: str, payload, occurred_at: dt.datetime):
    env = new_envelope(payload, correlation_id="corr-rerating", occurred_at=occurred_at)
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(payload.subject, env.model_dump_json().encode(),
                                     headers={"Nats-Msg-Id": str(env.event_id)})
    finally:
        await nc.close()
    return env


def _rated(predikat: str):
    return ex.samples()["evaluation.finalized"].model_copy(update={"predikat": predikat})


async def _rows(app) -> dict:
    async with app.state.runtime.uow() as s:
        return {d.event_id: d for d in (await s.exec(select(Delivery))).all()}


async def test_rerating_within_the_window_sends_one_mail_with_the_last_result(new_database, nats_server, smtp_sink):
    app = create_app(make_settings(await directory_db(new_database("notification")), nats_server.url, smtp_sink, rerating_window_seconds=WINDOW))
    async with running(app):
        # the consumer is up and handling before the clock of the window starts
        await _publish(nats_server.url, ex.samples()["approval.requested"], dt.datetime.now(dt.UTC))
        await wait_for(lambda: smtp_sink.messages, timeout=30)
        now = dt.datetime.now(dt.UTC)
        first = await _publish(nats_server.url, _rated("Baik"), now)
        # handled out of order: the newest result arrives before an older one
        third = await _publish(nats_server.url, _rated("Sangat Baik"), now + dt.timedelta(seconds=0.2))
        second = await _publish(nats_server.url, _rated("Butuh Perbaikan"), now + dt.timedelta(seconds=0.1))
        for _ in range(100):
            if sum(d.kind == "evaluation.finalized" for d in (await _rows(app)).values()) == 3:
                break
            await asyncio.sleep(0.05)
        assert smtp_sink.to(PEGAWAI) == []  # waiting for a re-rating
        await wait_for(lambda: smtp_sink.to(PEGAWAI), timeout=WINDOW + 10)
        await asyncio.sleep(1.5)  # a second mail would come now
        [mail] = smtp_sink.to(PEGAWAI)
        assert "Sangat Baik" in str(mail.parsed["Subject"])
        rows = await _rows(app)
        assert [rows[e.event_id].status for e in (first, second, third)] == ["superseded", "superseded", "sent"]

        # after the window a re-rating is news: its own mail
        await _publish(nats_server.url, _rated("Baik"), dt.datetime.now(dt.UTC))
        await wait_for(lambda: len(smtp_sink.to(PEGAWAI)) == 2, timeout=WINDOW + 10)


async def test_other_mails_do_not_wait(new_database, nats_server, smtp_sink):
    app = create_app(make_settings(await directory_db(new_database("notification")), nats_server.url, smtp_sink, rerating_window_seconds=60))
    async with running(app):
        await _publish(nats_server.url, ex.samples()["approval.approved"], dt.datetime.now(dt.UTC))
        await wait_for(lambda: smtp_sink.to(PEGAWAI), timeout=10)
