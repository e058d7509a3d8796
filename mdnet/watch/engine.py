"""The watcher's engine, free of watchdog: the worker's loop, which composes the watcher's jobs.

:class:`mdnet.watch.watcher.Watcher` feeds it paths from file-system events; everything
here runs on one worker thread that owns the Vault (and so its SQLite
connection). A batch is one ``Vault.refresh(paths)``; a full scan is one
``Vault.refresh()``. A note caught half-written (empty, or with an error) while it
is still fresh is read again once it has settled, so a save in progress never
drops a contact from the index.

The jobs, one module each: pending events coalesced into batches (:mod:`.coalesce`),
the index file and vault folder supervised (:mod:`.supervise`), today's daily note
(:mod:`.daily_job`), the commits (:mod:`.autocommit`) and the vdir sync (:mod:`.vdir_job`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from mdnet.core.model import Problem, RefreshStats
from mdnet.errors import MdnetError, VaultError
from mdnet.store import files
from mdnet.store.files import FileState, scan
from mdnet.store.index import Index
from mdnet.store.layout import load_config
from mdnet.store.refresh import parse_paths
from mdnet.vault.facade import Vault
from mdnet.watch.autocommit import AutoCommit
from mdnet.watch.coalesce import Pending
from mdnet.watch.daily_job import DailyJob
from mdnet.watch.report import Batch, status_line
from mdnet.watch.report import plain_token as _plain
from mdnet.watch.supervise import IndexSupervisor
from mdnet.watch.vdir_job import VdirJob

MAX_RETRIES = 3  # reads of a half-written note before its problem is reported
FRESH_SECONDS = 2.0  # a note modified this recently may still be being written
SUPERVISE_EVERY = 1.0
HOLD_CHECK_LIMIT = 50  # batches up to this size are checked for half-written contacts before indexing


class WatchCore:
    """Coalesces paths into refreshes. Subclasses provide the event source hooks."""

    def __init__(self, vault: Vault, *, autocommit: bool, daily: bool, quiet: float, max_wait: float,
                 commit_quiet: float, settle: float, rescan_every: float,
                 report: Callable[[str], None] | None, today: Callable[[], dt.date],
                 vdir: Path | None = None) -> None:  # fmt: skip
        self.vault = vault
        self.root = vault.root
        self.quiet = quiet
        self.settle, self.rescan_every = settle, rescan_every
        self._report = report
        self.messages: deque[str] = deque(maxlen=1000)
        self.batches: deque[Batch] = deque(maxlen=1000)
        self.full_scans = 0
        self.pending = Pending(quiet, max_wait)
        self._cond = self.pending.cond  # guards the pending events, _stopping and _busy
        self._stopping = False
        self._busy = False
        # worker state
        self._retries: dict[str, tuple[float, int]] = {}
        self._failures = 0
        self._next_supervise = self._next_rescan = 0.0
        self.supervisor = IndexSupervisor(self.root, lambda: self.vault, self.say, self.request_full_scan)
        self.committer = AutoCommit(self.root, self._index, enabled=autocommit, commit_quiet=commit_quiet,
                                    say=self.say, token_of=self.token_of,
                                    max_wait=lambda: float(self.vault.config.autocommit_max_wait))  # fmt: skip
        self.daily_job = DailyJob(self.root, lambda: self.vault, enabled=daily, today=today, say=self.say,
                                  token_of=self.token_of, wrote=self.committer.add_own_write)  # fmt: skip
        self.vdir_job = VdirJob(self.root, lambda: self.vault, vdir, cond=self._cond, quiet=commit_quiet,
                                max_wait=lambda: float(self.vault.config.autocommit_max_wait), say=self.say,
                                token_of=self.token_of, before_sync=self._commit_before_sync)  # fmt: skip

    @property
    def error(self) -> VaultError | None:
        """Why the watcher stopped by itself (its vault folder went away)."""
        return self.supervisor.error

    @property
    def commits(self) -> list[str]:
        """The commits ``--autocommit`` made, oldest first."""
        return self.committer.commits

    # -- hooks ---------------------------------------------------------------------

    def reset_folders(self, folders: Iterable[str]) -> None:
        """Watch what is now at and below ``folders`` (they appeared, vanished or moved)."""

    def source_alive(self) -> bool:
        return True

    def source_idle(self) -> bool:
        return True

    def source_holds_folders(self) -> bool:
        """True when the event source watches folders themselves (inotify), not their paths (polling): then a
        folder replaced at the same path is no longer watched. Polling also runs on network file systems, where
        a folder's inode number may change while nothing holds it."""
        return True

    def restart_source(self) -> None:
        """Replace a dead event source."""

    def is_config(self, relative: str) -> bool:
        return False

    def token_of(self, relative: str) -> str | None:
        return None

    def refresh_index(self, paths: list[str] | None) -> RefreshStats:
        """The one place the watcher updates the index (a hook: tests make it fail once)."""
        return self.vault.refresh(paths)

    def say(self, line: str) -> None:
        self.messages.append(line)
        if self._report is not None:
            with contextlib.suppress(Exception):  # a broken stdout must not stop the watcher
                self._report(line)

    # -- what the event side calls (any thread) ------------------------------------

    def note_files(self, relatives: list[str]) -> None:
        self.pending.note_files(relatives, self.is_config)

    def note_folders(self, relatives: list[str], gone: bool) -> None:
        self.pending.note_folders(relatives, gone)

    def request_full_scan(self, reason: str, delay: float = 0.0) -> None:
        self.pending.request_full_scan(reason, delay)

    def request_stop(self) -> None:
        """Ask the worker to handle what is pending and return from :meth:`loop`."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 30.0, quiet_for: float = 0.0) -> bool:
        """True once nothing is pending, running, being retried or waiting to be committed."""
        deadline = time.monotonic() + timeout
        since: float | None = None
        while time.monotonic() < deadline:
            with self._cond:
                idle = not (
                    self._busy
                    or not self.pending.idle()
                    or self._retries
                    or self.committer.waiting
                    or self.vdir_job.waiting
                )
            if idle and self.source_idle():
                since = since if since is not None else time.monotonic()
                if time.monotonic() - since >= quiet_for:
                    return True
            else:
                since = None
            time.sleep(0.01)
        return False

    # -- the worker ----------------------------------------------------------------

    def initial_scan(self) -> None:
        self.supervisor.start()
        try:
            self.full_scan("start")
        except sqlite3.DatabaseError as exc:
            if not self.supervisor.discard_damaged_index(exc):
                raise
            self.full_scan("start")
        self.supervisor.remember_index()
        self.supervisor.follow_index_file()
        self.committer.start()
        self.check_daily()
        self.vdir_job.start()

    def loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    wait = self._next_due() - time.monotonic()
                    if wait <= 0:
                        break
                    self._cond.wait(wait)
                final = self._stopping
                self._busy = True
            try:
                if self.supervisor.vault_folder_is_gone(self.source_holds_folders()):
                    return
                self.supervisor.check_index_file()
                self._tick(final)
                if not final:
                    self.supervisor.follow_index_file()
            except Exception as exc:  # never die: report, back off, scan again
                if isinstance(exc, sqlite3.DatabaseError) and self.supervisor.discard_damaged_index(exc):
                    self.request_full_scan("the index was damaged")
                else:
                    self._failures += 1
                    self.say(f"internal error: {type(exc).__name__}: {exc}; scanning the vault again")
                    self.request_full_scan("after an error", delay=min(60.0, 2.0**self._failures))
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
            if final:
                return

    def _next_due(self) -> float:
        times = [self._next_supervise, self._next_rescan, *self.pending.due_times()]
        if self._retries:
            times.append(min(due for due, _ in self._retries.values()))
        if self.committer.due_at is not None:
            times.append(self.committer.due_at)
        if self.supervisor.retry_at is not None:
            times.append(self.supervisor.retry_at)
        if self.vdir_job.due_at is not None:
            times.append(self.vdir_job.due_at)
        return min(times)

    def _tick(self, final: bool) -> None:
        now = time.monotonic()
        if not final and now >= self._next_supervise:
            self._next_supervise = now + SUPERVISE_EVERY
            if not self.source_alive():
                self.restart_source()
                self.request_full_scan("observer restarted")
            if self.daily_job.day_changed():
                self.check_daily()
        with self._cond:
            paths, folders, gone, config, full = self.pending.take(now, final)
        if config:
            full = self._reload_config() or full
        if folders:
            self.reset_folders(_outermost(folders))
            if gone or "" in folders:
                full = full or "a folder was removed or moved"
            for folder in folders:
                paths.update(_notes_under(self.root, folder))
        if full is None and not final and now >= self._next_rescan and self._next_rescan:
            full = "periodic"
        if full is None and final and not self.source_holds_folders():
            # a poller sees a save only at its next look: one made since its last is pending too (cheap: tokens)
            full = "stop"
        if full is not None:
            self.full_scan(full)
        elif paths:
            self.refresh_paths(paths, "events", 0)
        due = [p for p, (when, _) in self._retries.items() if final or when <= now]
        for attempt in sorted({self._retries[p][1] for p in due}):
            group = {p for p in due if self._retries[p][1] == attempt}
            for path in group:
                del self._retries[path]
            self.refresh_paths(group, "retry", MAX_RETRIES if final else attempt)
        commit_at = self.committer.due_at
        if commit_at is not None and (final or now >= commit_at):
            with self._cond:
                settled = final or not self.pending.has_events()
            if settled or self.committer.overdue(now):
                self.commit_pending()
            else:  # edits still coming: look again after their batch, not on every round of the loop
                self.committer.postpone(now + self.quiet)
        vdir_at = self.vdir_job.due_at
        if vdir_at is not None and (final or now >= vdir_at):
            with self._cond:
                settled = final or not self.pending.has_events()
            if settled or self.vdir_job.overdue(now):
                self.vdir_job.run()
            else:
                self.vdir_job.postpone(now + self.quiet)

    def _reload_config(self) -> str | None:
        try:
            config = load_config(self.root)
        except MdnetError as exc:
            self.say(f"mdnet.toml: {exc}; keeping the previous settings")
            return None
        if config == self.vault.config:
            return None
        self.vault.config = config
        self.say("mdnet.toml changed; settings reloaded")
        return "mdnet.toml changed"

    def _index(self) -> Index:
        return self.vault.indexed()

    def full_scan(self, reason: str) -> None:
        self.full_scans += 1
        self._next_rescan = time.monotonic() + self.rescan_every
        before = self._index().tokens()
        try:
            stats = self.refresh_index(None)
        except Exception as exc:
            self._failed(reason, (), True, exc)
            return
        self._failures = 0
        after = self._index().tokens()
        changed = sorted(p for p in before.keys() | after.keys() if _plain(before.get(p)) != _plain(after.get(p)))
        self._after_refresh(Batch(reason, (), True, stats, self._problems_of(changed), tuple(changed)))
        self.vdir_job.after_full_scan()

    def refresh_paths(self, paths: set[str], reason: str, attempt: int) -> None:
        """Refresh ``paths``. A fresh note caught empty, or a fresh broken one that is a valid contact in the
        index, waits and is read again after it settles (the contact stays as it was meanwhile); any other fresh
        broken note is indexed as it is and read again after it settles, before its problem is reported."""
        retry_at = time.monotonic() + self.settle * (2**attempt)
        if attempt < MAX_RETRIES:
            waiting = {p for p in paths if self._fresh(p, empty_only=True)}
            if len(paths) <= HOLD_CHECK_LIMIT:
                waiting |= self._broken_contacts(paths - waiting)
            for path in waiting:
                self._retries[path] = (retry_at, attempt + 1)
            paths = paths - waiting
        if not paths:
            return
        ordered = sorted(paths)
        self.committer.seen(files.readable_path(p) for p in ordered)
        before = self._index().tokens()
        try:
            stats = self.refresh_index(ordered)
        except Exception as exc:
            self._failed(reason, tuple(ordered), False, exc)
            return
        self._failures = 0
        after = self._index().tokens()
        keys = [files.readable_path(p) for p in ordered]  # the index's keys for the paths the events named
        changed = [key for key in keys if _plain(before.get(key)) != _plain(after.get(key))]
        problems = self._problems_of(keys)
        if attempt < MAX_RETRIES:
            unsettled = {p.path for p in problems if p.severity == "error" and self._fresh(p.path)}
            for path in unsettled:
                self._retries[path] = (retry_at, attempt + 1)
            problems = tuple(p for p in problems if p.path not in unsettled)
        self._after_refresh(Batch(reason, tuple(ordered), False, stats, problems, tuple(changed)))

    def _broken_contacts(self, paths: set[str]) -> set[str]:
        """Those of ``paths`` that are fresh, valid contacts in the index, and would now be read with an error."""
        index = self._index()
        work = []
        for path in sorted(paths):
            if self._fresh(path) and index.contact(files.readable_path(path)) is not None:
                try:
                    info = os.stat(self.root / path)
                except OSError:
                    continue
                work.append((path, FileState(info.st_mtime_ns, info.st_size, info.st_ino)))
        rows = parse_paths(self.root, self.vault.config, work) if work else []
        return {
            row.path
            for row in rows
            if row.record is None or any(p["severity"] == "error" for p in json.loads(row.problems))
        }

    def _fresh(self, relative: str, empty_only: bool = False) -> bool:
        try:
            info = os.stat(self.root / relative)
        except OSError:
            return False
        if empty_only and info.st_size != 0:
            return False
        return time.time_ns() - info.st_mtime_ns < FRESH_SECONDS * 1e9

    def _problems_of(self, paths: Iterable[str]) -> tuple[Problem, ...]:
        wanted = set(paths)
        if not wanted:
            return ()
        return tuple(p for p in self._index().problems() if p.path in wanted)

    def _failed(self, reason: str, paths: tuple[str, ...], full: bool, exc: Exception) -> None:
        self._failures += 1
        batch = Batch(reason, paths, full, None, error=f"{type(exc).__name__}: {exc}")
        self.batches.append(batch)
        self.say(status_line(batch))
        self.request_full_scan(f"after a failed refresh ({reason})", delay=min(60.0, 0.5 * 2**self._failures))

    def _after_refresh(self, batch: Batch) -> None:
        self.batches.append(batch)
        if batch.did_something:
            self.say(status_line(batch))
        if not batch.changed:
            return
        self.committer.after_change(batch.changed)
        self.daily_job.after_change(batch.changed)
        self.vdir_job.after_change(batch.changed)

    # -- the jobs --------------------------------------------------------------------

    def check_daily(self, force: bool = False) -> None:
        """``--daily``: see :meth:`mdnet.watch.daily_job.DailyJob.check_daily`."""
        self.daily_job.check_daily(force)

    def commit_pending(self) -> None:
        """``--autocommit``: see :meth:`mdnet.watch.autocommit.AutoCommit.commit_pending`."""
        self.committer.commit_pending()

    def _commit_before_sync(self) -> None:
        """``--vdir`` with ``--autocommit``: the notes the user changed get their own commit before a sync
        commits the notes it changes (else an edit of the user's would land in the sync's commit)."""
        if self.committer.autocommit and self.committer.waiting:
            self.commit_pending()


def _outermost(folders: set[str]) -> list[str]:
    """Folders without an ancestor in the set, parents first (resetting a parent resets its children)."""
    if "" in folders:
        return [""]
    ordered = sorted(folders, key=lambda f: (f.count("/"), f))
    kept: list[str] = []
    for folder in ordered:
        if not any(folder.startswith(parent + "/") for parent in kept):
            kept.append(folder)
    return kept


def _notes_under(root: Path, folder: str) -> list[str]:
    if folder == "":
        return []
    base = root / folder
    if not base.is_dir():
        return []
    return [f"{folder}/{relative}" for relative in scan(base)]
