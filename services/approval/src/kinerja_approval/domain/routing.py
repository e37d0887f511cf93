"""Where a submitted SKP goes: to the pejabat penilai the directory names for
the pegawai, never to the one the SKP document names (DESIGN.md "Trust";
docs/approval.md, "Routing"). Pure: the caller reads the directory
projection and hands the chain in.

- :func:`routing_date`: the day whose superior appraises the SKP: the day
  (Asia/Jakarta) clamped into the SKP's periode (local choice: an SKP for
  next year submitted in December goes to whoever the directory says
  appraises the pegawai when the periode starts; a late one, to the superior
  at its end);
- :func:`route`: the penilai, atasan pejabat penilai and identity snapshots
  from the directory's chain, or why the SKP cannot be routed (it is then
  held unrouted for the instansi's admin); :func:`able_today`: that penilai
  must also be able to act today;
- :func:`has_standing`: a person decides only while the directory holds
  them active in the SKP's instansi;
- :func:`follow`: what a Pending case does when the directory changes
  (local choice: it follows the directory unless an admin reassigned it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from kinerja_contracts.directory import RantaiPenilai, as_pegawai
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_contracts.values import Pegawai


class RoutedBy(StrEnum):
    """Who chose a case's current penilai."""

    directory = "directory"  # the pegawai's direct superior in the directory
    admin = "admin"  # an admin's reassignment: the directory no longer moves the case


class Unrouted(StrEnum):
    """Why the directory gives no penilai for a submitted SKP."""

    pegawai_unknown = "pegawai-not-in-directory"  # no record of the pegawai in force on the day
    no_superior = "no-superior"  # the record names no atasan
    superior_invalid = "superior-not-valid"  # unknown, left (aktif false) or of another instansi
    superior_without_nip = "penilai-without-nip"  # a penilai without NIP cannot be carried yet
    superior_is_pegawai = "penilai-is-pegawai"  # a record naming the pegawai as their own superior
    penilai_inactive = "penilai-not-active"  # the superior on the routing date cannot act today (left, moved)


def routing_date(day: dt.date, mulai: dt.date, selesai: dt.date) -> dt.date:
    """``day`` clamped into the periode ``mulai``..``selesai``."""
    return min(max(day, mulai), selesai)


@dataclass(frozen=True)
class Route:
    """The outcome of :func:`route`. ``penilai`` None: unrouted, ``reason`` says why."""

    penilai: Pegawai | None
    atasan_pejabat_penilai: Pegawai | None
    #: the pegawai as the directory holds them (None when unknown there)
    pegawai: Pegawai | None
    #: the pegawai's instansi in the directory (None when unknown there)
    instansi: str | None
    reason: Unrouted | None = None


def route(pegawai_nip: str, rantai: RantaiPenilai | None) -> Route:
    """The penilai of ``pegawai_nip`` from the directory's chain on the routing date."""
    if rantai is None:
        return Route(None, None, None, None, Unrouted.pegawai_unknown)
    pegawai, instansi = as_pegawai(rantai.pegawai), rantai.pegawai.instansi
    if rantai.penilai_id is None:
        reason = Unrouted.no_superior
    elif rantai.penilai is None:
        reason = Unrouted.superior_invalid
    elif rantai.penilai.nip is None:
        reason = Unrouted.superior_without_nip
    elif rantai.penilai.nip == pegawai_nip:
        reason = Unrouted.superior_is_pegawai
    else:
        atasan = as_pegawai(rantai.atasan_penilai) if rantai.atasan_penilai is not None else None
        return Route(as_pegawai(rantai.penilai), atasan, pegawai, instansi)
    return Route(None, None, pegawai, instansi, reason)


def able_today(r: Route, penilai_today: DirectoryRecord | None) -> Route:
    """``r`` when its penilai can act today (``penilai_today``: their record
    today, see :func:`has_standing`); else unrouted. A late SKP whose
    superior at the end of its periode has since left waits for its admin
    rather than for someone who cannot decide (local choice)."""
    if r.penilai is None or has_standing(penilai_today, r.instansi):
        return r
    return Route(None, None, r.pegawai, r.instansi, Unrouted.penilai_inactive)


def has_standing(record: DirectoryRecord | None, instansi: str | None) -> bool:
    """Whether the person of ``record`` (their record in force today) may act
    as penilai or Plt/Plh on an SKP of ``instansi``: known, active, same instansi."""
    return record is not None and record.aktif and instansi is not None and record.instansi == instansi


class Follow(StrEnum):
    """What a Pending case does after a directory change (:func:`follow`)."""

    keep = "keep"
    move = "move"  # to the directory's new penilai: approval.reassigned, reason "directory"
    route = "route"  # an unrouted case gets its first penilai: approval.requested


def follow(current_penilai_nip: str | None, routed_by: str | None, new: Route) -> Follow:
    """A Pending case moves to the penilai the directory now names, unless an
    admin's reassignment is in force for it; when the directory names nobody
    valid, the case stays where it is (its admin sees it and may reassign).
    Local choice (docs/approval.md, "When the directory changes")."""
    if routed_by == RoutedBy.admin or new.penilai is None:
        return Follow.keep
    if current_penilai_nip is None:
        return Follow.route
    return Follow.keep if new.penilai.nip == current_penilai_nip else Follow.move
