"""Reading the directory projection for routing and standing (the pure rules
are domain/routing.py; the projection is kinerja_platform.directory_view,
kept by the consumer of ``directory.person_changed``)."""

from __future__ import annotations

import datetime as dt

from kinerja_contracts.directory import as_pegawai
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_contracts.values import Pegawai
from kinerja_platform.directory_view import DirectoryView

from ..domain.routing import Route, able_today, has_standing, route, routing_date


def day_for(day: dt.date, periode_mulai: dt.date | None, periode_selesai: dt.date | None) -> dt.date:
    """The routing date of an SKP on ``day`` (domain.routing.routing_date)."""
    if periode_mulai is None or periode_selesai is None:
        return day
    return routing_date(day, periode_mulai, periode_selesai)


async def resolve(view: DirectoryView, pegawai_nip: str, day: dt.date, today: dt.date) -> Route:
    """The penilai the directory names for ``pegawai_nip`` on ``day`` (the
    routing date), provided they can act ``today``."""
    r = route(pegawai_nip, await view.rantai_penilai(pegawai_nip, day))
    if r.penilai is None:
        return r
    return able_today(r, await view.record_on(r.penilai.nip, today))


async def standing(view: DirectoryView, person_id: str, instansi: str | None, day: dt.date) -> DirectoryRecord | None:
    """The person's record on ``day`` when it lets them act on an SKP of
    ``instansi`` (known, active, same instansi); None otherwise."""
    record = await view.record_on(person_id, day)
    return record if has_standing(record, instansi) else None


async def superior_of(view: DirectoryView, record: DirectoryRecord, day: dt.date) -> Pegawai | None:
    """The directory superior of ``record``'s person on ``day`` when they have
    standing in the same instansi (the atasan pejabat penilai of a case whose
    penilai is that person)."""
    if record.atasan_id is None:
        return None
    superior = await standing(view, record.atasan_id, record.instansi, day)
    return as_pegawai(superior) if superior is not None else None
