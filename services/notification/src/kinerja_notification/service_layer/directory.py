"""The recipient directory: NIP -> name, e-mail, preferences.

Built from the identities events carry; an admin's correction of an address
wins over what later events say.
"""

from __future__ import annotations

from kinerja_contracts.values import Pegawai
from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..adapters.tables import Recipient, utcnow


def _clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


async def remember(session, people: list[Pegawai]) -> dict:
    """Upsert the directory entries of ``people`` in one statement.

    INSERT .. ON CONFLICT DO UPDATE, so two consumers that meet the same new
    person at once cannot collide. The name and agency follow the newest
    event; the address too, unless an admin corrected it or the event has none.
    """
    if not people:
        return
    dialect = session.bind.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = Recipient.__table__
    now = utcnow()
    stmt = insert(table).values([
        dict(nip=p.nip, nama=p.nama, email=_clean_email(p.email), email_corrected=False, instansi=p.instansi,
             locale=None, digest=None, version=1, updated_at=now)
        for p in sorted({p.nip: p for p in people}.values(), key=lambda p: p.nip)  # one lock order: no deadlocks
    ])
    keep = table.c.email_corrected.is_(True) | stmt.excluded.email.is_(None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.nip],
        set_={
            "nama": stmt.excluded.nama,
            "instansi": case((stmt.excluded.instansi.is_(None), table.c.instansi), else_=stmt.excluded.instansi),
            "email": case((keep, table.c.email), else_=stmt.excluded.email),
            "updated_at": stmt.excluded.updated_at,
        },
    ).returning(*table.c)
    rows = (await session.exec(stmt)).all()
    return {row.nip: row for row in rows}


async def lookup(session, nip: str) -> Recipient | None:
    return await session.get(Recipient, nip, populate_existing=True)
