"""The OpenAPI document as a contract, and its viewers served by the service.

- Every error response (4xx/5xx) of every operation is
  ``application/problem+json`` with the ``Problem`` schema and an example of
  its own status (FastAPI's default 422 ``HTTPValidationError``, which no
  Kinerja service ever sends, is replaced).
- The bearer scheme says ``bearerFormat: JWT``.
- A stored JSON document that an answer passes on as it is (an SKP's
  content, a job's report) is documented by its model with
  :class:`DocumentedAs`, without being validated again on the way out.
- Swagger UI (``/docs``) and ReDoc (``/redoc``) load their JavaScript and CSS
  from the service itself (``/docs-assets/``), never from a CDN: an offline
  intranet can read them. The files come from the ``fastapi-offline``
  package, which ships them as package data (its ``static`` folder); only
  those files are used, through ``importlib.resources``, not its API.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import GetJsonSchemaHandler, TypeAdapter
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from .errors import PROBLEM_EXAMPLES, PROBLEM_MEDIA_TYPE, Problem, problem_response

ASSETS_PATH = "/docs-assets"


@dataclass(frozen=True)
class DocumentedAs:
    """``Annotated[dict[str, Any], DocumentedAs(Model)]``: the OpenAPI schema
    of the value is ``Model``'s (a ``$ref`` to it, its parts in the
    components), while the value itself passes through unchanged.

    For answers that carry a JSON document as it was stored or built (an SKP's
    content, an approval's snapshot, an import's report): validating such a
    document again on the way out could reject an older stored one (a rule
    added since) or reshape it (defaults filled in, keys left out on purpose
    now written as null), and the JSON on the wire must not change. ``tp`` is
    any type pydantic takes (a model, ``list[Model]``); a test checks real
    answers against it where the document is built.
    """

    tp: Any

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # (a model met only here comes out inline, with its title and
        # description, rather than as a named component: pydantic's choice)
        return handler(TypeAdapter(self.tp).core_schema)
_DEFAULT_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")


def assets_dir() -> str:
    """Where the Swagger UI and ReDoc files are (the fastapi-offline wheel's data)."""
    return str(resources.files("fastapi_offline") / "static")


def _problem_for(status: int) -> dict[str, Any]:
    if status in PROBLEM_EXAMPLES:
        return problem_response(status)
    generic = {**PROBLEM_EXAMPLES[500][1], "status": status, "code": f"http-{status}", "title": f"HTTP {status}",
               "type": f"{PROBLEM_EXAMPLES[500][1]['type'].rsplit('/', 1)[0]}/http-{status}",
               "detail": f"HTTP {status}."}
    return {"description": f"HTTP {status}",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}, "example": generic}}}


def _is_error_shape(response: dict[str, Any]) -> bool:
    """A response to document as a Problem: no body given, FastAPI's default
    validation error, or problem+json already. A route that declared its own
    model for an error status (``/readyz``'s 503) keeps it."""
    content = response.get("content") or {}
    if not content or PROBLEM_MEDIA_TYPE in content:
        return True
    refs = {repr(c.get("schema")) for c in content.values()}
    return all("HTTPValidationError" in r or r == "None" for r in refs)


def _binary_answers(response: dict[str, Any]) -> None:
    """A file answer (xlsx, pdf) is documented as binary, without the empty
    ``application/json`` FastAPI lists beside a route's own media types."""
    content = response.get("content") or {}
    files = [m for m in content if m != "application/json" and not m.endswith("+json") and not m.startswith("text/")]
    if not files:
        return
    if content.get("application/json", {}).get("schema", {}) in ({}, None):
        content.pop("application/json", None)
    for media in files:
        if not content[media].get("schema"):
            content[media]["schema"] = {"type": "string", "format": "binary"}


def contract(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a generated OpenAPI document in place (and return it)."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for path_item in schema.get("paths", {}).values():
        for op in path_item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for code, response in list(op["responses"].items()):
                if code.startswith("2"):
                    _binary_answers(response)
                if code.isdigit() and int(code) >= 400 and _is_error_shape(response):
                    keep = response.get("description") if int(code) not in PROBLEM_EXAMPLES else None
                    op["responses"][code] = _problem_for(int(code))
                    if keep and keep != "Validation Error":
                        op["responses"][code]["description"] = keep
    used = repr(schema.get("paths", {}))
    for name in _DEFAULT_ERROR_SCHEMAS:
        if f"#/components/schemas/{name}'" not in used:
            schemas.pop(name, None)
    for scheme in components.get("securitySchemes", {}).values():
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
            scheme["bearerFormat"] = "JWT"
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the rewritten document at ``/openapi.json`` (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = contract(get_openapi(
                title=app.title, version=app.version, openapi_version=app.openapi_version,
                description=app.description, routes=app.routes, tags=app.openapi_tags, servers=app.servers,
                separate_input_output_schemas=app.separate_input_output_schemas,
            ))
        return app.openapi_schema

    app.openapi = openapi  # FastAPI's documented way to customise the document


def install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) and ``/redoc`` with self-served assets.

    Create the app with ``docs_url=None, redoc_url=None`` and call this."""
    app.mount(ASSETS_PATH, StaticFiles(directory=assets_dir()), name="docs-assets")
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title=f"{title} — API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url, title=f"{title} — ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )
