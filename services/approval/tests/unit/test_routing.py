"""Where a submitted SKP goes (domain/routing.py): the directory's penilai, never the SKP's."""

from __future__ import annotations

import datetime as dt

import pytest
from kinerja_approval.domain.routing import (
    Follow,
    Route,
    RoutedBy,
    Unrouted,
    able_today,
    follow,
    has_standing,
    route,
    routing_date,
)
from kinerja_contracts.directory import rantai_penilai
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_contracts.values import Pegawai

DKI, BDG = "Pemerintah Provinsi DKI Jakarta", "Pemerintah Kota Bandung"
PEGAWAI, PENILAI, BOSS, NEW = "199503152025212001", "197806102005011002", "197001011995031003", "198202142006041001"
D = dt.date(2026, 3, 2)


def rec(pid: str, atasan: str | None = None, *, instansi: str = DKI, aktif: bool = True, nip: str | None = "same",
        mulai: dt.date = dt.date(2020, 1, 1), sampai: dt.date | None = None) -> DirectoryRecord:
    return DirectoryRecord(person_id=pid, nip=pid if nip == "same" else nip, nama=f"Orang {pid[-3:]}",
                           instansi=instansi, email=f"{pid}@example.go.id", aktif=aktif, atasan_id=atasan,
                           berlaku_mulai=mulai, berlaku_sampai=sampai)


def chain(*records: DirectoryRecord, pegawai: str = PEGAWAI, day: dt.date = D) -> Route:
    by_id: dict[str, list[DirectoryRecord]] = {}
    for r in records:
        by_id.setdefault(r.person_id, []).append(r)
    return route(pegawai, rantai_penilai(pegawai, day, lambda pid: by_id.get(pid, [])))


def test_the_routing_date_is_the_day_clamped_into_the_periode():
    mulai, selesai = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    assert routing_date(dt.date(2025, 12, 20), mulai, selesai) == mulai  # submitted ahead of the year
    assert routing_date(D, mulai, selesai) == D
    assert routing_date(dt.date(2027, 1, 10), mulai, selesai) == selesai  # late


def test_the_directory_superior_is_the_penilai_with_their_identity_from_the_directory():
    r = chain(rec(PEGAWAI, PENILAI), rec(PENILAI, BOSS), rec(BOSS))
    assert r.reason is None and r.instansi == DKI
    assert r.penilai == Pegawai(nip=PENILAI, nama="Orang 002", email=f"{PENILAI}@example.go.id", instansi=DKI)
    assert r.atasan_pejabat_penilai is not None and r.atasan_pejabat_penilai.nip == BOSS
    assert r.pegawai is not None and r.pegawai.nip == PEGAWAI


def test_a_mutasi_routes_by_the_record_in_force_on_the_day():
    records = (rec(PEGAWAI, PENILAI, sampai=dt.date(2026, 2, 28)), rec(PEGAWAI, NEW, mulai=dt.date(2026, 3, 1)),
               rec(PENILAI), rec(NEW))
    assert chain(*records, day=dt.date(2026, 2, 28)).penilai.nip == PENILAI  # type: ignore[union-attr]
    assert chain(*records, day=dt.date(2026, 3, 1)).penilai.nip == NEW  # type: ignore[union-attr]


@pytest.mark.parametrize("records, reason", [
    ((rec(PENILAI),), Unrouted.pegawai_unknown),  # the pegawai is not in the directory
    ((rec(PEGAWAI),), Unrouted.no_superior),
    ((rec(PEGAWAI, PENILAI),), Unrouted.superior_invalid),  # the superior is unknown
    ((rec(PEGAWAI, PENILAI), rec(PENILAI, aktif=False)), Unrouted.superior_invalid),  # left
    ((rec(PEGAWAI, PENILAI), rec(PENILAI, instansi=BDG)), Unrouted.superior_invalid),  # another instansi
    ((rec(PEGAWAI, "gubernur-dki"), rec("gubernur-dki", nip=None)), Unrouted.superior_without_nip),
    ((rec(PEGAWAI, PEGAWAI),), Unrouted.superior_is_pegawai),
])
def test_no_active_superior_of_the_instansi_means_unrouted(records, reason):
    r = chain(*records)
    assert r.penilai is None and r.atasan_pejabat_penilai is None and r.reason == reason


def test_standing_needs_an_active_record_of_the_instansi():
    assert has_standing(rec(PENILAI), DKI)
    assert not has_standing(rec(PENILAI, aktif=False), DKI)
    assert not has_standing(rec(PENILAI, instansi=BDG), DKI)
    assert not has_standing(None, DKI)
    assert not has_standing(rec(PENILAI), None)


def test_a_pending_case_follows_the_directory_unless_an_admin_reassigned_it():
    to_new = chain(rec(PEGAWAI, NEW), rec(NEW))
    nobody = chain(rec(PEGAWAI))
    assert follow(PENILAI, RoutedBy.directory, to_new) == Follow.move
    assert follow(PENILAI, None, to_new) == Follow.move  # routed before the directory existed
    assert follow(NEW, RoutedBy.directory, to_new) == Follow.keep  # already there
    assert follow(PENILAI, RoutedBy.admin, to_new) == Follow.keep  # the admin's choice holds
    assert follow(None, None, to_new) == Follow.route  # unrouted until now
    assert follow(PENILAI, RoutedBy.directory, nobody) == Follow.keep  # no valid superior: stays, admin reassigns
    assert follow(None, None, nobody) == Follow.keep


def test_a_penilai_who_cannot_act_today_leaves_the_case_unrouted():
    r = chain(rec(PEGAWAI, PENILAI), rec(PENILAI))  # the superior on the routing date (a past periode's end)
    assert able_today(r, rec(PENILAI)) is r
    for today in (rec(PENILAI, aktif=False), rec(PENILAI, instansi=BDG), None):
        later = able_today(r, today)
        assert later.penilai is None and later.reason == Unrouted.penilai_inactive and later.pegawai == r.pegawai
