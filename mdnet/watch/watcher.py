"""The watcher: the index follows the vault as the user types (SPEC section 7).

Events are only hints. Each one names a path; paths settle for a short quiet
period and are refreshed together with ``Vault.refresh(paths)``, which reads the
files as they are then (so the order and kind of events do not matter: vim's
rename-to-backup, write-temp-then-rename, swap files and deletes all end as "look
at this note again"). A full change-token scan runs on start, after an event-queue
overflow, after the observer is restarted, when a folder vanishes and every few
minutes, so a lost event costs latency, never correctness.

This module joins the two halves: the event source (:mod:`mdnet.watch.source`: watchdog,
inotify or polling) and the engine (:mod:`mdnet.watch.engine`: what the worker does with the
paths). A supervisor restarts the observer if its thread dies.

Threads: the observer's (events -> a pending set, under a lock, nothing else) and
the worker's, which owns the Vault and its SQLite connection and does every
refresh, daily note and commit. Nothing here prints: lines go to ``report``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent
from watchdog.observers.api import BaseObserver

from mdnet.config import CONFIG_NAME
from mdnet.errors import MdnetError, VaultError
from mdnet.git import commands as history
from mdnet.store import files
from mdnet.store.layout import load_config
from mdnet.vault.arguments import resolve_today
from mdnet.vault.facade import Vault
from mdnet.watch.engine import WatchCore
from mdnet.watch.report import relative_path
from mdnet.watch.source import LIMIT_ERRNOS, EventSource, Guard, OverflowLog, visible_folders

QUIET = 0.25  # seconds without events before a batch is refreshed
MAX_WAIT = 2.0  # ... but never hold events longer than this while they keep coming
COMMIT_QUIET = 2.0  # seconds without changes before --autocommit commits
SETTLE = 0.5  # a half-written note (empty, unparsable) is read again after this
RESCAN_EVERY = 300.0  # seconds between safety full scans
POLL_INTERVAL = 1.0


class Watcher(WatchCore):
    """Keeps a vault's index (and optionally git and today's daily note) in step with its files.

    >>> with Watcher("~/my-network", report=print) as watcher:   # doctest: +SKIP
    ...     watcher.wait_idle()

    ``report`` receives one status line per batch (and notices); nothing is printed.
    ``observer`` is ``"auto"`` (native, polling when inotify's limits are reached),
    ``"native"`` or ``"polling"``. ``today`` returns the date (for ``--daily``).
    """

    def __init__(
        self,
        vault: Vault | str | os.PathLike[str],
        *,
        autocommit: bool = False,
        daily: bool = False,
        quiet: float = QUIET,
        max_wait: float = MAX_WAIT,
        commit_quiet: float = COMMIT_QUIET,
        settle: float = SETTLE,
        rescan_every: float = RESCAN_EVERY,
        observer: str = "auto",
        poll_interval: float = POLL_INTERVAL,
        report: Callable[[str], None] | None = None,
        verbose: bool = False,
        today: Callable[[], dt.date] | None = None,
        vdir: str | os.PathLike[str] | None = None,
    ) -> None:
        if isinstance(vault, Vault):
            root, config, save_index = vault.root.resolve(), vault.config, vault.save_index
        else:
            root = Path(vault).expanduser().resolve()
            config, save_index = load_config(root), True  # a vault named by its path saves its index
        if observer not in ("auto", "native", "polling"):
            raise MdnetError(f"unknown observer {observer!r}: auto, native or polling")
        folder = None
        if vdir is not None:  # "" is the vdir in mdnet.toml; a missing folder or one inside the vault: an error now
            from mdnet.interop.vdir import vdir_folder

            folder = vdir_folder(root, Path(vdir) if os.fspath(vdir) else None, config.vdir)
        # The watcher's own Vault: its SQLite connection belongs to the worker thread. It saves its index
        # where the caller's would: a folder no marker makes a vault gets no .mdnet/ (Vault.open).
        super().__init__(Vault(root, config, save_index=save_index), autocommit=autocommit, daily=daily, quiet=quiet,
                         max_wait=max_wait, commit_quiet=commit_quiet, settle=settle, rescan_every=rescan_every,
                         report=report, today=today or resolve_today, vdir=folder)  # fmt: skip
        self.verbose = verbose
        self._root_text = root.as_posix()
        self.source = self.make_source(observer, poll_interval)
        self.vdir_source = (
            None
            if folder is None
            else EventSource(
                folder, Guard(self._on_vdir_event, self._handler_failed), observer, poll_interval, self.say
            )
        )  # a second observer: the vdir is outside the vault
        self._overflow_log = OverflowLog(lambda: self.request_full_scan("inotify queue overflow"))
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self.restarts = 0

    def make_source(self, kind: str, poll_interval: float) -> EventSource:
        """The event source (override in tests to inject an observer fault)."""
        return EventSource(self.root, Guard(self._on_event, self._handler_failed), kind, poll_interval, self.say)

    @property
    def observer(self) -> BaseObserver | None:
        return self.source.observer

    @property
    def mode(self) -> str:
        return self.source.mode

    # -- lifecycle -------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> Watcher:
        """Start watching; returns once the catch-up scan is done."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._main, name="mdnet-watch", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise MdnetError("the watcher did not start in time")
        if self._start_error is not None:
            error = self._start_error
            self._thread.join(timeout=5)
            if isinstance(error, MdnetError):
                raise error
            raise MdnetError(f"cannot watch {self.root}: {error}") from None
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Handle what is pending (refresh, retries, commit), then stop every thread."""
        thread = self._thread
        if thread is None:
            return
        self.request_stop()
        thread.join(timeout)
        self._thread = None

    @property
    def running(self) -> bool:
        """True from :meth:`start` until it stops: by :meth:`stop`, or by itself (then ``error`` says why)."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _main(self) -> None:
        history.shield_git_from_ctrl_c()  # a Ctrl-C stops the watcher, which then commits: not git half-way
        try:
            if not self.root.is_dir():
                raise VaultError("not a folder", path=str(self.root))
            self.source.start()
            if self.vdir_source is not None:
                self.vdir_source.start()
            logging.getLogger("watchdog.observers").addHandler(self._overflow_log)
            self.initial_scan()
            how = {"inotify": f"inotify, {self.source.folders} folders", "polling":
                   f"polling every {self.source.poll_interval:g} s"}.get(self.mode, self.mode)  # fmt: skip
            self.say(f"watching {self.root} ({how})")
        except BaseException as exc:
            logging.getLogger("watchdog.observers").removeHandler(self._overflow_log)
            self._start_error = exc
            self.source.stop()
            if self.vdir_source is not None:
                self.vdir_source.stop()
            self.vault.close()
            self._ready.set()
            return
        self._ready.set()
        try:
            self.loop()
        finally:
            logging.getLogger("watchdog.observers").removeHandler(self._overflow_log)
            self.source.stop()
            if self.vdir_source is not None:
                self.vdir_source.stop()
            self.vault.close()
            self.say("stopped")

    # -- events (the observer's thread) ----------------------------------------

    def _on_event(self, event: FileSystemEvent) -> None:
        source = os.fsdecode(event.src_path)
        dest_text = os.fsdecode(getattr(event, "dest_path", "") or "")
        src = self.relative(source)
        dest = self.relative(dest_text) if dest_text else None
        if self.verbose:
            arrow = f" -> {dest_text}" if dest_text else ""
            ignored = "" if src is not None or dest else " (ignored)"
            self.say(f"event {event.event_type}{' folder' if event.is_directory else ''}: {source}{arrow}{ignored}")
        if event.is_directory:
            gone = event.event_type in ("deleted", "moved") and src is not None
            self.note_folders([r for r in (src, dest) if r is not None], gone)
        else:
            self.note_files([r for r in (src, dest) if r is not None])

    def _on_vdir_event(self, event: FileSystemEvent) -> None:
        if self.verbose:
            self.say(f"vdir event {event.event_type}: {os.fsdecode(event.src_path)}")
        if not event.is_directory:
            paths = (event.src_path, getattr(event, "dest_path", "") or "")
            self.vdir_job.card_event(os.path.basename(os.fsdecode(p)) for p in paths if p)

    def relative(self, path: str) -> str | None:
        if os.sep != "/":  # events carry native separators; the index uses POSIX paths
            path = path.replace(os.sep, "/")
        return relative_path(self._root_text, path)

    def _handler_failed(self, exc: BaseException) -> None:
        self.say(f"error while handling an event: {type(exc).__name__}: {exc}; rescanning the vault")
        self.request_full_scan("handler error")

    # -- hooks the core calls (the worker's thread) ----------------------------

    def reset_folders(self, folders: Iterable[str]) -> None:
        try:
            for folder in folders:
                self.source.reset_folder(folder)
        except OSError as exc:
            if exc.errno not in LIMIT_ERRNOS:
                raise
            self.say(f"inotify limit reached ({exc.strerror or exc}); falling back to polling every "
                     f"{self.source.poll_interval:g} s")  # fmt: skip
            self.source.stop()
            self.source.start_polling()
            # Between inotify's stop and polling's first look nothing reports a change: the scan sees it.
            self.request_full_scan("fell back to polling")

    def source_alive(self) -> bool:
        return self.source.alive() and (self.vdir_source is None or self.vdir_source.alive())

    def source_idle(self) -> bool:
        return self.source.idle() and (self.vdir_source is None or self.vdir_source.idle())

    def source_holds_folders(self) -> bool:
        return self.source.mode != "polling"

    def restart_source(self) -> None:
        self.restarts += 1
        self.say("the event observer stopped; restarting it and rescanning the vault")
        self.source.stop()
        self.source.start()
        if self.vdir_source is not None:
            self.vdir_source.stop()
            self.vdir_source.start()

    def is_config(self, relative: str) -> bool:
        return relative == CONFIG_NAME

    def token_of(self, relative: str) -> str | None:
        return files.token_of(self.root / relative)


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass (for tests and benchmarks)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


__all__ = ["EventSource", "Watcher", "visible_folders", "wait_for"]
