"""Every service serves a valid AsyncAPI document at /asyncapi.json (and a
self-contained page at /asyncapi): each event it consumes and each it
publishes, with the envelope and its typed data, the correlation id in the
header the outbox really sets."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import jsonschema
import pytest
from kinerja_contracts.events.registry import REGISTRY
from kinerja_devstack.testing import running
from kinerja_platform.context import CORRELATION_HEADER
from kinerja_platform.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "shared/platform/tests/data/asyncapi-3.0.0.schema.json").read_text())
SERVICES = ["skp", "approval", "evaluation", "notification"]


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


@pytest.mark.parametrize("service", SERVICES)
async def test_the_service_serves_a_valid_and_complete_asyncapi_document(service, new_database, nats_server):
    main = importlib.import_module(f"kinerja_{service}.main")
    settings = importlib.import_module(f"kinerja_{service}.settings").Settings(
        database_url=new_database(f"aa_{service}"), common=CommonSettings(nats_url=nats_server.url)
    )
    app = main.create_app(settings)
    async with running(app) as client:  # the consumers are made from the service's container at start
        r = await client.get("/asyncapi.json")
        page = await client.get("/asyncapi")
        consumed = {reg.spec.filter_subject for reg in app.state.consumers.registrations}
    assert r.status_code == 200 and page.status_code == 200
    doc = r.json()
    jsonschema.Draft7Validator(SCHEMA).validate(doc)

    channels, messages, schemas = doc["channels"], doc["components"]["messages"], doc["components"]["schemas"]
    by_action: dict[str, set[str]] = {"receive": set(), "send": set()}
    for op in doc["operations"].values():
        channel = channels[ref_name(op["channel"]["$ref"])]
        by_action[op["action"]].add(channel["address"])
        for m in op["messages"]:
            message = messages[ref_name(channel["messages"][ref_name(m["$ref"])]["$ref"])]
            assert message["correlationId"]["location"] == f"$message.header#/{CORRELATION_HEADER}"
            envelope = schemas[ref_name(message["payload"]["$ref"])]
            payload = REGISTRY[channel["address"]].payload
            assert envelope["properties"]["data"] == {"$ref": f"#/components/schemas/{payload.__name__}"}
            assert schemas[payload.__name__]["properties"], payload  # typed, not {"type": "null"}

    assert by_action["receive"] == consumed
    assert by_action["send"] == {s for s in REGISTRY if s.startswith(f"kinerja.{service}.")}
    assert consumed or by_action["send"]
    for kind in ("messages", "schemas"):
        assert all(re.fullmatch(r"[a-zA-Z0-9.\-_]+", k) for k in doc["components"][kind])

    assert page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text and not re.search(r"""(src|href)=["']?(https?:)?//""", page.text)
    for subject in consumed:
        assert subject in page.text
