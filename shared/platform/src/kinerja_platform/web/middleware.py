"""ASGI middlewares: correlation id and request-size limit (pure ASGI: cheap)."""

from __future__ import annotations

import json
import re
import zlib
from urllib.parse import parse_qsl

from kinerja_contracts.values import bad_character

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


# --- control characters -----------------------------------------------------------------------------------------------

#: a JSON body that may hold a control character: an escape of one (``\b``, ``\f``, ``\u00XX``; tab, LF and CR
#: excepted), a lone-surrogate
#: candidate, or a raw DEL / C1 character (JSON allows those unescaped). Only a hint: the exact check parses the body.
_SUSPECT = re.compile(rb"\\[bf]|\\u(?:00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])|[dD][89a-fA-F])|\x7f|\xc2[\x80-\x9f]")


def _bad_texts(value, path: str, out: list[dict], limit: int = 20) -> None:
    """Append ``{path, message, type}`` for every text in ``value`` holding a character no text may hold."""
    if len(out) >= limit:
        return
    if isinstance(value, str):
        ch = bad_character(value)
        if ch is not None:
            out.append({"path": path, "type": "invalid-character",
                        "message": f"karakter kendali U+{ord(ch):04X} tidak diizinkan (control character U+{ord(ch):04X} "
                                   "is not allowed)"})
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _bad_texts(v, f"{path}[{i}]", out, limit)
    elif isinstance(value, dict):
        for k, v in value.items():
            _bad_texts(k, f"{path}.<key>", out, limit)
            _bad_texts(v, f"{path}.{k}", out, limit)


def _is_json(scope) -> bool:
    ctype = encoding = b""
    for k, v in scope.get("headers", ()):
        if k == b"content-type":
            ctype = v.split(b";")[0].strip().lower()
        elif k == b"content-encoding":
            encoding = v.strip().lower()
    return (ctype == b"application/json" or ctype.endswith(b"+json")) and encoding in (b"", b"identity")


class TextGuardMiddleware:
    """One rule for every service: no text the API takes may hold a control
    character (Unicode Cc other than tab, LF, CR) or a lone surrogate, in
    the path, the query or a JSON body. Such a request is answered 422
    ``invalid-character`` naming each field (``path``, ``query.<name>``,
    ``body.<json path>``), before any route, database or file sees it (NUL
    was stored on SQLite and a 500 on PostgreSQL; ESC reached XLSX exports).

    The body check costs one byte scan; only a body with a suspect escape is
    parsed to name the fields. Typed models add the same rule per field
    (``kinerja_contracts.values.Teks``); gzip bodies are checked by their
    models after inflating, and so are the bodies of bulk routes (a path
    ending ``/bulk``), which answer each item on its own."""

    #: routes that validate each item of their body apart (one bad item must not refuse the others)
    PER_ITEM_SUFFIXES = ("/bulk",)

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        errors: list[dict] = []
        _bad_texts(scope.get("path", ""), "path", errors)
        raw_qs = scope.get("query_string", b"")
        if raw_qs and (b"%" in raw_qs or _SUSPECT.search(raw_qs)):
            for name, value in parse_qsl(raw_qs.decode("latin-1"), keep_blank_values=True, encoding="utf-8",
                                         errors="surrogateescape"):
                _bad_texts(name, "query.<name>", errors)
                _bad_texts(value, f"query.{name}", errors)
        if errors:
            return await _invalid_character(send, errors)
        if (scope.get("method") not in ("POST", "PUT", "PATCH") or not _is_json(scope)
                or scope.get("path", "").endswith(self.PER_ITEM_SUFFIXES)):
            return await self.app(scope, receive, send)
        # a JSON body: read it (the size limit outside this middleware has bounded it), check, replay it
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay([message]), send)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if _SUSPECT.search(body):
            try:
                parsed = json.loads(body)
            except (ValueError, RecursionError):
                parsed = None  # not JSON: the route answers that
            _bad_texts(parsed, "body", errors)
            if errors:
                return await _invalid_character(send, errors)
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _replay(messages: list[dict], then=None):
    async def receive():
        if messages:
            return messages.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _invalid_character(send, errors: list[dict]) -> None:
    body = json.dumps(
        {
            "type": PROBLEM_BASE + "invalid-character",
            "title": "Invalid character",
            "status": 422,
            "code": "invalid-character",
            "detail": "Isian mengandung karakter kendali yang tidak diizinkan (the input contains a control character): "
            + "; ".join(e["path"] for e in errors[:10]),
            "errors": errors,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
