"""One bad record never stops work for others (issue 15): a case whose
stored snapshot breaks the event schema is set aside by the escalation scan,
and every other case is still reminded."""

from __future__ import annotations

import datetime as dt

from kinerja_approval.adapters.tables import ApprovalCase
from kinerja_approval.service_layer.escalation import scan
from kinerja_platform import isolation
from sqlalchemy import update


async def test_a_poisoned_case_is_set_aside_and_the_others_are_reminded(harness):
    async with harness(remind_after_days=1, escalate_after_days=10, remind_interval_days=5) as h:
        policy = h.rt.settings.escalation_policy()
        good = [await h.submit() for _ in range(2)]
        bad = await h.submit()
        async with h.rt.uow() as session:  # as if stored before the edge checked it
            await session.exec(update(ApprovalCase).where(ApprovalCase.skp_id == bad).values(
                pegawai={"nip": "１９９５", "nama": "x\x00"}))
        later = h.clock() + dt.timedelta(days=1, hours=1)
        assert await scan(h.rt.uow, later, policy) == 2
        reminded = {e["data"]["skp_id"] for e in await h.events("approval.reminder")}
        assert reminded == {str(s) for s in good}
        assert str(bad) in {s.row_id for s in isolation.recent("approval-escalation")}
        # the poisoned case claimed nothing: once corrected, it is reminded
        async with h.rt.uow() as session:
            case = await session.get(ApprovalCase, good[1])
            await session.exec(update(ApprovalCase).where(ApprovalCase.skp_id == bad).values(pegawai=case.pegawai))
        assert await scan(h.rt.uow, later, policy) == 1


async def test_a_poisoned_case_does_not_stop_a_directory_change(harness):
    """Two unrouted cases wait for the same superior; one was stored with a
    pegawai no event can carry. The superior's arrival routes the other, sets
    the bad one aside, and the projection keeps the superior."""
    from kinerja_devstack.samples import nip, pppk_skp
    from kinerja_platform.directory_view import DirectoryView

    from .conftest import record

    async with harness() as h:
        boss = nip(71, born="19790101", appointed="200401")
        skps = []
        for n in (72, 73):
            await h.directory(record(nip(n), boss), follow=False)  # the superior is not in the directory yet
            skps.append(await h.submit(in_directory=False, content=pppk_skp(pegawai_nip=nip(n))))
        bad, good = skps
        async with h.rt.uow() as session:
            await session.exec(update(ApprovalCase).where(ApprovalCase.skp_id == bad).values(
                pegawai={"nip": "１９９５", "nama": "x\x00"}))
        assert await h.directory(record(boss, None)) == 1
        async with h.rt.uow() as session:
            assert (await session.get(ApprovalCase, good)).penilai_nip == boss
            assert (await session.get(ApprovalCase, bad)).penilai_nip is None
            assert await DirectoryView(session).riwayat(boss)
        assert [e["data"]["skp_id"] for e in await h.events("approval.requested")] == [str(good)]
        assert str(bad) in {s.row_id for s in isolation.recent("approval-directory")}
