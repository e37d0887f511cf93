"""An admin's instansi scope over people (docs/reliability.md, section 3): the instansi of a
pegawai is the one of their evaluation plans."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ..adapters.tables import EvaluationPlan


async def foreign_nips(session, nips: Iterable[str], instansi: str | None) -> set[str]:
    """The NIPs among ``nips`` known only in other instansi than ``instansi``
    (None: an unscoped admin, nothing is foreign). A NIP without any plan is
    not foreign: attendance may arrive before the SKP is approved."""
    nips = set(nips)
    if instansi is None or not nips:
        return set()
    rows = (await session.exec(select(EvaluationPlan.nip, EvaluationPlan.instansi).where(EvaluationPlan.nip.in_(nips)))).all()
    mine = {n for n, i in rows if i == instansi}
    return {n for n, i in rows if i != instansi} - mine
