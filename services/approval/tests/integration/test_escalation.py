"""Reminders for SKPs waiting too long: once per interval, never once per scan."""

from __future__ import annotations

import asyncio

from kinerja_approval.service_layer.escalation import reminder_event_id, scan
from kinerja_devstack.samples import ATASAN_PEJABAT_PENILAI_NIP, PENILAI_NIP
from kinerja_devstack.testing import eventually

from .conftest import NEW_PENILAI


async def reminders(h, skp=None):
    return [(e["data"]["level"], e["data"]["recipient"]["nip"], e["data"]["days_pending"])
            for e in await h.events("approval.reminder", skp)]


async def test_reminder_then_escalation_once_per_interval(harness, who):
    async with harness(remind_after_days=3, escalate_after_days=7, remind_interval_days=2) as h:
        policy = h.rt.settings.escalation_policy()
        skp = await h.submit()
        t0 = h.clock()

        async def scan_at(days: float) -> int:
            return await scan(h.rt.uow, t0 + __import__("datetime").timedelta(days=days), policy)

        assert await scan_at(2.9) == 0
        assert await scan_at(3) == 1
        assert await scan_at(3.5) == 0 and await scan_at(4.99) == 0  # same interval: no repeat
        assert await scan_at(5) == 1
        assert await scan_at(7) == 2  # penilai again, and the atasan pejabat penilai
        assert await scan_at(7.2) == 0
        assert await reminders(h, skp) == [
            ("penilai", PENILAI_NIP, 3), ("penilai", PENILAI_NIP, 5), ("penilai", PENILAI_NIP, 7),
            ("atasan", ATASAN_PEJABAT_PENILAI_NIP, 7),
        ]
        ids = [e["event_id"] for e in await h.events("approval.reminder", skp)]
        assert ids[0] == str(reminder_event_id(skp, 1, "penilai", 0))
        # a decision ends the reminders
        await h.client.post(f"/api/v1/approvals/{skp}/approve", json={"version": 1}, headers=who.penilai)
        assert await scan_at(30) == 0


async def test_concurrent_scans_do_not_double(harness):
    async with harness(remind_after_days=1, escalate_after_days=2, remind_interval_days=1) as h:
        policy = h.rt.settings.escalation_policy()
        for _ in range(3):
            await h.submit()
        later = h.clock.advance(days=2, hours=1)
        counts = await asyncio.gather(*(scan(h.rt.uow, later, policy) for _ in range(4)), return_exceptions=True)
        assert not [c for c in counts if isinstance(c, BaseException)], counts
        assert sum(counts) == 6  # 3 SKPs x (penilai + atasan), whoever sent them
        assert len(await h.events("approval.reminder")) == 6


async def test_a_new_round_after_resubmission_and_the_current_penilai_after_reassign(harness, who):
    async with harness(remind_after_days=1, escalate_after_days=10, remind_interval_days=5) as h:
        policy = h.rt.settings.escalation_policy()
        skp = await h.submit()
        assert await scan(h.rt.uow, h.clock.advance(days=1), policy) == 1
        await h.client.post(f"/api/v1/approvals/{skp}/return", json={"version": 1, "catatan_perbaikan": "Perbaiki target TW IV."},
                            headers=who.penilai)
        await h.deliver(h.submission(skp, 2, resubmission=True))
        assert await scan(h.rt.uow, h.clock(), policy) == 0  # the new round just started
        new = {"nip": NEW_PENILAI, "nama": "Agus Wijaya, S.T."}
        await h.client.post(f"/api/v1/approvals/{skp}/reassign", json={"version": 2, "penilai": new}, headers=who.admin)
        assert await scan(h.rt.uow, h.clock.advance(days=1), policy) == 1
        assert await reminders(h, skp) == [("penilai", PENILAI_NIP, 1), ("penilai", NEW_PENILAI, 1)]


async def test_the_periodic_scan_runs_in_the_service(harness):
    async with harness(escalation_enabled=True, escalation_scan_seconds=0.1, remind_after_days=3) as h:
        skp = await h.submit()
        scanner = h.rt.container.escalation
        runs = scanner.runs
        await eventually(lambda: asyncio.sleep(0, scanner.runs > runs + 2))
        assert await reminders(h, skp) == []
        h.clock.advance(days=3)
        await eventually(lambda: reminders(h, skp))
        runs = scanner.runs
        await eventually(lambda: asyncio.sleep(0, scanner.runs > runs + 3))
        assert await reminders(h, skp) == [("penilai", PENILAI_NIP, 3)]
