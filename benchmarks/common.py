"""What the benchmark scripts share."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(runs: int, function: Callable[[], object]) -> float:
    """Best wall time of ``runs`` calls: the one least disturbed by other load on the machine."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def verdict(seconds: float, target: float) -> str:
    """How a figure stands against its target: ``PASS`` at or under it, ``MISS`` over it."""
    return "PASS" if seconds <= target else "MISS"
