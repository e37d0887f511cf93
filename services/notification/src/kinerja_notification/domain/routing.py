"""Who gets which e-mail for an event (pure).

:func:`route` turns an event payload into the e-mails it causes, one
:class:`Outgoing` per recipient; :func:`identities` lists every person the
event carries, so the directory learns names and addresses from all of them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import singledispatch
from typing import Any

from kinerja_contracts.events import (
    ApprovalApproved,
    ApprovalReassigned,
    ApprovalReminder,
    ApprovalRequested,
    ApprovalReturned,
    EvaluationFinalized,
    EvaluationPenilaiReassigned,
    EvaluationPeriodClosed,
    EvaluationPeriodClosingSoon,
    EvaluationPeriodOpened,
    KeberatanDecided,
    KeberatanFiled,
    SkpDeadlineApproaching,
)
from kinerja_contracts.events.envelope import EventPayload
from kinerja_contracts.values import Pegawai

#: Links in e-mails: paths under the portal's base URL (setting
#: ``KINERJA_PUBLIC_BASE_URL``).
INBOX_PATH = "/persetujuan"


def skp_path(skp_id: object) -> str:
    return f"/skp/{skp_id}"


@dataclass(frozen=True)
class Outgoing:
    """One e-mail to write: ``kind`` to ``to``, rendered with ``ctx``.

    ``digestible``: a pejabat penilai who chose the digest gets it in the
    next summary instead (``skp_id`` names the SKP waiting).
    """

    kind: str
    to: Pegawai
    ctx: dict[str, Any]
    path: str
    digestible: bool = False
    skp_id: uuid.UUID | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@singledispatch
def route(payload: EventPayload) -> list[Outgoing]:
    """The e-mails an event causes (none for an event nobody needs to read)."""
    return []


@route.register
def _(d: ApprovalRequested) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, periode=d.periode, resubmission=d.resubmission)
    return [Outgoing("approval.requested", d.penilai, ctx, skp_path(d.skp_id), digestible=True, skp_id=d.skp_id,
                     extra={"resubmission": d.resubmission, "sequence": d.sequence})]


@route.register
def _(d: ApprovalApproved) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, periode=d.periode, version=d.version)
    return [Outgoing("approval.approved", d.pegawai, ctx, skp_path(d.skp_id), skp_id=d.skp_id)]


@route.register
def _(d: ApprovalReturned) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, periode=d.periode, catatan_perbaikan=d.catatan_perbaikan)
    return [Outgoing("approval.returned", d.pegawai, ctx, skp_path(d.skp_id), skp_id=d.skp_id)]


@route.register
def _(d: ApprovalReassigned) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, previous_penilai=d.previous_penilai, periode=d.periode,
               reason=d.reason)
    out = [Outgoing("approval.reassigned_new", d.penilai, ctx, skp_path(d.skp_id), skp_id=d.skp_id)]
    if d.previous_penilai.nip != d.penilai.nip:
        out.append(Outgoing("approval.reassigned_previous", d.previous_penilai, ctx, INBOX_PATH, skp_id=d.skp_id))
    return out


@route.register
def _(d: ApprovalReminder) -> list[Outgoing]:
    ctx = dict(recipient=d.recipient, pegawai=d.pegawai, penilai=d.penilai, days_pending=d.days_pending,
               pending_since=d.pending_since)
    if d.level == "atasan":
        return [Outgoing("approval.escalation", d.recipient, ctx, skp_path(d.skp_id), skp_id=d.skp_id)]
    return [Outgoing("approval.reminder", d.recipient, ctx, skp_path(d.skp_id), digestible=True, skp_id=d.skp_id,
                     extra={"reminder_days": d.days_pending})]


@route.register
def _(d: SkpDeadlineApproaching) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, periode=d.periode, deadline=d.deadline, days_left=d.days_left)
    return [Outgoing("skp.deadline_approaching", d.pegawai, ctx, skp_path(d.skp_id) if d.skp_id else "/skp")]


def _period_ctx(d: EvaluationPeriodOpened | EvaluationPeriodClosingSoon | EvaluationPeriodClosed,
                person: Pegawai) -> dict[str, Any]:
    return dict(pegawai=person, periode=d.periode, deadline=d.deadline, period_kind=d.kind, period_id=d.period_id)


def _period_path(period_id: str) -> str:
    return f"/evaluasi/periode/{period_id}"


def _unique(people: list[Pegawai]) -> list[Pegawai]:
    seen: set[str] = set()
    out = []
    for p in people:
        if p.nip not in seen:
            seen.add(p.nip)
            out.append(p)
    return out


@route.register
def _(d: EvaluationPeriodOpened) -> list[Outgoing]:
    return [Outgoing("evaluation.period_opened", p, _period_ctx(d, p), _period_path(d.period_id))
            for p in _unique(d.recipients)]


@route.register
def _(d: EvaluationPeriodClosingSoon) -> list[Outgoing]:
    ctx = {**_period_ctx(d, d.pegawai), "days_left": d.days_left, "missing_input": d.missing_input}
    return [Outgoing("evaluation.period_closing_soon", d.pegawai, ctx, _period_path(d.period_id))]


@route.register
def _(d: EvaluationPeriodClosed) -> list[Outgoing]:
    return [Outgoing("evaluation.period_closed_missing", p, _period_ctx(d, p), _period_path(d.period_id))
            for p in _unique(d.missing)]


@route.register
def _(d: EvaluationFinalized) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, period_id=d.period_id, predikat=d.predikat,
               rating_hasil_kerja=d.rating_hasil_kerja, rating_perilaku=d.rating_perilaku, capaian=d.capaian,
               keberatan_deadline=d.keberatan_deadline)
    return [Outgoing("evaluation.finalized", d.pegawai, ctx, f"/evaluasi/{d.evaluation_id}", skp_id=d.skp_id)]


@route.register
def _(d: KeberatanFiled) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, atasan_pejabat_penilai=d.atasan_pejabat_penilai, alasan=d.alasan)
    return [Outgoing("evaluation.keberatan_filed", d.atasan_pejabat_penilai, ctx, f"/keberatan/{d.keberatan_id}")]


@route.register
def _(d: KeberatanDecided) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, decision=d.decision, predikat_before=d.predikat_before,
               predikat_after=d.predikat_after, note=d.note)
    return [Outgoing("evaluation.keberatan_decided", d.pegawai, ctx, f"/evaluasi/{d.evaluation_id}")]


@route.register
def _(d: EvaluationPenilaiReassigned) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, previous_penilai=d.previous_penilai,
               evaluasi_dipindah=d.evaluasi_dipindah)
    out = [Outgoing("evaluation.penilai_reassigned_new", d.penilai, ctx, "/evaluasi?peran=penilai", skp_id=d.skp_id)]
    if d.previous_penilai is not None:
        out.append(Outgoing("evaluation.penilai_reassigned_previous", d.previous_penilai, ctx, "/evaluasi?peran=penilai",
                            skp_id=d.skp_id))
    return out


def identities(payload: EventPayload) -> list[Pegawai]:
    """Every person an event carries (pegawai, penilai, atasan, lists of them)."""
    found: list[Pegawai] = []
    for name in type(payload).model_fields:
        value = getattr(payload, name, None)
        if isinstance(value, Pegawai):
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, Pegawai))
    return _unique(found)


def settles_skp(payload: EventPayload) -> tuple[uuid.UUID, int] | None:
    """(skp_id, sequence) of an SKP that no longer waits for its (previous)
    penilai after this event: its older pending digest items are dropped."""
    if isinstance(payload, ApprovalApproved | ApprovalReturned | ApprovalReassigned):
        return payload.skp_id, payload.sequence
    return None
