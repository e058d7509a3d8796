"""One commit at a time: mdnet's own lock around add+commit, git's ``index.lock`` waited for, stale ones named.

Several mdnet processes (``log`` in scripts, the watcher's ``--autocommit``) commit to one
repository. git takes ``.git/index.lock`` for each ``add`` and ``commit`` and fails at once when
another holds it, so mdnet processes first take turns on a lock of their own: an flock on
``mdnet-commit.lock`` in the repository's common git folder (shared by its worktrees), never in
``.mdnet/`` (a folder the vault's owner may refuse). The kernel releases an flock when its
process ends, however it ends: a killed mdnet never leaves this lock held. A git of the user's
(a commit in a terminal, an editor's git plugin) still takes ``index.lock`` between mdnet's
steps: those steps are tried again with backoff (:func:`retrying`), and a lock nobody holds any
more is reported with the command that removes it (:func:`stale_index_lock`); mdnet never
removes it itself.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from mdnet.store import files

LOCK_NAME = "mdnet-commit.lock"
LOCK_WAIT = 30.0  # seconds a commit waits for other mdnet processes' commits (each holds it for well under one)
BUSY_WAIT = 5.0  # seconds a git step is tried again while another git holds index.lock
STALE_AFTER = 5.0  # seconds an index.lock must be unchanged, with no git running here, to be called stale
TEMPORARY_AGE = 60.0  # seconds after which one of mdnet's own temporaries beside a note is an orphan

_HELD: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("mdnet_commit_locks", default=frozenset())

T = TypeVar("T")


def git_dir(root: Path, common: bool = True) -> Path | None:
    """The repository's (common) git folder, absolute; None outside a repository."""
    which = "--git-common-dir" if common else "--git-dir"
    try:  # git run here, not through commands.run_git: commands uses this module
        found = subprocess.run(["git", "-C", str(root), "rev-parse", "--path-format=absolute", which],
                               capture_output=True, text=True, check=False)  # fmt: skip
    except OSError:
        return None
    text = found.stdout.strip()
    return Path(text) if found.returncode == 0 and text else None


@contextlib.contextmanager
def commit_lock(root: Path, wait: float = LOCK_WAIT) -> Iterator[bool]:
    """Hold mdnet's commit lock of ``root``'s repository; yields whether it is held.

    Re-entrant within a thread (a ``log`` holds it around its write and commit, and the commit takes
    it again). Where no lock can be had (no repository, Windows, a file system without flock) the
    caller goes on without it, as mdnet did before: git's own ``index.lock`` still keeps commits whole.
    A lock held past ``wait`` (an mdnet stopped with Ctrl-Z) raises :class:`TimeoutError`."""
    folder = git_dir(root)
    if folder is None or sys.platform == "win32":
        yield False
        return
    lock = folder / LOCK_NAME
    key = str(lock)
    if key in _HELD.get():
        yield True
        return
    try:
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError:  # a read-only repository, a link at the name: no lock, git's index.lock still guards
        yield False
        return
    try:
        held = files.flock_within(descriptor, wait, f"another mdnet has held {lock} for over {wait:g} s")
        token = _HELD.set(_HELD.get() | {key}) if held else None
        try:
            yield held
        finally:
            if token is not None:
                _HELD.reset(token)
    finally:
        os.close(descriptor)  # releases the lock


def is_busy(text: str) -> bool:
    """Whether git's error ``text`` says another git process holds the repository's index (or a ref)."""
    return "index.lock" in text or "another git process" in text or ".lock': File exists" in text


def retrying(step: Callable[[], T], busy: Callable[[T], bool], wait: float | None = None) -> T:
    """``step()`` again, with backoff, while ``busy`` says git found its lock taken; at most ``wait`` seconds
    (default :data:`BUSY_WAIT`, read at each call)."""
    deadline = time.monotonic() + (BUSY_WAIT if wait is None else wait)
    pause = 0.02
    while True:
        result = step()
        if not busy(result) or time.monotonic() >= deadline:
            return result
        time.sleep(pause)
        pause = min(0.5, pause * 2)


def stale_index_lock(root: Path, unchanged_for: float = STALE_AFTER) -> Path | None:
    """The repository's ``index.lock`` when it is left over (by a killed git): older than ``unchanged_for``
    seconds, and no git process runs in this repository (as far as ``/proc`` tells). None otherwise: a lock
    that may be live is never called stale. mdnet only reports it; the user removes it."""
    folder = git_dir(root, common=False)
    if folder is None:
        return None
    lock = folder / "index.lock"
    try:
        age = time.time() - lock.lstat().st_mtime
    except OSError:
        return None
    if age < unchanged_for or _git_running_in(root, folder):
        return None
    return lock


def _git_running_in(root: Path, folder: Path) -> bool:
    """Whether a git process runs with its working folder in this repository. True when that cannot be told
    (no ``/proc``): a lock is stale only when mdnet can see it is."""
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    places = {str(root.resolve()), str(folder.resolve()), str(folder.resolve().parent)}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
            if not name.startswith("git"):
                continue
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if any(cwd == place or cwd.startswith(place + os.sep) or place.startswith(cwd + os.sep) for place in places):
            return True
    return False


def is_own_temporary(name: str) -> bool:
    """A temporary mdnet writes beside a note before renaming it over the note (``.NAME.mdnet-XXXX.tmp``)."""
    return name.startswith(".") and ".mdnet-" in name and name.endswith(".tmp")


def remove_orphan_temporaries(folders: list[Path], older_than: float = TEMPORARY_AGE) -> list[Path]:
    """Remove mdnet's own temporaries in ``folders`` left by a killed mdnet (older than ``older_than`` seconds:
    a younger one may be another process's write in progress). Returns those removed."""
    removed: list[Path] = []
    now = time.time()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not is_own_temporary(entry.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                if now - info.st_mtime > older_than and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                continue
    return removed
