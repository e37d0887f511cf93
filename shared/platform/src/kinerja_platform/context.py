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
