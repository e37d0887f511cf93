"""When to try a mail again after a temporary failure (pure)."""

from __future__ import annotations


def backoff(attempts: int, *, base: float, cap: float) -> float:
    """Seconds to wait after the ``attempts``-th failed try: base, 2*base,
    4*base, ... never more than ``cap``."""
    return min(base * float(2 ** max(attempts - 1, 0)), cap)
