"""Upload forms pass the CSRF check (asgi-csrf 0.11 cannot parse multipart with python-multipart >= 0.0.26)."""

from __future__ import annotations

import httpx
from kinerja_portal.web import CsrfMiddleware
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def upload(request: Request) -> PlainTextResponse:
    form = await request.form()
    f = form["berkas"]
    return PlainTextResponse(f"{form['csrftoken'] != ''} {len(await f.read())}")  # type: ignore[union-attr]


async def page(request: Request) -> PlainTextResponse:
    return PlainTextResponse(request.scope["csrftoken"]())


app = CsrfMiddleware(Starlette(routes=[Route("/", page), Route("/unggah", upload, methods=["POST"])]), secret="s",
                     secure=False, always_protect=set())


async def test_an_upload_form_with_its_token_first_passes_and_without_it_is_refused():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal") as http:
        token = (await http.get("/")).text
        data = b"PK" + b"x" * 300_000
        ok = await http.post("/unggah", data={"csrftoken": token}, files={"berkas": ("a.xlsx", data)})
        assert (ok.status_code, ok.text) == (200, f"True {len(data)}")
        wrong = await http.post("/unggah", data={"csrftoken": "palsu"}, files={"berkas": ("a.xlsx", data)})
        assert wrong.status_code == 403
        none = await http.post("/unggah", files={"berkas": ("a.xlsx", data)})
        assert none.status_code == 403
        file_first = await http.post("/unggah", files=[("berkas", ("a.xlsx", data)), ("csrftoken", (None, token))])
        assert file_first.status_code == 403
