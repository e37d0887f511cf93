"""Events the approval service consumes: submissions from skp."""

from __future__ import annotations

from kinerja_contracts.events import SkpResubmitted, SkpSubmitted
from kinerja_contracts.messaging.consumer import EventConsumers

from ..service_layer.cases import on_submitted

consumers = EventConsumers("approval")


@consumers.on(SkpSubmitted)
async def submitted(session, env) -> None:
    """A Draft SKP was submitted: it enters the penilai's inbox."""
    await on_submitted(session, env, resubmission=False)


@consumers.on(SkpResubmitted)
async def resubmitted(session, env) -> None:
    """A returned SKP was submitted again: back into the inbox."""
    await on_submitted(session, env, resubmission=True)
