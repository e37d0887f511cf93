"""Events the notification service turns into e-mail.

One durable consumer per event type (``notification--<event>``); each handler
learns the people in the event and queues the e-mails :func:`route` decides,
in the consumer's transaction (`processed_event` de-duplication included).
``skp.submitted`` and ``skp.resubmitted`` send nothing (the penilai's mail
follows ``approval.requested``, once the SKP is in the inbox) but teach the
directory the addresses of the pegawai, penilai and atasan.
"""

from __future__ import annotations

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
    SkpResubmitted,
    SkpSubmitted,
)
from typing import TYPE_CHECKING

from kinerja_platform.messaging.consumer import EventConsumers

from ..service_layer.mail import Mailroom, handle_event

if TYPE_CHECKING:
    from ..bootstrap import Container

#: event -> what the consumer does (its AsyncAPI description)
HANDLED = {
    ApprovalRequested: "E-mail the pejabat penilai that an SKP waits (or add it to their digest).",
    ApprovalApproved: "E-mail the pegawai that the SKP was approved.",
    ApprovalReturned: "E-mail the pegawai that the SKP was returned, with the Catatan Perbaikan.",
    ApprovalReassigned: "E-mail the new pejabat penilai, and the previous one.",
    ApprovalReminder: "Remind the pejabat penilai (or alert the atasan) about a waiting SKP.",
    SkpDeadlineApproaching: "Warn a pegawai who has not submitted the SKP before the deadline.",
    EvaluationPeriodOpened: "Tell every pegawai in the period that realisasi can be entered.",
    EvaluationPeriodClosingSoon: "Remind the pegawai that the period closes soon.",
    EvaluationPeriodClosed: "Tell each pegawai whose realisasi is missing that the period closed.",
    EvaluationFinalized: "Tell the pegawai their predikat and the keberatan deadline.",
    KeberatanFiled: "Ask the atasan pejabat penilai to decide a keberatan.",
    KeberatanDecided: "Tell the pegawai how the keberatan was decided.",
    EvaluationPenilaiReassigned: "Tell the new pejabat penilai they now rate the SKP's evaluations (and the previous one).",
    SkpSubmitted: "Learn the people of the SKP (directory only; no e-mail).",
    SkpResubmitted: "Learn the people of the SKP (directory only; no e-mail).",
}


#: the events consumed (the reliability tests list the subjects from here)
EVENTS = tuple(HANDLED)


def _handler(description: str, mail: Mailroom):
    async def handle(session, envelope) -> None:
        await handle_event(session, envelope, mail)

    handle.__doc__ = description
    return handle


def bind(c: Container) -> EventConsumers:
    """The service's consumers for one container: each handler keeps the
    consumer's signature ``(session, env)`` and queues mail through the
    container's mailroom."""
    consumers = EventConsumers("notification")
    for event, description in HANDLED.items():
        consumers.on(event)(_handler(description, c.mail))
    return consumers
