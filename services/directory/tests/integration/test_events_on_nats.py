"""The events reach the real bus: the relay publishes the outbox rows to the
KINERJA stream, one message per version, with the whole new record."""

from __future__ import annotations

import json

import nats
from kinerja_contracts.events import parse_envelope
from kinerja_devstack.samples import PEGAWAI_NIP
from kinerja_devstack.testing import eventually

SUBJECT = "kinerja.directory.person_changed"


async def test_person_and_unit_changes_are_published_on_nats(harness, nats_server):
    async with harness() as h:
        await h.seed()
        r = await h.put(PEGAWAI_NIP, headers=h.who.admin, email="siti.baru@example.go.id", berlaku_mulai="2026-03-01")
        assert r.json()["version"] == 2
        r = await h.put(PEGAWAI_NIP, headers=h.who.portal, email="siti.baru@example.go.id", berlaku_mulai="2026-03-01")
        assert r.json()["status"] == "unchanged"
        nc = await nats.connect(nats_server.url)
        try:
            js = nc.jetstream()

            async def published():
                msg = await js.get_last_msg("KINERJA", SUBJECT)
                return msg if json.loads(msg.data)["data"]["version"] == 2 else None

            msg = await eventually(published, timeout=20)
            env = parse_envelope(SUBJECT, msg.data)  # the contracts read it
            assert env.data.person_id == PEGAWAI_NIP and env.data.perubahan == "mutasi"
            assert env.data.record.email == "siti.baru@example.go.id" and env.data.changed_fields == ["email"]
            assert msg.headers["Nats-Msg-Id"] == str(env.event_id)
            unit = await js.get_last_msg("KINERJA", "kinerja.directory.unit_changed")
            assert parse_envelope(unit.subject, unit.data).data.unit.unit_id == "sudin-pend-jt-1"
            info = await js.stream_info("KINERJA")
            assert info.state.messages == 5  # one unit, three people, the mutasi; the repeated PUT published nothing
        finally:
            await nc.close()

        async def all_sent():
            return await _unsent(h) == 0

        await eventually(all_sent, timeout=10)  # the relay marked every row it published


async def _unsent(h) -> int:
    from kinerja_platform.messaging import OutboxMessage
    from sqlmodel import func, select

    async with h.rt.uow() as session:
        return (await session.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None)))).one()
