"""SMTP delivery with aiosmtplib."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

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
    """Sends one message per connection with aiosmtplib; maps failures to
    permanent (5xx), temporary (4xx) and unavailable (cannot connect)."""

    def __init__(self, host: str, port: int, *, starttls: bool = False, use_tls: bool = False,
                 username: str | None = None, password: str | None = None, timeout: float = 10.0):
        self.host, self.port = host, port
        self.starttls, self.use_tls = starttls, use_tls
        self.username, self.password, self.timeout = username, password, timeout

    async def send(self, msg: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                msg, hostname=self.host, port=self.port, start_tls=self.starttls, use_tls=self.use_tls,
                username=self.username,
                password=self.password, timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            if all(500 <= c < 600 for c in codes):
                raise PermanentSmtpError(str(exc)) from exc
            raise TemporarySmtpError(str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise PermanentSmtpError(f"{exc.code} {exc.message}") from exc
            raise TemporarySmtpError(f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError,
                OSError, TimeoutError) as exc:
            raise SmtpUnavailable(repr(exc)) from exc
        except aiosmtplib.SMTPException as exc:
            raise TemporarySmtpError(repr(exc)) from exc
