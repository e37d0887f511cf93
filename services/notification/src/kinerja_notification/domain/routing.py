"""Who gets which e-mail for an event (pure): the one table of it.

:data:`MAIL_TABLE` says, per event the service consumes, what its consumer
does, which e-mail kinds (:class:`Kind`) it can cause and the function that
picks them. Everything else is read from it: :data:`KINDS` (the templates
and docs/notification.md), :func:`route` (an event payload -> one
:class:`Outgoing` per recipient) and the consumers (entrypoints/consumers.py).
Routing names people by NIP only: where their mail goes, and the names it
shows, are the directory's (service_layer/directory.py), never the identity
block an event carries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
#: the portal page of the reader's own notification preferences (every mail links to it)
PREFERENCES_PATH = "/preferensi"


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


def _requested(d: ApprovalRequested) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, periode=d.periode, resubmission=d.resubmission)
    return [Outgoing("approval.requested", d.penilai, ctx, skp_path(d.skp_id), digestible=True, skp_id=d.skp_id,
                     extra={"resubmission": d.resubmission, "sequence": d.sequence})]


def _approved(d: ApprovalApproved) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, periode=d.periode, version=d.version)
    return [Outgoing("approval.approved", d.pegawai, ctx, skp_path(d.skp_id), skp_id=d.skp_id)]


def _returned(d: ApprovalReturned) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, periode=d.periode, catatan_perbaikan=d.catatan_perbaikan)
    return [Outgoing("approval.returned", d.pegawai, ctx, skp_path(d.skp_id), skp_id=d.skp_id)]


def _reassigned(d: ApprovalReassigned) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, previous_penilai=d.previous_penilai, periode=d.periode,
               reason=d.reason)
    out = [Outgoing("approval.reassigned_new", d.penilai, ctx, skp_path(d.skp_id), skp_id=d.skp_id)]
    if d.previous_penilai.nip != d.penilai.nip:
        out.append(Outgoing("approval.reassigned_previous", d.previous_penilai, ctx, INBOX_PATH, skp_id=d.skp_id))
    return out


def _reminder(d: ApprovalReminder) -> list[Outgoing]:
    ctx = dict(recipient=d.recipient, pegawai=d.pegawai, penilai=d.penilai, days_pending=d.days_pending,
               pending_since=d.pending_since)
    if d.level == "atasan":
        return [Outgoing("approval.escalation", d.recipient, ctx, skp_path(d.skp_id), skp_id=d.skp_id)]
    return [Outgoing("approval.reminder", d.recipient, ctx, skp_path(d.skp_id), digestible=True, skp_id=d.skp_id,
                     extra={"reminder_days": d.days_pending})]


def _deadline_approaching(d: SkpDeadlineApproaching) -> list[Outgoing]:
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


def _period_opened(d: EvaluationPeriodOpened) -> list[Outgoing]:
    return [Outgoing("evaluation.period_opened", p, _period_ctx(d, p), _period_path(d.period_id))
            for p in _unique(d.recipients)]


def _period_closing_soon(d: EvaluationPeriodClosingSoon) -> list[Outgoing]:
    ctx = {**_period_ctx(d, d.pegawai), "days_left": d.days_left, "missing_input": d.missing_input}
    return [Outgoing("evaluation.period_closing_soon", d.pegawai, ctx, _period_path(d.period_id))]


def _period_closed(d: EvaluationPeriodClosed) -> list[Outgoing]:
    return [Outgoing("evaluation.period_closed_missing", p, _period_ctx(d, p), _period_path(d.period_id))
            for p in _unique(d.missing)]


def _finalized(d: EvaluationFinalized) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, period_id=d.period_id, predikat=d.predikat,
               rating_hasil_kerja=d.rating_hasil_kerja, rating_perilaku=d.rating_perilaku, capaian=d.capaian,
               keberatan_deadline=d.keberatan_deadline)
    return [Outgoing("evaluation.finalized", d.pegawai, ctx, f"/evaluasi/{d.evaluation_id}", skp_id=d.skp_id)]


def _keberatan_filed(d: KeberatanFiled) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, atasan_pejabat_penilai=d.atasan_pejabat_penilai, alasan=d.alasan)
    return [Outgoing("evaluation.keberatan_filed", d.atasan_pejabat_penilai, ctx, f"/keberatan/{d.keberatan_id}")]


def _keberatan_decided(d: KeberatanDecided) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, decision=d.decision, predikat_before=d.predikat_before,
               predikat_after=d.predikat_after, note=d.note)
    return [Outgoing("evaluation.keberatan_decided", d.pegawai, ctx, f"/evaluasi/{d.evaluation_id}")]


def _penilai_reassigned(d: EvaluationPenilaiReassigned) -> list[Outgoing]:
    ctx = dict(pegawai=d.pegawai, penilai=d.penilai, previous_penilai=d.previous_penilai,
               evaluasi_dipindah=d.evaluasi_dipindah)
    out = [Outgoing("evaluation.penilai_reassigned_new", d.penilai, ctx, "/evaluasi?peran=penilai", skp_id=d.skp_id)]
    if d.previous_penilai is not None:
        out.append(Outgoing("evaluation.penilai_reassigned_previous", d.previous_penilai, ctx, "/evaluasi?peran=penilai",
                            skp_id=d.skp_id))
    return out


@dataclass(frozen=True)
class Kind:
    """One e-mail: its key (and template name), what triggers it and who receives it."""

    key: str
    recipient: str
    description: str
    bulk: bool = False  # goes to many at once: sent after people's own workflow mail
    when: str | None = None  # which of its event's cases ("level penilai"); set by the table: trigger
    trigger: str = ""


@dataclass(frozen=True)
class EventMails:
    """One event the service consumes: what its consumer does (its AsyncAPI
    description), the e-mail kinds it can cause and the function that picks
    them."""

    event: type[EventPayload]
    handles: str
    kinds: tuple[Kind, ...] = ()
    pick: Callable[[Any], list[Outgoing]] | None = None


def _row(event: type[EventPayload], handles: str, pick: Callable[[Any], list[Outgoing]] | None = None,
         *kinds: Kind) -> EventMails:
    named = tuple(k if k.trigger else replace(k, trigger=event.event_type + (f" ({k.when})" if k.when else ""))
                  for k in kinds)
    return EventMails(event, handles, named, pick)


#: The one table: event -> consumer, e-mails, routing. docs/notification.md is generated from it.
MAIL_TABLE: tuple[EventMails, ...] = (
    _row(ApprovalRequested, "E-mail the pejabat penilai that an SKP waits (or add it to their digest).", _requested,
         Kind("approval.requested", "pejabat penilai", "An SKP was submitted (or resubmitted) and waits for a decision."),
         Kind("approval.digest", "pejabat penilai with digest on", "One summary of every SKP waiting, per interval.",
              bulk=True, trigger="(periodic)")),
    _row(ApprovalReturned, "E-mail the pegawai that the SKP was returned, with the Catatan Perbaikan.", _returned,
         Kind("approval.returned", "pegawai", "The SKP was returned for revision, with the Catatan Perbaikan.")),
    _row(ApprovalApproved, "E-mail the pegawai that the SKP was approved.", _approved,
         Kind("approval.approved", "pegawai", "The SKP was approved.")),
    _row(ApprovalReassigned, "E-mail the new pejabat penilai, and the previous one.", _reassigned,
         Kind("approval.reassigned_new", "new pejabat penilai", "An admin moved a pending SKP to this penilai."),
         Kind("approval.reassigned_previous", "previous pejabat penilai", "The SKP no longer waits for this penilai.")),
    _row(ApprovalReminder, "Remind the pejabat penilai (or alert the atasan) about a waiting SKP.", _reminder,
         Kind("approval.reminder", "pejabat penilai", "An SKP has waited too long.", when="level penilai"),
         Kind("approval.escalation", "atasan pejabat penilai", "An SKP has waited far too long with the penilai.",
              when="level atasan")),
    _row(SkpDeadlineApproaching, "Warn a pegawai who has not submitted the SKP before the deadline.",
         _deadline_approaching,
         Kind("skp.deadline_approaching", "pegawai",
              "The SKP submission deadline is near and the pegawai has not submitted.", bulk=True)),
    _row(EvaluationPeriodOpened, "Tell every pegawai in the period that realisasi can be entered.", _period_opened,
         Kind("evaluation.period_opened", "each pegawai in recipients", "Realisasi can be entered now.", bulk=True)),
    _row(EvaluationPeriodClosingSoon, "Remind the pegawai that the period closes soon.", _period_closing_soon,
         Kind("evaluation.period_closing_soon", "pegawai", "The evaluation period closes in a few days.", bulk=True)),
    _row(EvaluationPeriodClosed, "Tell each pegawai whose realisasi is missing that the period closed.",
         _period_closed,
         Kind("evaluation.period_closed_missing", "each pegawai in missing", "The period closed without their realisasi.",
              bulk=True)),
    _row(EvaluationFinalized, "Tell the pegawai their predikat and the keberatan deadline.", _finalized,
         Kind("evaluation.finalized", "pegawai", "The predikat kinerja was set; keberatan is possible until the deadline.")),
    _row(KeberatanFiled, "Ask the atasan pejabat penilai to decide a keberatan.", _keberatan_filed,
         Kind("evaluation.keberatan_filed", "atasan pejabat penilai", "A pegawai objected to an evaluation result.")),
    _row(KeberatanDecided, "Tell the pegawai how the keberatan was decided.", _keberatan_decided,
         Kind("evaluation.keberatan_decided", "pegawai", "The keberatan was decided (final).")),
    _row(EvaluationPenilaiReassigned,
         "Tell the new pejabat penilai they now rate the SKP's evaluations (and the previous one).",
         _penilai_reassigned,
         Kind("evaluation.penilai_reassigned_new", "new pejabat penilai",
              "An admin made this penilai rate the SKP's evaluations."),
         Kind("evaluation.penilai_reassigned_previous", "previous pejabat penilai",
              "The SKP's evaluations no longer wait for this penilai.")),
)

#: every e-mail kind the service sends, by key (each has a template per locale)
KINDS: dict[str, Kind] = {k.key: k for row in MAIL_TABLE for k in row.kinds}
_PICK = {row.event: row.pick for row in MAIL_TABLE}


def route(payload: EventPayload) -> list[Outgoing]:
    """The e-mails an event causes (none for an event nobody needs to read)."""
    pick = _PICK.get(type(payload))
    return pick(payload) if pick is not None else []


def settles_skp(payload: EventPayload) -> tuple[uuid.UUID, int] | None:
    """(skp_id, sequence) of an SKP that no longer waits for its (previous)
    penilai after this event: its older pending digest items are dropped."""
    if isinstance(payload, ApprovalApproved | ApprovalReturned | ApprovalReassigned):
        return payload.skp_id, payload.sequence
    return None
