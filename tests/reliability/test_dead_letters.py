"""Malformed and unknown events end in the dead-letter stream; the consumer
keeps going.

For every subject any service subscribes to (its ``consumers.registrations``,
the same list its /asyncapi.json publishes), four bad messages are published
- garbage bytes, JSON of the wrong shape, an envelope naming another
event_type, and one with a schema_version newer than the contracts know -
then one valid event. Every consumer of that subject must put each bad one
on ``kinerja-dlq.<durable>`` (stream KINERJA_DLQ), with the reason in a
header, and then process the valid one (its processed_event row is committed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

import pytest
from kinerja_contracts.events import PersonChanged, SkpResubmitted, SkpSubmitted
from kinerja_contracts.events.envelope import new_envelope
from kinerja_contracts.events.registry import DLQ_PREFIX, DLQ_STREAM
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_platform.messaging.dedup import ProcessedEvent
from kinerja_devstack.testing import eventually
from kinerja_notification.domain import examples
from sqlmodel import select

from .conftest import SERVICES, skp_of

P_DLQ = "198001012005011777"  # a pegawai no other test knows: the valid events touch nobody's data


def valid_payloads() -> dict:
    """One valid payload per subject a service subscribes to."""
    out = {type(p).subject: p for p in examples.samples(skp_id=uuid.uuid4()).values()}
    content = skp_of(P_DLQ, "197806102005011002", mulai="2029-01-01", selesai="2029-12-31")
    for cls, version in ((SkpSubmitted, 1), (SkpResubmitted, 2)):
        out[cls.subject] = cls(
            skp_id=uuid.uuid4(), version=version,
            content_hash=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
            periode=content["periode"], jenis_pegawai=content["jenis_pegawai"], pegawai=content["pegawai"],
            penilai=content["penilai"], atasan_pejabat_penilai=content["atasan_pejabat_penilai"],
            unit_kerja=content["pegawai"]["unit_kerja"], instansi=content["pegawai"]["instansi"], snapshot=content,
        )
    record = DirectoryRecord(person_id=P_DLQ, nip=P_DLQ, nama="Pegawai DLQ", instansi="Instansi DLQ",
                             berlaku_mulai=dt.date(2029, 1, 1))
    out[PersonChanged.subject] = PersonChanged(person_id=P_DLQ, version=1, perubahan="baru", record=record,
                                               riwayat=[record])
    return out


def subscriptions(system) -> dict[str, list[tuple[str, str]]]:
    """subject -> [(service, durable)] over the running apps (the directory itself consumes nothing)."""
    subs: dict[str, list[tuple[str, str]]] = {}
    for svc in SERVICES:
        consumers = system.apps[svc].state.consumers
        for reg in consumers.registrations if consumers is not None else ():
            subs.setdefault(reg.spec.filter_subject, []).append((svc, reg.spec.durable))
    return subs


def test_every_subscription_has_a_valid_sample(system):
    assert set(subscriptions(system)) <= set(valid_payloads())


async def _dlq_counts(js) -> dict[str, int]:
    info = await js.stream_info(DLQ_STREAM, subjects_filter=f"{DLQ_PREFIX}.>")
    return dict(info.state.subjects or {})


def _subjects():
    # static list so that every subject is its own test; checked against the apps
    # (test_the_static_list_is_what_the_apps_subscribe)
    from kinerja_approval.entrypoints.consumers import EVENTS as a
    from kinerja_evaluation.entrypoints.consumers import EVENTS as e
    from kinerja_notification.entrypoints.consumers import EVENTS as n
    from kinerja_skp.entrypoints.consumers import EVENTS as s

    return sorted({event.subject for events in (s, a, e, n) for event in events})


def test_the_static_list_is_what_the_apps_subscribe(system):
    assert _subjects() == sorted(subscriptions(system))


@pytest.mark.parametrize("subject", _subjects())
async def test_bad_events_are_dead_lettered_and_the_consumer_keeps_going(system, subject):
    js = system.apps["skp"].state.runtime.js
    consumers = subscriptions(system)[subject]
    payload = valid_payloads()[subject]
    good = json.loads(new_envelope(payload, correlation_id="dlq-test").model_dump_json())
    bad = {
        "garbage": b"\x00\xff\xfe not json at all {",
        "wrong-shape": json.dumps({"hello": "world", "data": [1, 2, 3]}).encode(),
        "unknown-event-type": json.dumps({**good, "event_id": str(uuid.uuid4()), "event_type": "kinerja.bogus.event"}).encode(),
        "unknown-schema": json.dumps({**good, "event_id": str(uuid.uuid4()), "schema_version": 99}).encode(),
    }
    before = await _dlq_counts(js)
    for name, body in bad.items():
        await js.publish(subject, body, headers={"Nats-Msg-Id": f"dlq-test-{name}-{uuid.uuid4()}"})
    await js.publish(subject, json.dumps(good).encode(), headers={"Nats-Msg-Id": good["event_id"]})

    async def dead_lettered():
        now = await _dlq_counts(js)
        return all(now.get(f"{DLQ_PREFIX}.{d}", 0) - before.get(f"{DLQ_PREFIX}.{d}", 0) >= len(bad) for _, d in consumers)

    await eventually(dead_lettered, timeout=30)
    now = await _dlq_counts(js)
    for _, durable in consumers:  # exactly the bad ones: the valid one is not there
        assert now[f"{DLQ_PREFIX}.{durable}"] - before.get(f"{DLQ_PREFIX}.{durable}", 0) == len(bad), durable
        last = await js.get_last_msg(DLQ_STREAM, f"{DLQ_PREFIX}.{durable}")
        assert last.headers["Kinerja-Dlq-Subject"] == subject
        assert last.headers["Kinerja-Dlq-Reason"].startswith("unparseable")

    event_id = uuid.UUID(good["event_id"])
    for svc, durable in consumers:
        rt = system.apps[svc].state.runtime

        async def processed(rt=rt, durable=durable):
            async with rt.uow() as session:
                rows = (await session.exec(select(ProcessedEvent).where(
                    ProcessedEvent.consumer == durable, ProcessedEvent.event_id == event_id))).all()
            return len(rows) == 1

        await eventually(processed, timeout=30)
