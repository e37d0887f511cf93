"""The SKP lifecycle: states, actions and the transition table.

This is a contract shared by the skp service (which refuses edits and
submissions by it) and the approval service (which decides by it)::

    Draft --submit--> Pending --approve--> Approved
                      Pending --return--> Revisi --resubmit--> Pending
                      Pending --reassign--> Pending (new pejabat penilai)
    Draft/Revisi --edit--> same state (content may change)

Pure: no I/O. Each transition names the roles that may perform it; whether a
particular person may (the SKP's own pegawai, its current penilai or a
delegate) is decided by the service that owns the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .values import Role


class SkpStatus(StrEnum):
    """Where an SKP stands in approval."""

    Draft = "Draft"
    Pending = "Pending"
    Revisi = "Revisi"
    Approved = "Approved"


class SkpAction(StrEnum):
    """Things that can be done to an SKP."""

    edit = "edit"
    submit = "submit"
    resubmit = "resubmit"
    approve = "approve"
    return_ = "return"
    reassign = "reassign"


#: (state, action) -> (next state, roles allowed to do it)
TRANSITIONS: dict[tuple[SkpStatus, SkpAction], tuple[SkpStatus, frozenset[Role]]] = {
    (SkpStatus.Draft, SkpAction.edit): (SkpStatus.Draft, frozenset({Role.pegawai, Role.portal, Role.admin})),
    (SkpStatus.Draft, SkpAction.submit): (SkpStatus.Pending, frozenset({Role.pegawai, Role.admin})),
    (SkpStatus.Revisi, SkpAction.edit): (SkpStatus.Revisi, frozenset({Role.pegawai, Role.portal, Role.admin})),
    (SkpStatus.Revisi, SkpAction.resubmit): (SkpStatus.Pending, frozenset({Role.pegawai, Role.admin})),
    (SkpStatus.Pending, SkpAction.approve): (SkpStatus.Approved, frozenset({Role.atasan})),
    (SkpStatus.Pending, SkpAction.return_): (SkpStatus.Revisi, frozenset({Role.atasan})),
    (SkpStatus.Pending, SkpAction.reassign): (SkpStatus.Pending, frozenset({Role.admin})),
}

#: A return (Revisi) must explain what to fix: "Catatan Perbaikan".
MIN_RETURN_NOTE_LENGTH = 10


@dataclass(frozen=True)
class TransitionRefused(Exception):
    """The action is not allowed in this state, or not for this role."""

    state: SkpStatus
    action: SkpAction
    role: Role | None
    reason: str  # "state" or "role" or "catatan_perbaikan"
    allowed: tuple[str, ...]

    def __str__(self) -> str:  # pragma: no cover - message text
        return self.message

    @property
    def message(self) -> str:
        if self.reason == "catatan_perbaikan":
            return (
                f"Catatan Perbaikan wajib diisi, minimal {MIN_RETURN_NOTE_LENGTH} karakter "
                f"(a return needs a Catatan Perbaikan of at least {MIN_RETURN_NOTE_LENGTH} characters)."
            )
        if self.reason == "role":
            return (
                f"Peran '{self.role}' tidak boleh melakukan '{self.action}' pada SKP berstatus {self.state} "
                f"(role '{self.role}' may not '{self.action}' an SKP in state {self.state})."
            )
        allowed = ", ".join(self.allowed) or "tidak ada / none"
        return (
            f"Aksi '{self.action}' tidak diizinkan pada SKP berstatus {self.state}; aksi yang diizinkan: {allowed} "
            f"(action '{self.action}' is not allowed in state {self.state}; allowed: {allowed})."
        )


def allowed_actions(state: SkpStatus, role: Role | None = None) -> tuple[str, ...]:
    """Actions possible in ``state`` (for ``role`` when given), in table order."""
    return tuple(
        action.value
        for (s, action), (_, roles) in TRANSITIONS.items()
        if s == state and (role is None or role in roles)
    )


def transition(
    state: SkpStatus, action: SkpAction, role: Role | None = None, catatan_perbaikan: str | None = None
) -> SkpStatus:
    """Return the next state, or raise :class:`TransitionRefused`.

    ``role`` None skips the role check (used when replaying trusted events).
    """
    entry = TRANSITIONS.get((state, action))
    if entry is None:
        raise TransitionRefused(state, action, role, "state", allowed_actions(state))
    target, roles = entry
    if role is not None and role not in roles:
        raise TransitionRefused(state, action, role, "role", allowed_actions(state, role))
    if action == SkpAction.return_ and len((catatan_perbaikan or "").strip()) < MIN_RETURN_NOTE_LENGTH:
        raise TransitionRefused(state, action, role, "catatan_perbaikan", allowed_actions(state, role))
    return target


def is_editable(state: SkpStatus) -> bool:
    """Content may change only in Draft and Revisi; Pending/Approved are locked."""
    return (state, SkpAction.edit) in TRANSITIONS
