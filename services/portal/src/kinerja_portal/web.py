"""The portal's ASGI layers: security headers, CSRF, and its error pages.

CSRF uses asgi-csrf (Simon Willison's, the one Datasette uses): a signed
token in a cookie that every unsafe request must echo in the form field
``csrftoken`` or the ``X-CSRFToken`` header. A request with no cookie at all
carries no session either, so it can change nothing; the sign-in forms are
protected all the same (``always_protect``).
"""

from __future__ import annotations

import secrets
from http.cookies import CookieError, SimpleCookie

from asgi_csrf import asgi_csrf
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


class CsrfMiddleware:
    """asgi-csrf as a Starlette middleware class (it is published as an ASGI wrapper function)."""

    def __init__(self, app, *, secret: str, secure: bool, always_protect: set[str]):
        self.app = asgi_csrf(app, signing_secret=secret, cookie_secure=secure, always_protect=always_protect,
                             send_csrf_failed=_csrf_failed)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and _is_multipart(scope):
            return await self._multipart(scope, receive, send)
        await self.app(scope, receive, send)

    async def _multipart(self, scope, receive, send):
        """An upload form: asgi-csrf 0.11 reads its token with an argument python-multipart no longer
        takes (since 0.0.26, the release with the CVE-2026-40347 fix; simonw/asgi-csrf#38), so the
        form's first field ``csrftoken`` is read here and handed to asgi-csrf as the X-CSRFToken
        header, which it checks (the cookie's signature too) as always. No token before the first file,
        or one that is not the cookie's: 403 here (asgi-csrf would fall back to its own parsing)."""
        headers = dict(scope.get("headers") or [])
        if headers.get(b"x-csrftoken"):
            return await self.app(scope, receive, send)
        token, messages = await _token_of_multipart(headers.get(b"content-type", b""), receive)
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get(b"cookie", b"").decode("latin-1"))
        except CookieError:
            pass
        cookie = cookies["csrftoken"].value if "csrftoken" in cookies else ""
        if token is None or not cookie or not secrets.compare_digest(token, cookie):
            return await _csrf_failed(scope, send, None)

        async def replay():
            return messages.pop(0) if messages else await receive()

        scope = dict(scope, headers=[*scope.get("headers", []), (b"x-csrftoken", token.encode("latin-1"))])
        await self.app(scope, replay, send)


def _is_multipart(scope) -> bool:
    ct = dict(scope.get("headers") or []).get(b"content-type", b"")
    return ct.split(b";")[0].strip().lower() == b"multipart/form-data"


class _Found(Exception):
    pass


async def _token_of_multipart(content_type: bytes, receive) -> tuple[str | None, list[dict]]:
    """The ``csrftoken`` field if it comes before any file, and the body messages read so far."""
    boundary = None
    for part in content_type.split(b";")[1:]:
        key, _, value = part.strip().partition(b"=")
        if key.lower() == b"boundary":
            boundary = value.strip(b'"')
    messages: list[dict] = []
    if not boundary:
        return None, messages
    found: list[str] = []

    def on_field(field) -> None:
        if field.field_name == b"csrftoken":
            found.append((field.value or b"").decode("latin-1"))
            raise _Found

    def on_file(_file) -> None:
        raise _Found  # a file before the token

    parser = FormParser("multipart/form-data", on_field, on_file, boundary=boundary)
    more = True
    try:
        while more:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            parser.write(message.get("body", b""))
            more = message.get("more_body", False)
    except _Found:
        pass
    except Exception:  # a malformed body: no token
        return None, messages
    return (found[0] if found else None), messages
