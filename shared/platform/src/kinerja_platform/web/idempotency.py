"""``Idempotency-Key`` for writes: a repeated key returns the first result.

Pure ASGI middleware, active only on POST/PUT/PATCH/DELETE requests that carry
the header. Keys are scoped to the authenticated caller (:func:`caller_scope`:
the person for a pegawai or atasan token, the role, instansi and ``sub`` for
an admin or portal token, so a token of another role or instansi that
shares a ``sub`` never gets another's stored answer; a token the scoping
rule refuses is never answered from the store). The first
request reserves the key (a row committed before the handler runs, so a
concurrent repeat gets 409 ``idempotency-in-progress`` instead of a second
effect); a 2xx response is stored and replayed with ``Idempotent-Replayed:
true``; any other outcome releases the key so the caller may retry. The same
key with a different body gets 422 ``idempotency-key-reused``. A reservation
left by a crashed process expires after ``stale_after`` seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import Column, DateTime, LargeBinary, Text, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel

from kinerja_contracts.values import Role

from .auth import Principal, scope_problem
from .errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_key"

    scope: str = Field(primary_key=True, max_length=200)
    key: str = Field(primary_key=True, max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int | None = None
    headers: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


_TABLE = IdempotencyRecord.__table__
_THIS_KEY = (_TABLE.c.scope == bindparam("b_scope", type_=_TABLE.c.scope.type)) & (
    _TABLE.c.key == bindparam("b_key", type_=_TABLE.c.key.type))
# Built once, and each run on its own in autocommit (one statement, one round trip): every step was a transaction of a
# single statement (the stale check's DELETE apart, which never depended on the SELECT's snapshot), each costing a
# BEGIN and a COMMIT round trip besides
_READ = select(_TABLE).where(_THIS_KEY)
_RESERVE = insert(_TABLE)
_STORE = update(_TABLE).where(_THIS_KEY).values(
    status_code=bindparam("b_status_code", type_=_TABLE.c.status_code.type),
    headers=bindparam("b_headers", type_=_TABLE.c.headers.type), body=bindparam("b_body", type_=_TABLE.c.body.type))
_RELEASE = delete(_TABLE).where(_THIS_KEY)


class IdempotencyMiddleware:
    def __init__(self, app, *, stale_after: float = 60.0):
        self.app = app
        self.stale_after = stale_after
        self._engine: AsyncEngine | None = None  # the app's engine, and the same in autocommit
        self._autocommit: AsyncEngine | None = None

    def _autocommit_engine(self, engine: AsyncEngine) -> AsyncEngine:
        """``engine`` (its pool) with every statement committed on its own: no BEGIN, no COMMIT."""
        if self._autocommit is None or self._engine is not engine:
            self._engine, self._autocommit = engine, engine.execution_options(isolation_level="AUTOCOMMIT")
        return self._autocommit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", ()))
        key = headers.get(b"idempotency-key")
        if not key:
            return await self.app(scope, receive, send)
        key = key.decode("latin-1")[:200]
        state_app = scope["app"]
        who = _caller(state_app, headers.get(b"authorization"))
        if who is None:  # unauthenticated: let the route answer 401
            return await self.app(scope, receive, send)

        body = await _read_body(receive)
        if body is None:
            return await self.app(scope, receive, send)
        fp = hashlib.sha256(
            scope["method"].encode() + b" " + scope["path"].encode() + b"?" + scope.get("query_string", b"") + b"\n" + body
        ).hexdigest()

        engine = self._autocommit_engine(state_app.state.engine)
        now = dt.datetime.now(dt.UTC)
        row = await self._reservation(engine, who, key, now)
        if row is not None:
            return await _answer_repeat(send, row, fp)
        try:
            async with engine.connect() as conn:
                await conn.execute(_RESERVE, {"scope": who, "key": key, "fingerprint": fp, "created_at": now})
        except IntegrityError:
            return await _problem(send, 409, "idempotency-in-progress",
                "Permintaan dengan Idempotency-Key ini masih diproses (a request with this key is still in progress).")

        sent_body = False

        async def replay_receive():
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500
        resp_headers: list = []
        resp_body = bytearray()

        async def capture_send(message):
            nonlocal status, resp_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                resp_headers = message.get("headers", [])
            elif message["type"] == "http.response.body":
                resp_body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            await _settle(engine, who, key, status, resp_headers, bytes(resp_body))

    async def _reservation(self, engine, who: str, key: str, now: dt.datetime):
        """The key's row, if any; a reservation older than ``stale_after`` (a
        crashed process's) is deleted and counts as none."""
        async with engine.connect() as conn:
            row = (await conn.execute(_READ, {"b_scope": who, "b_key": key})).first()
            if row is not None and row.status_code is None:
                created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
                if (now - created).total_seconds() > self.stale_after:
                    await conn.execute(_RELEASE, {"b_scope": who, "b_key": key})
                    row = None
        return row


async def _read_body(receive) -> bytes | None:
    """The whole request body, or None if the client went away first."""
    chunks = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _answer_repeat(send, row, fp: str) -> None:
    """A repeated key: 422 for another body, 409 while the first still runs,
    else the stored response replayed."""
    if row.fingerprint != fp:
        return await _problem(send, 422, "idempotency-key-reused",
            "Idempotency-Key ini sudah dipakai untuk permintaan lain (this Idempotency-Key was used with a different request).")
    if row.status_code is None:
        return await _problem(send, 409, "idempotency-in-progress",
            "Permintaan dengan Idempotency-Key ini masih diproses (a request with this key is still in progress).")
    stored_headers = [(k.encode(), v.encode()) for k, v in json.loads(row.headers or "[]")]
    await send({"type": "http.response.start", "status": row.status_code,
                "headers": stored_headers + [(b"idempotent-replayed", b"true")]})
    await send({"type": "http.response.body", "body": row.body or b""})


async def _settle(engine, who: str, key: str, status: int, resp_headers: list, resp_body: bytes) -> None:
    """Store a 2xx response for replay; release the key after anything else."""
    async with engine.connect() as conn:
        if 200 <= status < 300:
            keep = [
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in resp_headers
                if k.lower() in (b"content-type", b"etag", b"location")
            ]
            await conn.execute(_STORE, {"b_scope": who, "b_key": key, "b_status_code": status,
                                        "b_headers": json.dumps(keep), "b_body": resp_body})
        else:
            await conn.execute(_RELEASE, {"b_scope": who, "b_key": key})


def caller_scope(principal: Principal) -> str | None:
    """Whose keys these are (None: a token the scoping rule refuses; the route answers it)."""
    if scope_problem(principal) is not None:
        return None
    if principal.role in (Role.pegawai, Role.atasan):
        return principal.sub  # the person, whichever of their two roles they act in
    instansi = hashlib.sha256((principal.instansi or "").encode()).hexdigest()[:16]
    return f"{principal.role}|{instansi}|{principal.sub}"[:200]


def _caller(app, authorization: bytes | None) -> str | None:
    if not authorization or not authorization.lower().startswith(b"bearer "):
        return None
    try:
        return caller_scope(app.state.verifier.verify(authorization[7:].decode("latin-1").strip()))
    except Exception:
        return None


async def _problem(send, status: int, code: str, detail: str) -> None:
    body = json.dumps({"type": PROBLEM_BASE + code, "title": code.replace("-", " ").capitalize(),
                       "status": status, "code": code, "detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode())]})
    await send({"type": "http.response.body", "body": body})
