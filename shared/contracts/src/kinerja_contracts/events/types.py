"""Every event payload, one class each.

Naming: past tense (``SkpSubmitted``); subject ``kinerja.<aggregate>.<event>``.
Identity snapshots (:class:`Pegawai`) travel inside the events that need a
person, so consumers never ask another service's database who someone is;
the SKP document travels typed as :class:`~kinerja_contracts.skp.SkpSnapshot`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AliasChoices, BeforeValidator, Field

from ..lifecycle import SkpStatus
from ..skp import SkpSnapshot
from ..values import JenisPegawai, Pegawai, Periode
from .envelope import EventPayload

#: Fields renamed in schema_version 2 (issue 13: one name per concept). Readers
#: still accept the version-1 name for one release, so that events already in
#: the stream are understood; writers send only the new name.
_ATASAN = AliasChoices("atasan_pejabat_penilai", "atasan_penilai")
_CATATAN = AliasChoices("catatan_perbaikan", "note")

__all__ = [
    "SkpSubmitted",
    "SkpResubmitted",
    "SkpDeadlineApproaching",
    "ApprovalRequested",
    "ApprovalApproved",
    "ApprovalReturned",
    "ApprovalReassigned",
    "ApprovalReminder",
    "EvaluationPeriodOpened",
    "EvaluationPeriodClosingSoon",
    "EvaluationPeriodClosed",
    "EvaluationFinalized",
    "KeberatanFiled",
    "KeberatanDecided",
    "EvaluationPenilaiReassigned",
    "ALL_EVENTS",
]


def _empty_as_none(value: Any) -> Any:
    """Before the snapshot was typed, a missing one was sent as ``{}``."""
    return None if value == {} else value


#: The SKP document of an event. Typing it changed the schema, not the JSON
#: producers send (skp always sent the whole document in this shape), so it
#: did not bump schema_version (version 2 is the rename of
#: ``atasan_penilai``, in the snapshot too; readers accept both names).
Snapshot = Annotated[SkpSnapshot | None, BeforeValidator(_empty_as_none)]


class _SkpSubmittedBase(EventPayload):
    #: 2: ``atasan_penilai`` renamed ``atasan_pejabat_penilai``
    schema_version: ClassVar[int] = 2

    skp_id: uuid.UUID
    version: int = Field(ge=1, description="SKP document version that was submitted")
    content_hash: str = Field(description="sha256 of the canonical SKP content")
    periode: Periode
    jenis_pegawai: JenisPegawai
    pegawai: Pegawai
    penilai: Pegawai = Field(description="pejabat penilai kinerja")
    atasan_pejabat_penilai: Pegawai | None = Field(default=None, description="atasan pejabat penilai",
                                                   validation_alias=_ATASAN)
    unit_kerja: str | None = None
    instansi: str | None = None
    snapshot: Snapshot = Field(default=None, description="the full SKP document as submitted")


class SkpSubmitted(_SkpSubmittedBase):
    """A pegawai submitted a Draft SKP for approval ("Ajukan Verifikasi")."""

    subject = "kinerja.skp.submitted"
    event_type = "skp.submitted"


class SkpResubmitted(_SkpSubmittedBase):
    """A pegawai submitted again an SKP that was returned (Revisi)."""

    subject = "kinerja.skp.resubmitted"
    event_type = "skp.resubmitted"


class SkpDeadlineApproaching(EventPayload):
    """The SKP submission deadline is near and this pegawai has not submitted."""

    subject = "kinerja.skp.deadline_approaching"
    event_type = "skp.deadline_approaching"

    skp_id: uuid.UUID | None = None
    pegawai: Pegawai
    periode: Periode
    deadline: dt.date
    days_left: int


class _ApprovalBase(EventPayload):
    skp_id: uuid.UUID
    version: int = Field(ge=1)
    content_hash: str
    status: SkpStatus
    sequence: int = Field(ge=1, description="transition number of this SKP; consumers ignore older ones")
    pegawai: Pegawai
    penilai: Pegawai
    periode: Periode | None = None
    jenis_pegawai: JenisPegawai | None = None


class ApprovalRequested(_ApprovalBase):
    """An SKP entered the inbox of its pejabat penilai (status Pending)."""

    subject = "kinerja.approval.requested"
    event_type = "approval.requested"
    resubmission: bool = False


class ApprovalApproved(_ApprovalBase):
    """The pejabat penilai approved (signed) one exact version of the SKP."""

    subject = "kinerja.approval.approved"
    event_type = "approval.approved"
    #: 2: ``atasan_penilai`` renamed ``atasan_pejabat_penilai``
    schema_version: ClassVar[int] = 2
    decided_by: str = Field(description="NIP of the person who decided")
    on_behalf_of: str | None = Field(default=None, description="NIP of the penilai when a Plt/Plh decided")
    atasan_pejabat_penilai: Pegawai | None = Field(default=None, validation_alias=_ATASAN)
    snapshot: Snapshot = Field(default=None, description="the approved SKP document")


class ApprovalReturned(_ApprovalBase):
    """The pejabat penilai returned the SKP for revision (status Revisi)."""

    subject = "kinerja.approval.returned"
    event_type = "approval.returned"
    #: 2: ``note`` renamed ``catatan_perbaikan``
    schema_version: ClassVar[int] = 2
    catatan_perbaikan: str = Field(description="Catatan Perbaikan: what the pegawai must fix", validation_alias=_CATATAN)
    decided_by: str
    on_behalf_of: str | None = None


class ApprovalReassigned(_ApprovalBase):
    """An admin moved a Pending SKP to another pejabat penilai."""

    subject = "kinerja.approval.reassigned"
    event_type = "approval.reassigned"
    previous_penilai: Pegawai
    reason: str | None = None


class ApprovalReminder(EventPayload):
    """An SKP has waited too long in an inbox.

    ``level`` "penilai" reminds the pejabat penilai; "atasan" (after the
    second, longer limit) alerts the atasan pejabat penilai.
    """

    subject = "kinerja.approval.reminder"
    event_type = "approval.reminder"

    skp_id: uuid.UUID
    level: Literal["penilai", "atasan"]
    pending_since: dt.datetime
    days_pending: int
    pegawai: Pegawai
    penilai: Pegawai
    recipient: Pegawai


class _PeriodBase(EventPayload):
    period_id: str = Field(description="e.g. 2026-03/PPPK_PARUH_WAKTU/monthly")
    kind: Literal["monthly", "quarterly", "annual"]
    periode: Periode
    deadline: dt.date
    jenis_pegawai: JenisPegawai | None = None


class EvaluationPeriodOpened(_PeriodBase):
    """An evaluation period opened: realisasi can be entered."""

    subject = "kinerja.evaluation.period_opened"
    event_type = "evaluation.period_opened"
    recipients: list[Pegawai] = Field(default_factory=list)


class EvaluationPeriodClosingSoon(_PeriodBase):
    """Reminder: the period closes in ``days_left`` days (one event per pegawai)."""

    subject = "kinerja.evaluation.period_closing_soon"
    event_type = "evaluation.period_closing_soon"
    days_left: int
    pegawai: Pegawai
    missing_input: bool = True


class EvaluationPeriodClosed(_PeriodBase):
    """The period closed. ``missing`` lists pegawai who entered no realisasi."""

    subject = "kinerja.evaluation.period_closed"
    event_type = "evaluation.period_closed"
    evaluated: int = 0
    missing: list[Pegawai] = Field(default_factory=list)
    missing_count: int | None = Field(default=None, description="how many entered nothing (``missing`` may be truncated)")


class EvaluationFinalized(EventPayload):
    """An evaluation result (predikat kinerja) was set for a pegawai."""

    subject = "kinerja.evaluation.finalized"
    event_type = "evaluation.finalized"

    evaluation_id: str
    skp_id: uuid.UUID
    period_id: str
    pegawai: Pegawai
    penilai: Pegawai
    rating_hasil_kerja: str
    rating_perilaku: str
    predikat: str
    capaian: float | None = None
    keberatan_deadline: dt.date | None = None


class KeberatanFiled(EventPayload):
    """The pegawai objected to an evaluation result (keberatan)."""

    subject = "kinerja.evaluation.keberatan_filed"
    event_type = "evaluation.keberatan_filed"
    #: 2: ``atasan_penilai`` renamed ``atasan_pejabat_penilai``
    schema_version: ClassVar[int] = 2

    keberatan_id: str
    evaluation_id: str
    pegawai: Pegawai
    atasan_pejabat_penilai: Pegawai = Field(validation_alias=_ATASAN)
    alasan: str


class KeberatanDecided(EventPayload):
    """The atasan pejabat penilai decided a keberatan; the decision is final."""

    subject = "kinerja.evaluation.keberatan_decided"
    event_type = "evaluation.keberatan_decided"

    keberatan_id: str
    evaluation_id: str
    pegawai: Pegawai
    decision: Literal["upheld", "rejected"]
    predikat_before: str
    predikat_after: str
    note: str | None = None


class EvaluationPenilaiReassigned(EventPayload):
    """An admin made another pejabat penilai rate an SKP's evaluations not yet rated."""

    subject = "kinerja.evaluation.penilai_reassigned"
    event_type = "evaluation.penilai_reassigned"

    skp_id: uuid.UUID
    pegawai: Pegawai
    penilai: Pegawai = Field(description="the new pejabat penilai")
    previous_penilai: Pegawai | None = None
    evaluasi_dipindah: int = Field(ge=0, description="evaluations not yet rated that moved")


ALL_EVENTS: tuple[type[EventPayload], ...] = (
    SkpSubmitted,
    SkpResubmitted,
    SkpDeadlineApproaching,
    ApprovalRequested,
    ApprovalApproved,
    ApprovalReturned,
    ApprovalReassigned,
    ApprovalReminder,
    EvaluationPeriodOpened,
    EvaluationPeriodClosingSoon,
    EvaluationPeriodClosed,
    EvaluationFinalized,
    KeberatanFiled,
    KeberatanDecided,
    EvaluationPenilaiReassigned,
)
