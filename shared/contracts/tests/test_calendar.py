"""The one calendar: UTC instants, Asia/Jakarta dates, Indonesian names."""

from __future__ import annotations

import datetime as dt

from kinerja_contracts.calendar import (
    JAKARTA,
    NAMA_BULAN,
    tanggal_indonesia,
    to_jakarta,
    today_jakarta,
    utcnow,
)


def test_23_30_utc_is_already_the_next_day_in_jakarta():
    assert today_jakarta(dt.datetime(2026, 2, 28, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 3, 1)
    # midnight in Jakarta is 17:00 UTC
    assert today_jakarta(dt.datetime(2026, 1, 16, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 1, 17)
    assert today_jakarta(dt.datetime(2026, 1, 16, 16, 59, tzinfo=dt.UTC)) == dt.date(2026, 1, 16)
    # the year turns in Jakarta seven hours before it turns in UTC
    assert today_jakarta(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)) == dt.date(2027, 1, 1)


def test_any_zone_and_naive_as_utc():
    wita = dt.timezone(dt.timedelta(hours=8))
    assert today_jakarta(dt.datetime(2026, 3, 1, 0, 30, tzinfo=wita)) == dt.date(2026, 2, 28)  # 23:30 WIB
    assert today_jakarta(dt.datetime(2026, 2, 28, 23, 30)) == dt.date(2026, 3, 1)  # naive = UTC (SQLite)
    local = to_jakarta(dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC))
    assert (local.hour, local.utcoffset(), local.tzname()) == (7, dt.timedelta(hours=7), "WIB")


def test_jakarta_is_the_iana_zone_and_now_is_utc():
    assert str(JAKARTA) == "Asia/Jakarta"
    now = utcnow()
    assert now.utcoffset() == dt.timedelta(0)
    assert abs(now - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
    assert today_jakarta() in {today_jakarta(now), today_jakarta(now + dt.timedelta(seconds=5))}


def test_indonesian_names():
    assert len(NAMA_BULAN) == 12 and NAMA_BULAN[0] == "Januari" and NAMA_BULAN[7] == "Agustus"
    assert NAMA_BULAN[11] == "Desember"
    assert tanggal_indonesia(dt.date(2026, 1, 31)) == "31 Januari 2026"
    assert tanggal_indonesia(dt.date(2025, 8, 5)) == "5 Agustus 2025"
