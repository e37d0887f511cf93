"""One bad record never stops work for others, and a bad address is failed
for good (issue 15): the mail worker, the queueing of mail and the digest."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja_devstack.testing import eventually, running
from kinerja_notification.adapters.tables import Delivery, DigestItem, Recipient, utcnow
from kinerja_notification.domain import examples as ex
from kinerja_notification.main import create_app
from kinerja_notification.service_layer import digest as digest_module
from kinerja_notification.service_layer.mail import delivery_status
from kinerja_platform import isolation
from sqlmodel import select

from .conftest import directory_db, make_settings, person_changed, seed, wait_for

ADMIN = ("198001012005011000", "admin")
CRLF = "siti@example.go.id\r\nBcc: everyone@example.go.id"


def test_delivery_status_of_an_address():
    assert delivery_status("siti@example.go.id") == ("pending", None)
    assert delivery_status(None)[0] == "undeliverable"
    for bad in (CRLF, "a@example.go.id, b@example.go.id", "Siti <a@example.go.id>", "no-domain"):
        status, reason = delivery_status(bad)
        assert status == "failed" and "invalid address" in reason


async def _rows(app) -> dict[str, Delivery]:
    async with app.state.runtime.uow() as session:
        return {d.recipient_nip + "/" + d.kind: d for d in (await session.exec(select(Delivery))).all()}


async def test_a_poisoned_pending_mail_fails_alone_and_the_others_are_sent(app, bus, smtp_sink):
    async with running(app):
        rt = app.state.runtime
        async with rt.uow() as session:  # a pending mail to an address stored before addresses were checked
            session.add(Delivery(event_id=uuid.uuid4(), recipient_nip="199001012015011001", kind="approval.approved",
                                 email=CRLF, subject="x", body_text="x", message_id="<poison@kinerja.local>"))
        await bus.publish(ex.samples()["approval.approved"])
        await wait_for(lambda: smtp_sink.to("siti.rahma@example.go.id"))

        async def poison_failed():
            rows = await _rows(app)
            d = rows["199001012015011001/approval.approved"]
            return d.status == "failed" and d

        d = await eventually(poison_failed)
        assert "invalid address" in d.last_error and d.attempts == 1
        # one recipient per mail: nobody else got anything, no Bcc was smuggled in
        assert all(len(m.rcpt_tos) == 1 and len(m.parsed["To"].addresses) == 1 for m in smtp_sink.messages)
        assert not smtp_sink.to("everyone@example.go.id")
        assert "199001012015011001" in {s.row_id.split("/")[-1] for s in isolation.recent("mail-worker")}


async def test_a_permanently_bad_address_is_failed_at_once_and_visible_to_admins(app, bus, smtp_sink, tokens):
    async with running(app) as client:
        # an address the directory holds that no mail can go to (a list of two)
        await seed(app, [person_changed(ex.pegawai(), version=2, email="siti@example.go.id, boss@example.go.id")])
        await bus.publish(ex.samples()["approval.approved"])

        async def failed():
            r = await client.get("/api/v1/deliveries", params={"status": "failed"},
                                 headers=tokens(*ADMIN, instansi=ex.INSTANSI))
            return r.status_code == 200 and r.json()["total"] == 1 and r.json()["items"][0]

        row = await eventually(failed)
        assert "invalid address" in row["last_error"] and row["attempts"] == 0
        assert smtp_sink.messages == []


async def test_a_poisoned_digest_is_set_aside_and_the_others_go_out(new_database, nats_server, smtp_sink, monkeypatch):
    settings = make_settings(await directory_db(new_database("notification")), nats_server.url, smtp_sink, digest_interval_seconds=3600)
    app = create_app(settings)
    bad, good = ex.penilai(), ex.penilai_baru()
    async with running(app):
        rt = app.state.runtime
        old = utcnow() - dt.timedelta(days=1)
        async with rt.uow() as session:
            for who in (bad, good):
                session.add(Recipient(nip=who.nip, digest=True))
                session.add(DigestItem(event_id=uuid.uuid4(), recipient_nip=who.nip, skp_id=uuid.uuid4(),
                                       pegawai_nip=ex.pegawai().nip, pegawai_nama="Siti", created_at=old))
        real = digest_module.render

        def render(kind, locale, **kw):
            if kw["recipient"]["nip"] == bad.nip:
                raise ValueError("a poisoned row")
            return real(kind, locale, **kw)

        monkeypatch.setattr(digest_module, "render", render)
        assert await rt.container.digest.run_due(utcnow() + dt.timedelta(hours=2)) == 1
        await wait_for(lambda: smtp_sink.to(good.email))
        async with rt.uow() as session:
            items = {i.recipient_nip: i.status for i in (await session.exec(select(DigestItem))).all()}
        assert items == {bad.nip: "failed", good.nip: "sent"}
        assert bad.nip in {s.row_id for s in isolation.recent("notification-digest")}
