"""The typed SKP snapshot: the documents we publish parse into it, it
round-trips without changing the JSON, and readers tolerate what they do
not know."""

from __future__ import annotations

import copy
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from kinerja_contracts.events import ApprovalApproved, SkpSubmitted, new_envelope, parse_envelope
from kinerja_contracts.skp import NilaiBerakhlak, Polaritas, SkpSnapshot, Triwulan
from pydantic import ValidationError

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "docs" / "examples").glob("*.json"))


def example(name: str) -> dict:
    return json.loads((EXAMPLES[0].parent / name).read_text())


def test_there_are_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_parses_and_round_trips(path: Path):
    raw = json.loads(path.read_text())
    snap = SkpSnapshot.model_validate(raw)
    assert snap.pegawai.nip == raw["pegawai"]["nip"] and snap.penilai.nip == raw["penilai"]["nip"]
    assert [r.id for r in snap.hasil_kerja] == [r["id"] for r in raw["hasil_kerja"]]
    assert sum(len(r.iki) for r in snap.hasil_kerja) == sum(len(r["iki"]) for r in raw["hasil_kerja"])
    once = snap.model_dump(mode="json")
    # what a producer sends, a reader reads back unchanged (the wire JSON is stable)
    assert SkpSnapshot.model_validate(once).model_dump(mode="json") == once
    assert json.loads(SkpSnapshot.model_validate_json(json.dumps(once)).model_dump_json()) == once
    # every value the example states survives (defaults may be added, nothing is lost or altered)
    assert _subset(raw, once)


def _subset(given, full) -> bool:
    if isinstance(given, dict):
        return isinstance(full, dict) and all(k in full and _subset(v, full[k]) for k, v in given.items())
    if isinstance(given, list):
        return isinstance(full, list) and len(given) == len(full) and all(map(_subset, given, full))
    return given == full or (isinstance(given, int | float) and str(given) == full)


def test_typed_content_of_the_pppk_paruh_waktu_example():
    snap = SkpSnapshot.model_validate(example("skp-pppk-paruh-waktu-2026.json"))
    iki = snap.hasil_kerja[0].iki[0]
    assert isinstance(iki.target.nilai, Decimal) and iki.polaritas is Polaritas.higher_is_better
    assert all(isinstance(p.nilai, NilaiBerakhlak) for p in snap.perilaku_kerja)


def test_numbers_travel_as_decimal_strings():
    raw = example("skp-pppk.json")
    raw["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12.50"
    dumped = SkpSnapshot.model_validate(raw).model_dump(mode="json")
    assert dumped["hasil_kerja"][0]["iki"][0]["target"]["nilai"] == "12.50"


def test_a_reader_ignores_fields_it_does_not_know_at_every_level():
    raw = example("skp-pppk.json")
    raw["versi_format"] = 7
    raw["hasil_kerja"][0]["bobot"] = 30
    raw["hasil_kerja"][0]["iki"][0]["sumber_data"] = "e-Kinerja"
    raw["hasil_kerja"][0]["iki"][0]["target"]["toleransi"] = "5"
    raw["pegawai"]["golongan_ruang"] = "IX"
    snap = SkpSnapshot.model_validate(raw)
    dumped = snap.model_dump(mode="json")
    assert "versi_format" not in dumped and "bobot" not in dumped["hasil_kerja"][0]
    assert dumped == SkpSnapshot.model_validate(example("skp-pppk.json")).model_dump(mode="json")


def test_a_wrong_value_is_refused_with_its_path():
    raw = example("skp-pppk.json")
    raw["hasil_kerja"][0]["iki"][0]["polaritas"] = "sideways"
    with pytest.raises(ValidationError) as err:
        SkpSnapshot.model_validate(raw)
    assert err.value.errors()[0]["loc"] == ("hasil_kerja", 0, "iki", 0, "polaritas")


def test_rencana_aksi_quarters_are_typed():
    raw = example("skp-pppk.json")
    raw["hasil_kerja"][0]["iki"][0]["rencana_aksi"] = [{"uraian": "x", "output": [{"uraian": "y", "triwulan": "III"}]}]
    snap = SkpSnapshot.model_validate(raw)
    assert snap.hasil_kerja[0].iki[0].rencana_aksi[0].output[0].triwulan is Triwulan.III


def _submitted(snapshot) -> SkpSubmitted:
    s = SkpSnapshot.model_validate(example("skp-pppk.json"))
    return SkpSubmitted(skp_id=uuid.uuid4(), version=2, content_hash="h", periode=s.periode, jenis_pegawai=s.jenis_pegawai,
                        pegawai=s.pegawai, penilai=s.penilai, snapshot=snapshot)


def test_events_carry_the_snapshot_typed_and_the_json_unchanged():
    canonical = SkpSnapshot.model_validate(example("skp-pppk.json")).model_dump(mode="json")
    env = new_envelope(_submitted(copy.deepcopy(canonical)), correlation_id="c")
    assert isinstance(env.data.snapshot, SkpSnapshot)
    wire = json.loads(env.model_dump_json())
    assert wire["data"]["snapshot"] == canonical  # the same JSON as when the field was an untyped dict
    back = parse_envelope("kinerja.skp.submitted", env.model_dump_json().encode())
    assert back.data.snapshot == env.data.snapshot


def test_an_event_without_a_snapshot_and_the_old_empty_one():
    assert _submitted(None).snapshot is None
    assert _submitted({}).snapshot is None  # what a missing snapshot looked like before it was typed
    approved = ApprovalApproved.model_validate({
        "skp_id": str(uuid.uuid4()), "version": 1, "content_hash": "h", "status": "Approved", "sequence": 2,
        "pegawai": {"nip": "199503152025212001", "nama": "A"}, "penilai": {"nip": "197806102005011002", "nama": "B"},
        "decided_by": "197806102005011002", "snapshot": example("skp-pppk.json")})
    assert isinstance(approved.snapshot, SkpSnapshot) and approved.snapshot.hasil_kerja


def test_a_snapshot_written_before_the_rename_is_read():
    raw = example("skp-pppk.json")
    atasan = raw.pop("atasan_pejabat_penilai")
    old = {**raw, "atasan_penilai": atasan}  # schema_version 1 and SKPs stored before issue 13
    snap = SkpSnapshot.model_validate(old)
    assert snap.atasan_pejabat_penilai is not None and snap.atasan_pejabat_penilai.nip == atasan["nip"]
    dumped = snap.model_dump(mode="json")
    assert "atasan_penilai" not in dumped and dumped["atasan_pejabat_penilai"]["nip"] == atasan["nip"]
