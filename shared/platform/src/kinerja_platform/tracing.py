"""OpenTelemetry traces, off unless an OTLP endpoint is set
(``KINERJA_OTEL_EXPORTER_OTLP_ENDPOINT`` or the standard
``OTEL_EXPORTER_OTLP_ENDPOINT``; docs/operations.md, "Traces").

When on, one trace follows a user action across services:

- HTTP: FastAPI's own telemetry (``FastAPI(telemetry=...)``) makes a server
  span per request, continuing the caller's ``traceparent`` header;
- events: the outbox writes the current trace context (W3C ``traceparent``)
  into each event's headers (:func:`inject`), and a consumer handles each
  event inside a consumer span whose parent comes from those headers
  (:meth:`Tracing.consumer_span`), so the events it emits carry the same trace.

Spans go to the collector over OTLP/HTTP in batches (the SDK's
``BatchSpanProcessor``); each service is ``service.name = kinerja-<service>``.
Off, nothing is created and nothing is exported.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from opentelemetry import propagate
from opentelemetry.trace import SpanKind, Tracer

_OFF: AbstractContextManager[Any] = nullcontext()


class Tracing:
    """The tracer of one service (or none: tracing is off)."""

    def __init__(self, provider: Any | None = None, service: str = ""):
        self.provider = provider
        self.service = service
        self.tracer: Tracer | None = provider.get_tracer("kinerja_platform") if provider is not None else None

    @classmethod
    def off(cls) -> Tracing:
        return cls()

    @classmethod
    def from_endpoint(cls, service: str, endpoint: str | None, *, exporter: Any | None = None) -> Tracing:
        """Tracing to the OTLP/HTTP collector at ``endpoint`` (its base URL,
        like ``OTEL_EXPORTER_OTLP_ENDPOINT``; ``/v1/traces`` is added), or
        off when there is none. ``exporter`` replaces the OTLP exporter (tests)."""
        if not endpoint and exporter is None:
            return cls.off()
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": f"kinerja-{service}"}))
        if exporter is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            assert endpoint is not None
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(endpoint))))
        else:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        return cls(provider, service)

    @property
    def enabled(self) -> bool:
        return self.tracer is not None

    def fastapi_telemetry(self) -> dict[str, Any]:
        """The ``FastAPI(telemetry=...)`` configuration: server spans with this
        service's provider when on; nothing at all when off (metrics are
        Prometheus's, kinerja_platform.metrics)."""
        if self.provider is None:
            return {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
        return {"tracer_provider": self.provider, "tracing": True, "metrics": False, "logs": False,
                "operation_spans": False}

    def consumer_span(self, event_type: str, headers: Any, consumer: str) -> AbstractContextManager[Any]:
        """A consumer span around one handled event, child of the trace in its headers."""
        if self.tracer is None:
            return _OFF
        parent = propagate.extract(dict(headers or {}))
        return self.tracer.start_as_current_span(
            f"handle {event_type}", context=parent, kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "nats", "messaging.consumer.group.name": consumer,
                        "kinerja.event_type": event_type},
        )

    def shutdown(self) -> None:
        """Export what is buffered and stop (at the service's stop)."""
        if self.provider is not None:
            self.provider.shutdown()


def traces_url(endpoint: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else endpoint + "/v1/traces"


def inject(headers: dict[str, str]) -> None:
    """Write the current trace context (``traceparent``, when a span is
    current) into an event's headers; nothing when tracing is off."""
    propagate.inject(headers)
