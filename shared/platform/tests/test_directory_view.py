"""The directory projection every routing/mailing service keeps, on the
configured database, with the table made by the shared migration step."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from kinerja_contracts.events import PersonChanged
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_platform.db import UnitOfWork, create_engine, session_factory
from kinerja_platform.directory_view import DirectoryPerson, DirectorySuperior, DirectoryView, apply_person_changed
from kinerja_platform.messaging.migrations import create_directory_person_table, create_directory_superior_table
from sqlmodel import select

D = dt.date
PEGAWAI, PENILAI, BARU = "199503152025212001", "197806102005011002", "198001012006041001"


@pytest.fixture
async def db(new_database):
    engine = create_engine(new_database("dirview"))
    async with engine.begin() as conn:
        def tables(c) -> None:
            op = Operations(MigrationContext.configure(c))
            create_directory_person_table(op)
            create_directory_superior_table(op)

        await conn.run_sync(tables)
    yield engine
    await engine.dispose()


def rec(pid: str, mulai: dt.date, **kw) -> DirectoryRecord:
    return DirectoryRecord(person_id=pid, nip=pid, nama=f"Orang {pid[-3:]}", instansi=kw.pop("instansi", "Pemprov DKI"),
                           berlaku_mulai=mulai, **kw)


def changed(pid: str, version: int, *riwayat: DirectoryRecord) -> PersonChanged:
    return PersonChanged(person_id=pid, version=version, perubahan="baru" if version == 1 else "mutasi",
                         record=riwayat[-1], riwayat=list(riwayat))


async def test_the_projection_keeps_the_newest_version_and_answers_the_chain(db):
    uow = UnitOfWork(session_factory(db))
    v1 = changed(PEGAWAI, 1, rec(PEGAWAI, D(2026, 1, 1), atasan_id=PENILAI))
    v2 = changed(PEGAWAI, 2, rec(PEGAWAI, D(2026, 1, 1), berlaku_sampai=D(2026, 6, 30), atasan_id=PENILAI),
                 rec(PEGAWAI, D(2026, 7, 1), atasan_id=BARU))
    async with uow() as s:
        assert await apply_person_changed(s, v2)
        assert not await apply_person_changed(s, v1)  # an older version arriving late changes nothing
        assert not await apply_person_changed(s, v2)  # nor does a redelivery
        for pid in (PENILAI, BARU):
            await apply_person_changed(s, changed(pid, 1, rec(pid, D(2020, 1, 1), email=f"{pid}@dki.go.id")))
    async with uow() as s:
        view = DirectoryView(s)
        assert [r.berlaku_mulai for r in await view.riwayat(PEGAWAI)] == [D(2026, 1, 1), D(2026, 7, 1)]
        assert (await view.rantai_penilai(PEGAWAI, D(2026, 3, 1))).penilai.person_id == PENILAI
        chain = await view.rantai_penilai(PEGAWAI, D(2026, 9, 1))
        assert chain.penilai.person_id == BARU and chain.penilai.email == f"{BARU}@dki.go.id"
        assert await view.riwayat("unknown") == []
        assert await view.rantai_penilai("unknown", D(2026, 9, 1)) is None


async def test_the_superiors_a_riwayat_names_follow_the_newest_version(db):
    """``directory_superior`` holds every atasan_id of the stored riwayat
    (past and current records alike), replaced with the riwayat and never
    by an older version."""
    uow = UnitOfWork(session_factory(db))

    async def named_by(pid: str) -> set[str]:
        async with uow() as s:
            rows = (await s.exec(select(DirectorySuperior.atasan_id).where(DirectorySuperior.person_id == pid))).all()
            return set(rows)

    async def names(atasan: str) -> set[str]:
        async with uow() as s:
            rows = (await s.exec(select(DirectorySuperior.person_id).where(DirectorySuperior.atasan_id == atasan))).all()
            return set(rows)

    v1 = changed(PEGAWAI, 1, rec(PEGAWAI, D(2026, 1, 1), atasan_id=PENILAI))
    v2 = changed(PEGAWAI, 2, rec(PEGAWAI, D(2026, 1, 1), berlaku_sampai=D(2026, 6, 30), atasan_id=PENILAI),
                 rec(PEGAWAI, D(2026, 7, 1), atasan_id=BARU))
    v3 = changed(PEGAWAI, 3, rec(PEGAWAI, D(2026, 7, 1), atasan_id=BARU))
    async with uow() as s:
        await apply_person_changed(s, v1)
        await apply_person_changed(s, changed(PENILAI, 1, rec(PENILAI, D(2020, 1, 1))))
    assert await named_by(PEGAWAI) == {PENILAI} and await named_by(PENILAI) == set()
    async with uow() as s:
        await apply_person_changed(s, v2)
    assert await named_by(PEGAWAI) == {PENILAI, BARU}
    assert await names(PENILAI) == {PEGAWAI} and await names(BARU) == {PEGAWAI}
    async with uow() as s:
        await apply_person_changed(s, v3)
        assert not await apply_person_changed(s, v2)  # late and older: nothing changes
    assert await named_by(PEGAWAI) == {BARU} and await names(PENILAI) == set()


async def test_concurrent_versions_of_one_person_end_at_the_highest(db):
    uow = UnitOfWork(session_factory(db))

    async def write(version: int) -> None:
        async with uow() as s:
            await apply_person_changed(s, changed(PEGAWAI, version, rec(PEGAWAI, D(2026, 1, 1), jabatan=f"v{version}")))

    await write(1)
    await asyncio.gather(*(write(v) for v in (5, 3, 4, 2)), return_exceptions=False)
    async with uow() as s:
        assert (await DirectoryView(s).record_on(PEGAWAI, D(2026, 2, 1))).jabatan == "v5"


async def test_many_people_are_read_with_one_select(db):
    from sqlalchemy import event

    uow = UnitOfWork(session_factory(db))
    async with uow() as s:
        for pid in (PEGAWAI, PENILAI):
            await apply_person_changed(s, changed(pid, 1, rec(pid, D(2020, 1, 1), email=f"{pid}@dki.go.id")))
    statements: list[str] = []
    listener = lambda conn, cursor, sql, params, context, executemany: statements.append(sql)  # noqa: E731
    event.listen(db.sync_engine, "before_cursor_execute", listener)
    try:
        async with uow() as s:
            view = DirectoryView(s)
            await view.load([PEGAWAI, PENILAI, "unknown", PEGAWAI])
            before = len([x for x in statements if "directory_person" in x])
            assert (await view.record_on(PENILAI, D(2026, 1, 1))).email == f"{PENILAI}@dki.go.id"
            assert await view.riwayat("unknown") == []
            assert len([x for x in statements if "directory_person" in x]) == before == 1  # all from the cache
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", listener)


async def test_load_reads_many_people_at_once_into_the_sessions_cache(db):
    uow = UnitOfWork(session_factory(db))
    async with uow() as s:
        for pid in (PEGAWAI, PENILAI):
            await apply_person_changed(s, changed(pid, 1, rec(pid, D(2020, 1, 1))))
    async with uow() as s:
        view = DirectoryView(s)
        await view.load([PEGAWAI, PENILAI, "unknown", PEGAWAI])
        async with db.begin() as conn:  # gone from the table: what the view answers now comes from the load
            await conn.execute(DirectoryPerson.__table__.delete())
        assert [r.person_id for r in await view.riwayat(PEGAWAI)] == [PEGAWAI]
        assert [r.person_id for r in await view.riwayat(PENILAI)] == [PENILAI]
        assert await view.riwayat("unknown") == []
    async with uow() as s:
        assert await DirectoryView(s).riwayat(PEGAWAI) == []  # a new session reads the table again
