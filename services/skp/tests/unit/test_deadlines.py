"""Submission deadlines (pure). The version diff is tested with the contracts
(shared/contracts/tests/test_skp_diff.py)."""

from __future__ import annotations

import datetime as dt

from kinerja_skp.domain.deadlines import Extension, deadline_for

D = dt.date


def test_annual_skp_is_due_31_january():
    d = deadline_for(mulai=D(2026, 1, 1), tanggal_sk=None, nip="1", unit_kerja="U")
    assert d.effective == D(2026, 1, 31) and d.reason == "tahunan"
    assert not d.passed(D(2026, 1, 31)) and d.passed(D(2026, 2, 1))


def test_appointment_decree_gives_ten_days():
    d = deadline_for(mulai=D(2026, 1, 1), tanggal_sk=D(2026, 1, 2), nip="1", unit_kerja="U")
    assert d.effective == D(2026, 1, 12) and d.reason == "sk"


def test_ten_days_run_from_receiving_the_decree():
    # DKI 2026: the SK was signed 29 Dec 2025 and handed over 2 Jan 2026: due 12 Jan, not 8 Jan
    d = deadline_for(mulai=D(2026, 1, 1), tanggal_sk=D(2025, 12, 29), tanggal_terima_sk=D(2026, 1, 2), nip="1", unit_kerja="U")
    assert d.effective == D(2026, 1, 12) and d.reason == "terima-sk"
    from kinerja_skp.domain.deadlines import terima_sk_of
    assert terima_sk_of({"tanggal_terima_sk": "2026-01-02"}) == D(2026, 1, 2) and terima_sk_of({}) is None


def test_mid_year_period_without_decree_gives_ten_days_from_start():
    d = deadline_for(mulai=D(2025, 9, 1), tanggal_sk=None, nip="1", unit_kerja="U")
    assert d.effective == D(2025, 9, 11) and d.reason == "mulai"


def test_extensions_per_unit_or_person_latest_wins():
    exts = [Extension(D(2026, 2, 10), unit_kerja="U"), Extension(D(2026, 2, 20), nip="2"), Extension(D(2026, 1, 15), nip="1")]
    assert deadline_for(mulai=D(2026, 1, 1), tanggal_sk=None, nip="1", unit_kerja="U", extensions=exts).effective == D(2026, 2, 10)
    assert deadline_for(mulai=D(2026, 1, 1), tanggal_sk=None, nip="2", unit_kerja="V", extensions=exts).effective == D(2026, 2, 20)
    other = deadline_for(mulai=D(2026, 1, 1), tanggal_sk=None, nip="3", unit_kerja="V", extensions=exts)
    assert other.effective == D(2026, 1, 31) and other.reason == "tahunan"


def test_an_extension_never_shortens():
    d = deadline_for(mulai=D(2026, 1, 1), tanggal_sk=None, nip="1", unit_kerja="U", extensions=[Extension(D(2026, 1, 10), nip="1")])
    assert d.effective == D(2026, 1, 31)
