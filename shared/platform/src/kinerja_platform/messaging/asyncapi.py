"""The AsyncAPI document of a service: every event it consumes and every event
it publishes, with the envelope and its typed ``data``.

FastStream writes the document (``faststream.specification.AsyncAPI``) from a
broker that is never connected: the consumers' routers (the very subscribers
the service runs, see :meth:`EventConsumers.routers`) and one FastStream
publisher per event the service publishes. Those publishers only document:
events go out through the outbox relay, never through them.

Which events a service publishes: the ones of its own aggregate, subjects
``kinerja.<service>.*`` (the bus lets a service publish only its own
subjects).

Corrections to what FastStream writes, each a fact of this bus or of the
AsyncAPI specification:

- the correlation id travels in the ``X-Correlation-ID`` header that the
  outbox sets (FastStream points at its own ``correlation_id`` header, which
  our messages do not carry);
- every message has the headers the outbox and relay set (``X-Correlation-ID``,
  ``Kinerja-Event-Type``, ``Nats-Msg-Id`` = event id);
- component names match the specification's pattern (FastStream writes
  ``<channel>:SubscribeMessage``, which its JSON Schema then skips unchecked).
"""

from __future__ import annotations

import copy
import html
import json
import re
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI
from kinerja_contracts.events.envelope import EventPayload
from kinerja_contracts.events.registry import REGISTRY

from ..context import CORRELATION_HEADER
from .consumer import EventConsumers, documented_envelope

#: the AsyncAPI version FastStream writes and the tests validate against
ASYNCAPI_VERSION = "3.0.0"

MESSAGE_HEADERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        CORRELATION_HEADER: {
            "type": "string",
            "description": "Correlation id of the request that started the chain (also the envelope's correlation_id).",
        },
        "Nats-Msg-Id": {
            "type": "string",
            "format": "uuid",
            "description": "The envelope's event_id: JetStream de-duplication.",
        },
        "Kinerja-Event-Type": {"type": "string", "description": "The envelope's event_type."},
        "Kinerja-Skp-Id": {
            "type": "string",
            "format": "uuid",
            "description": "The SKP the event is about (the payload's skp_id), on every event that has one.",
        },
        "traceparent": {
            "type": "string",
            "description": "W3C trace context of the request or handler that wrote the event, when tracing is on "
            "(docs/operations.md, Traces).",
        },
    },
    "required": [CORRELATION_HEADER, "Nats-Msg-Id", "Kinerja-Event-Type"],
}


def published_events(service: str) -> list[type[EventPayload]]:
    """The events ``service`` publishes: those of its own aggregate."""
    prefix = f"kinerja.{service}."
    return [spec.payload for subject, spec in REGISTRY.items() if subject.startswith(prefix)]


def documentation_broker(
    service: str, consumers: EventConsumers | None, *, servers: str = "nats://localhost:4222"
) -> NatsBroker:
    """A broker never connected, holding the service's subscribers and one
    documenting publisher per event it publishes."""
    broker = NatsBroker([_without_credentials(s.strip()) for s in servers.split(",")])
    if consumers is not None:
        for router in consumers.routers():
            broker.include_router(router)
    for payload in published_events(service):
        broker.publisher(
            payload.subject,
            schema=documented_envelope(payload),
            title=payload.subject,
            description=(f"Published through the outbox relay (JetStream, stream KINERJA): "
                         f"{(payload.__doc__ or '').strip()}"),
        )
    return broker


def _without_credentials(url: str) -> str:
    """``nats://user:secret@host:4222`` -> ``nats://host:4222``: the document is public."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, parts.fragment))


def asyncapi_document(
    service: str,
    consumers: EventConsumers | None,
    *,
    title: str,
    version: str,
    description: str = "",
    servers: str = "nats://localhost:4222",
) -> dict[str, Any]:
    """The service's AsyncAPI document, as JSON-able data."""
    broker = documentation_broker(service, consumers, servers=servers)
    spec = AsyncAPI(broker, title=title, version=version, description=description, schema_version=ASYNCAPI_VERSION)
    return _correct(spec.to_specification().to_jsonable())


def _correct(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    components = doc.setdefault("components", {})
    for message in components.get("messages", {}).values():
        message["correlationId"] = {
            "description": "Correlation id, set by the outbox on every event.",
            "location": f"$message.header#/{CORRELATION_HEADER}",
        }
        message["headers"] = MESSAGE_HEADERS
    return _valid_component_names(doc)


#: AsyncAPI 3.0: "All the fixed fields declared above are objects that MUST use
#: keys that match the regular expression" below. FastStream names messages
#: ``<channel>:SubscribeMessage``; the JSON Schema of the spec does not reject
#: that, it just leaves such components unchecked.
COMPONENT_NAME = re.compile(r"^[a-zA-Z0-9.\-_]+$")


def _valid_component_names(doc: dict[str, Any]) -> dict[str, Any]:
    renames: dict[str, str] = {}
    for kind in ("messages", "schemas"):
        section = doc.get("components", {}).get(kind, {})
        for name in list(section):
            if not COMPONENT_NAME.match(name):
                new = re.sub(r"[^a-zA-Z0-9.\-_]", ".", name)
                section[new] = section.pop(name)
                renames[f"#/components/{kind}/{quote(name)}"] = f"#/components/{kind}/{new}"
                renames[f"#/components/{kind}/{name}"] = f"#/components/{kind}/{new}"

    def fix(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref in renames:
                node["$ref"] = renames[ref]
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    fix(doc)
    return doc


def asyncapi_html(doc: dict[str, Any], *, json_url: str = "/asyncapi.json") -> str:
    """A self-contained page (no script, no CDN) listing what the service
    receives and sends, each with its payload schema."""
    messages = doc.get("components", {}).get("messages", {})
    channels = doc.get("channels", {})
    rows = []
    for op_name, op in sorted(doc.get("operations", {}).items(), key=lambda kv: (kv[1]["action"], kv[0])):
        channel = channels.get(op["channel"]["$ref"].rsplit("/", 1)[-1], {})
        for ref in op.get("messages", []):
            channel_msg = channel.get("messages", {}).get(ref["$ref"].rsplit("/", 1)[-1], {})
            message = messages.get(channel_msg.get("$ref", "").rsplit("/", 1)[-1], {})
            payload_ref = message.get("payload", {}).get("$ref", "")
            rows.append(
                f"<section><h2>{'receives' if op['action'] == 'receive' else 'sends'} "
                f"<code>{html.escape(channel.get('address', ''))}</code></h2>"
                f"<p>{html.escape(channel.get('description', '') or op_name)}</p>"
                f"<p>payload: <a href=\"#{html.escape(payload_ref.rsplit('/', 1)[-1])}\">"
                f"{html.escape(payload_ref.rsplit('/', 1)[-1])}</a>; correlation id: "
                f"<code>{html.escape(message.get('correlationId', {}).get('location', ''))}</code></p></section>"
            )
    schemas = [
        f"<section id=\"{html.escape(name)}\"><h3>{html.escape(name)}</h3>"
        f"<pre>{html.escape(json.dumps(schema, indent=2, ensure_ascii=False))}</pre></section>"
        for name, schema in sorted(doc.get("components", {}).get("schemas", {}).items())
    ]
    info = doc.get("info", {})
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(info.get('title', 'AsyncAPI'))}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "pre{background:#f5f5f5;padding:.5rem;overflow:auto}code{background:#f5f5f5}</style></head><body>"
        f"<h1>{html.escape(info.get('title', ''))} <small>{html.escape(info.get('version', ''))}</small></h1>"
        f"<p>AsyncAPI {html.escape(doc.get('asyncapi', ''))}; the document itself: "
        f"<a href=\"{html.escape(json_url)}\">{html.escape(json_url)}</a>.</p>"
        + "".join(rows)
        + "<h2>Schemas</h2>"
        + "".join(schemas)
        + "</body></html>"
    )
