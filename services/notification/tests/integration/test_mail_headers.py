"""E-mail hygiene, read from the bytes the SMTP sink received (and the .eml
file it saved): a Date with its zone, a Message-ID on one line, RFC 3834
Auto-Submitted, Content-Language, and a one-click List-Unsubscribe (RFC 8058)
whose link really switches the person to the summary."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from kinerja_devstack.testing import running
from kinerja_notification.domain import examples as ex
from kinerja_notification.service_layer import unsubscribe

from .conftest import directory_db, wait_for

SECRET = "kinerja-dev-unsubscribe-secret-change-me"


def _header_lines(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return head.split("\r\n")


def _one(lines: list[str], name: str) -> str:
    found = [ln for ln in lines if ln.lower().startswith(name.lower() + ":")]
    assert len(found) == 1, (name, lines)
    return found[0].split(":", 1)[1]


async def test_headers_on_the_wire(app, bus, smtp_sink, settings, tmp_path):
    async with running(app):
        env = await bus.publish(ex.samples()["approval.approved"])
        await wait_for(lambda: smtp_sink.messages)
    [msg] = smtp_sink.messages
    lines = _header_lines(msg.raw)

    date = _one(lines, "Date")
    assert re.search(r" \+0700$", date), date  # a real zone (WIB), not "-0000" (zone unknown)
    sent = email.utils.parsedate_to_datetime(date.strip())
    assert sent.utcoffset() == dt.timedelta(hours=7)
    assert abs(sent - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)

    # the Message-ID on its own line, right after the name: no continuation line, no leading space
    mid = _one(lines, "Message-ID")
    assert mid == f" <{env.event_id}.{ex.pegawai().nip}@kinerja.local>"
    assert msg.summary()["message_id"] == mid.strip()

    assert _one(lines, "Auto-Submitted") == " auto-generated"
    assert _one(lines, "Content-Language") == " id"
    nip = ex.pegawai().nip
    assert _one(lines, "List-Unsubscribe") == f" <http://127.0.0.1:{settings.port}/api/v1/unsubscribe/{unsubscribe.token(nip, SECRET)}>"
    assert _one(lines, "List-Unsubscribe-Post") == " List-Unsubscribe=One-Click"
    assert all(not ln.startswith((" ", "\t")) or ln.strip().startswith(("boundary", "=?")) for ln in lines)


async def test_english_reader_gets_content_language_en_and_no_list_header_when_switched_off(new_database, nats_server, smtp_sink):
    from kinerja_notification.main import create_app

    from .conftest import make_settings

    app = create_app(make_settings(await directory_db(new_database("notification")), nats_server.url, smtp_sink, default_locale="en",
                                   unsubscribe_base_url=""))
    from .conftest import Bus

    bus = Bus(nats_server.url)
    try:
        async with running(app):
            await bus.publish(ex.samples()["approval.approved"])
            await wait_for(lambda: smtp_sink.messages)
    finally:
        await bus.close()
    lines = _header_lines(smtp_sink.messages[-1].raw)
    assert _one(lines, "Content-Language") == " en"
    assert not [ln for ln in lines if ln.startswith("List-Unsubscribe")]


async def test_the_one_click_link_switches_to_the_summary_and_only_a_post_does(app, bus, smtp_sink, tokens):
    nip = ex.pegawai().nip
    async with running(app) as client:
        await bus.publish(ex.samples()["approval.approved"])
        await wait_for(lambda: smtp_sink.messages)
        link = _one(_header_lines(smtp_sink.messages[0].raw), "List-Unsubscribe").strip()[1:-1]
        path = link.split(":", 2)[2].split("/", 1)[1]
        r = await client.get("/" + path)  # no bearer: the signed path is the authorisation
        assert r.status_code == 200 and r.json()["digest"] is None  # a GET (link preview) changes nothing
        r = await client.post("/" + path, content=b"List-Unsubscribe=One-Click",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 200, r.text
        assert r.json()["digest"] is True and r.json()["digest_effective"] is True
        version = r.json()["version"]
        r = await client.post("/" + path, content=b"List-Unsubscribe=One-Click",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.json()["version"] == version  # idempotent
        r = await client.get(f"/api/v1/recipients/{nip}/preferences", headers=tokens(nip, "pegawai"))
        assert r.json()["digest"] is True
        forged = path.rsplit(".", 1)[0] + "." + "0" * 32
        r = await client.post("/" + forged)
        assert r.status_code == 404 and r.json()["code"] == "unknown-link"
        r = await client.get("/" + forged)  # the preview of a forged link tells nothing either
        assert r.status_code == 404 and r.json()["code"] == "unknown-link" and nip not in r.text
        other = unsubscribe.token(ex.penilai().nip, "another-secret")
        assert (await client.post(f"/api/v1/unsubscribe/{other}")).status_code == 404
