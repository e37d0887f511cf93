"""Where mail goes: the directory's address only (issue 14 item 4), through
the real consumer, database and SMTP server.

The abuse: an SKP names another person's NIP with the writer's own address
(the identity block every event carries), and that person's mail went to
the writer; an admin of one instansi rewrote the address of another's
person through the recipient API. Now the address, the name and the
instansi are read from the directory projection (fed by
``directory.person_changed``), and nobody writes an address here.
"""

from __future__ import annotations

from kinerja_devstack.testing import eventually, running
from kinerja_notification.domain import examples as ex

from .conftest import person_changed, seed, wait_for

ATTACKER = "penyerang@example.com"
ADMIN = "198001012005011000"


async def _log(client, tokens, nip: str) -> list[dict]:
    r = await client.get(f"/api/v1/recipients/{nip}/deliveries", headers=tokens(ADMIN, "admin", instansi=ex.INSTANSI))
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_an_address_the_event_carries_is_never_used(app, bus, smtp_sink, tokens):
    """The event names Siti's NIP with the attacker's address and name: the
    mail goes to the address the directory holds for Siti, greeting her by
    the directory's name, and nothing reaches the attacker."""
    forged = ex.pegawai(email=ATTACKER).model_copy(update={"nama": "Nama Palsu"})
    async with running(app) as client:
        env = await bus.publish(ex.samples(pg=forged)["approval.approved"])
        await wait_for(lambda: smtp_sink.messages)
        [msg] = smtp_sink.to("siti.rahma@example.go.id")
        text = msg.parsed.get_body(preferencelist=("plain",)).get_content()
        assert "Yth. Siti Rahmawati," in text and "Nama Palsu" not in text
        assert smtp_sink.to(ATTACKER) == [] and len(smtp_sink.messages) == 1
        r = await client.get(f"/api/v1/deliveries/{env.event_id}/{forged.nip}", headers=tokens(forged.nip, "pegawai"))
        assert r.json()["email"] == "siti.rahma@example.go.id"


async def test_a_person_the_directory_does_not_know_gets_no_mail(app, bus, smtp_sink, tokens):
    """Unknown to the directory: recorded undeliverable with the reason, never
    sent to the address the event supplies."""
    stranger = ex.pegawai(email=ATTACKER, nip="199001012020121001")
    async with running(app) as client:
        env = await bus.publish(ex.samples(pg=stranger)["approval.returned"])

        async def undeliverable():
            r = await client.get(f"/api/v1/deliveries/{env.event_id}/{stranger.nip}",
                                 headers=tokens(stranger.nip, "pegawai"))
            return r.status_code == 200 and r.json()["status"] == "undeliverable" and r.json()

        row = await eventually(undeliverable)
        assert row["email"] is None and "not in the directory" in row["last_error"]
        assert smtp_sink.messages == []
        # an admin cannot resend it anywhere: the directory has no address
        r = await client.post(f"/api/v1/deliveries/{env.event_id}/{stranger.nip}/resend", json={"version": 1},
                              headers=tokens(ADMIN, "admin", instansi=ex.INSTANSI))
        assert r.status_code == 404  # not a person of the admin's instansi: the directory does not know them


async def test_an_address_is_corrected_in_the_directory_then_resent(app, bus, smtp_sink, tokens):
    """No address in the directory: undeliverable; the directory's correction
    (its event) is what the resend uses; the event's address never is."""
    admin = tokens(ADMIN, "admin", instansi=ex.INSTANSI)
    me = ex.pegawai()
    async with running(app) as client:
        await seed(app, [person_changed(me, version=2, email=None)])
        env = await bus.publish(ex.samples(pg=ex.pegawai(email=ATTACKER))["approval.returned"])

        async def undeliverable():
            rows = await _log(client, tokens, me.nip)
            return rows and rows[0]["status"] == "undeliverable" and rows

        [row] = await eventually(undeliverable)
        assert row["email"] is None and "no e-mail address" in row["last_error"]
        r = await client.get("/api/v1/recipients", params={"missing_email": True}, headers=admin)
        assert [x["nip"] for x in r.json()["items"]] == [me.nip]
        assert r.json()["items"][0]["undeliverable_reason"].startswith("direktori kepegawaian tidak memuat")
        r = await client.post(f"/api/v1/deliveries/{env.event_id}/{me.nip}/resend", json={"version": 1}, headers=admin)
        assert r.status_code == 409 and r.json()["code"] == "no-address"
        # there is no address correction here any more: it is the directory's
        r = await client.put(f"/api/v1/recipients/{me.nip}/email", headers=admin,
                             json={"email": ATTACKER, "version": 1})
        assert r.status_code in (404, 405)

        # the directory's admin corrects it: the event reaches this service over the bus
        await bus.publish(person_changed(me, version=3, email="siti.rahmawati@jakarta.go.id"))

        async def corrected():
            r = await client.get(f"/api/v1/recipients/{me.nip}", headers=admin)
            return r.json()["email"] == "siti.rahmawati@jakarta.go.id"

        await eventually(corrected)
        r = await client.post(f"/api/v1/deliveries/{env.event_id}/{me.nip}/resend", json={"version": 1}, headers=admin)
        assert r.status_code == 200, r.text
        await wait_for(lambda: smtp_sink.to("siti.rahmawati@jakarta.go.id"))
        assert smtp_sink.to(ATTACKER) == []

        # a person who left (aktif false) gets no more mail
        await bus.publish(person_changed(me, version=4, email="siti.rahmawati@jakarta.go.id", aktif=False))
        await eventually(lambda: _inactive(client, admin, me.nip))
        env = await bus.publish(ex.samples()["approval.approved"])

        async def not_active():
            r = await client.get(f"/api/v1/deliveries/{env.event_id}/{me.nip}", headers=admin)
            return r.status_code == 200 and r.json()["status"] == "undeliverable" and r.json()

        assert "not active" in (await eventually(not_active))["last_error"]


async def _inactive(client, admin, nip: str) -> bool:
    r = await client.get(f"/api/v1/recipients/{nip}", headers=admin)
    return r.json()["aktif"] is False


async def test_an_admin_of_another_instansi_cannot_touch_the_recipient(app, bus, smtp_sink, tokens):
    """Admin of Kabupaten Bogor, a person of DKI Jakarta: every recipient and
    delivery endpoint answers as for an unknown person (404), lists leave the
    person out, and nothing changes."""
    me = ex.pegawai()
    bogor = tokens(ADMIN, "admin", instansi="Kabupaten Bogor")
    dki = tokens(ADMIN, "admin", instansi=ex.INSTANSI)
    async with running(app) as client:
        env = await bus.publish(ex.samples()["approval.returned"])
        await wait_for(lambda: smtp_sink.messages)
        await wait_for(lambda: app.state.runtime.container.delivery.sent == 1)
        unknown = "199001012020121001"
        for method, path, body in [
            ("GET", f"/api/v1/recipients/{me.nip}", None),
            ("GET", f"/api/v1/recipients/{me.nip}/deliveries", None),
            ("GET", f"/api/v1/recipients/{me.nip}/preferences", None),
            ("PUT", f"/api/v1/recipients/{me.nip}/preferences", {"digest": True, "locale": "en", "version": 1}),
            ("GET", f"/api/v1/deliveries/{env.event_id}/{me.nip}", None),
            ("POST", f"/api/v1/deliveries/{env.event_id}/{me.nip}/resend", {"version": 1}),
        ]:
            theirs = await client.request(method, path, headers=bogor, json=body)
            nothing = await client.request(method, path.replace(me.nip, unknown), headers=bogor, json=body)
            assert theirs.status_code == 404 and theirs.json()["code"] == "recipient-not-found", (path, theirs.text)
            assert (nothing.status_code, nothing.json()["code"]) == (404, "recipient-not-found"), (path, nothing.text)
        assert (await client.get("/api/v1/recipients", headers=bogor)).json()["items"] == []
        assert (await client.get("/api/v1/deliveries", headers=bogor)).json()["total"] == 0
        assert (await client.get(f"/api/v1/events/{env.event_id}/deliveries", headers=bogor)).json() == []
        r = await client.get(f"/api/v1/recipients/{me.nip}", headers=dki)  # nothing changed
        assert r.status_code == 200 and (r.json()["locale"], r.json()["version"]) == (None, 1)
        assert r.json()["email"] == "siti.rahma@example.go.id"
        assert len(smtp_sink.messages) == 1
