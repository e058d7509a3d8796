"""What the benchmark scripts share."""

from __future__ import annotations

import contextlib
import io
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


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


def mdnet(*args: str) -> float:
    """Run the real CLI in-process (its output swallowed); the wall-clock seconds it took."""
    from mdnet.cli.main import run  # here: bench.py measures the naive baseline without importing mdnet

    start = time.perf_counter()
    quiet_out, quiet_err = contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO())
    with quiet_out, quiet_err, contextlib.suppress(SystemExit):
        run(list(args))
    return time.perf_counter() - start


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
