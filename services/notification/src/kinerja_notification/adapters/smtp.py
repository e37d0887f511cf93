"""SMTP delivery with aiosmtplib."""

from __future__ import annotations

import asyncio
import binascii
import secrets
from dataclasses import dataclass, field
import email.policy
import datetime as dt
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

import aiosmtplib
from kinerja_contracts.values import email_problem


class PermanentSmtpError(Exception):
    """The server refused for good (5xx): do not retry."""


class TemporarySmtpError(Exception):
    """Try again later (a 4xx reply to this mail)."""


class SmtpUnavailable(TemporarySmtpError):
    """The server cannot be reached or dropped the connection: not this mail's
    fault, so it does not count as an attempt."""


@dataclass(frozen=True)
class OutgoingMail:
    """A message ready for the wire: the envelope and the RFC 5322 bytes
    (CRLF line ends), built once and sent as they are."""

    sender: str
    recipients: list[str]
    data: bytes
    message_id: str
    mail_options: list[str] = field(default_factory=list)


_CRLF = "\r\n"
#: a header line longer than this is folded (RFC 5322's recommended limit)
_MAX_LINE = 78
#: lines of a part sent as they are (7bit) at most this long, else quoted-printable
_MAX_BODY_LINE = 998


def _no_breaks(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"header {name} may not contain line breaks")
    return value


def _fold(first: int, words: list[str], sep: str) -> str:
    """Join ``words`` with ``sep`` into lines of at most ``_MAX_LINE`` (the
    first line has ``first`` left), continued lines starting with a space."""
    lines: list[str] = []
    line, room = words[0], first
    for word in words[1:]:
        if line and word and len(line) + len(sep) + len(word) > room:
            lines.append(line)
            line, room = word, _MAX_LINE - 1
        else:
            line = f"{line}{sep}{word}"
    lines.append(line)
    return (_CRLF + " ").join(lines)


def _encoded_words(value: str, first: int) -> str:
    """``value`` as RFC 2047 encoded words (UTF-8, base64), each at most 75
    characters and cut between characters; decoders join adjacent words
    without the folding space between them."""
    # 45 bytes -> 60 base64 characters -> a 72-character word; the first word
    # also fits on the line after the header's name
    words, chunk, size, limit = [], [], 0, min(45, (first - 12) // 4 * 3)
    for ch in value:
        n = len(ch.encode("utf-8"))
        if size + n > limit and chunk:
            words.append(chunk)
            chunk, size, limit = [], 0, 45
        chunk.append(ch)
        size += n
    words.append(chunk)
    encoded = ["=?utf-8?b?" + binascii.b2a_base64("".join(c).encode("utf-8"), newline=False).decode("ascii") + "?="
               for c in words]
    return _fold(first, encoded, " ")


def _header(name: str, value: str) -> str:
    """One unstructured header line. A short ASCII value goes as it is, a
    long one folded at its spaces, a non-ASCII one RFC 2047-encoded (UTF-8)."""
    _no_breaks(name, value)
    first = _MAX_LINE - len(name) - 2
    if value.isascii() and "=?" not in value:  # text that looks like an encoded word is encoded too
        return f"{name}: {value if len(value) <= first else _fold(first, value.split(' '), ' ')}"
    return f"{name}: {_encoded_words(value, first)}"


@lru_cache(maxsize=1024)
def _address(name: str, value: str) -> tuple[str, str, bool]:
    """``"Name <addr>"`` or a bare address -> (the header line, the envelope
    address, whether the address needs SMTPUTF8). A bare ASCII address (every
    recipient) goes as it is; anything else (the configured sender's display
    name, a non-ASCII address) is folded by the standard library's SMTP
    policy once and remembered."""
    _no_breaks(name, value)
    display, addr = parseaddr(value)
    addr = addr or value.strip()
    utf8 = not addr.isascii()
    if not display and not utf8 and addr == value.strip():
        return _header(name, addr), addr, False
    policy = email.policy.SMTPUTF8 if utf8 else email.policy.SMTP
    folded = policy.fold(name, policy.header_store_parse(name, value)[1])
    return folded.removesuffix(_CRLF), addr, utf8


def _part(body: str, subtype: str) -> str:
    """Headers and body of a text part (UTF-8). Short-lined ASCII goes as 7bit,
    anything else quoted-printable, so it travels whatever the server's
    8BITMIME support."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.endswith("\n"):
        body += "\n"
    if body.isascii() and max(map(len, body.split("\n"))) <= _MAX_BODY_LINE:
        cte, payload = "7bit", body.replace("\n", _CRLF)
    else:
        encoded = binascii.b2a_qp(body.encode("utf-8"), istext=True)
        cte, payload = "quoted-printable", encoded.decode("ascii").replace("\n", _CRLF)
    return (f'Content-Type: text/{subtype}; charset="utf-8"{_CRLF}'
            f"Content-Transfer-Encoding: {cte}{_CRLF}{_CRLF}{payload}")


def _boundary(*bodies: str) -> str:
    while True:
        boundary = "===============" + secrets.token_hex(16) + "=="
        if not any(boundary in b for b in bodies):
            return boundary


#: the zone of the ``Date`` header: the users' (WIB), so it reads as their clock
MAIL_ZONE = ZoneInfo("Asia/Jakarta")


def mail_date(now: dt.datetime | None = None) -> str:
    """RFC 5322 date with a real zone (``+0700``), never ``-0000`` ("zone unknown")."""
    return format_datetime((now or dt.datetime.now(dt.UTC)).astimezone(MAIL_ZONE))


def build_message(*, mail_from: str, to: str, subject: str, text: str, html: str | None, message_id: str,
                  correlation_id: str | None, date: str | None = None, language: str | None = None,
                  unsubscribe_url: str | None = None) -> OutgoingMail:
    """The e-mail as bytes: From, To, Subject, Date (WIB, with its zone),
    Message-ID (deterministic, from the caller; one line, never folded: it is
    an identifier, and RFC 5322 allows its line up to 998 characters),
    ``Auto-Submitted: auto-generated`` (RFC 3834: auto-responders stay
    quiet), ``Content-Language`` (the template's locale), ``List-Unsubscribe``
    with ``List-Unsubscribe-Post`` (RFC 8058 one-click) when an
    ``unsubscribe_url`` is given, X-Correlation-ID, and a text/plain part, or
    multipart/alternative text + HTML; UTF-8 throughout.

    Written directly rather than through ``email.message.EmailMessage`` (whose
    header registry and generator cost more than the rest of a send); the
    result parses with the standard library to the same headers and parts."""
    from_line, sender, sender_utf8 = _address("From", mail_from)
    problem = email_problem(to)
    if problem:  # one recipient per mail, and only a validated address reaches a header
        raise ValueError(f"recipient {to!r} is not one valid address: {problem}")
    to_line, recipient, recipient_utf8 = _address("To", to)
    utf8 = sender_utf8 or recipient_utf8
    lines = [
        from_line,
        to_line,
        _header("Subject", subject),
        f"Date: {date or mail_date()}",
        f"Message-ID: {_no_breaks('Message-ID', message_id).strip()}",
        "Auto-Submitted: auto-generated",
    ]
    if language:
        lines.append(f"Content-Language: {_no_breaks('Content-Language', language)}")
    if unsubscribe_url:
        if not unsubscribe_url.isascii() or any(c in unsubscribe_url for c in "<> "):
            raise ValueError("List-Unsubscribe needs an ASCII URL without spaces or angle brackets")
        lines.append(f"List-Unsubscribe: <{_no_breaks('List-Unsubscribe', unsubscribe_url)}>")
        lines.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    if correlation_id:
        lines.append(_header("X-Correlation-ID", correlation_id))
    lines.append("MIME-Version: 1.0")
    if html:
        text_part, html_part = _part(text, "plain"), _part(html, "html")
        boundary = _boundary(text_part, html_part)
        lines.append(f'Content-Type: multipart/alternative;{_CRLF} boundary="{boundary}"')
        body = (f"{_CRLF}--{boundary}{_CRLF}{text_part}{_CRLF}--{boundary}{_CRLF}{html_part}"
                f"{_CRLF}--{boundary}--{_CRLF}")
    else:
        body = _part(text, "plain")
    data = (_CRLF.join(lines) + _CRLF + body).encode("utf-8" if utf8 else "ascii")
    return OutgoingMail(sender=sender, recipients=[recipient], data=data, message_id=message_id,
                        mail_options=["SMTPUTF8"] if utf8 else [])


class SmtpSender:
    """Sends with aiosmtplib over one kept-open connection (reopened when the
    server closed it); maps failures to permanent (5xx), temporary (4xx) and
    unavailable (cannot connect)."""

    def __init__(self, host: str, port: int, *, starttls: bool = False, use_tls: bool = False,
                 username: str | None = None, password: str | None = None, timeout: float = 10.0,
                 keep_open: bool = True):
        self.host, self.port = host, port
        self.starttls, self.use_tls = starttls, use_tls
        self.username, self.password, self.timeout = username, password, timeout
        self.keep_open = keep_open
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    def _new_client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(hostname=self.host, port=self.port, start_tls=self.starttls, use_tls=self.use_tls,
                               username=self.username, password=self.password, timeout=self.timeout)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except Exception:
                client.close()

    async def send(self, msg: OutgoingMail) -> None:
        async with self._lock:
            reused = self._client is not None and self._client.is_connected
            try:
                await self._send(msg)
            except SmtpUnavailable:
                if not reused:
                    raise
                await self._send(msg)  # the kept connection had gone stale: one fresh try

    async def _send(self, msg: OutgoingMail) -> None:
        try:
            if self._client is None or not self._client.is_connected:
                self._client = self._new_client()
                await self._client.connect()
            await self._client.sendmail(msg.sender, msg.recipients, msg.data, mail_options=msg.mail_options)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self._reset()
            codes = [r.code for r in exc.recipients]
            if all(500 <= c < 600 for c in codes):
                raise PermanentSmtpError(str(exc)) from exc
            raise TemporarySmtpError(str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            if 500 <= exc.code < 600:
                raise PermanentSmtpError(f"{exc.code} {exc.message}") from exc
            raise TemporarySmtpError(f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError,
                OSError, TimeoutError) as exc:
            self._drop()
            raise SmtpUnavailable(repr(exc)) from exc
        except aiosmtplib.SMTPException as exc:
            self._drop()
            raise TemporarySmtpError(repr(exc)) from exc
        if not self.keep_open:
            await self.close()

    async def _reset(self) -> None:
        """After a refusal: RSET to reuse the connection, or drop it."""
        try:
            if self._client is not None and self._client.is_connected:
                await self._client.rset()
                return
        except Exception:
            pass
        self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:
                pass
