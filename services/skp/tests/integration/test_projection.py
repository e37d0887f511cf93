"""The SKP status follows approval events, whatever their order or timing."""

from __future__ import annotations

import asyncio
import uuid

from kinerja_platform.db import UnitOfWork, create_engine, run_migrations, session_factory
from kinerja_contracts.events import ApprovalRequested, ApprovalReturned
from kinerja_contracts.lifecycle import SkpStatus
from kinerja_contracts.values import Pegawai
from kinerja_devstack.samples import directory_records_of_skp, pppk_skp
from kinerja_devstack.testing import apply_records
from kinerja_skp.adapters.tables import SkpDocument
from kinerja_skp.domain.model import SkpDraft
from kinerja_skp.main import MIGRATIONS
from kinerja_skp.service_layer.documents import apply_approval_event, create_checked
from kinerja_skp.service_layer.policy import Policy
from kinerja_skp.service_layer.watch import StatusWatch
from kinerja_platform.web.auth import Principal

PEG = Pegawai(nip="199503152025212001", nama="P")
PEN = Pegawai(nip="197806102005011002", nama="Q")


def event(cls, seq: int, **kw):
    return cls(skp_id=kw.pop("skp_id"), version=1, content_hash="h", status=kw.pop("status"), sequence=seq,
               pegawai=PEG, penilai=PEN, **kw)


async def test_concurrent_events_never_let_the_older_win(new_database):
    url = new_database("proj")
    await asyncio.to_thread(run_migrations, url, MIGRATIONS)
    engine = create_engine(url)
    uow = UnitOfWork(session_factory(engine))
    async with uow() as s:
        await apply_records(s, directory_records_of_skp(pppk_skp()))
    async with uow() as s:
        doc, _, _ = await create_checked(s, SkpDraft.model_validate(pppk_skp()), Principal(sub=PEG.nip, role="pegawai"), Policy())
    for _ in range(10):  # the race is timing-dependent: try it many times
        async with uow() as s:
            current = (await s.get(SkpDocument, doc.id)).approval_sequence
        requested = event(ApprovalRequested, current + 1, skp_id=doc.id, status=SkpStatus.Pending)
        returned = event(ApprovalReturned, current + 2, skp_id=doc.id, status=SkpStatus.Revisi, catatan_perbaikan="perbaiki target",
                         decided_by=PEN.nip)

        async def apply(e, status, note=None):
            async with uow() as s:
                await apply_approval_event(s, StatusWatch(), e, status, catatan_perbaikan=note)

        await asyncio.gather(apply(returned, SkpStatus.Revisi, "perbaiki target"), apply(requested, SkpStatus.Pending))
        async with uow() as s:
            d = await s.get(SkpDocument, doc.id)
            assert (d.status, d.approval_sequence) == ("Revisi", current + 2)
    await engine.dispose()


async def test_unknown_skp_is_ignored(new_database):
    url = new_database("proj")
    await asyncio.to_thread(run_migrations, url, MIGRATIONS)
    engine = create_engine(url)
    async with UnitOfWork(session_factory(engine))() as s:
        assert not await apply_approval_event(s, StatusWatch(), event(ApprovalRequested, 1, skp_id=uuid.uuid4(), status=SkpStatus.Pending), SkpStatus.Pending)
    await engine.dispose()
