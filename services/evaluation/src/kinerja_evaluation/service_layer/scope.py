"""An admin's instansi scope over people (docs/reliability.md, section 3): the instansi of a
pegawai is the one of their evaluation plans (the rule: access.foreign)."""

from __future__ import annotations

from collections.abc import Iterable

from ..adapters.repository import EvaluationRepository
from .access import foreign


async def foreign_nips(session, nips: Iterable[str], instansi: str | None) -> set[str]:
    """The NIPs among ``nips`` known only in other instansi than ``instansi``
    (None: an unscoped admin, nothing is foreign). A NIP without any plan is
    not foreign: attendance may arrive before the SKP is approved."""
    nips = set(nips)
    if instansi is None or not nips:
        return set()
    return foreign(await EvaluationRepository(session).instansi_of(nips), instansi)
