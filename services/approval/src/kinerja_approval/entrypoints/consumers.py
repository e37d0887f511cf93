"""Events the approval service consumes: submissions from skp, and the
directory's people (its projection, from which submissions are routed).

Redelivery is harmless twice over: the messaging kit skips an ``event_id``
already processed, and :func:`on_submitted` ignores a submission it already
holds (same version Pending) or an older one; the projection keeps the
highest version of a person, and an older one moves nothing.

:func:`bind` builds the service's consumers for one container (handlers keep
the consumer's signature ``(session, env)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinerja_contracts.events import PersonChanged, SkpResubmitted, SkpSubmitted
from kinerja_platform.directory_view import apply_person_changed
from kinerja_platform.messaging.consumer import EventConsumers

from ..service_layer.cases import follow_directory, on_submitted

if TYPE_CHECKING:
    from ..bootstrap import Container

#: the events consumed (the reliability tests list the subjects from here)
EVENTS = (SkpSubmitted, SkpResubmitted, PersonChanged)


def bind(c: Container) -> EventConsumers:
    consumers = EventConsumers("approval")

    @consumers.on(SkpSubmitted)
    async def submitted(session, env) -> None:
        """A Draft SKP was submitted: it enters the penilai's inbox."""
        await on_submitted(session, env, resubmission=False)

    @consumers.on(SkpResubmitted)
    async def resubmitted(session, env) -> None:
        """A returned SKP was submitted again: back into the inbox."""
        await on_submitted(session, env, resubmission=True)

    @consumers.on(PersonChanged)
    async def person_changed(session, env) -> None:
        """The directory changed a person: keep the newest riwayat (the
        projection, kinerja_platform.directory_view), then, in the same
        transaction, let the Pending cases it routes follow it
        (cases.follow_directory). One handler, so a move always reads the
        projection this event wrote."""
        if await apply_person_changed(session, env.data):
            await follow_directory(session, env.data.person_id, c.clock())

    return consumers
