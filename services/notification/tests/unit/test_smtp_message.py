"""The e-mail as built for the wire (written directly, without
``email.message.EmailMessage``): the standard library's parser must read back
every header and both parts exactly, Indonesian names with non-ASCII letters
included."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils

import pytest
from kinerja_notification.adapters.smtp import build_message
from kinerja_notification.domain import examples as ex
from kinerja_notification.domain.messages import render
from kinerja_notification.domain.routing import route

MESSAGE_ID = "<0b5f3a4e-7b3c-4a56-9c51-1c6a0c1d2e3f.199503152025212001@kinerja.local>"
FROM = "Sistem Kinerja — BKPSDM Kabupaten Buleleng <no-reply@bulelengkab.go.id>"
NAMA = "I Gusti Ayu Ngurah Dévi Çandrawati Ñoman"  # non-ASCII letters as in many registered names
TEXT = f"Yth. {NAMA},\n\nSKP Anda telah disetujui.\n  baris dengan spasi di akhir   \n.\nFrom baris\n"
HTML = f"<p>Yth. <b>{NAMA}</b>,</p>\n<p>SKP Anda telah disetujui.</p>\n" + "<span>panjang</span>" * 80 + "\n"


def _parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def _content(part) -> str:
    """The part's text with the wire's CRLF line ends read as newlines."""
    return part.get_content().replace("\r\n", "\n")


def _build(**kw):
    base = dict(mail_from=FROM, to="dewi.candrawati@bulelengkab.go.id",
                subject=f"[Kinerja] SKP {NAMA} telah disetujui oleh pejabat penilai — periode 2025",
                text=TEXT, html=HTML, message_id=MESSAGE_ID, correlation_id="corr-4f1c2a")
    base.update(kw)
    return build_message(**base)


def test_every_header_and_both_parts_read_back():
    mail = _build()
    m = _parse(mail.data)
    assert m.defects == []
    assert str(m["From"]) == FROM
    assert m["From"].addresses[0].display_name == "Sistem Kinerja — BKPSDM Kabupaten Buleleng"
    assert m["From"].addresses[0].addr_spec == "no-reply@bulelengkab.go.id"
    assert str(m["To"]) == "dewi.candrawati@bulelengkab.go.id"
    assert str(m["Subject"]) == f"[Kinerja] SKP {NAMA} telah disetujui oleh pejabat penilai — periode 2025"
    assert m["Message-ID"].strip() == MESSAGE_ID
    assert m["X-Correlation-ID"] == "corr-4f1c2a"
    assert m["MIME-Version"] == "1.0"
    date = email.utils.parsedate_to_datetime(str(m["Date"]))
    assert date.utcoffset() == dt.timedelta(hours=7)  # WIB, a known zone (never "-0000")
    assert abs(date - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert m["Auto-Submitted"] == "auto-generated"
    assert m.get_content_type() == "multipart/alternative"
    text, html = m.iter_parts()
    assert text.get_content_type() == "text/plain" and text.get_content_charset() == "utf-8"
    assert html.get_content_type() == "text/html" and html.get_content_charset() == "utf-8"
    assert _content(text) == TEXT
    assert _content(html) == HTML
    assert [p.defects for p in (text, html)] == [[], []]
    # the envelope
    assert mail.sender == "no-reply@bulelengkab.go.id"
    assert mail.recipients == ["dewi.candrawati@bulelengkab.go.id"]
    assert mail.mail_options == [] and mail.message_id == MESSAGE_ID


def test_wire_form_is_7bit_crlf_and_short_lines():
    data = _build().data
    data.decode("ascii")  # non-ASCII names are encoded (RFC 2047, quoted-printable), not sent raw
    assert b"\n" not in data.replace(b"\r\n", b"")
    head, _, _ = data.partition(b"\r\n\r\n")
    # 78 is RFC 5322's "should"; an identifier is never folded (998, its "must")
    assert all(len(line) <= 78 for line in head.split(b"\r\n") if not line.startswith(b"Message-ID:"))
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert b"Content-Transfer-Encoding: quoted-printable" in data  # the non-ASCII parts


def test_ascii_text_only_mail():
    mail = _build(mail_from="Kinerja <no-reply@kinerja.local>", subject="[Kinerja] SKP disetujui", html=None,
                  text="Yth. Budi,\n\nSKP disetujui.", correlation_id=None)
    m = _parse(mail.data)
    assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
    assert m["Content-Transfer-Encoding"] == "7bit"
    assert _content(m) == "Yth. Budi,\n\nSKP disetujui.\n"
    assert str(m["From"]) == "Kinerja <no-reply@kinerja.local>" and str(m["Subject"]) == "[Kinerja] SKP disetujui"
    assert "X-Correlation-ID" not in m
    assert mail.data.startswith(b"From: Kinerja <no-reply@kinerja.local>\r\nTo: dewi.candrawati@bulelengkab.go.id\r\n")


@pytest.mark.parametrize("subject", [
    "[Kinerja] " + "SKP Siti Rahmawati menunggu persetujuan Anda " * 4,  # long ASCII: folded at spaces
    "  Dédé  —  Nyoman   Wiryawan Dédé  ",  # runs of spaces around non-ASCII words survive
    "[Kinerja] =?utf-8?q?bukan?= encoded word",
    "[Kinerja]" + " SKP  disetujui " * 12,  # double spaces where it folds
])
def test_subjects_read_back_exactly(subject):
    m = _parse(_build(subject=subject).data)
    assert str(m["Subject"]) == subject


def test_non_ascii_address_asks_for_smtputf8():
    mail = _build(to="dévi@bulelengkab.go.id")
    assert mail.mail_options == ["SMTPUTF8"] and mail.recipients == ["dévi@bulelengkab.go.id"]
    assert str(_parse(mail.data)["To"]) == "dévi@bulelengkab.go.id"


def test_line_breaks_in_a_header_are_refused():
    with pytest.raises(ValueError):
        _build(subject="a\r\nBcc: someone@example.com")
    with pytest.raises(ValueError):
        _build(to="x@example.com\r\nBcc: someone@example.com")


@pytest.mark.parametrize("to", ["a@example.go.id, b@example.go.id", "a@example.go.id; b@example.go.id",
                                "Siti <a@example.go.id>", "undisclosed-recipients:;", "a@example.go.id\x00"])
def test_one_recipient_per_mail_and_only_a_validated_address(to):
    """An address list or a display name never reaches the To header (issue 15)."""
    with pytest.raises(ValueError, match="not one valid address"):
        _build(to=to)


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_template_reads_back(locale):
    for payload in ex.samples().values():
        for out in route(payload):
            r = render(out.kind, locale, **out.ctx, link="https://kinerja.example.go.id" + out.path)
            m = _parse(_build(subject=r.subject, text=r.text, html=r.html).data)
            assert str(m["Subject"]) == r.subject
            text, html = m.iter_parts()
            assert _content(text) == r.text.removesuffix("\n") + "\n"
            assert _content(html) == r.html.removesuffix("\n") + "\n"


def test_a_long_message_id_stays_on_its_own_line():
    long_id = "<0b5f3a4e-7b3c-4a56-9c51-1c6a0c1d2e3f.199503152025212001.r3@notifikasi.bkpsdm.kabupaten-contoh.go.id>"
    raw = _build(message_id=long_id).data
    assert f"\r\nMessage-ID: {long_id}\r\n".encode() in raw
    assert _parse(raw)["Message-ID"] == long_id


def test_mail_date_has_the_wib_zone():
    from kinerja_notification.adapters.smtp import mail_date

    assert mail_date(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == "Fri, 02 Jan 2026 10:04:05 +0700"


def test_language_and_one_click_unsubscribe_headers():
    url = "https://kinerja.example.go.id/api/v1/unsubscribe/199503152025212001.ab12"
    m = _parse(_build(language="en", unsubscribe_url=url).data)
    assert m["Content-Language"] == "en"
    assert m["List-Unsubscribe"] == f"<{url}>"
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = _parse(_build().data)
    assert plain["List-Unsubscribe"] is None and plain["Content-Language"] is None
    assert plain["Auto-Submitted"] == "auto-generated"
    for bad in ("https://x/a b", "https://x/>\r\nBcc: a@b", "https://x/é"):
        with pytest.raises(ValueError):
            _build(unsubscribe_url=bad)
