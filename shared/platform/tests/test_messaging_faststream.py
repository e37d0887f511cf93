"""The consumers on FastStream, in memory (``TestNatsBroker``, the configured
database), and the AsyncAPI document they make.

``TestNatsBroker`` runs FastStream's own pipeline (parser, decoder,
validation of ``list[<Event>Envelope]``, our middleware) without a server; it
emulates no redelivery, max_deliver or de-duplication: those are tested
against a real nats-server in test_messaging_integration.py."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from faststream.nats import JStream, NatsBroker, TestNatsBroker
from faststream.nats.annotations import NatsMessage
from kinerja_contracts.events import SkpDeadlineApproaching, new_envelope
from kinerja_contracts.events.registry import DLQ_STREAM, STREAM
from kinerja_platform.context import CORRELATION_HEADER, get_correlation_id
from kinerja_platform.db import UnitOfWork, create_engine, session_factory
from kinerja_platform.messaging import ProcessedEvent
from kinerja_platform.messaging.asyncapi import asyncapi_document, asyncapi_html, published_events
from kinerja_platform.messaging.consumer import EventConsumers, PermanentError, _Batcher
from sqlmodel import Field, SQLModel, select

SCHEMA = json.loads((Path(__file__).parent / "data" / "asyncapi-3.0.0.schema.json").read_text())


class MemEffect(SQLModel, table=True):
    """A test effect: one row per handled event."""

    __tablename__ = "mem_effect"
    id: int | None = Field(default=None, primary_key=True)
    event_id: uuid.UUID
    correlation_id: str


def payload(n: int = 0) -> SkpDeadlineApproaching:
    return SkpDeadlineApproaching(
        pegawai={"nip": "199503152025212001", "nama": f"Pegawai {n}"},
        periode={"mulai": "2026-01-01", "selesai": "2026-12-31"},
        deadline="2026-01-31",
        days_left=n,
    )


@pytest.fixture
async def db(new_database):
    engine = create_engine(new_database("mem"))
    async with engine.begin() as conn:
        await conn.run_sync(
            lambda c: SQLModel.metadata.create_all(c, tables=[ProcessedEvent.__table__, MemEffect.__table__])
        )
    yield engine
    await engine.dispose()


async def effects(db) -> list[uuid.UUID]:
    async with db.connect() as conn:
        return [r.event_id for r in (await conn.execute(select(MemEffect.event_id))).all()]


def kit(db, behaviour=None) -> tuple[EventConsumers, NatsBroker, list]:
    """Consumers with one handler on SkpDeadlineApproaching, attached to a
    broker that also listens to the dead-letter subjects."""
    consumers = EventConsumers("mem", UnitOfWork(session_factory(db)))

    @consumers.on(SkpDeadlineApproaching)
    async def handle(session, env):
        """Record the event."""
        if behaviour:
            behaviour(env)
        session.add(MemEffect(event_id=env.event_id, correlation_id=get_correlation_id()))

    broker = NatsBroker()
    consumers.attach(broker)
    dead: list = []

    @broker.subscriber("kinerja-dlq.>", stream=JStream(DLQ_STREAM, declare=False))
    async def dead_letter(msg: NatsMessage) -> None:
        dead.append((msg.raw_message.subject, msg.body, dict(msg.headers)))

    return consumers, broker, dead


async def test_a_handler_runs_and_its_effect_commits(db):
    consumers, broker, dead = kit(db)
    env = new_envelope(payload(1), correlation_id="corr-mem")
    async with TestNatsBroker(broker) as br:
        await br.publish(env.model_dump_json().encode(), SkpDeadlineApproaching.subject, stream=STREAM,
                         headers={CORRELATION_HEADER: "corr-mem"})
    assert await effects(db) == [env.event_id]
    async with db.connect() as conn:
        assert (await conn.execute(select(MemEffect.correlation_id))).scalar_one() == "corr-mem"
        assert (await conn.execute(select(ProcessedEvent.consumer))).scalar_one() == "mem--skp-deadline_approaching"
    assert (consumers.processed, consumers.duplicates, consumers.dead_lettered) == (1, 0, 0)
    assert dead == []


async def test_a_duplicate_event_id_is_skipped(db):
    consumers, broker, _ = kit(db)
    env = new_envelope(payload(2), correlation_id="c")
    async with TestNatsBroker(broker) as br:
        for _ in range(2):
            await br.publish(env.model_dump_json().encode(), SkpDeadlineApproaching.subject, stream=STREAM)
    assert await effects(db) == [env.event_id]
    assert (consumers.processed, consumers.duplicates) == (1, 1)


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b'{"event_id": "not a uuid"}',
        # a valid envelope, of another event, on this subject
        new_envelope(payload(3), correlation_id="c").model_dump_json()
        .replace(f'"{SkpDeadlineApproaching.event_type}"', '"skp.other"').encode(),
    ],
    ids=["not-json", "not-an-envelope", "another-event-type"],
)
async def test_an_unparseable_message_is_dead_lettered_and_the_consumer_goes_on(db, body):
    consumers, broker, dead = kit(db)
    good = new_envelope(payload(4), correlation_id="c")
    async with TestNatsBroker(broker) as br:
        await br.publish(body, SkpDeadlineApproaching.subject, stream=STREAM, headers={"Nats-Msg-Id": "m1"})
        await br.publish(good.model_dump_json().encode(), SkpDeadlineApproaching.subject, stream=STREAM)
    assert consumers.dead_lettered == 1 and consumers.processed == 1
    assert await effects(db) == [good.event_id]
    [(subject, dead_body, headers)] = dead
    assert subject == "kinerja-dlq.mem--skp-deadline_approaching"
    assert dead_body == body
    assert headers["Kinerja-Dlq-Reason"].startswith("unparseable")
    assert headers["Kinerja-Dlq-Subject"] == SkpDeadlineApproaching.subject
    assert headers["Nats-Msg-Id"] == "dlq:mem--skp-deadline_approaching:m1"


async def test_a_permanent_error_is_dead_lettered_at_once_and_nothing_of_it_commits(db):
    def refuse(env):
        raise PermanentError("never")

    consumers, broker, dead = kit(db, refuse)
    env = new_envelope(payload(5), correlation_id="c")
    async with TestNatsBroker(broker) as br:
        await br.publish(env.model_dump_json().encode(), SkpDeadlineApproaching.subject, stream=STREAM)
    assert consumers.dead_lettered == 1 and consumers.processed == 0
    assert await effects(db) == []
    assert dead[0][2]["Kinerja-Dlq-Reason"] == "refused: never"


# -- the AsyncAPI document ---------------------------------------------------------


def document(consumers: EventConsumers, service: str = "skp") -> dict:
    return asyncapi_document(service, consumers, title="Kinerja test", version="1.0.0", description="test",
                             servers="nats://user:secret@nats.example:4222")


def test_the_document_is_valid_asyncapi_with_typed_payloads_and_a_real_correlation_header(db):
    consumers, _, _ = kit(db)
    doc = document(consumers)
    jsonschema.Draft7Validator(SCHEMA).validate(doc)
    assert doc["asyncapi"] == "3.0.0"
    schemas = doc["components"]["schemas"]
    # what the consumer receives: one envelope per message, with its typed data
    received = doc["channels"]["mem--skp-deadline_approaching"]
    assert received["address"] == SkpDeadlineApproaching.subject
    [msg_ref] = received["messages"].values()
    message = doc["components"]["messages"][msg_ref["$ref"].rsplit("/", 1)[-1]]
    assert message["payload"] == {"$ref": "#/components/schemas/SkpDeadlineApproachingEnvelope"}
    envelope = schemas["SkpDeadlineApproachingEnvelope"]
    assert envelope["properties"]["data"] == {"$ref": "#/components/schemas/SkpDeadlineApproaching"}
    assert {"event_id", "event_type", "correlation_id", "data"} <= set(envelope["required"])
    assert "days_left" in schemas["SkpDeadlineApproaching"]["properties"]
    # every message's correlation id is the header the outbox sets
    for m in doc["components"]["messages"].values():
        assert m["correlationId"]["location"] == f"$message.header#/{CORRELATION_HEADER}"
        assert CORRELATION_HEADER in m["headers"]["properties"]
    # no "null" payloads left, no array view of a batch
    assert all(s.get("type") not in ("null", "array") for s in schemas.values())
    # every event skp publishes, as a "send" operation with its envelope
    sent = {doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[-1]]["address"]
            for op in doc["operations"].values() if op["action"] == "send"}
    assert sent == {e.subject for e in published_events("skp")} and len(sent) >= 3
    for e in published_events("skp"):
        assert f"{e.__name__}Envelope" in schemas
    # component names as AsyncAPI requires them (its JSON Schema would skip
    # the others unchecked), and every $ref resolves
    for kind in ("messages", "schemas"):
        assert all(re.fullmatch(r"[a-zA-Z0-9.\-_]+", k) for k in doc["components"][kind]), kind
    for ref in re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(doc)):
        node = doc
        for part in ref.split("/"):
            node = node[unquote(part)]
    # the document is public: no credentials of the NATS URL
    assert "secret" not in json.dumps(doc)


def test_the_schema_check_catches_a_broken_document(db):
    consumers, _, _ = kit(db)
    doc = document(consumers)
    message = next(iter(doc["components"]["messages"].values()))
    message["correlationId"]["location"] = "X-Correlation-ID"  # not a runtime expression
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(doc)


def test_the_page_is_self_contained(db):
    consumers, _, _ = kit(db)
    page = asyncapi_html(document(consumers))
    assert "kinerja.skp.deadline_approaching" in page and "SkpDeadlineApproachingEnvelope" in page
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


# -- the batcher: the messages of one fetch in one transaction ----------------------


class FakeConsumers:
    batch_size = 32

    def __init__(self, fail: BaseException | None = None):
        self.batches: list[list] = []
        self.fail = fail

    async def process_batch(self, reg, raws, envelopes):
        self.batches.append(list(raws))
        await asyncio.sleep(0.01)
        if self.fail:
            raise self.fail
        return [f"done {r}" for r in raws]


async def test_messages_started_together_go_in_one_batch_and_later_ones_in_the_next():
    fake = FakeConsumers()
    batcher = _Batcher(fake, None)  # type: ignore[arg-type]

    async def later():
        await asyncio.sleep(0.005)  # arrives while the first batch runs
        return await batcher.submit("d", None)

    results = await asyncio.gather(*(batcher.submit(r, None) for r in "abc"), later())
    assert results == ["done a", "done b", "done c", "done d"]
    assert fake.batches == [["a", "b", "c"], ["d"]]
    assert not batcher.draining and batcher.pending == []


async def test_a_failed_batch_fails_each_of_its_messages_and_the_batcher_recovers():
    fake = FakeConsumers(fail=RuntimeError("NATS away"))
    batcher = _Batcher(fake, None)  # type: ignore[arg-type]
    results = await asyncio.gather(*(batcher.submit(r, None) for r in "ab"), return_exceptions=True)
    assert [repr(r) for r in results] == [repr(RuntimeError("NATS away"))] * 2  # unacked: redelivered
    fake.fail = None
    assert await batcher.submit("c", None) == "done c"
