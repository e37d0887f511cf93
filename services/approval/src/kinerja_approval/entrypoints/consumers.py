"""Events the approval service consumes: submissions from skp.

Redelivery is harmless twice over: the messaging kit skips an ``event_id``
already processed, and :func:`on_submitted` ignores a submission it already
holds (same version Pending) or an older one.

:func:`bind` builds the service's consumers for one container (handlers keep
the consumer's signature ``(session, env)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinerja_contracts.events import SkpResubmitted, SkpSubmitted
from kinerja_platform.messaging.consumer import EventConsumers

from ..service_layer.cases import on_submitted

if TYPE_CHECKING:
    from ..bootstrap import Container

#: the events consumed (the reliability tests list the subjects from here)
EVENTS = (SkpSubmitted, SkpResubmitted)


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

    return consumers
