"""The portal's ASGI layers: security headers, CSRF, and its error pages.

CSRF uses asgi-csrf (Simon Willison's, the one Datasette uses): a signed
token in a cookie that every unsafe request must echo in the form field
``csrftoken`` or the ``X-CSRFToken`` header. A request with no cookie at all
carries no session either, so it can change nothing; the sign-in forms are
protected all the same (``always_protect``).
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from asgi_csrf import asgi_csrf
from itsdangerous import BadSignature, URLSafeSerializer
from python_multipart import FormParser

from .pages import templates

#: every page: nothing from another origin, no framing, no sniffing
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
     b"form-action 'self'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in present]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _csrf_failed(scope, send, message_id) -> None:
    body = templates.get_template("csrf_gagal.html").render(viewer=None, nav="", flash=[], csrf_token="",
                                                            title="Formulir kedaluwarsa").encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/html; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})


#: the largest multipart form the portal reads (an upload forwarded to a service)
MULTIPART_MAX_BYTES = 25 * 1024 * 1024


class CsrfMiddleware:
    """asgi-csrf as a Starlette middleware class (it is published as an ASGI wrapper function).

    A multipart form (a file upload) is checked here first: asgi-csrf 0.11 parses it with an argument
    python-multipart no longer takes (``FileClass``: a TypeError, every upload a 500). Its rule is kept:
    the ``csrftoken`` field must come before any file and equal the signed cookie; the request then
    goes on with that token in the ``X-CSRFToken`` header, which asgi-csrf checks as for any script."""

    def __init__(self, app, *, secret: str, secure: bool, always_protect: set[str]):
        self.app = asgi_csrf(app, signing_secret=secret, cookie_secure=secure, always_protect=always_protect,
                             send_csrf_failed=_csrf_failed)
        self.signer = URLSafeSerializer(secret)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] not in {"GET", "HEAD", "OPTIONS", "TRACE"}:
            headers = dict(scope.get("headers") or [])
            content_type = headers.get(b"content-type", b"")
            if (content_type.split(b";", 1)[0].strip() == b"multipart/form-data" and b"x-csrftoken" not in headers
                    and headers.get(b"cookie")):
                return await self._multipart(scope, receive, send, headers, content_type)
        await self.app(scope, receive, send)

    async def _multipart(self, scope, receive, send, headers, content_type: bytes) -> None:
        messages, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            messages.append(message)
            size += len(message.get("body", b""))
            if size > MULTIPART_MAX_BYTES:
                await send({"type": "http.response.start", "status": 413,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": b"Berkas terlalu besar."})
                return
            more = message.get("more_body", False)
        token = _multipart_token(content_type, b"".join(m.get("body", b"") for m in messages))
        cookie = SimpleCookie(headers[b"cookie"].decode("latin-1")).get("csrftoken")
        if token is None or cookie is None or token != cookie.value or not self._signed(token):
            await _csrf_failed(scope, send, None)
            return

        async def replay():
            return messages.pop(0) if messages else await receive()

        scope = {**scope, "headers": [*scope["headers"], (b"x-csrftoken", token.encode("latin-1"))]}
        await self.app(scope, replay, send)

    def _signed(self, token: str) -> bool:
        try:
            self.signer.loads(token, "csrftoken")
        except BadSignature:
            return False
        return True


class _FileFirst(Exception):
    pass


def _multipart_token(content_type: bytes, body: bytes) -> str | None:
    """The ``csrftoken`` field of a multipart body, if it comes before any file."""
    boundary = None
    for part in content_type.split(b";")[1:]:
        key, _, value = part.strip().partition(b"=")
        if key.lower() == b"boundary":
            boundary = value.strip(b'"')
    if not boundary:
        return None
    found: list[str] = []

    def on_field(f) -> None:
        if f.field_name == b"csrftoken" and not found:
            found.append((f.value or b"").decode("latin-1"))

    def on_file(f) -> None:
        if not found:
            raise _FileFirst

    try:
        parser = FormParser("multipart/form-data", on_field, on_file, boundary=boundary)
        parser.write(body)
        parser.finalize()
    except _FileFirst:
        return None
    except Exception:  # a malformed body: the token, if it came before the fault
        pass
    return found[0] if found else None
