"""Contract tests: every event round-trips, readers tolerate unknown fields,
the published JSON Schemas are current."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from kinerja_contracts.events import REGISTRY, Envelope, new_envelope, parse_envelope
from kinerja_contracts.events.catalogue import catalogue_markdown, schemas
from kinerja_contracts.events.registry import UnknownEvent
from kinerja_contracts.values import Actor
from pydantic import ValidationError

DOCS = Path(__file__).resolve().parents[3] / "docs"

PERSON = {"nip": "199503152025212001", "nama": "Siti Rahmawati", "email": "siti@example.go.id"}
OTHER = {"nip": "197806102005011002", "nama": "Budi Santoso", "email": "budi@example.go.id"}


# values chosen by the field's name, before and after the checks by type
_BY_NAME = {"pegawai": PERSON, "recipient": PERSON, "atasan_pejabat_penilai": PERSON, "penilai": OTHER,
            "previous_penilai": OTHER, "periode": {"mulai": "2026-01-01", "selesai": "2026-12-31"}}
_BY_NAME_THEN = {"status": "Pending", "kind": "monthly", "level": "penilai", "decision": "upheld",
                 "jenis_pegawai": "PPPK_PARUH_WAKTU"}
_BY_TYPE_WORD = (("int", lambda: 3), ("float", lambda: 97.5), ("list", list), ("dict", lambda: {"any": "thing"}))


def sample_value(name: str, field) -> object:
    """A plausible value for a required field, from its name and type."""
    ann = str(field.annotation)
    if name in _BY_NAME:
        return _BY_NAME[name]
    if "UUID" in ann:
        return str(uuid.uuid4())
    if field.annotation is dt.datetime:
        return "2026-02-01T03:00:00Z"
    if field.annotation is dt.date:
        return "2026-02-05"
    if name in _BY_NAME_THEN:
        return _BY_NAME_THEN[name]
    for word, make in _BY_TYPE_WORD:
        if word in ann:
            return make()
    return f"{name}-text"


def sample_payload(cls) -> dict:
    return {name: sample_value(name, f) for name, f in cls.model_fields.items() if f.is_required()}


@pytest.mark.parametrize("subject", sorted(REGISTRY))
def test_every_event_round_trips(subject):
    spec = REGISTRY[subject]
    payload = spec.payload.model_validate(sample_payload(spec.payload))
    env = new_envelope(payload, correlation_id="corr-1", causation_id="cause-1", actor=Actor(sub="x", role="admin"))
    wire = env.model_dump_json()
    back = parse_envelope(subject, wire)
    assert back.event_id == env.event_id
    assert back.event_type == spec.event_type and back.schema_version == spec.schema_version
    assert back.data == payload
    assert back.model_dump() == env.model_dump()


@pytest.mark.parametrize("subject", sorted(REGISTRY))
def test_readers_ignore_fields_they_do_not_know(subject):
    spec = REGISTRY[subject]
    env = json.loads(new_envelope(spec.payload.model_validate(sample_payload(spec.payload)), correlation_id="c").model_dump_json())
    env["added_in_a_later_version"] = {"nested": True}
    env["data"]["new_optional_field"] = 42
    parsed = parse_envelope(subject, json.dumps(env))
    assert not hasattr(parsed.data, "new_optional_field")


def test_unknown_subject_and_broken_payload_are_refused():
    with pytest.raises(UnknownEvent):
        parse_envelope("kinerja.nothing.here", b"{}")
    with pytest.raises(ValidationError):
        parse_envelope("kinerja.skp.submitted", b'{"event_id": "not-a-uuid"}')
    with pytest.raises(ValidationError):
        parse_envelope("kinerja.skp.submitted", b"not json at all")


def test_subjects_follow_the_naming_rule():
    for subject, spec in REGISTRY.items():
        parts = subject.split(".")
        assert parts[0] == "kinerja" and len(parts) in (3, 4), subject
        assert spec.event_type == ".".join(parts[1:3])
        if len(parts) == 4:  # a breaking change lives on a versioned subject
            assert parts[3] == f"v{spec.schema_version}"
        else:  # version 1, or a rename read with the old name (RENAMED_IN_V2)
            assert spec.schema_version == 1 or subject in RENAMED_IN_V2, subject


#: subject -> (old name, new name): the version-2 renames of issue 13
RENAMED_IN_V2 = {
    "kinerja.skp.submitted": ("atasan_penilai", "atasan_pejabat_penilai"),
    "kinerja.skp.resubmitted": ("atasan_penilai", "atasan_pejabat_penilai"),
    "kinerja.approval.approved": ("atasan_penilai", "atasan_pejabat_penilai"),
    "kinerja.evaluation.keberatan_filed": ("atasan_penilai", "atasan_pejabat_penilai"),
    "kinerja.approval.returned": ("note", "catatan_perbaikan"),
}


@pytest.mark.parametrize("subject", sorted(RENAMED_IN_V2))
def test_a_version_1_event_with_the_old_field_name_is_still_read(subject):
    """Events written before the rename are still in the stream: the reader
    takes the old name for one release; the writer sends only the new one."""
    spec = REGISTRY[subject]
    old, new = RENAMED_IN_V2[subject]
    assert spec.schema_version == 2
    data = sample_payload(spec.payload)
    data[new] = PERSON if new == "atasan_pejabat_penilai" else "Target IKI rhk-1 harus 12 laporan."
    env = json.loads(new_envelope(spec.payload.model_validate(data), correlation_id="c").model_dump_json())
    assert new in env["data"] and old not in env["data"]
    env["schema_version"] = 1
    env["data"][old] = env["data"].pop(new)
    parsed = parse_envelope(subject, json.dumps(env))
    assert getattr(parsed.data, new) == spec.payload.model_validate(data).__dict__[new]


def test_envelope_carries_design_fields():
    fields = set(Envelope.model_fields)
    assert {"event_id", "event_type", "schema_version", "occurred_at", "correlation_id", "causation_id", "actor", "data"} <= fields


def test_published_schemas_are_current():
    """docs/events/ is generated (make schemas); it must match the code."""
    for subject, schema in schemas().items():
        path = DOCS / "events" / f"{subject}.json"
        assert path.exists(), f"{path} missing: run `make schemas`"
        assert json.loads(path.read_text()) == json.loads(json.dumps(schema)), f"{path} is stale: run `make schemas`"
    assert (DOCS / "events.md").read_text() == catalogue_markdown()


def test_occurred_at_is_utc():
    spec = REGISTRY["kinerja.skp.deadline_approaching"]
    env = new_envelope(spec.payload.model_validate(sample_payload(spec.payload)), correlation_id="c")
    assert env.occurred_at.tzinfo is not None and env.occurred_at.utcoffset() == dt.timedelta(0)


def test_tolerant_reader_rule_is_the_default_of_wire_models():
    from kinerja_contracts.values import WireModel

    class V1(WireModel):
        a: int

    assert V1.model_validate({"a": 1, "b": 2}).a == 1


def test_an_envelope_of_another_event_or_a_newer_schema_is_refused():
    """A message on a subject must be that subject's event, in a schema this
    code knows: otherwise it is dead-lettered, never handled by guess."""
    spec = REGISTRY["kinerja.skp.submitted"]
    env = json.loads(new_envelope(spec.payload.model_validate(sample_payload(spec.payload)), correlation_id="c").model_dump_json())
    with pytest.raises(UnknownEvent):
        parse_envelope(spec.subject, json.dumps({**env, "event_type": "kinerja.approval.approved"}))
    with pytest.raises(UnknownEvent):
        parse_envelope(spec.subject, json.dumps({**env, "schema_version": spec.schema_version + 1}))
    assert parse_envelope(spec.subject, json.dumps(env)).event_type == spec.event_type


def test_the_parametrised_envelope_class_is_built_once_per_payload():
    from kinerja_contracts.events.envelope import envelope_class

    spec = next(iter(REGISTRY.values()))
    cls = envelope_class(spec.payload)
    assert envelope_class(spec.payload) is cls  # cached: no pydantic subscript per message
    assert cls.model_fields["data"].annotation is spec.payload
    assert cls is Envelope[spec.payload]  # the same class pydantic gives, so isinstance checks agree
