"""One error shape everywhere: RFC 9457 ``application/problem+json``.

::

    {"type": "https://kinerja.dev/problems/skp-locked", "title": "...",
     "status": 409, "detail": "...", "code": "skp-locked",
     "correlation_id": "...", "errors": [{"path": "...", "message": "..."}]}

``code`` is the machine code; ``detail`` the human message (Bahasa Indonesia
first, English in parentheses). A validation error lists every field at
fault in ``errors`` with its JSON path.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..context import get_correlation_id
from ..logging import get_logger

PROBLEM_BASE = "https://kinerja.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

log = get_logger(__name__)


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(self, status: int, code: str, detail: str, *, title: str | None = None, **extra: Any):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or code.replace("-", " ").capitalize()
        self.extra = extra


def problem(status: int, code: str, detail: str, *, title: str | None = None, headers: dict | None = None, **extra: Any) -> JSONResponse:
    body = {
        "type": PROBLEM_BASE + code,
        "title": title or code.replace("-", " ").capitalize(),
        "status": status,
        "detail": detail,
        "code": code,
        "correlation_id": get_correlation_id(),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _loc_to_path(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        where, parts = parts[0], parts[1:]
    else:
        where = "body"
    path = where
    for p in parts:
        path += f"[{p}]" if p.isdigit() else f".{p}"
    return path


#: most field errors listed in one validation problem (``error_count`` says how many there were)
MAX_ERRORS = 100

_STATUS_CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError):
        return problem(exc.status, exc.code, exc.detail, title=exc.title, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        found = exc.errors()
        # every field at fault, up to MAX_ERRORS: a body of 100,000 bad keys must not answer with 100,000 errors
        errors = [
            {"path": _loc_to_path(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in found[:MAX_ERRORS]
        ]
        extra = {"error_count": len(found)} if len(found) > MAX_ERRORS else {}
        return problem(
            422,
            "validation-error",
            f"Data tidak valid pada {len(found)} isian (invalid input in {len(found)} field(s)): "
            + "; ".join(f"{e['path']}: {e['message']}" for e in errors[:10]),
            title="Validation error",
            errors=errors,
            **extra,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        code = _STATUS_CODES.get(exc.status_code, f"http-{exc.status_code}")
        return problem(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError):
        if not _is_bad_text(exc):
            raise exc  # a server error: the handler below answers 500
        # PostgreSQL stores no NUL character (text or jsonb): the input is bad, not the server
        return problem(
            422,
            "invalid-character",
            "Isian mengandung karakter yang tidak dapat disimpan, mis. NUL \\u0000 "
            "(the input contains a character that cannot be stored, e.g. NUL).",
            title="Invalid character",
        )

    @app.exception_handler(Exception)
    async def _unhandled(_: Request, exc: Exception):
        log.exception("unhandled error", error=repr(exc))
        return problem(
            500,
            "internal-error",
            "Terjadi kesalahan di server; kutip correlation_id saat melapor (server error; quote the correlation_id).",
        )


_BAD_TEXT_ERRORS = {"CharacterNotInRepertoireError", "UntranslatableCharacterError"}


def _is_bad_text(exc: BaseException | None) -> bool:
    """True when the database refused a character of the input (asyncpg's
    errors, wrapped by SQLAlchemy as ``orig`` or the cause)."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__name__ in _BAD_TEXT_ERRORS:
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
        seen += 1
    return False


class FieldError(BaseModel):
    """One field at fault in a validation error."""

    path: str = Field(description="where: body/query/path/header, then the JSON path", examples=["body.periode.mulai"])
    message: str = Field(examples=["Field required"])
    type: str = Field(description="machine code of the check that failed", examples=["missing"])


class Problem(BaseModel):
    """RFC 9457 problem document: every error answer of every service
    (media type ``application/problem+json``)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    type: str = Field(description="URI of the problem type: " + PROBLEM_BASE + "<code>")
    title: str = Field(description="short human summary of the problem type")
    status: int = Field(ge=400, le=599, description="the HTTP status, repeated")
    detail: str = Field(description="what went wrong here (Bahasa Indonesia first, English in parentheses)")
    code: str = Field(description="machine code; stable, for programs to branch on")
    correlation_id: str | None = Field(description="quote it when reporting; the same id is in every log line of the request")
    errors: list[FieldError] | None = Field(default=None, description="validation errors only: every field at fault")


def _example(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail, "code": code,
            "correlation_id": "4c1f0e8b9d2a4e7f8a6b5c4d3e2f1a0b", **extra}


#: what each error status means in every Kinerja API, with a typical example
PROBLEM_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("Bad request: the request cannot be read (e.g. a malformed header or file)",
          _example(400, "bad-request", "Bad request", "Berkas tidak dapat dibaca (the file cannot be read).")),
    401: ("No valid bearer token (missing, expired, wrong signature or audience)",
          _example(401, "invalid-token", "Invalid token", "Token tidak sah atau kedaluwarsa (invalid or expired token).")),
    403: ("The token is valid but may not do this (role, own record, instansi)",
          _example(403, "not-yours", "Not yours", "Anda hanya dapat mengubah SKP Anda sendiri (you can only change your own SKP).")),
    404: ("No such record, or one of another instansi (answered alike)",
          _example(404, "skp-not-found", "Skp not found", "SKP tidak ditemukan (no such SKP).")),
    409: ("Conflict: a stale version (If-Match / version) or a state that forbids this",
          _example(409, "stale-version", "Stale version",
                   "SKP telah diubah (versi 4); muat ulang lalu ulangi (the SKP changed: version 4; reload and retry).",
                   current_version=4)),
    413: ("The request body is larger than the service accepts",
          _example(413, "payload-too-large", "Payload too large", "Isi permintaan terlalu besar (request body too large).")),
    415: ("The body's media type is not accepted here",
          _example(415, "unsupported-media-type", "Unsupported media type",
                   "Jenis isi tidak didukung (unsupported media type).")),
    422: ("Invalid input: every field at fault is listed in `errors`",
          _example(422, "validation-error", "Validation error",
                   "Data tidak valid pada 1 isian (invalid input in 1 field(s)): body.periode.mulai: Field required",
                   errors=[{"path": "body.periode.mulai", "message": "Field required", "type": "missing"}])),
    429: ("Too many requests: slow down and retry after the Retry-After header",
          _example(429, "too-many-requests", "Too many requests", "Terlalu banyak permintaan (too many requests).")),
    500: ("Server error: quote the correlation_id when reporting",
          _example(500, "internal-error", "Internal error",
                   "Terjadi kesalahan di server; kutip correlation_id saat melapor (server error; quote the correlation_id).")),
}


def problem_response(status: int) -> dict[str, Any]:
    """The OpenAPI response object for one error status: the Problem schema
    and that status's own example."""
    description, example = PROBLEM_EXAMPLES[status]
    return {"description": description,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}, "example": example}}}


#: Pass as ``responses=`` on routers so the OpenAPI documents the error shape
#: (web/openapi.py adds the Problem schema and fills in any status a route
#: documents on its own).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: problem_response(code) for code in (400, 401, 403, 404, 409, 413, 422)
}
