"""Events the evaluation service consumes."""

from __future__ import annotations

from kinerja_contracts.events import ApprovalApproved
from kinerja_contracts.messaging.consumer import EventConsumers

from ..adapters.tables import EvaluationPlan

consumers = EventConsumers("evaluation")


@consumers.on(ApprovalApproved)
async def approved(session, env) -> None:
    """An SKP was approved: build (or replace) its evaluation plan."""
    d = env.data
    plan = await session.get(EvaluationPlan, d.skp_id)
    if plan is not None and plan.version >= d.version:
        return
    if plan is None:
        plan = EvaluationPlan(skp_id=d.skp_id, version=d.version, content_hash=d.content_hash, nip=d.pegawai.nip,
                              penilai_nip=d.penilai.nip, jenis_pegawai=str(d.jenis_pegawai or ""),
                              unit_kerja=d.pegawai.unit_kerja, pegawai=d.pegawai.model_dump(mode="json"),
                              penilai=d.penilai.model_dump(mode="json"),
                              periode=d.periode.model_dump(mode="json") if d.periode else {}, snapshot=d.snapshot)
        session.add(plan)
    else:
        plan.version, plan.content_hash, plan.snapshot = d.version, d.content_hash, d.snapshot
