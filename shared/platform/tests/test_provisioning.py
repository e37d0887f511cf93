"""Provisioning tries again through a JetStream that is busy or electing a
leader (a cluster node just died or started), and gives up after a while."""

from __future__ import annotations

import pytest
from kinerja_platform.messaging.provisioning import retrying
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import ServiceUnavailableError


def flaky(failures: list[Exception], result: str = "ok"):
    calls = []

    async def call() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return result

    return call, calls


async def test_a_transient_error_is_tried_again_until_the_call_succeeds():
    call, calls = flaky([NatsTimeoutError(), ServiceUnavailableError()])
    assert await retrying("stream KINERJA", call, retry_for=10) == "ok"
    assert len(calls) == 3


async def test_it_gives_up_after_retry_for_with_the_last_error():
    call, calls = flaky([NatsTimeoutError() for _ in range(10)])
    with pytest.raises(NatsTimeoutError):
        await retrying("stream KINERJA", call, retry_for=1.0)
    assert 2 <= len(calls) <= 3  # 0.5 s, then 1 s would pass the deadline


async def test_any_other_error_is_not_retried():
    call, calls = flaky([ValueError("bad config")])
    with pytest.raises(ValueError):
        await retrying("stream KINERJA", call, retry_for=10)
    assert len(calls) == 1
