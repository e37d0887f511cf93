"""SMTP delivery with aiosmtplib."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import asyncio

import aiosmtplib


class PermanentSmtpError(Exception):
    """The server refused for good (5xx): do not retry."""


class TemporarySmtpError(Exception):
    """Try again later (a 4xx reply to this mail)."""


class SmtpUnavailable(TemporarySmtpError):
    """The server cannot be reached or dropped the connection: not this mail's
    fault, so it does not count as an attempt."""


def build_message(*, mail_from: str, to: str, subject: str, text: str, html: str | None, message_id: str,
                  correlation_id: str | None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id
    if correlation_id:
        msg["X-Correlation-ID"] = correlation_id
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


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

    async def send(self, msg: EmailMessage) -> None:
        async with self._lock:
            reused = self._client is not None and self._client.is_connected
            try:
                await self._send(msg)
            except SmtpUnavailable:
                if not reused:
                    raise
                await self._send(msg)  # the kept connection had gone stale: one fresh try

    async def _send(self, msg: EmailMessage) -> None:
        try:
            if self._client is None or not self._client.is_connected:
                self._client = self._new_client()
                await self._client.connect()
            await self._client.send_message(msg)
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
