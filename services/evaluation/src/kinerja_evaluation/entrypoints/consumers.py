"""Events the evaluation service consumes."""

from __future__ import annotations

from kinerja_contracts.events import ApprovalApproved
from kinerja_platform.messaging.consumer import EventConsumers

from ..service_layer.plans import upsert_plan

consumers = EventConsumers("evaluation")


@consumers.on(ApprovalApproved)
async def approved(session, env) -> None:
    """An SKP was approved: build (or replace) its evaluation plan and join it
    to the periods open for its jenis pegawai."""
    await upsert_plan(session, env.data)
