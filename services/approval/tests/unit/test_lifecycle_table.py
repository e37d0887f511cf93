"""The shared SKP state machine, exhaustively: every state x every action x
every role (and no role, as used when replaying trusted events).

The expected table is written out here from docs/approval.md (The state machine), not
derived from ``TRANSITIONS``, so a change to the contract fails this test.
"""

from __future__ import annotations

import itertools

import pytest
from kinerja_contracts.lifecycle import (
    MIN_RETURN_NOTE_LENGTH,
    SkpAction,
    SkpStatus,
    TransitionRefused,
    allowed_actions,
    is_editable,
    transition,
)
from kinerja_contracts.values import Role

S, A, R = SkpStatus, SkpAction, Role

EXPECTED: dict[tuple[SkpStatus, SkpAction], tuple[SkpStatus, set[Role]]] = {
    (S.Draft, A.edit): (S.Draft, {R.pegawai, R.portal, R.admin}),
    (S.Draft, A.submit): (S.Pending, {R.pegawai, R.admin}),
    (S.Revisi, A.edit): (S.Revisi, {R.pegawai, R.portal, R.admin}),
    (S.Revisi, A.resubmit): (S.Pending, {R.pegawai, R.admin}),
    (S.Pending, A.approve): (S.Approved, {R.atasan}),
    (S.Pending, A.return_): (S.Revisi, {R.atasan}),
    (S.Pending, A.reassign): (S.Pending, {R.admin}),
}

GOOD_NOTE = "Target IKI belum sesuai"
ROLES: list[Role | None] = [*Role, None]


def expected_allowed(state: SkpStatus, role: Role | None = None) -> set[str]:
    return {a.value for (s, a), (_, roles) in EXPECTED.items() if s == state and (role is None or role in roles)}


@pytest.mark.parametrize(
    ("state", "action", "role"),
    list(itertools.product(SkpStatus, SkpAction, ROLES)),
    ids=lambda v: str(v),
)
def test_every_state_action_role(state, action, role):
    note = GOOD_NOTE if action == A.return_ else None
    entry = EXPECTED.get((state, action))
    if entry is None:
        with pytest.raises(TransitionRefused) as exc:
            transition(state, action, role, note)
        assert exc.value.reason == "state"
        assert set(exc.value.allowed) == expected_allowed(state)
        for name in expected_allowed(state):  # the refusal names the allowed actions
            assert name in exc.value.message
        return
    target, roles = entry
    if role is not None and role not in roles:
        with pytest.raises(TransitionRefused) as exc:
            transition(state, action, role, note)
        assert exc.value.reason == "role"
        assert set(exc.value.allowed) == expected_allowed(state, role)
        return
    assert transition(state, action, role, note) == target


@pytest.mark.parametrize("note", [None, "", "   ", "terlalu", " " * 5 + "x" * (MIN_RETURN_NOTE_LENGTH - 1) + " " * 5])
def test_return_needs_a_note_of_ten_characters(note):
    with pytest.raises(TransitionRefused) as exc:
        transition(S.Pending, A.return_, R.atasan, note)
    assert exc.value.reason == "catatan_perbaikan"
    assert MIN_RETURN_NOTE_LENGTH == 10


def test_a_note_of_exactly_ten_characters_is_enough():
    assert transition(S.Pending, A.return_, R.atasan, "x" * 10) == S.Revisi


@pytest.mark.parametrize(("state", "role"), list(itertools.product(SkpStatus, ROLES)))
def test_allowed_actions_per_state_and_role(state, role):
    assert set(allowed_actions(state, role)) == expected_allowed(state, role)


@pytest.mark.parametrize("state", list(SkpStatus))
def test_only_draft_and_revisi_are_editable(state):
    assert is_editable(state) is (state in (S.Draft, S.Revisi))


def test_approved_is_final():
    assert expected_allowed(S.Approved) == set() == set(allowed_actions(S.Approved))
