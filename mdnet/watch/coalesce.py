"""Pending events coalesced into batches: what the event side adds (any thread), what the worker takes.

Paths settle for a quiet period and are taken together; while edits keep coming a batch is
taken ``max_wait`` after its first event, and a burst (a checkout, a sync) is let settle: one
big refresh reads faster than many. A full scan asked for (an overflow, an error) waits here too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from mdnet.watch.report import is_watched_note

BURST = 300  # this many paths pending is a burst ...
BURST_MAX_WAIT = 4.0  # ... held until it settles, up to this long


class Pending:
    """The paths, folders, settings change and full scan that events asked for, under one condition
    (``cond``, which the worker also waits on)."""

    def __init__(self, quiet: float, max_wait: float) -> None:
        self.quiet, self.max_wait = quiet, max_wait
        self.cond = threading.Condition()
        self._paths: set[str] = set()
        self._folders: set[str] = set()
        self._folder_gone = False
        self._config_changed = False
        self._full: str | None = None
        self._full_at = 0.0
        self._first = self._last = 0.0

    # -- what the event side calls (any thread) ------------------------------------

    def note_files(self, relatives: list[str], is_config: Callable[[str], bool]) -> None:
        with self.cond:
            had_events = self.has_events()
            touched = False
            for relative in relatives:
                if is_config(relative):
                    self._config_changed = touched = True
                elif is_watched_note(relative):
                    self._paths.add(relative)
                    touched = True
            if touched:
                self._touch(had_events)

    def note_folders(self, relatives: list[str], gone: bool) -> None:
        with self.cond:
            if relatives:
                had_events = self.has_events()
                self._folders.update(relatives)
                self._folder_gone = self._folder_gone or gone
                self._touch(had_events)

    def request_full_scan(self, reason: str, delay: float = 0.0) -> None:
        with self.cond:
            if self._full is None:
                self._full_at = time.monotonic() + delay
            self._full = reason
            self.cond.notify_all()

    def _touch(self, had_events: bool) -> None:
        now = time.monotonic()
        if not had_events:
            self._first = now
        self._last = now
        self.cond.notify_all()

    # -- what the worker calls (under ``cond``) ------------------------------------

    def has_events(self) -> bool:
        return bool(self._paths or self._folders or self._config_changed)

    def idle(self) -> bool:
        """Nothing pending: no events, no full scan asked for."""
        return not (self.has_events() or self._full)

    def due_times(self) -> list[float]:
        """When what is pending is due: the batch of events, the full scan."""
        times = []
        if self.has_events():
            times.append(self.flush_at())
        if self._full is not None:
            times.append(self._full_at)
        return times

    def flush_at(self) -> float:
        """When pending events are due: after the quiet period, or ``max_wait`` after the first one while
        edits keep coming. A burst (a checkout, a sync) is let settle: one big refresh reads faster than many."""
        longest = self.max_wait if len(self._paths) < BURST else BURST_MAX_WAIT
        return min(self._last + self.quiet, self._first + longest)

    def take(self, now: float, final: bool) -> tuple[set[str], set[str], bool, bool, str | None]:
        """``(paths, folders, gone, config, full)``: the events due at ``now`` (all of them when ``final``),
        whether a folder went, whether mdnet.toml changed, and the reason of a full scan now due."""
        take = final or (self.has_events() and now >= self.flush_at())
        paths: set[str] = set()
        folders: set[str] = set()
        gone = config = False
        if take:
            paths, folders, gone, config = self._paths, self._folders, self._folder_gone, self._config_changed
            self._paths, self._folders, self._folder_gone, self._config_changed = set(), set(), False, False
        full = self._full if self._full is not None and (final or now >= self._full_at) else None
        if full is not None:
            self._full = None
        return paths, folders, gone, config, full
