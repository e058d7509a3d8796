"""The event source: a watchdog observer over the vault's visible folders, with a polling fallback.

On Linux each visible folder gets its own non-recursive inotify watch, and new
folders get one as they appear: dot folders (``.git``, ``.obsidian``, ``.trash``,
``.mdnet``) are never watched, so a ``git gc`` or Obsidian's workspace churn costs
nothing. When inotify's limits are reached the source falls back to polling. Handlers
are guarded (an exception never stops the observer thread). The only watchdog user.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import BaseObserver, ObservedWatch

LIMIT_ERRNOS = frozenset((errno.ENOSPC, errno.EMFILE, errno.ENFILE))
# inotify: a file is settled when it is closed after writing (IN_CLOSE_WRITE), so IN_MODIFY (one per
# write() call) and IN_ATTRIB would only multiply the events of a burst; no open/close-nowrite events
# either, so our own reads never look like changes. Polling only ever reports "modified".
EVENT_TYPES: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileClosedEvent, FileDeletedEvent, FileMovedEvent,
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
]  # fmt: skip
POLLING_EVENT_TYPES: list[type[FileSystemEvent]] = [*EVENT_TYPES, FileModifiedEvent]


class Guard(FileSystemEventHandler):
    """Hands every event to the watcher; an exception here never reaches watchdog's thread."""

    def __init__(self, on_event: Callable[[FileSystemEvent], None], on_error: Callable[[BaseException], None]):
        super().__init__()
        self._on_event = on_event
        self._on_error = on_error

    def dispatch(self, event: FileSystemEvent) -> None:
        try:
            self._on_event(event)
        except Exception as exc:
            with contextlib.suppress(Exception):
                self._on_error(exc)


class OverflowLog(logging.Handler):
    """watchdog reports a kernel queue overflow only as a log warning; turn it into a full scan."""

    def __init__(self, on_overflow: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self._on_overflow = on_overflow

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            if "overflow" in record.getMessage().lower():
                self._on_overflow()


def _scandir_visible(path: str | None) -> Iterator[os.DirEntry[str]]:
    """``os.scandir`` without dot entries: the polling fallback never walks ``.git`` either."""
    with os.scandir(path) as entries:
        visible = [entry for entry in entries if not entry.name.startswith(".")]
    return iter(visible)


def _stat_not_into_folder_links(path: str) -> os.stat_result:
    """``os.stat`` for the polling observer, except that a symbolic link to a folder is stat'ed as a link.

    The scan never enters a symlinked folder (it is not part of the vault, and one that
    points back up is a loop that would copy the vault into every poll); a symlinked
    note is still stat'ed through the link, so an edit of its target is seen.
    """
    info = os.lstat(path)
    if not stat.S_ISLNK(info.st_mode):
        return info
    try:
        target = os.stat(path)
    except OSError:
        return info  # dangling
    return info if stat.S_ISDIR(target.st_mode) else target


def visible_folders(root: Path, start: str = "") -> Iterator[str]:
    """``start`` and every folder below it that is not a dot folder (vault-relative, ``""`` is the root).

    Each folder is yielded before it is listed, so a caller that watches it on
    receipt misses nothing created in it afterwards. Symlinked folders are not followed.
    """
    stack = [start]
    while stack:
        relative = stack.pop()
        yield relative
        try:
            with os.scandir(root / relative if relative else root) as entries:
                for entry in entries:
                    if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                        stack.append(f"{relative}/{entry.name}" if relative else entry.name)
        except OSError:
            continue


class EventSource:
    """A watchdog observer over the vault's visible folders, with a polling fallback."""

    def __init__(self, root: Path, handler: FileSystemEventHandler, kind: str, poll_interval: float,
                 say: Callable[[str], None]) -> None:  # fmt: skip
        self.root = root
        self.kind = kind  # what was asked: auto, native, polling
        self.mode = ""  # what runs: inotify, native, polling
        self.poll_interval = poll_interval
        self.observer: BaseObserver | None = None
        self._handler = handler
        self._say = say
        self._watches: dict[str, ObservedWatch] = {}
        self._lock = threading.Lock()  # _watches is changed by the worker, read by anyone

    def native_observer(self) -> BaseObserver:
        """The platform's observer (inotify on Linux). A seam for tests that need a limit error."""
        from watchdog.observers import Observer

        observer: BaseObserver = Observer()
        return observer

    def start(self) -> None:
        if self.kind != "polling":
            try:
                self._start_native()
                return
            except OSError as exc:
                self.stop()
                if exc.errno not in LIMIT_ERRNOS or self.kind == "native":
                    raise
                self._say(
                    f"inotify limit reached ({exc.strerror or exc}); falling back to polling every "
                    f"{self.poll_interval:g} s (raise fs.inotify.max_user_watches or max_user_instances to avoid this)"
                )
        self.start_polling()

    def _start_native(self) -> None:
        self._watches = {}
        observer = self.native_observer()
        self.observer = observer
        observer.start()
        if sys.platform.startswith("linux"):
            self.mode = "inotify"
            for relative in visible_folders(self.root):
                self._schedule(relative)
        else:  # FSEvents and friends watch a tree with one stream; dot paths are filtered per event
            self.mode = "native"
            observer.schedule(self._handler, str(self.root), recursive=True, event_filter=POLLING_EVENT_TYPES)

    def start_polling(self) -> None:
        from watchdog.observers.polling import PollingObserverVFS

        self._watches = {}
        self.mode = "polling"
        observer = PollingObserverVFS(
            stat=_stat_not_into_folder_links, listdir=_scandir_visible, polling_interval=self.poll_interval
        )
        self.observer = observer
        observer.schedule(self._handler, str(self.root), recursive=True, event_filter=POLLING_EVENT_TYPES)
        observer.start()

    def _schedule(self, relative: str) -> None:
        assert self.observer is not None
        path = str(self.root / relative) if relative else str(self.root)
        try:
            watch = self.observer.schedule(self._handler, path, recursive=False, event_filter=EVENT_TYPES)
            with self._lock:
                self._watches[relative] = watch
        except OSError as exc:
            if exc.errno in LIMIT_ERRNOS:
                raise
            # The folder vanished or cannot be read: its parent's events and the scans cover it.

    def reset_folder(self, relative: str) -> None:
        """A folder appeared, vanished or moved: drop the watches at and below it, watch what is there now."""
        if self.mode != "inotify" or self.observer is None:
            return
        prefix = relative + "/"
        with self._lock:
            keys = [k for k in self._watches if k == relative or k.startswith(prefix) or relative == ""]
            dropped = [self._watches.pop(key) for key in keys]
        for watch in dropped:
            with contextlib.suppress(KeyError, RuntimeError, OSError):
                self.observer.unschedule(watch)
        if (self.root / relative).is_dir():
            for folder in visible_folders(self.root, relative):
                self._schedule(folder)

    @property
    def folders(self) -> int:
        return len(self._watches)

    def watched_folders(self) -> list[str]:
        with self._lock:
            return sorted(self._watches)

    def alive(self) -> bool:
        """False when the observer thread died, or a folder's emitter died while the folder still exists."""
        observer = self.observer
        if observer is None or not observer.is_alive():
            return False
        if self.mode == "inotify":
            emitters = getattr(observer, "_emitter_for_watch", {})  # watchdog has no public lookup
            with self._lock:
                watches = list(self._watches.values())
            for watch in watches:
                emitter = emitters.get(watch)
                if emitter is not None and not emitter.is_alive() and os.path.isdir(watch.path):
                    return False
        return True

    def idle(self) -> bool:
        observer = self.observer
        return observer is None or observer.event_queue.empty()

    def stop(self) -> None:
        observer, self.observer = self.observer, None
        self._watches = {}
        if observer is None:
            return
        with contextlib.suppress(Exception):
            observer.stop()
        with contextlib.suppress(Exception):
            observer.join(timeout=5)
