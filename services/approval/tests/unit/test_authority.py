"""Who decides: the penilai, or a Plt/Plh in force for the date and instansi."""

from __future__ import annotations

import datetime as dt

import pytest
from kinerja_approval.domain.authority import (
    JenisPenugasan,
    NotAuthorised,
    Penugasan,
    decision_authority,
)

PENILAI, PLT, OTHER = "197806102005011002", "198202142006041001", "199001012015011999"
DKI = "Pemerintah Provinsi DKI Jakarta"
PLH = Penugasan(PLT, PENILAI, dt.date(2026, 1, 5), dt.date(2026, 1, 16), JenisPenugasan.Plh, DKI)


def test_the_penilai_decides_in_person():
    a = decision_authority(PENILAI, PENILAI, DKI, dt.date(2026, 1, 1), [])
    assert a.actor_nip == PENILAI and a.on_behalf_of is None


@pytest.mark.parametrize("day", [dt.date(2026, 1, 5), dt.date(2026, 1, 10), dt.date(2026, 1, 16)])
def test_an_acting_official_decides_on_behalf_within_the_range(day):
    a = decision_authority(PLT, PENILAI, DKI, day, [PLH])
    assert a.actor_nip == PLT and a.on_behalf_of == PENILAI


@pytest.mark.parametrize("day", [dt.date(2026, 1, 4), dt.date(2026, 1, 17)])
def test_outside_the_range_the_delegate_may_not(day):
    with pytest.raises(NotAuthorised):
        decision_authority(PLT, PENILAI, DKI, day, [PLH])


def test_a_delegation_for_another_penilai_or_instansi_does_not_count():
    day = dt.date(2026, 1, 10)
    with pytest.raises(NotAuthorised):
        decision_authority(PLT, OTHER, DKI, day, [PLH])
    with pytest.raises(NotAuthorised):
        decision_authority(PLT, PENILAI, "Pemerintah Kota Bandung", day, [PLH])
    with pytest.raises(NotAuthorised):
        decision_authority(OTHER, PENILAI, DKI, day, [PLH])


def test_nobody_decides_their_own_skp_even_as_plh_of_their_superior():
    own_plh = Penugasan(PLT, PENILAI, dt.date(2026, 1, 5), dt.date(2026, 1, 16), JenisPenugasan.Plh, DKI)
    with pytest.raises(NotAuthorised):
        decision_authority(PLT, PENILAI, DKI, dt.date(2026, 1, 10), [own_plh], pegawai_nip=PLT)
    assert decision_authority(PLT, PENILAI, DKI, dt.date(2026, 1, 10), [own_plh], pegawai_nip=OTHER).on_behalf_of == PENILAI
