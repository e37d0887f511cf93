"""ASGI middlewares: correlation id and request-size limit (pure ASGI: cheap)."""

from __future__ import annotations

import json
import zlib

from ..context import CORRELATION_HEADER, bind, new_correlation_id
from .errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, ProblemError

_HEADER = CORRELATION_HEADER.lower().encode()


class CorrelationMiddleware:
    """Reads ``X-Correlation-ID`` (or makes one), binds it for logs and
    outbox events, and echoes it on the response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cid = None
        for k, v in scope.get("headers", ()):
            if k == _HEADER:
                cid = v.decode("latin-1")[:128]
                break
        cid = cid or new_correlation_id()
        bind(cid, method=scope.get("method"), path=scope.get("path"))

        async def send_with_header(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(_HEADER, cid.encode())]
            await send(message)

        await self.app(scope, receive, send_with_header)


class BodyLimitMiddleware:
    """Refuses bodies larger than ``max_bytes`` with 413, by Content-Length or
    while streaming."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for k, v in scope.get("headers", ()):
            if k == b"content-length":
                try:
                    if int(v) > self.max_bytes:
                        return await self._too_large(send)
                except ValueError:
                    pass
        seen = 0
        started = False
        too_large = False

        async def limited_receive():
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    too_large = True
                    raise _TooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            if too_large:
                # the app caught _TooLarge while reading the body (FastAPI answers 400
                # "error parsing the body"): answer 413 instead, drop its response
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await self._too_large(send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._too_large(send)

    async def _too_large(self, send):
        body = json.dumps(
            {
                "type": PROBLEM_BASE + "payload-too-large",
                "title": "Payload too large",
                "status": 413,
                "code": "payload-too-large",
                "detail": f"Isi permintaan melebihi {self.max_bytes} byte (request body exceeds {self.max_bytes} bytes).",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def inflate_body(raw: bytes, encoding: str | None, max_bytes: int) -> bytes:
    """The body decoded from its ``Content-Encoding`` (gzip or none), never
    more than ``max_bytes`` after inflating: the same limit as a plain body
    (a 16 KB gzip bomb no longer becomes 16 MB in memory). Inflates in one
    bounded step: at most ``max_bytes + 1`` bytes are ever produced."""
    if encoding in (None, "", "identity"):
        return raw
    if encoding != "gzip":
        raise ProblemError(415, "unsupported-encoding", f"Content-Encoding {encoding!r} tidak didukung; pakai gzip "
                           "(only gzip is supported).")
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise ProblemError(400, "bad-encoding", f"Isi gzip rusak (the gzip body is corrupt): {exc}") from exc
    if len(out) > max_bytes or d.unconsumed_tail:
        raise ProblemError(413, "payload-too-large", f"Isi setelah dekompresi melebihi {max_bytes} byte "
                           f"(decompressed body exceeds {max_bytes} bytes).")
    return out
