"""The directory upsert, built once and compiled once: the
newest event's name and agency win, an address only when the event has one
and no admin corrected it; one person or many."""

from __future__ import annotations

from kinerja_contracts.values import Pegawai
from kinerja_devstack.testing import running
from kinerja_notification.adapters.tables import Recipient
from kinerja_notification.adapters import repository
from kinerja_notification.service_layer import directory
from sqlalchemy import event, update


def _p(i: int, nama: str = "Siti Rahmawati", email: str | None = None, instansi: str | None = "Pemkot Bogor"):
    return Pegawai(nip=f"1995031520252120{i:02d}", nama=nama, email=email, instansi=instansi)


async def test_remember_keeps_its_rules_and_reuses_its_statement(app):
    async with running(app):
        uow = app.state.runtime.uow
        async with uow() as session:
            known = await directory.remember(session, [_p(2, email="b@x.go.id"), _p(1, email=" a@x.go.id "),
                                                      _p(2, email="b@x.go.id")])
        assert sorted(known) == [_p(1).nip, _p(2).nip]
        assert known[_p(1).nip].email == "a@x.go.id" and known[_p(1).nip].instansi == "Pemkot Bogor"
        dialect = app.state.runtime.engine.dialect.name  # the statement is prebuilt per dialect
        stmt = repository._upserts[dialect]
        assert stmt._generate_cache_key() is not None  # cacheable: compiled once, not per event

        async with uow() as session:  # an admin corrects person 2's address
            await session.exec(update(Recipient).where(Recipient.nip == _p(2).nip)
                               .values(email="dikoreksi@x.go.id", email_corrected=True))

        async with uow() as session:
            known = await directory.remember(session, [
                _p(1, nama="Siti Rahmawati, S.E.", email=None, instansi=None),  # no address, no agency: keep both
                _p(2, nama="Dévi Çandrawati", email="lama@x.go.id"),  # corrected by the admin: keep it
            ])
        one, two = known[_p(1).nip], known[_p(2).nip]
        assert (one.nama, one.email, one.instansi) == ("Siti Rahmawati, S.E.", "a@x.go.id", "Pemkot Bogor")
        assert (two.nama, two.email, two.email_corrected) == ("Dévi Çandrawati", "dikoreksi@x.go.id", True)
        assert repository._upserts[dialect] is stmt

        async with uow() as session:
            known = await directory.remember(session, [_p(1, email="baru@x.go.id")])
        assert known[_p(1).nip].email == "baru@x.go.id"

        many = [_p(i, nama=f"Pegawai {i}", email=f"p{i}@x.go.id") for i in range(20)]
        statements = []
        event.listen(app.state.runtime.engine.sync_engine, "before_cursor_execute",
                     lambda conn, cursor, sql, params, context, executemany: statements.append(sql))
        async with uow() as session:
            known = await directory.remember(session, many)
        assert len([s for s in statements if "INSERT INTO recipient" in s]) == 1  # one multi-row statement
        assert len(known) == len(many) and known[_p(2).nip].email == "dikoreksi@x.go.id"
        assert known[_p(19).nip].nama == "Pegawai 19"

        async with uow() as session:
            assert await directory.remember(session, []) == {}
