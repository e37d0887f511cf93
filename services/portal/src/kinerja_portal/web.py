"""The portal's ASGI layers: security headers, CSRF, and its error pages.

CSRF uses asgi-csrf (Simon Willison's, the one Datasette uses): a signed
token in a cookie that every unsafe request must echo in the form field
``csrftoken`` or the ``X-CSRFToken`` header. A request with no cookie at all
carries no session either, so it can change nothing; the sign-in forms are
protected all the same (``always_protect``).
"""

from __future__ import annotations

from asgi_csrf import asgi_csrf

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
        await self.app(scope, receive, send)
