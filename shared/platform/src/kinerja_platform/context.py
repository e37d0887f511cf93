"""Request/message context: the correlation id and the acting principal.

The correlation id travels: HTTP header ``X-Correlation-ID`` -> contextvar ->
every outbox event's envelope -> NATS header -> the consumer's contextvar ->
the events it emits -> ... -> the e-mail's log line.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar

import structlog

CORRELATION_HEADER = "X-Correlation-ID"

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)
#: the ASGI scope of the current request: its ``path_params`` (filled by the router) name what the request is about
_route_scope: ContextVar[dict | None] = ContextVar("route_scope", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def get_correlation_id() -> str:
    """The current correlation id, creating one when none is bound."""
    cid = _correlation_id.get()
    if cid is None:
        cid = new_correlation_id()
        _correlation_id.set(cid)
    return cid


def get_causation_id() -> str | None:
    return _causation_id.get()


def bind(correlation_id: str, causation_id: str | None = None, **log_fields: object) -> None:
    """Start a fresh context (a request or a message) and bind it to logs."""
    structlog.contextvars.clear_contextvars()
    _correlation_id.set(correlation_id)
    _causation_id.set(causation_id)
    _route_scope.set(None)
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id, **log_fields)


# --- what a request or a handler is about -------------------------------------------------------------------------------

#: the ids bound to the log lines of a request or an event handler about one thing
#: (docs/operations.md, "The journey of one SKP"): route parameters and event fields of these names
SUBJECT_KEYS = ("skp_id", "evaluation_id", "person_id", "nip")
#: of those, the ones that name a person (a NIP or NI PPPK): bound only while
#: ``KINERJA_LOG_PERSON_IDS`` allows it (docs/security.md, "Logs")
PERSON_KEYS = frozenset({"person_id", "nip"})

_person_ids = [True]  # set once per process by configure_subject_logging (the logging set-up is per process too)


def configure_subject_logging(*, person_ids: bool) -> None:
    """Whether log lines may carry person ids (``nip``, ``person_id``)."""
    _person_ids[0] = person_ids


def subject_fields(**ids: object) -> dict[str, str]:
    """The ids worth binding: not None, and no person id when those are off."""
    allow_persons = _person_ids[0]
    return {k: str(v) for k, v in ids.items() if v is not None and (allow_persons or k not in PERSON_KEYS)}


def bind_subject(**ids: object) -> None:
    """Bind what the current request or handler is about (``skp_id=``, the
    pegawai's ``nip=``, ``evaluation_id=``, ``person_id=``) to every later log
    line of it, through structlog's contextvars. ``bind`` (a new request or
    message) clears them again."""
    fields = subject_fields(**ids)
    if fields:
        structlog.contextvars.bind_contextvars(**fields)


def bind_route_scope(scope: dict) -> None:
    """Name the current request's ASGI scope: once the router has matched a
    route, the ids among its path parameters (``skp_id``, ...) go on every log
    line of the request (:func:`add_route_subject`), handler lines included,
    without a dependency per route."""
    _route_scope.set(scope)


def bind_owner(skp_id: object, nip: object) -> None:
    """Bind the NIP of the SKP's pegawai when the current request's route
    names this SKP (``.../{skp_id}/...``): a service calls it where it loads
    the SKP, so its request lines carry the owner's NIP as well. Outside such
    a request (a bulk route's items, an event handler) it binds nothing."""
    scope = _route_scope.get()
    params = scope.get("path_params") if scope is not None else None
    if params and str(params.get("skp_id")) == str(skp_id):
        bind_subject(nip=nip)


def add_route_subject(logger: object, method: str, event_dict: dict) -> dict:
    """structlog processor: the ids named by the current request's path
    parameters (``skp_id``, ``evaluation_id``, ``person_id``, ``nip``), unless
    the line has them already."""
    scope = _route_scope.get()
    if scope is not None:
        params = scope.get("path_params")
        if params:
            for key in SUBJECT_KEYS:
                if key in params and key not in event_dict and (_person_ids[0] or key not in PERSON_KEYS):
                    event_dict[key] = str(params[key])
    return event_dict


def event_subject(data: object) -> dict[str, str]:
    """The ids an event payload is about: its ``skp_id`` / ``evaluation_id`` /
    ``person_id``, and the NIP of its ``pegawai`` (the SKP's owner)."""
    pegawai = getattr(data, "pegawai", None)
    return subject_fields(
        skp_id=getattr(data, "skp_id", None),
        evaluation_id=getattr(data, "evaluation_id", None),
        person_id=getattr(data, "person_id", None),
        nip=getattr(pegawai, "nip", None),
    )
