"""Units kerja: an instansi's own codes, written by its portals and admins;
every change is a version with an audit row and a ``kinerja.directory.unit_changed`` event."""

from __future__ import annotations

import datetime as dt

from kinerja_contracts.events import DirectoryUnit, UnitChanged
from kinerja_contracts.values import Actor
from kinerja_platform.messaging.outbox import add_event
from kinerja_platform.web.auth import Principal
from kinerja_platform.web.errors import ProblemError
from sqlalchemy.exc import IntegrityError

from ..adapters.repository import DirectoryRepository, unit_of
from ..adapters.tables import ChangeRow, UnitRow
from ..domain.model import Unit, unit_changes
from . import access


def wire(unit: Unit) -> DirectoryUnit:
    return DirectoryUnit(unit_id=unit.unit_id, instansi=unit.instansi, nama=unit.nama, induk_id=unit.induk_id,
                         aktif=unit.aktif)


async def upsert_unit(uow, principal: Principal, unit_id: str, *, nama: str, induk_id: str | None, aktif: bool,
                      now: dt.datetime) -> tuple[str, int, DirectoryUnit]:
    """PUT a unit of the caller's instansi: (created|updated|unchanged, version, unit)."""
    instansi = access.writer_instansi(principal)
    if induk_id == unit_id:
        raise ProblemError(422, "unit-invalid", "Unit tidak boleh induk dirinya sendiri (a unit is not its own parent).",
                           errors=[{"path": "body.induk_id", "message": "must differ from unit_id"}])
    new = Unit(unit_id=unit_id, instansi=instansi, nama=nama, induk_id=induk_id, aktif=aktif)
    try:
        async with uow() as session:
            repo = DirectoryRepository(session)
            row = await repo.unit(instansi, unit_id)
            old = unit_of(row) if row else None
            changed = unit_changes(old, new)
            if changed is None:
                assert row is not None
                return "unchanged", row.version, wire(new)
            if row is None:
                row = UnitRow(instansi=instansi, unit_id=unit_id, nama=nama, induk_id=induk_id, aktif=aktif, version=1,
                              updated_at=now)
            else:
                row.nama, row.induk_id, row.aktif, row.version, row.updated_at = nama, induk_id, aktif, row.version + 1, now
            await repo.save_unit(row)
            repo.add_change(ChangeRow(
                kind="unit", entity_id=f"{instansi}/{unit_id}", version=row.version, instansi=instansi,
                actor_sub=principal.sub, actor_role=principal.role.value, source="api",
                perubahan="baru" if old is None else "koreksi", changed_fields=changed,
                before=wire(old).model_dump(mode="json") if old else None, record=wire(new).model_dump(mode="json"),
                at=now,
            ))
            add_event(session, UnitChanged(version=row.version, unit=wire(new), changed_fields=changed),
                      actor=Actor(sub=principal.sub, role=principal.role.value))
            return ("created" if old is None else "updated"), row.version, wire(new)
    except IntegrityError:
        raise ProblemError(409, "unit-conflict", "Unit ini sedang diubah bersamaan; ulangi "
                           "(the unit was changed concurrently; retry).") from None


async def list_units(uow, principal: Principal, *, aktif: bool | None) -> list[tuple[int, DirectoryUnit]]:
    instansi = access.writer_instansi(principal)
    async with uow() as session:
        rows = await DirectoryRepository(session).units(instansi, aktif)
    return [(r.version, wire(unit_of(r))) for r in rows]
