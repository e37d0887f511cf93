"""The evaluation service in-process: real database, real nats-server, a
manual clock, and the scheduler driven tick by tick."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from kinerja_contracts.events import ApprovalApproved
from kinerja_contracts.events.envelope import new_envelope
from kinerja_contracts.lifecycle import SkpStatus
from kinerja_platform.messaging import OutboxMessage
from kinerja_platform.settings import CommonSettings
from kinerja_contracts.values import Pegawai
from kinerja_devstack.samples import pppk_skp
from kinerja_devstack.testing import ManualClock
from kinerja_evaluation.main import create_app
from kinerja_evaluation.settings import Settings
from sqlalchemy import select

JAKARTA_8AM = dt.time(1, 0, tzinfo=dt.UTC)


def at(day: dt.date) -> dt.datetime:
    """08:00 in Jakarta on ``day``."""
    return dt.datetime.combine(day, JAKARTA_8AM)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(dt.date(2025, 9, 1)))


@pytest.fixture
def make_settings(new_database, nats_server):
    bucket = f"sched-{uuid.uuid4().hex[:12]}"
    db = new_database("evaluation")

    def make(**over) -> Settings:
        return Settings(database_url=db, scheduler_enabled=False, scheduler_bucket=bucket, scheduler_lease_ttl=3,
                        common=CommonSettings(nats_url=nats_server.url, relay_poll_interval=0.2), **over)

    return make


@pytest.fixture
def app(make_settings, clock):
    return create_app(make_settings(), clock=clock)


def approved(skp: dict | None = None, *, skp_id: uuid.UUID | None = None, version: int = 1) -> ApprovalApproved:
    skp = skp or pppk_skp()
    return ApprovalApproved(
        skp_id=skp_id or uuid.uuid4(), version=version, content_hash="h" * 64, status=SkpStatus.Approved, sequence=2,
        pegawai=Pegawai.model_validate(skp["pegawai"]), penilai=Pegawai.model_validate(skp["penilai"]),
        periode=skp["periode"], jenis_pegawai=skp["jenis_pegawai"], decided_by=skp["penilai"]["nip"],
        atasan_pejabat_penilai=Pegawai.model_validate(skp["atasan_pejabat_penilai"]) if skp.get("atasan_pejabat_penilai") else None,
        snapshot=skp,
    )


async def publish(app, payload) -> None:
    """Publish an event to the stream as another service would."""
    js = app.state.runtime.js
    env = new_envelope(payload, correlation_id="test")
    await js.publish(payload.subject, env.model_dump_json().encode(), headers={"Nats-Msg-Id": str(env.event_id)})


async def outbox(app, subject_suffix: str | None = None) -> list[dict]:
    """Events this service staged (newest last)."""
    async with app.state.runtime.uow() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.created_at))).scalars().all()
    out = [json.loads(r.payload) | {"subject": r.subject} for r in rows]
    return [e for e in out if subject_suffix is None or e["subject"].endswith(subject_suffix)]
