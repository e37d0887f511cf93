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
