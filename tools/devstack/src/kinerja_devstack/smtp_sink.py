"""A local SMTP sink that speaks real SMTP and lets a person read the mail.

- SMTP on ``--smtp-port`` (default 1025), via aiosmtpd;
- every message saved as ``<dir>/<n>-<message-id>.eml`` (open it in any mail
  program) and kept in memory;
- a web view on ``--http-port`` (default 8025): ``/`` lists the mail, one click
  shows it (the HTML part as the reader sees it, in a sandboxed frame, and the
  plain-text part); ``/api/messages`` gives JSON for scripts and tests.

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
        """JSON view of the message (parsed once, then cached: the web API
        lists every message on each call)."""
        cached = self.__dict__.get("_summary")
        if cached is None:
            cached = self.__dict__["_summary"] = self._summarise()
        return dict(cached)

    def _summarise(self) -> dict:
        m = self.parsed
        text = m.get_body(preferencelist=("plain",))
        rich = m.get_body(preferencelist=("html",))
        return {
            "id": self.id,
            "from": self.mail_from,
            "to": self.rcpt_tos,
            "subject": str(m.get("Subject", "")),
            "message_id": str(m.get("Message-ID", "")),
            "date": str(m.get("Date", "")),
            "headers": {k: str(v) for k, v in m.items()},
            "text": text.get_content() if text is not None else "",
            "has_html": rich is not None,
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


_STYLE = (
    "body{font-family:system-ui,Arial,sans-serif;margin:0;background:#f3f4f6;color:#1f2937}"
    "header{background:#0f4c81;color:#fff;padding:12px 20px}header a{color:#fff}"
    "main{padding:16px 20px}table{border-collapse:collapse;width:100%;background:#fff}"
    "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e5e7eb;font-size:14px;vertical-align:top}"
    "th{background:#f9fafb}.meta{background:#fff;padding:12px 16px;margin-bottom:12px;font-size:14px}"
    ".meta b{display:inline-block;min-width:120px;color:#6b7280;font-weight:normal}"
    "iframe{width:100%;height:70vh;border:1px solid #e5e7eb;background:#fff}"
    "pre{background:#fff;padding:12px 16px;white-space:pre-wrap;border:1px solid #e5e7eb}"
    ".tabs a{margin-right:12px}"
)


def _page(title: str, body: str, refresh: bool = False) -> str:
    meta = "<meta http-equiv='refresh' content='5'>" if refresh else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>{meta}"
            f"<style>{_STYLE}</style></head><body><header><a href='/'>Kinerja mail</a></header><main>{body}</main></body></html>")


def _parts(msg: StoredMessage) -> tuple[str | None, str | None]:
    m = msg.parsed
    text = m.get_body(preferencelist=("plain",))
    rich = m.get_body(preferencelist=("html",))
    return (text.get_content() if text is not None else None, rich.get_content() if rich is not None else None)


def web_app(sink: SmtpSink):
    """The sink's web view: ``/`` lists the mail (newest first), ``/messages/{id}``
    shows one (the HTML part in a sandboxed frame, the plain-text part, the
    headers), ``/messages/{id}.eml`` the raw message, ``/api/messages`` JSON."""
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import HTMLResponse, Response

    app = FastAPI(title="Kinerja SMTP sink", description="Mail sent by the local Kinerja system")

    @app.get("/", response_class=HTMLResponse)
    def index(to: str | None = None) -> str:
        shown = [x.summary() for x in reversed(list(sink.messages)) if to is None or to in x.rcpt_tos]
        rows = "".join(
            f"<tr><td>{m['id']}</td><td>{html.escape(time.strftime('%H:%M:%S', time.localtime(m['received_at'])))}</td>"
            f"<td><a href='/?to={html.escape(', '.join(m['to']))}'>{html.escape(', '.join(m['to']))}</a></td>"
            f"<td><a href='/messages/{m['id']}'>{html.escape(m['subject'])}</a></td></tr>"
            for m in shown
        )
        where = f" to {html.escape(to)} (<a href='/'>all</a>)" if to else ""
        return _page("Kinerja mail", f"<h2>{len(shown)} message(s){where}</h2><table>"
                     "<tr><th>#</th><th>received</th><th>to</th><th>subject</th></tr>" + rows + "</table>", refresh=True)

    def _get(mid: int) -> StoredMessage:
        for m in list(sink.messages):
            if m.id == mid:
                return m
        raise HTTPException(404, f"no message {mid}")

    @app.get("/messages/{mid}", response_class=HTMLResponse)
    def show(mid: int) -> str:
        msg = _get(mid)
        m = msg.parsed
        text, rich = _parts(msg)
        head = "".join(f"<div><b>{html.escape(k)}</b> {html.escape(str(v))}</div>" for k, v in m.items()
                       if k in ("From", "To", "Subject", "Date", "Message-ID", "X-Correlation-ID"))
        body = f"<div class='meta'>{head}</div><p class='tabs'><a href='/messages/{mid}.eml'>raw .eml</a>"
        if rich is not None:
            body += f"<a href='/messages/{mid}/html'>HTML part alone</a>"
        body += "</p>"
        if rich is not None:
            body += f"<iframe sandbox='' srcdoc=\"{html.escape(rich, quote=True)}\"></iframe>"
        if text is not None:
            body += f"<h3>Plain text</h3><pre>{html.escape(text)}</pre>"
        return _page(str(m.get("Subject", "")), body)

    @app.get("/messages/{mid}/html", response_class=HTMLResponse)
    def show_html(mid: int) -> Response:
        _, rich = _parts(_get(mid))
        if rich is None:
            raise HTTPException(404, f"message {mid} has no HTML part")
        return HTMLResponse(rich, headers={"Content-Security-Policy": "sandbox"})

    @app.get("/messages/{mid}.eml")
    def raw(mid: int) -> Response:
        return Response(_get(mid).raw, media_type="message/rfc822")

    @app.get("/api/messages")
    def api_messages(to: str | None = None) -> list[dict]:
        return [m.summary() for m in list(sink.messages) if to is None or to in m.rcpt_tos]

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
