"""Events the skp service consumes: the approval service's decisions, which
set the SKP's status (a projection of the approval workflow), and the
directory's people (kinerja_platform.directory_view: who an SKP names is
filled from that projection, docs/directory.md).

:func:`bind` builds the service's consumers for one container: each handler
keeps the consumer's signature ``(session, env)`` and gets the status watch
from the container by closure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinerja_contracts.events import (
    ApprovalApproved,
    ApprovalReassigned,
    ApprovalRequested,
    ApprovalReturned,
    PersonChanged,
)
from kinerja_platform import directory_view
from kinerja_contracts.lifecycle import SkpStatus
from kinerja_platform.messaging.consumer import EventConsumers

from ..service_layer.documents import apply_approval_event

if TYPE_CHECKING:
    from ..bootstrap import Container

#: the events consumed (the reliability tests list the subjects from here)
EVENTS = (ApprovalRequested, ApprovalApproved, ApprovalReturned, ApprovalReassigned, PersonChanged)


def bind(c: Container) -> EventConsumers:
    consumers = EventConsumers("skp")
    watch = c.watch
    directory_view.register(consumers)

    @consumers.on(ApprovalRequested)
    async def on_requested(session, env) -> None:
        """The SKP is in its penilai's inbox: Pending."""
        await apply_approval_event(session, watch, env.data, SkpStatus.Pending)

    @consumers.on(ApprovalApproved)
    async def on_approved(session, env) -> None:
        """The penilai approved: Approved (locked); remember who signed and when."""
        d = env.data
        await apply_approval_event(session, watch, d, SkpStatus.Approved, persetujuan={
            "penilai": d.penilai.model_dump(mode="json"), "decided_by": d.decided_by, "on_behalf_of": d.on_behalf_of,
            "at": env.occurred_at.isoformat(), "version": d.version, "content_hash": d.content_hash,
        })

    @consumers.on(ApprovalReturned)
    async def on_returned(session, env) -> None:
        """The penilai returned it: Revisi, with the Catatan Perbaikan shown to the pegawai."""
        await apply_approval_event(session, watch, env.data, SkpStatus.Revisi,
                                   catatan_perbaikan=env.data.catatan_perbaikan)

    @consumers.on(ApprovalReassigned)
    async def on_reassigned(session, env) -> None:
        """An admin moved it to another penilai: still Pending."""
        await apply_approval_event(session, watch, env.data, SkpStatus.Pending, penilai=env.data.penilai)

    return consumers
