"""The watcher's engine, free of watchdog: pending paths, quiet periods, batches, retries, commits.

:class:`mdnet.watch.watcher.Watcher` feeds it paths from file-system events; everything
here runs on one worker thread that owns the Vault (and so its SQLite
connection). A batch is one ``Vault.refresh(paths)``; a full scan is one
``Vault.refresh()``. A note caught half-written (empty, or with an error) while it
is still fresh is read again once it has settled, so a save in progress never
drops a contact from the index.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from mdnet.core.model import DueItem, Problem, RefreshStats
from mdnet.errors import MdnetError, VaultError
from mdnet.git import commands as history
from mdnet.store import files
from mdnet.store.files import FileState, scan
from mdnet.store.index import Index
from mdnet.store.layout import load_config
from mdnet.store.refresh import parse_paths
from mdnet.vault.facade import Vault
from mdnet.watch.report import Batch, commit_message, is_watched_note, status_line

MAX_RETRIES = 3  # reads of a half-written note before its problem is reported
FRESH_SECONDS = 2.0  # a note modified this recently may still be being written
SUPERVISE_EVERY = 1.0
COMMIT_ATTEMPTS = 5
HOLD_CHECK_LIMIT = 50  # batches up to this size are checked for half-written contacts before indexing
BURST = 300  # this many paths pending is a burst ...
BURST_MAX_WAIT = 4.0  # ... held until it settles, up to this long
FILE_RETRY_FIRST = 1.0  # an index that fell back to memory tries its file again after this long ...
FILE_RETRY_MAX = 60.0  # ... then after twice as long each time, up to this


def _plain(token: str | None) -> str | None:
    return None if token is None else token.removeprefix("racy:")


class WatchCore:
    """Coalesces paths into refreshes. Subclasses provide the event source hooks."""

    def __init__(self, vault: Vault, *, autocommit: bool, daily: bool, quiet: float, max_wait: float,
                 commit_quiet: float, settle: float, rescan_every: float,
                 report: Callable[[str], None] | None, today: Callable[[], dt.date]) -> None:  # fmt: skip
        self.vault = vault
        self.root = vault.root
        self.autocommit = autocommit
        self.daily = daily
        self.quiet, self.max_wait, self.commit_quiet = quiet, max_wait, commit_quiet
        self.settle, self.rescan_every = settle, rescan_every
        self._report = report
        self._today = today
        self.messages: deque[str] = deque(maxlen=1000)
        self.batches: deque[Batch] = deque(maxlen=1000)
        self.commits: list[str] = []
        self.full_scans = 0
        self.error: MdnetError | None = None  # why the watcher stopped by itself (its vault folder went away)
        self._cond = threading.Condition()
        self._stopping = False
        self._busy = False
        # pending events (under _cond)
        self._paths: set[str] = set()
        self._folders: set[str] = set()
        self._folder_gone = False
        self._config_changed = False
        self._full: str | None = None
        self._full_at = 0.0
        self._first = self._last = 0.0
        # worker state
        self._retries: dict[str, tuple[float, int]] = {}
        self._commit: set[str] = set()
        self._commit_at: float | None = None
        self._commit_attempts = 0
        self._names: dict[str, str] = {}
        self._failures = 0
        self._next_supervise = self._next_rescan = 0.0
        self._daily_date: dt.date | None = None
        self._daily_items: list[DueItem] | None = None
        self._daily_path: str | None = None
        self._daily_token: str | None = None
        self._root_id: tuple[int, int] | None = None
        self._index_id: tuple[int, int] | None = None
        self._file_retry_at: float | None = None  # set while the index is in memory: when to try the file
        self._file_retry_delay = FILE_RETRY_FIRST

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
        with self._cond:
            had_events = self._has_events()
            touched = False
            for relative in relatives:
                if self.is_config(relative):
                    self._config_changed = touched = True
                elif is_watched_note(relative):
                    self._paths.add(relative)
                    touched = True
            if touched:
                self._touch(had_events)

    def note_folders(self, relatives: list[str], gone: bool) -> None:
        with self._cond:
            if relatives:
                had_events = self._has_events()
                self._folders.update(relatives)
                self._folder_gone = self._folder_gone or gone
                self._touch(had_events)

    def request_full_scan(self, reason: str, delay: float = 0.0) -> None:
        with self._cond:
            if self._full is None:
                self._full_at = time.monotonic() + delay
            self._full = reason
            self._cond.notify_all()

    def _touch(self, had_events: bool) -> None:
        now = time.monotonic()
        if not had_events:
            self._first = now
        self._last = now
        self._cond.notify_all()

    def _has_events(self) -> bool:
        return bool(self._paths or self._folders or self._config_changed)

    def wait_idle(self, timeout: float = 30.0, quiet_for: float = 0.0) -> bool:
        """True once nothing is pending, running, being retried or waiting to be committed."""
        deadline = time.monotonic() + timeout
        since: float | None = None
        while time.monotonic() < deadline:
            with self._cond:
                idle = not (self._busy or self._has_events() or self._full or self._retries or self._commit)
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
        self._root_id = _identity(self.root, folder=True)
        try:
            self.full_scan("start")
        except sqlite3.DatabaseError as exc:
            if not self._discard_damaged_index(exc):
                raise
            self.full_scan("start")
        self._remember_index()
        self._follow_index_file()
        if self.autocommit:
            if not history.is_inside_work_tree(self.root):
                self.say("--autocommit: the vault is not in a git repository; nothing will be committed")
                self.autocommit = False
            else:
                self._names = {c.path: c.name for c in self._index().contacts()}
        self.check_daily()

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
                if self._vault_folder_is_gone():
                    return
                self._check_index_file()
                self._tick(final)
                if not final:
                    self._follow_index_file()
            except Exception as exc:  # never die: report, back off, scan again
                if isinstance(exc, sqlite3.DatabaseError) and self._discard_damaged_index(exc):
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

    def _discard_damaged_index(self, exc: sqlite3.DatabaseError) -> bool:
        """A read of the index found it damaged: throw it away as a query does (see ``index.heals``), open a new
        one, and let the caller scan the vault into it. False when ``exc`` is not damage (a lock, a full disk)."""
        if not self.vault._discard_damaged_index(exc):
            return False
        self.say(f"the index is damaged ({exc}); rebuilding it")
        self._remember_index()
        return True

    def _vault_folder_is_gone(self) -> bool:
        """True (and ``error`` set) when the vault folder was moved, deleted, replaced or unmounted: the event
        source watches the old folder or nothing, and a scan of the path would read another folder or none."""
        found = _identity(self.root, folder=True)
        if (
            self._root_id is None
            or found == self._root_id
            or (found is not None and found[0] == self._root_id[0] and not self.source_holds_folders())
        ):
            return False
        self.error = VaultError("the vault folder was moved, deleted, replaced or unmounted while being watched",
                                path=str(self.root))  # fmt: skip
        self.say(f"{self.error}; stopping")
        return True

    def _check_index_file(self) -> None:
        """An index file deleted (``rm -rf .mdnet``) or replaced under the watcher is opened again and filled by
        a full scan: the watcher must not keep a deleted file up to date while the vault has no index."""
        path = self._index().path
        if path is None or _identity(path) == self._index_id:
            return
        self.vault.close()
        self._remember_index()
        self.request_full_scan("the index was deleted or replaced")

    def _follow_index_file(self) -> None:
        """Go back to the index file after falling back to memory (a lock held past the 30 s wait, a read-only
        ``.mdnet/``, a full disk): say so once, then try the file again after 1 s, 2 s, 4 s ... up to a minute
        apart; once it can be written it is brought up to date by a normal refresh and used again. A command
        may answer from memory for its one run; a watcher left there would keep every later command reading
        an index nobody updates, and lose its work when it stops."""
        if self._index().path is not None or not self.vault.save_index:
            return  # on the file, or never to be: a folder no marker makes a vault (the command said so)
        now = time.monotonic()
        if self._file_retry_at is None:
            self._file_retry_delay = FILE_RETRY_FIRST
            self._file_retry_at = now + self._file_retry_delay
            why = self.vault.in_memory_because or "unknown error"
            self.say(f"the index file cannot be written ({why}); keeping the index in memory until it can")
            return
        if now < self._file_retry_at:
            return
        # The next try is set before this one, so that a try that raises (reported by the loop) is followed by the
        # same back-off as one that finds the file locked, not by another try at once, for ever.
        self._file_retry_delay = min(FILE_RETRY_MAX, self._file_retry_delay * 2)
        self._file_retry_at = now + self._file_retry_delay
        stats = self.vault.reopen_index_file()
        if stats is None:
            return
        self._file_retry_at = None
        self._remember_index()
        brought = stats.added + stats.updated + stats.removed
        self.say(f"the index file can be written again; back on it ({brought} notes brought up to date)")

    def _remember_index(self) -> None:
        """Which file the index is now (None in memory), for :meth:`_check_index_file` to see it go."""
        path = self._index().path
        self._index_id = None if path is None else _identity(path)

    def _next_due(self) -> float:
        times = [self._next_supervise, self._next_rescan]
        if self._has_events():
            times.append(self._flush_at())
        if self._full is not None:
            times.append(self._full_at)
        if self._retries:
            times.append(min(due for due, _ in self._retries.values()))
        if self._commit_at is not None:
            times.append(self._commit_at)
        if self._file_retry_at is not None:
            times.append(self._file_retry_at)
        return min(times)

    def _flush_at(self) -> float:
        """When pending events are due: after the quiet period, or ``max_wait`` after the first one while
        edits keep coming. A burst (a checkout, a sync) is let settle: one big refresh reads faster than many."""
        longest = self.max_wait if len(self._paths) < BURST else BURST_MAX_WAIT
        return min(self._last + self.quiet, self._first + longest)

    def _tick(self, final: bool) -> None:
        now = time.monotonic()
        if not final and now >= self._next_supervise:
            self._next_supervise = now + SUPERVISE_EVERY
            if not self.source_alive():
                self.restart_source()
                self.request_full_scan("observer restarted")
            if self.daily and self._daily_date != self._today():
                self.check_daily()
        with self._cond:
            take = final or (self._has_events() and now >= self._flush_at())
            paths: set[str] = set()
            folders: set[str] = set()
            gone = config = False
            if take:
                paths, folders, gone, config = self._paths, self._folders, self._folder_gone, self._config_changed
                self._paths, self._folders, self._folder_gone, self._config_changed = set(), set(), False, False
            full = self._full if self._full is not None and (final or now >= self._full_at) else None
            if full is not None:
                self._full = None
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
        if self._commit_at is not None and (final or now >= self._commit_at):
            with self._cond:
                settled = final or not self._has_events()
            if settled:
                self.commit_pending()
            else:  # edits still coming: look again after their batch, not on every round of the loop
                self._commit_at = now + self.quiet

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
        index = self._index()
        for path in batch.changed:
            contact = index.contact(path)
            if contact is not None:
                self._names[path] = contact.name
        if self.autocommit:
            self._commit.update(batch.changed)
            self._commit_at = time.monotonic() + self.commit_quiet
        if self.daily:
            mine = self._daily_path in batch.changed and self.token_of(self._daily_path or "") != self._daily_token
            self.check_daily(force=mine)

    # -- --daily -------------------------------------------------------------------

    def check_daily(self, force: bool = False) -> None:
        """Refresh today's daily note when the due list changed, the day changed, or the user edited it."""
        if not self.daily:
            return
        today = self._today()
        items = self.vault.config.due_rules.items(self._index().contacts(), today)
        if not force and today == self._daily_date and items == self._daily_items:
            return
        self._daily_date, self._daily_items = today, items
        writer = getattr(self.vault, "daily_note", None)
        if writer is None:
            self.say("--daily: this mdnet has no daily note support; not writing one")
            self.daily = False
            return
        try:
            path = Path(writer(today))
        except Exception as exc:
            self.say(f"daily note not refreshed: {exc}")
            return
        try:
            self._daily_path = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            self._daily_path = None
        self._daily_token = self.token_of(self._daily_path) if self._daily_path else None
        self.say(f"daily note {self._daily_path or path} refreshed ({len(items)} due)")
        if self.autocommit and self._daily_path is not None:
            # the watcher's own write: no batch of the user's brings it to the commit (nor does its own event,
            # once the write has indexed it); commit_pending keeps it only if git sees a change
            self._commit.add(self._daily_path)
            self._commit_at = time.monotonic() + self.commit_quiet

    # -- --autocommit --------------------------------------------------------------

    def commit_pending(self) -> None:
        """Commit the notes that changed (exactly those; never other staged work) with their contacts' names.

        git commits a note as it is on disk now: one written again since it was indexed (a writer still holding
        it, its close not seen yet) may be half-written, so it waits for its own batch and the next commit."""
        rewritten = self._rewritten_since_indexed(self._commit)
        try:
            changed = history.changed_paths(self.root, sorted(self._commit - rewritten))
            subject = ""
            if changed:
                deleted = [p for p in changed if not (self.root / p).exists()]
                message = commit_message(changed, {p: self._names[p] for p in changed if p in self._names}, deleted)
                subject = message.splitlines()[0]
                # Without hooks: the pre-commit framework would take the user's other unstaged work out of the
                # working tree while its hooks run, and roll back a save made meanwhile (docs/decisions.md).
                outcome = history.commit_paths(self.root, changed, message, hooks=False)
        except OSError as exc:  # git vanished, or too many paths for one command line
            changed, outcome = ["?"], history.CommitOutcome(None, f"cannot run git: {exc}")
        if changed and outcome.commit is None and outcome.unchanged:
            pass  # committed meanwhile by someone else (mdnet sync, the user): nothing to say
        elif changed and outcome.commit is None:
            self._commit_attempts += 1
            reason = outcome.reason or ""
            if ("index.lock" in reason or "another git process" in reason) and self._commit_attempts < COMMIT_ATTEMPTS:
                self._commit_at = time.monotonic() + self.commit_quiet * self._commit_attempts
                return  # git is busy (the user is committing, rebasing...): try again shortly
            self.say(f"not committed: {reason}")
        elif changed and outcome.commit is not None:
            self.commits.append(outcome.commit)
            self.say(f"committed {outcome.commit[:10]}: {subject}")
        self._commit_attempts = 0
        self._commit = rewritten
        self._commit_at = time.monotonic() + self.commit_quiet if rewritten else None

    def _rewritten_since_indexed(self, paths: set[str]) -> set[str]:
        """Those of ``paths`` whose file is not as the index read it (a file gone, or held under a stand-in
        name, is not waited for: nothing could be half-written there)."""
        tokens = self._index().tokens()
        found = ((path, self.token_of(path)) for path in paths)
        return {path for path, token in found if token is not None and token != _plain(tokens.get(path))}


def _identity(path: Path, folder: bool = False) -> tuple[int, int] | None:
    """The file system and inode of ``path``; None when it is gone (or, for a ``folder``, is no folder now)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if folder and not stat.S_ISDIR(info.st_mode):
        return None
    return info.st_dev, info.st_ino


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
