"""Who may decide on an SKP: its pejabat penilai, or an acting official.

An acting official (Plt, *Pelaksana Tugas*, or Plh, *Pelaksana Harian*) is
recorded by an admin for a penilai and a date range (inclusive, dates in
Asia/Jakarta). While the range lasts the delegate sees the penilai's inbox
and decides on the penilai's behalf. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class JenisPenugasan(StrEnum):
    """Kind of acting assignment."""

    Plt = "Plt"  # Pelaksana Tugas: fills a vacant or long-absent post
    Plh = "Plh"  # Pelaksana Harian: stands in for a short absence


@dataclass(frozen=True)
class Penugasan:
    """An acting assignment: ``delegate_nip`` acts for ``penilai_nip``."""

    delegate_nip: str
    penilai_nip: str
    mulai: dt.date
    selesai: dt.date
    jenis: JenisPenugasan = JenisPenugasan.Plt
    instansi: str | None = None

    def covers(self, day: dt.date) -> bool:
        return self.mulai <= day <= self.selesai

    def applies_to(self, penilai_nip: str, instansi: str | None, day: dt.date) -> bool:
        """True when this assignment lets its delegate decide for ``penilai_nip``
        on ``day`` for an SKP of ``instansi`` (an admin's assignment reaches
        only SKPs of the admin's own instansi)."""
        return (
            self.penilai_nip == penilai_nip
            and self.covers(day)
            and (self.instansi is None or self.instansi == instansi)
        )


@dataclass(frozen=True)
class Authority:
    """The outcome of :func:`decision_authority`: the person deciding and on
    whose behalf (``None`` when the penilai decides in person)."""

    actor_nip: str
    on_behalf_of: str | None = None


class NotAuthorised(Exception):
    """The caller is neither the SKP's penilai nor an acting official for them."""


def decision_authority(
    caller_nip: str,
    penilai_nip: str,
    instansi: str | None,
    day: dt.date,
    penugasan: Iterable[Penugasan],
    *,
    pegawai_nip: str | None = None,
) -> Authority:
    """Decide whether ``caller_nip`` may decide an SKP whose current penilai is
    ``penilai_nip`` on ``day``; raise :class:`NotAuthorised` if not.

    Nobody decides their own SKP, not even as Plt/Plh of their own superior
    (a subordinate standing in for the boss is common)."""
    if pegawai_nip is not None and caller_nip == pegawai_nip:
        raise NotAuthorised(caller_nip)
    if caller_nip == penilai_nip:
        return Authority(caller_nip)
    for p in penugasan:
        if p.delegate_nip == caller_nip and p.applies_to(penilai_nip, instansi, day):
            return Authority(caller_nip, on_behalf_of=penilai_nip)
    raise NotAuthorised(caller_nip)
