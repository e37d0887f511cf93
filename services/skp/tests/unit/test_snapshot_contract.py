"""skp's document model is the wire snapshot, made strict for input: what skp
stores is exactly what it publishes, and what readers parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kinerja_contracts.skp import SkpSnapshot
from kinerja_devstack.samples import pppk_skp
from kinerja_skp.domain.model import SkpContent
from pydantic import ValidationError

EXAMPLES = sorted((Path(__file__).resolve().parents[4] / "docs" / "examples").glob("*.json"))
SAMPLES = [pppk_skp(), pppk_skp(mulai="2026-01-01", selesai="2026-12-31"),
           *(json.loads(p.read_text()) for p in EXAMPLES)]


@pytest.mark.parametrize("raw", SAMPLES, ids=["pppk", "pppk-2026", *(p.stem for p in EXAMPLES)])
def test_stored_content_is_the_published_snapshot(raw):
    content = SkpContent.model_validate(raw)
    assert isinstance(content, SkpSnapshot)
    stored = content.model_dump(mode="json")  # what skp keeps and sends as the event's snapshot
    assert SkpSnapshot.model_validate(stored).model_dump(mode="json") == stored
    assert SkpContent.model_validate(stored).model_dump(mode="json") == stored


def test_the_same_fields_in_the_same_order():
    def tree(cls) -> dict:
        out = {}
        for name, f in cls.model_fields.items():
            inner = [a for a in getattr(f.annotation, "__args__", ()) or (f.annotation,) if hasattr(a, "model_fields")]
            out[name] = tree(inner[0]) if inner else None
        return out

    assert list(tree(SkpContent)) == list(tree(SkpSnapshot))
    assert json.dumps(tree(SkpContent)) == json.dumps(tree(SkpSnapshot))


def test_input_is_strict_where_the_wire_is_tolerant():
    raw = pppk_skp()
    raw["hasil_kerja"][0]["iki"][0]["target"]["nilia"] = "5"  # a typo deep inside
    with pytest.raises(ValidationError) as err:
        SkpContent.model_validate(raw)
    assert err.value.errors()[0]["loc"] == ("hasil_kerja", 0, "iki", 0, "target", "nilia")
    assert err.value.errors()[0]["type"] == "extra_forbidden"
    assert SkpSnapshot.model_validate(raw).hasil_kerja[0].iki[0].target.nilai is not None
