"""The recipient directory: NIP -> name, e-mail, preferences.

Built from the identities events carry; an admin's correction of an address
wins over what later events say.
"""

from __future__ import annotations

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.values import Pegawai
from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..adapters.tables import Recipient

_table = Recipient.__table__
_upserts: dict[str, object] = {}


def _clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _upsert(dialect: str):
    """INSERT of one row .. ON CONFLICT DO UPDATE .. RETURNING, every column
    given as a parameter: built once per dialect and compiled once (a
    multi-row VALUES statement would be compiled anew for every event).
    Several people go as one executemany, which SQLAlchemy's
    "insertmanyvalues" sends as a single multi-row statement."""
    stmt = _upserts.get(dialect)
    if stmt is None:
        c = _table.c
        stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(_table)
        keep = c.email_corrected.is_(True) | stmt.excluded.email.is_(None)
        stmt = _upserts[dialect] = stmt.on_conflict_do_update(
            index_elements=[c.nip],
            set_={
                "nama": stmt.excluded.nama,
                "instansi": case((stmt.excluded.instansi.is_(None), c.instansi), else_=stmt.excluded.instansi),
                "email": case((keep, c.email), else_=stmt.excluded.email),
                "updated_at": stmt.excluded.updated_at,
            },
        ).returning(*c)
    return stmt


async def remember(session, people: list[Pegawai]) -> dict:
    """Upsert the directory entries of ``people`` in one statement.

    INSERT .. ON CONFLICT DO UPDATE, so two consumers that meet the same new
    person at once cannot collide. The name and agency follow the newest
    event; the address too, unless an admin corrected it or the event has none.
    """
    if not people:
        return {}
    now = utcnow()
    rows = [
        dict(nip=p.nip, nama=p.nama, email=_clean_email(p.email), email_corrected=False, instansi=p.instansi,
             locale=None, digest=None, version=1, updated_at=now)
        for p in sorted({p.nip: p for p in people}.values(), key=lambda p: p.nip)  # one lock order: no deadlocks
    ]
    result = await session.exec(_upsert(session.bind.dialect.name), params=rows if len(rows) > 1 else rows[0])
    return {row.nip: row for row in result.all()}


async def lookup(session, nip: str) -> Recipient | None:
    return await session.get(Recipient, nip, populate_existing=True)
