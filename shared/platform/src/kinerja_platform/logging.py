"""structlog set up once per process.

``LOG_FORMAT=json`` (containers, production) writes one JSON object a line;
``console`` writes readable lines; ``auto`` (default) picks console on a
terminal and JSON otherwise. The standard library's loggers (uvicorn,
FastStream, alembic) go through the same renderer, so every line carries the
bound correlation_id.
"""

from __future__ import annotations

import logging
import sys

import structlog

from .context import add_route_subject, configure_subject_logging

_configured = False

#: the processor chain: ONE list for the process, changed in place by every
#: setup_logging. A logger cached on first use (cache_logger_on_first_use)
#: keeps a reference to the list it was bound with; a new list per call would
#: leave the loggers used before a second setup_logging (a second app in one
#: process: the test suites) on the old chain, where structlog's
#: capture_logs (which changes the configured list in place) does not reach.
_PROCESSORS: list = []


def setup_logging(level: str = "INFO", fmt: str = "auto", service: str | None = None, *,
                  person_ids: bool = True) -> None:
    """``person_ids``: whether lines may carry the pegawai's NIP and the
    directory's person_id (``KINERJA_LOG_PERSON_IDS``; docs/security.md, "Logs")."""
    global _configured
    configure_subject_logging(person_ids=person_ids)
    if fmt == "auto":
        fmt = "console" if sys.stderr.isatty() else "json"
    shared = [
        structlog.contextvars.merge_contextvars,
        add_route_subject,  # the skp_id (...) of the request's route: context.bind_route_scope
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if service:
        shared.insert(1, _add_service(service))
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    # filter_by_level first (structlog's documented stdlib setup): a call below the logger's level
    # returns before any processor runs, instead of after all of them when the stdlib logger drops it
    _PROCESSORS[:] = [structlog.stdlib.filter_by_level, *shared, structlog.processors.format_exc_info,
                      structlog.stdlib.ProcessorFormatter.wrap_for_formatter]
    structlog.configure(
        processors=_PROCESSORS,
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "faststream", "faststream.access.nats"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    # The one line per request ("http request", web/access.py) and per handled event
    # ("event handled", messaging/consumer.py) are the platform's own, at KINERJA_ACCESS_LOG_LEVEL
    # (INFO), with the route template, status, duration and the ids the request is about;
    # uvicorn's and FastStream's access lines would only repeat them without those.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("faststream.access.nats").setLevel(logging.WARNING)
    logging.getLogger("nats").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    _configured = True


def _add_service(service: str):
    def processor(logger, method, event_dict):
        event_dict.setdefault("service", service)
        return event_dict

    return processor


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
