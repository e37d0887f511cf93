"""The local SMTP sink speaks real SMTP and shows the mail to a person."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import httpx
import pytest
from kinerja_devstack.smtp_sink import SmtpSink, web_app


def _mail(to: str) -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"] = "k@kinerja.local", to, "Uji <coba>", "<m1@kinerja.local>"
    m.set_content("Halo, ini teks.")
    m.add_alternative("<p>Halo, <b>ini</b> HTML.</p>", subtype="html")
    return m


async def test_receives_over_smtp_and_refuses_on_purpose(smtp_sink: SmtpSink, tmp_path):
    await aiosmtplib.send(_mail("a@example.go.id"), hostname="127.0.0.1", port=smtp_sink.port)
    [msg] = smtp_sink.to("a@example.go.id")
    assert msg.summary()["subject"] == "Uji <coba>" and msg.summary()["has_html"]

    smtp_sink.fail_next = 1
    with pytest.raises(aiosmtplib.SMTPResponseException) as exc:
        await aiosmtplib.send(_mail("a@example.go.id"), hostname="127.0.0.1", port=smtp_sink.port)
    assert exc.value.code == 451
    smtp_sink.reject_addresses.add("bad@example.go.id")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await aiosmtplib.send(_mail("bad@example.go.id"), hostname="127.0.0.1", port=smtp_sink.port)
    assert refused.value.recipients[0].code == 550
    assert len(smtp_sink.messages) == 1


async def test_eml_files_and_web_view(tmp_path):
    sink = SmtpSink(directory=tmp_path / "mail").start()
    try:
        await aiosmtplib.send(_mail("b@example.go.id"), hostname="127.0.0.1", port=sink.port)
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
        transport = httpx.ASGITransport(app=web_app(sink))
        async with httpx.AsyncClient(transport=transport, base_url="http://sink") as http:
            index = (await http.get("/")).text
            assert "Uji &lt;coba&gt;" in index and "/messages/1" in index
            page = (await http.get("/messages/1")).text
            assert "<iframe sandbox=''" in page and "&lt;b&gt;ini&lt;/b&gt;" in page  # HTML shown framed
            assert "Halo, ini teks." in page
            assert (await http.get("/messages/1/html")).text.strip() == "<p>Halo, <b>ini</b> HTML.</p>"
            [j] = (await http.get("/api/messages", params={"to": "b@example.go.id"})).json()
            assert j["message_id"] == "<m1@kinerja.local>"
            assert (await http.get("/messages/9")).status_code == 404
    finally:
        sink.stop()
