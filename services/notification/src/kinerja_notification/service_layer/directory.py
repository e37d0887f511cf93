"""The recipient directory: NIP -> name, e-mail, preferences.

Built from the identities events carry; an admin's correction of an address
wins over what later events say.
"""

from __future__ import annotations

from kinerja_contracts.values import Pegawai
from sqlalchemy import bindparam, case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..adapters.tables import Recipient, utcnow

_table = Recipient.__table__
#: upserts of up to this many people are built once per size and reused (SQLAlchemy's compiled cache)
_CACHED_ROWS = 16
_upserts: dict[tuple[str, int], object] = {}


def _clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _upsert(dialect: str, n: int):
    """INSERT of ``n`` rows .. ON CONFLICT DO UPDATE .. RETURNING, with bound
    parameters ``nip_<i>``, ``nama_<i>``, ``email_<i>``, ``instansi_<i>`` and
    ``now``: the same statement object for every event of that size."""
    stmt = _upserts.get((dialect, n))
    if stmt is not None:
        return stmt
    c = _table.c
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(_table).values([
        dict(nip=bindparam(f"nip_{i}", type_=c.nip.type), nama=bindparam(f"nama_{i}", type_=c.nama.type),
             email=bindparam(f"email_{i}", type_=c.email.type), email_corrected=False,
             instansi=bindparam(f"instansi_{i}", type_=c.instansi.type), locale=None, digest=None, version=1,
             updated_at=bindparam("now", type_=c.updated_at.type))
        for i in range(n)
    ])
    keep = c.email_corrected.is_(True) | stmt.excluded.email.is_(None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[c.nip],
        set_={
            "nama": stmt.excluded.nama,
            "instansi": case((stmt.excluded.instansi.is_(None), c.instansi), else_=stmt.excluded.instansi),
            "email": case((keep, c.email), else_=stmt.excluded.email),
            "updated_at": stmt.excluded.updated_at,
        },
    ).returning(*c)
    if n <= _CACHED_ROWS:
        _upserts[(dialect, n)] = stmt
    return stmt


async def remember(session, people: list[Pegawai]) -> dict:
    """Upsert the directory entries of ``people`` in one statement.

    INSERT .. ON CONFLICT DO UPDATE, so two consumers that meet the same new
    person at once cannot collide. The name and agency follow the newest
    event; the address too, unless an admin corrected it or the event has none.
    """
    if not people:
        return {}
    unique = sorted({p.nip: p for p in people}.values(), key=lambda p: p.nip)  # one lock order: no deadlocks
    params: dict = {"now": utcnow()}
    for i, p in enumerate(unique):
        params[f"nip_{i}"], params[f"nama_{i}"] = p.nip, p.nama
        params[f"email_{i}"], params[f"instansi_{i}"] = _clean_email(p.email), p.instansi
    stmt = _upsert(session.bind.dialect.name, len(unique))
    rows = (await session.exec(stmt, params=params)).all()
    return {row.nip: row for row in rows}


async def lookup(session, nip: str) -> Recipient | None:
    return await session.get(Recipient, nip, populate_existing=True)
