"""The diff an atasan sees between the returned version and the resubmitted one."""

from __future__ import annotations

from kinerja_approval.domain.diff import diff_documents
from kinerja_devstack.samples import pppk_skp


def test_identical_documents_have_no_diff():
    assert diff_documents(pppk_skp(), pppk_skp()) == []


def test_a_changed_target_is_found_by_rhk_and_iki_id():
    before = pppk_skp()
    after = pppk_skp()
    after["hasil_kerja"][0]["iki"][0]["target"]["nilai"] = "12"
    (change,) = diff_documents(before, after)
    assert change.path == "hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai"
    assert (change.kind, change.before, change.after) == ("changed", "4", "12")


def test_an_inserted_rhk_does_not_shift_the_others():
    before = pppk_skp()
    after = pppk_skp()
    new = dict(after["hasil_kerja"][0], id="rhk-baru")
    after["hasil_kerja"].insert(0, new)
    changes = diff_documents(before, after)
    assert [(c.path, c.kind) for c in changes] == [("hasil_kerja[id=rhk-baru]", "added")]


def test_removed_and_added_keys_and_plain_lists():
    before = {"a": 1, "b": [1, 2, 3], "c": {"x": 1}}
    after = {"a": 1, "b": [1, 5], "d": True}
    got = [(c.path, c.kind, c.before, c.after) for c in diff_documents(before, after)]
    assert got == [
        ("b[1]", "changed", 2, 5),
        ("b[2]", "removed", 3, None),
        ("c", "removed", {"x": 1}, None),
        ("d", "added", None, True),
    ]
