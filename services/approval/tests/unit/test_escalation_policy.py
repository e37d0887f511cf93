"""When reminders are due: thresholds, intervals, and one per interval."""

from __future__ import annotations

import datetime as dt

import pytest
from kinerja_approval.domain.escalation import EscalationPolicy, due_reminders

T0 = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
POLICY = EscalationPolicy(remind_after_days=3, escalate_after_days=7, interval_days=2)


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def keys(days: float):
    return [(r.level, r.interval_index) for r in due_reminders(T0, at(days), POLICY)]


def test_nothing_before_the_first_limit():
    assert keys(0) == [] and keys(2.99) == []


def test_penilai_reminded_once_per_interval():
    assert keys(3) == [("penilai", 0)]
    assert keys(4.9) == [("penilai", 0)]  # same interval: same key, so no second reminder
    assert keys(5) == [("penilai", 1)]
    assert keys(6.5) == [("penilai", 1)]


def test_after_the_second_limit_the_atasan_is_alerted_too():
    assert keys(7) == [("penilai", 2), ("atasan", 0)]
    assert keys(8.5) == [("penilai", 2), ("atasan", 0)]
    assert keys(9) == [("penilai", 3), ("atasan", 1)]


def test_days_pending_is_whole_days():
    (r,) = due_reminders(T0, at(3.7), POLICY)
    assert r.days_pending == 3


def test_the_distinct_keys_over_a_month_of_minute_scans_are_one_per_interval():
    seen = set()
    minutes = 0
    while minutes <= 30 * 24 * 60:
        seen.update(keys(minutes / (24 * 60)))
        minutes += 17
    penilai = sorted(i for lvl, i in seen if lvl == "penilai")
    atasan = sorted(i for lvl, i in seen if lvl == "atasan")
    assert penilai == list(range(0, (30 - 3) // 2 + 1))
    assert atasan == list(range(0, (30 - 7) // 2 + 1))


@pytest.mark.parametrize("kw", [dict(remind_after_days=0), dict(interval_days=0), dict(remind_after_days=5, escalate_after_days=4)])
def test_policy_refuses_nonsense(kw):
    with pytest.raises(ValueError):
        EscalationPolicy(**kw)
