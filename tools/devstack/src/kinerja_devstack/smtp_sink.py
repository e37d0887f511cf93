"""A local SMTP sink that speaks real SMTP and lets a person read the mail.

- SMTP on ``--smtp-port`` (default 1025), via aiosmtpd;
- every message saved as ``<dir>/<n>-<message-id>.eml`` (open it in any mail
  program) and kept in memory;
- a web view on ``--http-port`` (default 8025): ``/`` lists the mail, one click
  shows it; ``/api/messages`` gives JSON for scripts and tests.

Tests use :class:`SmtpSink` in-process; it can also refuse mail on purpose
(temporary 451 for the next N messages, permanent 550 for chosen addresses) to
exercise the notification service's retries.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import html
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller


@dataclass
class StoredMessage:
    id: int
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    received_at: float = field(default_factory=time.time)

    @property
    def parsed(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    def summary(self) -> dict:
        m = self.parsed
        text = m.get_body(preferencelist=("plain",))
        return {
            "id": self.id,
            "from": self.mail_from,
            "to": self.rcpt_tos,
            "subject": str(m.get("Subject", "")),
            "message_id": str(m.get("Message-ID", "")),
            "date": str(m.get("Date", "")),
            "headers": {k: str(v) for k, v in m.items()},
            "text": text.get_content() if text is not None else "",
            "received_at": self.received_at,
        }


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if any(p in address for p in self.sink.reject_addresses):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.sink._lock:
            if self.sink.fail_next > 0:
                self.sink.fail_next -= 1
                return "451 4.3.0 Temporary failure, try again later"
            self.sink._counter += 1
            msg = StoredMessage(self.sink._counter, envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
            self.sink.messages.append(msg)
        if self.sink.directory:
            mid = msg.summary()["message_id"].strip("<>").replace("/", "_")[:80]
            (self.sink.directory / f"{msg.id:06d}-{mid}.eml").write_bytes(msg.raw)
        return "250 Message accepted"


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, directory: str | Path | None = None):
        self.host = host
        self.port = port
        self.directory = Path(directory) if directory else None
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)
        self.messages: list[StoredMessage] = []
        self.fail_next = 0
        self.reject_addresses: set[str] = set()
        self._counter = 0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> SmtpSink:
        if not self.port:
            from .natsserver import free_port

            self.port = free_port()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=10)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[StoredMessage]:
        return [m for m in list(self.messages) if address in m.rcpt_tos]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


def web_app(sink: SmtpSink):
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import HTMLResponse, Response

    app = FastAPI(title="Kinerja SMTP sink", description="Mail sent by the local Kinerja system")

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        rows = "".join(
            f"<tr><td>{m['id']}</td><td>{html.escape(', '.join(m['to']))}</td>"
            f"<td><a href='/messages/{m['id']}'>{html.escape(m['subject'])}</a></td><td>{html.escape(m['date'])}</td></tr>"
            for m in (x.summary() for x in reversed(sink.messages))
        )
        return (
            "<html><head><meta charset='utf-8'><title>Kinerja mail</title>"
            "<meta http-equiv='refresh' content='5'></head><body>"
            f"<h1>Kinerja mail ({len(sink.messages)})</h1><table border='1' cellpadding='4'>"
            "<tr><th>#</th><th>to</th><th>subject</th><th>date</th></tr>" + rows + "</table></body></html>"
        )

    def _get(mid: int) -> StoredMessage:
        for m in sink.messages:
            if m.id == mid:
                return m
        raise HTTPException(404, f"no message {mid}")

    @app.get("/messages/{mid}", response_class=HTMLResponse)
    def show(mid: int) -> str:
        m = _get(mid).parsed
        body = m.get_body(preferencelist=("html", "plain"))
        content = body.get_content() if body is not None else ""
        if body is not None and body.get_content_type() == "text/plain":
            content = f"<pre>{html.escape(content)}</pre>"
        head = "".join(f"<b>{html.escape(k)}:</b> {html.escape(str(v))}<br>" for k, v in m.items() if k in ("From", "To", "Subject", "Date", "Message-ID"))
        return f"<html><head><meta charset='utf-8'></head><body><p><a href='/'>&larr; all</a> | <a href='/messages/{mid}.eml'>.eml</a></p>{head}<hr>{content}</body></html>"

    @app.get("/messages/{mid}.eml")
    def raw(mid: int) -> Response:
        return Response(_get(mid).raw, media_type="message/rfc822")

    @app.get("/api/messages")
    def api_messages(to: str | None = None) -> list[dict]:
        return [m.summary() for m in sink.messages if to is None or to in m.rcpt_tos]

    @app.delete("/api/messages")
    def api_clear() -> dict:
        sink.clear()
        return {"cleared": True}

    return app


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    p = argparse.ArgumentParser(description="Local SMTP sink with a web view")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--smtp-port", type=int, default=1025)
    p.add_argument("--http-port", type=int, default=8025)
    p.add_argument("--dir", default="var/mail", help="where .eml files are written")
    a = p.parse_args(argv)
    sink = SmtpSink(a.host, a.smtp_port, a.dir).start()
    try:
        uvicorn.run(web_app(sink), host=a.host, port=a.http_port, log_level="warning")
    finally:
        sink.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
