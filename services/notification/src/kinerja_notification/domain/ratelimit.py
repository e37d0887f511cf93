"""A token bucket (pure but for the clock you give it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    """At most ``rate`` sends per second on average, bursts up to ``burst``.

    ``rate <= 0`` means no limit.
    """

    def __init__(self, rate: float, burst: int | None = None, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = max(1, burst if burst is not None else int(max(rate, 1)))
        self.clock = clock
        self.tokens = float(self.burst)
        self.stamp = clock()

    def _refill(self) -> None:
        now = self.clock()
        if self.rate > 0:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    @property
    def available(self) -> int:
        """Whole tokens available now (unbounded without a limit)."""
        if self.rate <= 0:
            return 1 << 30
        self._refill()
        return int(self.tokens)

    def take(self) -> float:
        """Take one token; returns how long to wait before using it (0 = now)."""
        if self.rate <= 0:
            return 0.0
        self._refill()
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    async def acquire(self) -> None:
        wait = self.take()
        if wait > 0:
            await asyncio.sleep(wait)
