"""The one SKP diff: hand-written cases of what changed between versions."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from kinerja_contracts.skp import SkpSnapshot
from kinerja_contracts.skp_diff import Change, diff_skp

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "skp-pppk.json"


def doc() -> dict:
    return json.loads(EXAMPLE.read_text())


def diff(before: dict, after: dict) -> list[tuple]:
    changes = diff_skp(SkpSnapshot.model_validate(before), SkpSnapshot.model_validate(after))
    return [(c.path, c.kind, c.before, c.after) for c in changes]


def test_equal_versions_have_no_changes():
    assert diff(doc(), doc()) == []


def test_a_changed_target_is_found_by_rhk_and_iki_id():
    after = doc()
    after["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
    assert diff(doc(), after) == [("hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai", "changed", "4", "12")]


def test_the_change_shape_on_the_wire():
    after = doc()
    after["tempat"] = "Jakarta"
    (change,) = diff_skp(SkpSnapshot.model_validate(doc()), SkpSnapshot.model_validate(after))
    assert isinstance(change, Change)
    assert change.model_dump(mode="json") == {"path": "tempat", "kind": "changed", "before": None, "after": "Jakarta"}


def test_an_inserted_rhk_does_not_shift_the_others_and_comes_last():
    after = doc()
    new = copy.deepcopy(after["hasil_kerja"][1])
    new["id"] = "rhk-baru"
    new["iki"][0]["id"] = "iki-baru"
    after["hasil_kerja"].insert(0, new)
    ((path, kind, before, added),) = diff(doc(), after)
    assert (path, kind, before) == ("hasil_kerja[id=rhk-baru]", "added", None)
    assert added["iki"][0]["id"] == "iki-baru" and added["iki"][0]["polaritas"] == "higher_is_better"


def test_a_removed_rhk_and_a_removed_iki():
    after = doc()
    removed_rhk = after["hasil_kerja"].pop(2)["id"]
    after["hasil_kerja"][0]["iki"] = []
    got = [(p, k) for p, k, _, _ in diff(doc(), after)]
    assert got == [("hasil_kerja[id=rhk-1].iki[id=iki-1]", "removed"), (f"hasil_kerja[id={removed_rhk}]", "removed")]


def test_perilaku_kerja_is_matched_by_its_nilai():
    before = doc()
    before["perilaku_kerja"] = [{"nilai": "Akuntabel"}, {"nilai": "Kompeten"}]
    after = copy.deepcopy(before)
    after["perilaku_kerja"] = [{"nilai": "Kompeten"}, {"nilai": "Akuntabel", "ekspektasi_khusus": "Tepat waktu"}]
    assert diff(before, after) == [("perilaku_kerja[nilai=Akuntabel].ekspektasi_khusus", "changed", None, "Tepat waktu")]


def test_plain_lists_are_compared_by_position():
    before = doc()
    before["lampiran"]["konsekuensi"] = ["a", "b"]
    after = copy.deepcopy(before)
    after["lampiran"]["konsekuensi"] = ["a", "c", "d"]
    after["hasil_kerja"][0]["iki"][0]["target_bulanan"][8] = "2"
    assert diff(before, after) == [
        ("hasil_kerja[id=rhk-1].iki[id=iki-1].target_bulanan[8]", "changed", "1", "2"),
        ("lampiran.konsekuensi[1]", "changed", "b", "c"),
        ("lampiran.konsekuensi[2]", "added", None, "d"),
    ]
    assert diff(after, before)[-1] == ("lampiran.konsekuensi[2]", "removed", "d", None)


def test_a_target_set_where_there_was_none_and_a_list_that_appears():
    before = doc()
    before["hasil_kerja"][1]["iki"][0]["target"] = None
    after = doc()
    after["hasil_kerja"][1]["iki"][0]["target_triwulan"] = [None, None, "100", "100"]
    got = diff(before, after)
    assert [(p, k, b) for p, k, b, _ in got] == [
        ("hasil_kerja[id=rhk-2].iki[id=iki-2].target", "changed", None),
        ("hasil_kerja[id=rhk-2].iki[id=iki-2].target_triwulan", "changed", None),
    ]
    assert got[0][3]["nilai"] == "100" and got[1][3] == [None, None, "100", "100"]


def test_order_is_the_documents_not_the_storages():
    # the same two versions with their keys in another order (as a JSONB column returns them)
    before, after = doc(), doc()
    after["tempat"] = "Jakarta"
    after["periode"]["selesai"] = "2025-11-30"
    after["hasil_kerja"][0]["uraian"] = "baru"
    expected = [
        ("periode.selesai", "changed", "2025-12-31", "2025-11-30"),
        ("tempat", "changed", None, "Jakarta"),
        ("hasil_kerja[id=rhk-1].uraian", "changed", before["hasil_kerja"][0]["uraian"], "baru"),
    ]
    assert diff(before, after) == expected
    shuffled = [dict(sorted(d.items(), reverse=True)) for d in (before, after)]
    assert diff(*shuffled) == expected
