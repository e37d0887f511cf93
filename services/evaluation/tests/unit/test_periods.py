import datetime as dt

from kinerja_evaluation.domain.periods import (
    Action, Kind, deadline_after, due_actions, make_period, periods_overlapping,
)

d = dt.date


def test_monthly_period_and_default_deadline():
    p = make_period(Kind.monthly, "PPPK_PARUH_WAKTU", 2026, 3)
    assert (p.mulai, p.selesai, p.deadline) == (d(2026, 3, 1), d(2026, 3, 31), d(2026, 4, 5))
    assert p.period_id == "2026-03/PPPK_PARUH_WAKTU/monthly"
    assert p.action_date(Action.open, 2) == d(2026, 3, 1)
    assert p.action_date(Action.remind, 2) == d(2026, 4, 3)
    assert p.action_date(Action.close, 2) == d(2026, 4, 6)
    assert p.accepts_input(d(2026, 4, 5)) and not p.accepts_input(d(2026, 4, 6))


def test_quarter_annual_and_december_deadline():
    q = make_period("quarterly", "PNS", 2026, 4)
    assert (q.mulai, q.selesai, q.deadline) == (d(2026, 10, 1), d(2026, 12, 31), d(2027, 1, 5))
    a = make_period("annual", "PNS", 2026, 1)
    assert a.period_id == "2026/PNS/annual" and a.deadline == d(2027, 1, 5)
    assert deadline_after(d(2026, 1, 31), 31) == d(2026, 2, 28)


def test_periods_overlapping_an_skp_span():
    ps = list(periods_overlapping(["monthly", "annual"], "PPPK_PARUH_WAKTU", d(2025, 9, 1), d(2025, 12, 31)))
    assert [p.period_id for p in ps] == [
        "2025/PPPK_PARUH_WAKTU/annual", "2025-09/PPPK_PARUH_WAKTU/monthly", "2025-10/PPPK_PARUH_WAKTU/monthly",
        "2025-11/PPPK_PARUH_WAKTU/monthly", "2025-12/PPPK_PARUH_WAKTU/monthly",
    ]


def test_due_actions_in_calendar_order():
    spans = {"PPPK_PARUH_WAKTU": (d(2026, 1, 1), d(2026, 12, 31))}
    due = due_actions(spans, d(2026, 2, 6))
    keys = [a.key for a in due]
    assert keys == [
        "open:2026-01/PPPK_PARUH_WAKTU/monthly", "open:2026/PPPK_PARUH_WAKTU/annual",
        "open:2026-02/PPPK_PARUH_WAKTU/monthly", "remind:2026-01/PPPK_PARUH_WAKTU/monthly",
        "close:2026-01/PPPK_PARUH_WAKTU/monthly",
    ]
    # policy is configuration: a region evaluating PNS monthly
    due = due_actions({"PNS": (d(2026, 1, 1), d(2026, 12, 31))}, d(2026, 1, 1), policy={"PNS": ["monthly"]})
    assert [a.key for a in due] == ["open:2026-01/PNS/monthly"]


def test_a_period_joined_after_its_deadline_cannot_be_filled():
    """Hand-computed: September 2025 (deadline 5 October). A plan approved on
    the deadline day can still enter realisasi; one approved on 6 October,
    before the scheduler's close tick, could not: the month is N/A for it."""
    sep = make_period(Kind.monthly, "PPPK_PARUH_WAKTU", 2025, 9)
    assert sep.deadline == d(2025, 10, 5)
    assert sep.can_be_filled_after(d(2025, 9, 20))
    assert sep.can_be_filled_after(d(2025, 10, 5))
    assert not sep.can_be_filled_after(d(2025, 10, 6))
    # an admin's extension to 8 October moves it
    from dataclasses import replace
    extended = replace(sep, deadline=d(2025, 10, 8))
    assert extended.can_be_filled_after(d(2025, 10, 7)) and not extended.can_be_filled_after(d(2025, 10, 9))
    # TW III 2025 (deadline 5 October) and the year 2025 (deadline 5 January 2026)
    q3 = make_period(Kind.quarterly, "PNS", 2025, 3)
    year = make_period(Kind.annual, "PNS", 2025, 1)
    assert not q3.can_be_filled_after(d(2025, 10, 6)) and year.can_be_filled_after(d(2025, 10, 6))
