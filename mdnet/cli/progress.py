"""Progress bars on stderr for work that takes more than about a second: one helper for every command.

The library reports progress through an optional callback, ``progress(done, total)`` or, for work in
stages, ``progress(stage, done, total)``; only the command line draws. A :class:`ProgressBar` is
both callbacks. It draws nothing when stderr is not a terminal (a pipe, a file, CI) or when the
command prints JSON, and nothing until the work has taken :data:`PROGRESS_AFTER` seconds: a quick
command never flashes a bar. rich is imported only when a bar is drawn (``mdnet due --json`` never
imports it). The bar is transient (erased when the work ends) and its text is the stage's name, a
fixed text, never a name from the vault.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import Any

__all__ = ["PROGRESS_AFTER", "ProgressBar"]

PROGRESS_AFTER = 1.0  # seconds: work quicker than this shows no bar
AFTER_VARIABLE = "MDNET_PROGRESS_AFTER"  # for tests only: the seconds before a bar shows (0: at once)
_REDRAW = 0.05  # seconds between two updates of a drawn bar (a cold index reports every note)


def _after() -> float:
    try:
        return max(0.0, float(os.environ.get(AFTER_VARIABLE, PROGRESS_AFTER)))
    except ValueError:
        return PROGRESS_AFTER


class ProgressBar:
    """A rich progress bar on stderr, shown once a piece of work has taken a second, gone when it ends.

    Call it as ``bar(done, total)`` (with the ``label`` given here) or ``bar.staged(stage, done, total)``.
    A piece of work runs from the first call to the one where ``done`` reaches ``total``: the bar is
    erased then, and the next call starts another piece, with its own second to wait. A piece that
    reports nothing for a while (a mailbox being read, the contacts being loaded) still gets its bar
    after a second: a timer thread draws it. Use it as a context manager (or call :meth:`close`) so
    that a command that fails midway leaves no bar behind.
    """

    def __init__(self, label: str, *, enabled: bool = True) -> None:
        self.label = label
        self.enabled = enabled and sys.stderr is not None and sys.stderr.isatty()
        self.after = _after()
        self._lock = threading.RLock()  # the timer's thread and the work's
        self._started: float | None = None  # when the current piece of work began
        self._latest: tuple[str, int, int] = (label, 0, 0)
        self._timer: threading.Timer | None = None
        self._bar: Any = None
        self._task: Any = None
        self._stage: str | None = None
        self._drawn = 0.0

    def __call__(self, done: int, total: int) -> None:
        self.staged(self.label, done, total)

    def staged(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            self._latest = (stage, done, total)
            finished = done >= total
            if self._bar is None:
                if finished:  # over before a bar was worth drawing
                    self.close()
                    return
                if self._started is None:
                    self._started = now
                    if self.after > 0:
                        self._timer = threading.Timer(self.after, self._on_time)
                        self._timer.daemon = True
                        self._timer.start()
                if now - self._started < self.after:
                    return
                self._start()
            if finished or stage != self._stage or now - self._drawn >= _REDRAW:
                self._draw()
            if finished:
                self.close()

    def _on_time(self) -> None:
        """The timer: the piece of work is still going a second after it began."""
        with self._lock:
            if self._bar is None and self._started is not None:
                self._start()
                self._draw()

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self._bar = Progress(*columns, console=Console(stderr=True), transient=True)
        self._bar.start()

    def _draw(self) -> None:
        stage, done, total = self._latest
        if stage != self._stage:
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._stage = stage
            self._task = self._bar.add_task(stage, total=total)
        self._drawn = time.monotonic()
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        """Erase the bar, if one is drawn; the next call starts a new piece of work."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            if self._bar is not None:
                self._bar.stop()
            self._bar = self._task = self._stage = self._timer = None
            self._started = None
            self._drawn = 0.0

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
