"""Exactly once, never silently lost: duplicates, SMTP outages, temporary and
permanent refusals, crashes between send and commit."""

from __future__ import annotations

import email.utils

from kinerja_devstack.testing import running
from kinerja_notification.adapters.smtp import SmtpSender
from kinerja_notification.domain import examples as ex
from kinerja_notification.main import create_app

from .conftest import directory_db, make_settings, wait_for

ADMIN_NIP = "198001012005011000"


async def _log(client, tokens, nip):
    r = await client.get(f"/api/v1/recipients/{nip}/deliveries", headers=tokens(ADMIN_NIP, "admin", instansi=ex.INSTANSI))
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_same_event_twice_sends_one_mail(app, bus, smtp_sink, tokens):
    payload = ex.samples()["approval.returned"]
    async with running(app) as client:
        env = await bus.publish(payload, msg_id="first-copy")
        # the same envelope again under another Nats-Msg-Id: JetStream cannot
        # de-duplicate it, the inbox and the delivery log must
        await bus.publish(payload, event_id=env.event_id, msg_id="second-copy")
        await wait_for(lambda: len(smtp_sink.messages) >= 1)
        consumers = app.state.consumers
        await wait_for(lambda: consumers.duplicates >= 1)
        await wait_for(lambda: app.state.runtime.container.delivery.sent >= 1)
        assert len(smtp_sink.to("siti.rahma@example.go.id")) == 1
        rows = await _log(client, tokens, ex.pegawai().nip)
        assert len(rows) == 1 and rows[0]["status"] == "sent" and rows[0]["attempts"] == 1


async def test_smtp_down_then_back_sends_the_mail(app, bus, smtp_sink, tokens):
    smtp_sink.stop()
    async with running(app) as client:
        env = await bus.publish(ex.samples()["approval.approved"])

        async def tried_and_waiting():
            rows = await _log(client, tokens, ex.pegawai().nip)
            return rows and rows[0]["status"] == "pending" and rows[0]["last_error"]

        from kinerja_devstack.testing import eventually

        await eventually(tried_and_waiting)
        assert smtp_sink.messages == []
        smtp_sink.start()  # same port: the server is back
        await wait_for(lambda: smtp_sink.to("siti.rahma@example.go.id"))
        [row] = await _log(client, tokens, ex.pegawai().nip)
        assert row["event_id"] == str(env.event_id)
        await wait_for(lambda: app.state.runtime.container.delivery.sent == 1)


async def test_temporary_refusal_is_retried(app, bus, smtp_sink, tokens):
    smtp_sink.fail_next = 2  # 451 twice
    async with running(app) as client:
        await bus.publish(ex.samples()["approval.approved"])
        await wait_for(lambda: smtp_sink.to("siti.rahma@example.go.id"))
        await wait_for(lambda: app.state.runtime.container.delivery.sent == 1)
        [row] = await _log(client, tokens, ex.pegawai().nip)
        assert row["status"] == "sent" and row["attempts"] == 3


async def test_permanent_refusal_is_recorded_not_retried(app, bus, smtp_sink, tokens):
    smtp_sink.reject_addresses.add("siti.rahma@example.go.id")
    async with running(app) as client:
        await bus.publish(ex.samples()["approval.approved"])

        from kinerja_devstack.testing import eventually

        async def failed():
            rows = await _log(client, tokens, ex.pegawai().nip)
            return rows and rows[0]["status"] == "failed" and rows

        [row] = await eventually(failed)
        assert "550" in row["last_error"] and row["attempts"] == 1
        assert smtp_sink.messages == []
        r = await client.get("/api/v1/deliveries", params={"status": "failed"}, headers=tokens(ADMIN_NIP, "admin", instansi=ex.INSTANSI))
        assert r.json()["total"] == 1
        metrics = (await client.get("/metrics")).text  # what the dashboard's mail panel shows
        assert "kinerja_mail_failed_total 1.0" in metrics and "kinerja_mail_sent_total 0.0" in metrics


class CrashAfterSend:
    """Sends, then dies before the worker can commit (once)."""

    def __init__(self, real: SmtpSender):
        self.real = real
        self.crashed = False

    async def send(self, msg):
        await self.real.send(msg)
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("worker died after sending")


async def test_crash_between_send_and_commit_shows_as_duplicate(new_database, nats_server, smtp_sink, bus):
    settings = make_settings(await directory_db(new_database("notification")), nats_server.url, smtp_sink, delivery_lease_seconds=0.5)
    app = create_app(settings, sender=CrashAfterSend(SmtpSender("127.0.0.1", smtp_sink.port)))
    async with running(app):
        await bus.publish(ex.samples()["approval.approved"])
        await wait_for(lambda: len(smtp_sink.messages) == 2)
        ids = {m.parsed["Message-ID"].strip() for m in smtp_sink.messages}
        assert len(ids) == 1  # the same Message-ID twice: a mail system folds them into one
        await wait_for(lambda: app.state.runtime.container.delivery.sent == 1)


async def test_resend_one(app, bus, smtp_sink, tokens):
    admin = tokens(ADMIN_NIP, "admin", instansi=ex.INSTANSI)
    async with running(app) as client:
        env = await bus.publish(ex.samples()["approval.returned"])
        await wait_for(lambda: smtp_sink.messages)
        nip = ex.pegawai().nip
        await wait_for(lambda: app.state.runtime.container.delivery.sent == 1)
        r = await client.post(f"/api/v1/deliveries/{env.event_id}/{nip}/resend", json={"version": 1}, headers=admin)
        assert r.status_code == 200, r.text
        assert r.json()["message_id"].endswith(".r1@kinerja.local>") and r.json()["version"] == 2
        await wait_for(lambda: len(smtp_sink.messages) == 2)
        first, second = (email.utils.unquote(m.parsed["Message-ID"].strip()) for m in smtp_sink.messages)
        assert first != second and second.endswith(".r1@kinerja.local")
        r = await client.post(f"/api/v1/deliveries/{env.event_id}/{nip}/resend", json={"version": 1}, headers=admin)
        assert r.status_code == 409 and r.json()["code"] == "stale-version"
        # only an admin resends
        r = await client.post(f"/api/v1/deliveries/{env.event_id}/{nip}/resend", json={"version": 2},
                              headers=tokens(nip, "pegawai"))
        assert r.status_code == 403
        r = await client.post(f"/api/v1/deliveries/{env.event_id}/199001012015011999/resend", json={"version": 1},
                              headers=admin)
        assert r.status_code == 404 and r.json()["code"] == "recipient-not-found"  # not a person of the instansi
        r = await client.post(f"/api/v1/deliveries/{env.event_id}/{ex.penilai().nip}/resend", json={"version": 1},
                              headers=admin)
        assert r.status_code == 404 and r.json()["code"] == "delivery-not-found"
