"""StatusWatch and status_after_wait: the long poll's waiting, without I/O
(``read`` is a plain coroutine standing in for the database)."""

from __future__ import annotations

import asyncio
import time
import uuid
from types import SimpleNamespace

from kinerja_contracts.lifecycle import SkpStatus
from kinerja_skp.service_layer.documents import status_after_wait
from kinerja_skp.service_layer.watch import StatusWatch, wait_for_change


async def test_changed_wakes_the_waiters_of_that_skp_only():
    watch, a, b = StatusWatch(), uuid.uuid4(), uuid.uuid4()
    with watch.watching(a) as fa, watch.watching(b) as fb:
        assert watch.waiting == 2
        watch.changed(a)
        assert await wait_for_change(fa, 1.0) is True
        assert await wait_for_change(fb, 0.05) is False
    assert watch.waiting == 0 and not watch._waiters


async def test_past_max_waiters_a_caller_does_not_wait():
    watch = StatusWatch(max_waiters=1)
    with watch.watching(uuid.uuid4()) as first, watch.watching(uuid.uuid4()) as second:
        assert first is not None and second is None
        assert await wait_for_change(second, 10) is False


class FakeRows:
    """Statuses that ``read`` hands out one by one (the last repeats)."""

    def __init__(self, *statuses: str):
        self.statuses, self.reads = list(statuses), 0

    async def read(self):
        self.reads += 1
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return SimpleNamespace(status=status)


async def test_without_while_status_or_on_another_status_it_reads_once():
    rows = FakeRows("Draft")
    assert (await status_after_wait(rows.read, uuid.uuid4(), None, 10, watch=StatusWatch(), recheck=60)).status == "Draft"
    assert (await status_after_wait(rows.read, uuid.uuid4(), SkpStatus.Pending, 10, watch=StatusWatch(), recheck=60)).status == "Draft"
    assert rows.reads == 2


async def test_a_change_wakes_the_wait_long_before_the_recheck():
    watch, sid = StatusWatch(), uuid.uuid4()
    rows = FakeRows("Pending", "Approved")
    task = asyncio.create_task(status_after_wait(rows.read, sid, SkpStatus.Pending, 20, watch=watch, recheck=60))
    await asyncio.sleep(0.05)
    assert not task.done() and rows.reads == 1
    t0 = time.monotonic()
    watch.changed(sid)
    row = await asyncio.wait_for(task, 2)
    assert row.status == "Approved" and rows.reads == 2 and time.monotonic() - t0 < 1


async def test_without_a_wake_it_rereads_every_recheck_and_stops_at_wait():
    rows = FakeRows("Pending")
    t0 = time.monotonic()
    row = await status_after_wait(rows.read, uuid.uuid4(), SkpStatus.Pending, 0.35, watch=StatusWatch(), recheck=0.1)
    elapsed = time.monotonic() - t0
    assert row.status == "Pending" and 0.35 <= elapsed < 1.5
    assert 4 <= rows.reads <= 6  # at 0, 0.1, 0.2, 0.3 and the last at 0.35


async def test_a_change_between_the_read_and_the_wait_is_not_missed():
    watch, sid = StatusWatch(), uuid.uuid4()
    rows = FakeRows("Pending", "Approved")

    async def read_then_change():
        row = await rows.read()
        if rows.reads == 1:
            watch.changed(sid)  # commits right after our read, before we wait
        return row

    row = await asyncio.wait_for(status_after_wait(read_then_change, sid, SkpStatus.Pending, 20, watch=watch, recheck=60), 2)
    assert row.status == "Approved"


async def test_close_wakes_every_waiter_and_nobody_waits_after_it():
    watch, sid = StatusWatch(), uuid.uuid4()
    rows = FakeRows("Pending")
    task = asyncio.create_task(status_after_wait(rows.read, sid, SkpStatus.Pending, 20, watch=watch, recheck=60))
    await asyncio.sleep(0.05)
    assert not task.done()
    watch.close()
    row = await asyncio.wait_for(task, 2)
    assert row.status == "Pending" and rows.reads == 2  # woken, read once more, answered
    with watch.watching(sid) as fut:
        assert fut is None
