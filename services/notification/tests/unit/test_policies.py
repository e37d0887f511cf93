"""Digest windows, the token bucket, retry backoff, Message-IDs."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from kinerja_notification.domain.digest import digest_event_id, digest_message_id, window_start
from kinerja_notification.domain.ratelimit import TokenBucket
from kinerja_notification.domain.retry import backoff
from kinerja_notification.service_layer.mail import message_id

UTC = dt.UTC


def test_daily_windows_start_at_seven_in_jakarta():
    # 2026-11-25 09:30 WIB = 02:30 UTC -> the window started 07:00 WIB = 00:00 UTC
    now = dt.datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    assert window_start(now, 86400) == dt.datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    # 06:59 WIB still belongs to the previous day's window
    assert window_start(dt.datetime(2026, 11, 24, 23, 59, tzinfo=UTC), 86400) == dt.datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def test_hourly_windows_and_anchor():
    now = dt.datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    assert window_start(now, 3600) == dt.datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert window_start(now, 3600, "08:15") == dt.datetime(2026, 11, 25, 2, 15, tzinfo=UTC)
    with pytest.raises(ValueError):
        window_start(now, 0)


def test_digest_identity_is_the_person_and_the_window():
    start = dt.datetime(2026, 11, 25, tzinfo=UTC)
    assert digest_event_id("1", start) == digest_event_id("1", start)
    assert digest_event_id("1", start) != digest_event_id("2", start)
    assert digest_event_id("1", start) != digest_event_id("1", start + dt.timedelta(days=1))
    assert digest_message_id("1", start, "k.local") == "<digest.1.20261125T0000Z@k.local>"


def test_message_id_is_deterministic_per_event_and_recipient():
    e = uuid.UUID(int=7)
    assert message_id(e, "1", "k") == message_id(e, "1", "k") == f"<{e}.1@k>"
    assert message_id(e, "2", "k") != message_id(e, "1", "k")
    assert message_id(e, "1", "k", resend=2) == f"<{e}.1.r2@k>"


class FakeClock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_token_bucket_allows_a_burst_then_the_rate():
    clock = FakeClock()
    b = TokenBucket(rate=2, burst=3, clock=clock)
    assert [b.take() for _ in range(3)] == [0, 0, 0]
    assert b.take() == pytest.approx(0.5)  # the 4th waits for a token
    clock.t += 10
    assert b.available == 3  # never more than the burst


def test_token_bucket_without_limit():
    b = TokenBucket(rate=0, clock=FakeClock())
    assert all(b.take() == 0 for _ in range(1000))


def test_backoff_doubles_up_to_the_cap():
    assert [backoff(n, base=5, cap=60) for n in range(1, 6)] == [5, 10, 20, 40, 60]
