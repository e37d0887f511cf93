"""Events the notification service turns into e-mail."""

from __future__ import annotations

from kinerja_contracts.events import ApprovalApproved, ApprovalRequested, ApprovalReturned
from kinerja_contracts.messaging.consumer import EventConsumers

from ..domain.messages import render
from ..service_layer.mail import enqueue

consumers = EventConsumers("notification")
_config: dict = {"domain": "kinerja.local", "base_url": "http://127.0.0.1:8001"}


def configure(*, domain: str, base_url: str) -> None:
    _config.update(domain=domain, base_url=base_url.rstrip("/"))


def _link(path: str) -> str:
    return f"{_config['base_url']}{path}"


@consumers.on(ApprovalRequested)
async def requested(session, env) -> None:
    """Tell the pejabat penilai that an SKP waits in their inbox."""
    d = env.data
    r = render("approval.requested", pegawai=d.pegawai, penilai=d.penilai, periode=d.periode,
               resubmission=d.resubmission, link=_link(f"/api/v1/skp/{d.skp_id}"))
    await enqueue(session, env.event_id, d.penilai, r, domain=_config["domain"])


@consumers.on(ApprovalApproved)
async def approved(session, env) -> None:
    """Tell the pegawai their SKP was approved."""
    d = env.data
    r = render("approval.approved", pegawai=d.pegawai, penilai=d.penilai, periode=d.periode, version=d.version,
               link=_link(f"/api/v1/skp/{d.skp_id}"))
    await enqueue(session, env.event_id, d.pegawai, r, domain=_config["domain"])


@consumers.on(ApprovalReturned)
async def returned(session, env) -> None:
    """Tell the pegawai their SKP was returned, with the note."""
    d = env.data
    r = render("approval.returned", pegawai=d.pegawai, penilai=d.penilai, periode=d.periode, note=d.note,
               link=_link(f"/api/v1/skp/{d.skp_id}"))
    await enqueue(session, env.event_id, d.pegawai, r, domain=_config["domain"])
