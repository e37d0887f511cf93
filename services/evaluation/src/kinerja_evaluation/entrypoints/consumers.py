"""Events the evaluation service consumes.

:func:`bind` builds the service's consumers for one container (handlers keep
the consumer's signature ``(session, env)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinerja_contracts.events import ApprovalApproved
from kinerja_platform.messaging.consumer import EventConsumers

from ..service_layer.plans import upsert_plan

if TYPE_CHECKING:
    from ..bootstrap import Container

#: the events consumed (the reliability tests list the subjects from here)
EVENTS = (ApprovalApproved,)


def bind(c: Container) -> EventConsumers:
    consumers = EventConsumers("evaluation")

    @consumers.on(ApprovalApproved)
    async def approved(session, env) -> None:
        """An SKP was approved: build (or replace) its evaluation plan and join it
        to the periods open for its jenis pegawai that can still be filled today."""
        await upsert_plan(session, env.data, c.today(), c.settings.capaian_policy)

    return consumers
