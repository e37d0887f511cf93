"""The API: who may see what, validation, preferences, one delivery's content."""

from __future__ import annotations

from kinerja_devstack.testing import running
from kinerja_notification.domain import examples as ex

from .conftest import wait_for

ADMIN = "198001012005011000"


async def test_people_see_only_their_own_log(app, bus, smtp_sink, tokens):
    me, other = ex.pegawai().nip, ex.penilai().nip
    async with running(app) as client:
        env = await bus.publish(ex.samples()["approval.returned"])
        await wait_for(lambda: smtp_sink.messages)
        r = await client.get(f"/api/v1/recipients/{me}/deliveries", headers=tokens(me, "pegawai"))
        assert r.status_code == 200 and r.json()["total"] == 1
        r = await client.get(f"/api/v1/recipients/{me}/deliveries", headers=tokens(other, "atasan"))
        assert r.status_code == 403 and r.json()["code"] == "not-yours"
        r = await client.get(f"/api/v1/events/{env.event_id}/deliveries", headers=tokens(me, "pegawai"))
        assert r.status_code == 403
        r = await client.get(f"/api/v1/deliveries/{env.event_id}/{me}", headers=tokens(me, "pegawai"))
        assert r.status_code == 200
        body = r.json()
        assert "Lengkapi bukti dukung" in body["body_text"] and "<blockquote" in body["body_html"]
        # an admin of another agency does not see this person
        r = await client.get(f"/api/v1/recipients/{me}", headers=tokens(ADMIN, "admin", instansi="Kabupaten Bogor"))
        assert r.status_code == 404 and r.json()["code"] == "recipient-not-found"  # like an unknown person
        r = await client.get(f"/api/v1/recipients/{me}", headers=tokens(ADMIN, "admin", instansi=ex.INSTANSI))
        assert r.status_code == 200 and r.json()["email"] == "siti.rahma@example.go.id"
        bogor = tokens(ADMIN, "admin", instansi="Kabupaten Bogor")
        assert (await client.get("/api/v1/deliveries", headers=bogor)).json()["total"] == 0
        assert (await client.get(f"/api/v1/events/{env.event_id}/deliveries", headers=bogor)).json() == []
        assert (await client.get("/api/v1/recipients", headers=bogor)).json()["total"] == 0
        dki = tokens(ADMIN, "admin", instansi=ex.INSTANSI)
        assert (await client.get("/api/v1/deliveries", headers=dki)).json()["total"] == 1
        r = await client.get(f"/api/v1/recipients/{me}/deliveries")
        assert r.status_code == 401


async def test_validation_and_unknown_people(app, tokens):
    admin = tokens(ADMIN, "admin", instansi=ex.INSTANSI)
    async with running(app) as client:
        r = await client.put(f"/api/v1/recipients/{ex.pegawai().nip}/preferences", headers=admin,
                             json={"locale": "fr", "version": 0})
        assert r.status_code == 422
        assert {e["path"] for e in r.json()["errors"]} == {"body.locale", "body.version"}
        r = await client.get("/api/v1/recipients/199001012020121001", headers=admin)
        assert r.status_code == 404 and r.json()["code"] == "recipient-not-found"
        # an admin token without an instansi claim is refused, not deployment-wide
        r = await client.get("/api/v1/deliveries", headers=tokens(ADMIN, "admin"))
        assert r.status_code == 403 and r.json()["code"] == "instansi-scope-missing"
        r = await client.get("/api/v1/deliveries", params={"status": "lost"}, headers=admin)
        assert r.status_code == 422
        r = await client.get("/api/v1/events/not-a-uuid/deliveries", headers=admin)
        assert r.status_code == 422


async def test_english_preference_gives_english_mail(app, bus, smtp_sink, tokens):
    me = ex.pegawai().nip
    async with running(app) as client:
        await bus.publish(ex.samples()["approval.returned"])
        await wait_for(lambda: smtp_sink.messages)
        prefs = (await client.get(f"/api/v1/recipients/{me}/preferences", headers=tokens(me, "pegawai"))).json()
        r = await client.put(f"/api/v1/recipients/{me}/preferences", headers=tokens(me, "pegawai"),
                             json={"locale": "en", "version": prefs["version"]})
        assert r.status_code == 200 and r.json()["locale"] == "en"
        r = await client.put(f"/api/v1/recipients/{me}/preferences", headers=tokens(me, "pegawai"),
                             json={"locale": "id", "version": prefs["version"]})
        assert r.status_code == 409
        await bus.publish(ex.samples()["approval.approved"])
        await wait_for(lambda: len(smtp_sink.messages) == 2)
        assert "Your SKP was approved" in str(smtp_sink.messages[1].parsed["Subject"])


async def test_openapi_and_asyncapi_describe_the_service(app):
    async with running(app) as client:
        spec = (await client.get("/openapi.json")).json()
        assert "/api/v1/deliveries/{event_id}/{nip}/resend" in spec["paths"]
        assert spec["paths"]["/api/v1/recipients/{nip}/preferences"]["put"]["summary"].startswith("Atur ringkasan")
        r = await client.get("/asyncapi.json")
        assert r.status_code == 200
        assert "notification--approval-reassigned" in r.text and "notification--evaluation-keberatan_decided" in r.text
