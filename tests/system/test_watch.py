"""The watcher against real files: a real watchdog observer on a temp vault, no mocked events.

Each test saves notes the way an editor does and polls the index (read directly,
never refreshed by the test) until it reaches the expected state or a deadline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from mdnet.core.model import Contact, RefreshStats
from mdnet.store.index import Index
from mdnet.vault.facade import Vault
from mdnet.watch.watcher import EventSource, Watcher, wait_for
from tests.conftest import git, git_env
from tests.system.test_index import _damage_notes_table

DEADLINE = 5.0
JANE = "---\nname: Jane Doe\ncategory: client\ncadence: 30d\n---\n# Jane Doe\n\n## Log\n"
BOB = "---\nname: Bob Baker\ncategory: friend\n---\n# Bob\n"


class IndexView:
    """The index as the watcher left it (never refreshed by the test)."""

    def __init__(self, root: Path) -> None:
        self.index = Index.open(root / ".mdnet" / "index.sqlite")

    def paths(self) -> set[str]:
        return set(self.index.tokens())

    def contact(self, path: str) -> Contact | None:
        return self.index.contact(path)

    def category(self, path: str) -> str | None:
        contact = self.contact(path)
        return None if contact is None else contact.category


Start = Callable[..., tuple["Watcher", "IndexView"]]


def until(predicate: Callable[[], bool], timeout: float = DEADLINE) -> None:
    assert wait_for(predicate, timeout), "the index did not reach the expected state in time"


@pytest.fixture
def vault(vault_dir: Path) -> Path:
    (vault_dir / "people" / "Jane Doe.md").write_text(JANE)
    (vault_dir / "people" / "Bob Baker.md").write_text(BOB)
    (vault_dir / "companies").mkdir()
    (vault_dir / ".obsidian").mkdir()
    (vault_dir / ".obsidian" / "workspace.json").write_text("{}")
    (vault_dir / ".trash").mkdir()
    return vault_dir


@pytest.fixture
def start(vault: Path) -> Iterator[Start]:
    """Start a watcher (short quiet periods so the suite stays fast); stopped at the end."""
    started: list[Watcher] = []

    def run(cls: type[Watcher] = Watcher, root: Path = vault, **options: object) -> tuple[Watcher, IndexView]:
        settings: dict[str, object] = {"quiet": 0.1, "settle": 0.2, "commit_quiet": 0.3}
        settings.update(options)
        watcher = cls(root, **settings)  # type: ignore[arg-type]
        started.append(watcher)
        watcher.start()
        return watcher, IndexView(root)

    yield run
    for watcher in started:
        watcher.stop()


def test_start_catches_up_with_a_full_scan(start: Start) -> None:
    watcher, index = start()
    assert index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md"}
    assert watcher.full_scans == 1
    assert watcher.batches[0].reason == "start"


def test_in_place_save(vault: Path, start: Start) -> None:
    watcher, index = start()
    with open(vault / "people" / "Jane Doe.md", "r+") as handle:  # what many editors do: truncate and write
        handle.truncate(0)
        handle.write(JANE.replace("client", "vendor"))
    until(lambda: index.category("people/Jane Doe.md") == "vendor")
    # The watcher reports a batch after committing it: wait for the line as for the index.
    until(lambda: any("reindexed people/Jane Doe.md" in line for line in watcher.messages))


def test_write_temp_then_rename(vault: Path, start: Start) -> None:
    watcher, index = start()
    temp = vault / "people" / ".Jane Doe.md.tmp-1234"
    temp.write_text(JANE.replace("client", "investor"))
    os.replace(temp, vault / "people" / "Jane Doe.md")
    until(lambda: index.category("people/Jane Doe.md") == "investor")
    assert index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md"}


def _vim(path: Path, *settings: str, swap: bool = False) -> None:
    command = ["vim", "-u", "NONE", "-N", "-es", "-i", "NONE"]
    if not swap:
        command.append("-n")
    # vim skips backups under /tmp by its default backupskip: empty it so the test takes the real path.
    for setting in ("set backupskip=", "set directory=.", *settings, "%s/client/colleague/", "wq"):
        command += ["-c", setting]
    subprocess.run([*command, path.name], cwd=path.parent, check=True, timeout=20, capture_output=True)


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
@pytest.mark.parametrize(
    "settings",
    [
        ("set backup", "set writebackup", "set backupcopy=no"),  # rename note to note.md~, write a new file
        ("set backup", "set writebackup", "set backupcopy=auto"),  # vim probes the folder with '4913'
        ("set nobackup", "set writebackup", "set backupcopy=yes"),  # copy, then write in place
    ],
    ids=["rename-to-backup", "auto-with-4913-probe", "backupcopy-yes"],
)
def test_real_vim_saves(vault: Path, start: Start, settings: tuple[str, ...]) -> None:
    watcher, index = start()
    _vim(vault / "people" / "Jane Doe.md", *settings, swap=True)
    until(lambda: index.category("people/Jane Doe.md") == "colleague")
    if "set backup" in settings:
        assert (vault / "people" / "Jane Doe.md~").exists()  # the backup path really ran
    assert watcher.wait_idle(quiet_for=0.6)
    assert index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md"}  # no ~, 4913 or .swp


def test_editor_temporaries_are_never_indexed(vault: Path, start: Start) -> None:
    watcher, index = start()
    people = vault / "people"
    for name in ("Jane Doe.md~", "4913", ".Jane Doe.md.swp", ".#Jane Doe.md", "Jane Doe.md.tmp", "draft.tmp"):
        (people / name).write_text(JANE)
    (people / "Carl.md").write_text("---\nname: Carl\n---\n")  # a real note after them
    until(lambda: "people/Carl.md" in index.paths())
    assert watcher.wait_idle(quiet_for=0.3)
    assert index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md", "people/Carl.md"}


def test_delete_rename_and_move_between_folders(vault: Path, start: Start) -> None:
    _, index = start()
    (vault / "people" / "Bob Baker.md").unlink()
    until(lambda: "people/Bob Baker.md" not in index.paths())
    os.rename(vault / "people" / "Jane Doe.md", vault / "people" / "Jane D.md")
    until(lambda: index.paths() == {"people/Jane D.md"})
    (vault / "people" / "archive").mkdir()
    os.rename(vault / "people" / "Jane D.md", vault / "people" / "archive" / "Jane D.md")
    until(lambda: index.paths() == {"people/archive/Jane D.md"})
    os.rename(vault / "people" / "archive" / "Jane D.md", vault / "companies" / "Jane D.md")
    until(lambda: index.paths() == {"companies/Jane D.md"})
    contact = index.contact("companies/Jane D.md")
    assert contact is None  # outside the contact folder and not type: contact: a plain note now


def test_folders_created_moved_and_removed(vault: Path, start: Start) -> None:
    watcher, index = start()
    deep = vault / "people" / "team" / "east"
    deep.mkdir(parents=True)  # nested folders appear at once, the note right after
    (deep / "Dana.md").write_text("---\nname: Dana\n---\n")
    until(lambda: "people/team/east/Dana.md" in index.paths())
    assert "people/team/east" in watcher.source.watched_folders() or watcher.mode != "inotify"
    (deep / "Eve.md").write_text("---\nname: Eve\n---\n")  # the new folder is watched from now on
    until(lambda: "people/team/east/Eve.md" in index.paths())
    os.rename(vault / "people" / "team", vault / "people" / "crew")
    until(lambda: {"people/crew/east/Dana.md", "people/crew/east/Eve.md"} <= index.paths())
    assert not any(p.startswith("people/team/") for p in index.paths())
    (vault / "people" / "crew" / "east" / "Finn.md").write_text("---\nname: Finn\n---\n")  # watched at its new path
    until(lambda: "people/crew/east/Finn.md" in index.paths())
    shutil.rmtree(vault / "people" / "crew")
    until(lambda: index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md"})


def _inotify_inodes() -> set[int]:
    """Inodes this process holds inotify watches on (from /proc/self/fdinfo)."""
    inodes: set[int] = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != "anon_inode:inotify":
                continue
            text = Path(f"/proc/self/fdinfo/{fd}").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("inotify wd:"):
                fields = dict(part.split(":", 1) for part in line.split()[1:])
                inodes.add(int(fields["ino"], 16))
    return inodes


@pytest.mark.skipif(not Path("/proc/self/fdinfo").exists(), reason="needs Linux /proc to list inotify watches")
def test_dot_folders_are_ignored_and_never_watched(vault: Path, start: Start) -> None:
    subprocess.run(["git", "init", "-q", str(vault)], check=True)
    watcher, index = start()
    assert watcher.mode == "inotify"
    (vault / ".trash" / "Old.md").write_text(BOB)
    (vault / ".obsidian" / "plugins").mkdir()
    (vault / ".obsidian" / "plugins" / "note.md").write_text(BOB)
    (vault / ".hidden").mkdir()
    (vault / ".hidden" / "x.md").write_text(BOB)
    (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
    until(lambda: "people/Carl.md" in index.paths())
    assert watcher.wait_idle(quiet_for=0.3)
    assert not any(p.startswith(".") for p in index.paths())
    watched = _inotify_inodes()
    assert (vault / "people").stat().st_ino in watched
    for folder in (".git", ".git/objects", ".obsidian", ".obsidian/plugins", ".trash", ".mdnet", ".hidden"):
        assert (vault / folder).stat().st_ino not in watched, folder
    assert sorted(watcher.source.watched_folders()) == ["", "companies", "people"]


@pytest.mark.slow
def test_a_burst_of_files_is_a_few_refreshes(vault: Path, start: Start) -> None:
    watcher, index = start()
    batches_before = len(watcher.batches)
    burst = vault / "people" / "burst"
    burst.mkdir()
    for i in range(2000):
        (burst / f"p{i:04}.md").write_text(f"---\nname: Person {i}\ncadence: 90d\n---\n")
    until(lambda: len(index.paths()) == 2002, timeout=15)
    assert watcher.wait_idle(quiet_for=0.3)
    refreshes = list(watcher.batches)[batches_before:]
    assert 1 <= len(refreshes) <= 6, [(b.reason, len(b.paths)) for b in refreshes]
    assert len(index.index.contacts()) == 2002


@pytest.mark.slow
def test_git_checkout_of_a_thousand_notes(git_vault: Path, start: Start) -> None:
    root = git_vault  # (the start fixture's Jane and Bob notes get committed on the new branch too)
    git(root, "checkout", "-q", "-b", "imported")
    imported = root / "people" / "imported"
    imported.mkdir()
    for i in range(1000):
        (imported / f"Contact {i:04}.md").write_text(f"---\nname: Contact {i:04}\ncadence: 90d\n---\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "import")
    git(root, "checkout", "-q", "main")
    watcher, index = start(root=root)
    assert index.paths() == set()
    git(root, "checkout", "-q", "imported")
    until(lambda: sum(p.startswith("people/imported/") for p in index.paths()) == 1000, timeout=20)
    assert watcher.wait_idle(quiet_for=0.3)
    assert len(index.index.contacts()) == 1002
    git(root, "checkout", "-q", "main")  # removes the files and their folders
    until(lambda: index.paths() == set(), timeout=20)


def test_a_note_caught_empty_stays_in_the_index(vault: Path, start: Start) -> None:
    _, index = start()
    seen_missing: list[bool] = []
    stop = threading.Event()

    def watch_index() -> None:
        view = IndexView(vault)
        while not stop.is_set():
            seen_missing.append(view.contact("people/Jane Doe.md") is None)
            time.sleep(0.005)

    observer = threading.Thread(target=watch_index)
    observer.start()
    try:
        path = vault / "people" / "Jane Doe.md"
        with open(path, "r+") as handle:  # a slow save: truncated, a pause longer than the quiet period
            handle.truncate(0)
            handle.flush()
            time.sleep(0.3)
            handle.write(JANE.replace("client", "recruiter"))
        until(lambda: index.category("people/Jane Doe.md") == "recruiter")
    finally:
        stop.set()
        observer.join()
    assert not any(seen_missing), "the contact vanished from the index while its note was being saved"


def test_a_contact_caught_half_written_stays_in_the_index(vault: Path, start: Start) -> None:
    _, index = start(settle=0.3)
    seen: list[str | None] = []
    stop = threading.Event()

    def watch_index() -> None:
        view = IndexView(vault)
        while not stop.is_set():
            seen.append(view.category("people/Jane Doe.md"))
            time.sleep(0.005)

    observer = threading.Thread(target=watch_index)
    observer.start()
    try:
        new = JANE.replace("client", "caf\u00e9 owner").encode()
        cut = new.index("\u00e9".encode()) + 1  # inside the two bytes of the UTF-8 'e-acute'
        with open(vault / "people" / "Jane Doe.md", "r+b") as handle:
            handle.truncate(0)
            handle.write(new[:cut])
            handle.flush()
            time.sleep(0.4)  # longer than the quiet period: the watcher reads this state
            handle.write(new[cut:])
        until(lambda: index.category("people/Jane Doe.md") == "caf\u00e9 owner")
        until(lambda: bool(seen) and seen[-1] == "caf\u00e9 owner")
    finally:
        stop.set()
        observer.join()
    assert None not in seen, "the contact vanished from the index while its note was being saved"
    assert set(seen) == {"client", "caf\u00e9 owner"}


def test_a_half_written_note_is_read_again_after_it_settles(vault: Path, start: Start) -> None:
    watcher, index = start(settle=0.3)
    path = vault / "people" / "Gael.md"
    with open(path, "wb") as handle:  # a chunked write that stops inside a UTF-8 sequence, then pauses
        handle.write(b"---\nname: Ga\xc3")
        handle.flush()
        until(lambda: "people/Gael.md" in index.paths())
        assert index.contact("people/Gael.md") is None  # undecodable for now
        until(lambda: any(b.reason == "retry" and "people/Gael.md" in b.paths for b in watcher.batches))
        assert not any("Gael" in line and "problem" in line for line in watcher.messages)  # not reported yet
        handle.write(b"\xabl\ncategory: client\n---\n")
    until(lambda: index.category("people/Gael.md") == "client")
    contact = index.contact("people/Gael.md")
    assert contact is not None
    assert contact.name == "Ga\u00ebl"


def test_a_note_that_stays_broken_is_reported_once_settled(vault: Path, start: Start) -> None:
    watcher, index = start(settle=0.1)
    (vault / "people" / "Gael.md").write_bytes(b"---\nname: Ga\xc3\n---\n")
    until(lambda: any("people/Gael.md" in line and "problem" in line for line in watcher.messages))
    retries = [b for b in watcher.batches if b.reason == "retry" and "people/Gael.md" in b.paths]
    assert retries  # read again before being reported
    assert watcher.wait_idle(timeout=10)
    assert sum("people/Gael.md" in line and "problem" in line for line in watcher.messages) == 1
    assert index.contact("people/Gael.md") is None


def test_a_bad_note_is_reported_and_the_rest_keeps_working(vault: Path, start: Start) -> None:
    watcher, index = start(settle=0.1)
    (vault / "people" / "Bad.md").write_bytes(b"---\nname: Bad\nlast_contact: 2026-13-45\n---\n")
    (vault / "people" / "Worse.md").write_bytes(b"---\nname: \xff\xfe broken\n---\n")
    until(lambda: any("people/Bad.md" in line and "error" in line for line in watcher.messages), timeout=10)
    (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
    until(lambda: index.contact("people/Carl.md") is not None)
    assert index.contact("people/Bad.md") is None
    assert index.contact("people/Jane Doe.md") is not None


class FailingOnce(Watcher):
    """A watcher whose first event-driven refresh raises (a disk error, a locked database...)."""

    failed = False

    def refresh_index(self, paths: list[str] | None) -> RefreshStats:
        if paths is not None and not self.failed:
            self.failed = True
            raise OSError(errno.EIO, "Input/output error")
        return super().refresh_index(paths)


def test_a_failing_refresh_is_reported_and_recovered(vault: Path, start: Start) -> None:
    watcher, index = start(FailingOnce)
    (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
    until(lambda: "people/Carl.md" in index.paths())
    assert any("refresh failed" in line and "Input/output error" in line for line in watcher.messages)
    assert watcher.full_scans >= 2  # the recovery was a full scan
    (vault / "people" / "Dana.md").write_text("---\nname: Dana\n---\n")
    until(lambda: "people/Dana.md" in index.paths())


class FaultyHandler(Watcher):
    """A watcher whose event handling raises once, inside watchdog's dispatch thread."""

    raised = False

    def relative(self, path: str) -> str | None:
        if not self.raised and path.endswith("Carl.md"):
            self.raised = True
            raise RuntimeError("handler bug")
        return super().relative(path)


def test_an_exception_in_the_handler_does_not_stop_watching(vault: Path, start: Start) -> None:
    watcher, index = start(FaultyHandler)
    (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
    until(lambda: "people/Carl.md" in index.paths())  # the rescan after the error found it
    assert watcher.raised
    assert watcher.observer is not None
    assert watcher.observer.is_alive()
    assert watcher.restarts == 0
    (vault / "people" / "Dana.md").write_text("---\nname: Dana\n---\n")
    until(lambda: "people/Dana.md" in index.paths())


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_observer_is_restarted(vault: Path, start: Start) -> None:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    class Unguarded(FileSystemEventHandler):
        def dispatch(self, event: FileSystemEvent) -> None:
            raise RuntimeError("an unguarded handler kills watchdog's thread")

    watcher, index = start()
    observer = watcher.observer
    assert observer is not None
    observer.schedule(Unguarded(), str(vault / "people"))  # a real death of the real dispatch thread
    (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
    assert wait_for(lambda: not observer.is_alive(), DEADLINE)
    until(lambda: watcher.restarts == 1 and watcher.observer is not observer)
    until(lambda: "people/Carl.md" in index.paths())
    (vault / "people" / "Dana.md").write_text("---\nname: Dana\n---\n")
    until(lambda: "people/Dana.md" in index.paths())


class NoInotify(Watcher):
    """inotify refuses with ENOSPC (the watch limit). Lowering fs.inotify.max_user_watches needs root and
    would break every other watcher of this user, so this one fault is injected, as watchdog raises it."""

    def make_source(self, kind: str, poll_interval: float) -> EventSource:
        source = super().make_source(kind, poll_interval)

        def refuse() -> object:
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

        source.native_observer = refuse  # type: ignore[assignment,method-assign]
        return source


def test_inotify_limit_falls_back_to_polling(vault: Path, start: Start) -> None:
    watcher, index = start(NoInotify, poll_interval=0.1, verbose=True)
    assert watcher.mode == "polling"
    assert any("inotify limit reached" in line and "polling" in line for line in watcher.messages)
    (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
    (vault / ".obsidian" / "Hidden.md").write_text(BOB)
    until(lambda: "people/Carl.md" in index.paths())
    os.replace(vault / "people" / "Carl.md", vault / "people" / "Carla.md")
    until(lambda: index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md", "people/Carla.md"})
    assert not any(".obsidian" in line for line in watcher.messages if line.startswith("event"))


class LimitOnANewFolder(Watcher):
    """inotify refuses a watch for a folder created while watching (ENOSPC, as watchdog raises it: the limit
    cannot be lowered without root and for this user's other watchers). A note is saved while the watcher
    switches to polling, after inotify stopped and before polling looked: no event can announce it."""

    def make_source(self, kind: str, poll_interval: float) -> EventSource:
        source = super().make_source(kind, poll_interval)
        schedule, start_polling = source._schedule, source.start_polling

        def refuse_new(relative: str) -> None:
            if relative == "people/new":
                raise OSError(errno.ENOSPC, "inotify watch limit reached")
            schedule(relative)

        def save_then_poll() -> None:
            (self.root / "people" / "Late.md").write_text("---\nname: Late\n---\n")
            start_polling()

        source._schedule = refuse_new  # type: ignore[method-assign]
        source.start_polling = save_then_poll  # type: ignore[method-assign]
        return source


def test_inotify_limit_reached_while_watching_falls_back_without_losing_a_save(vault: Path, start: Start) -> None:
    watcher, index = start(LimitOnANewFolder, poll_interval=0.1)
    assert watcher.mode == "inotify"
    (vault / "people" / "new").mkdir()
    (vault / "people" / "new" / "Ann.md").write_text("---\nname: Ann\n---\n")
    until(lambda: watcher.mode == "polling")
    assert any("inotify limit reached" in line for line in watcher.messages)
    until(lambda: {"people/new/Ann.md", "people/Late.md"} <= index.paths())
    (vault / "people" / "new" / "Bo.md").write_text("---\nname: Bo\n---\n")
    until(lambda: "people/new/Bo.md" in index.paths())


def test_a_queue_overflow_triggers_a_full_scan(vault: Path, start: Start) -> None:
    # The kernel's queue (16384 events) cannot be overflowed on demand without root; watchdog reports an
    # overflow only through this log warning, so the test emits exactly that warning.
    watcher, _ = start()
    scans = watcher.full_scans
    logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
    until(lambda: watcher.full_scans == scans + 1)


def test_periodic_scan_catches_what_no_event_announced(vault: Path, start: Start) -> None:
    watcher, index = start(rescan_every=0.5)
    path = vault / "people" / "Jane Doe.md"
    with open(path, "r+") as handle:  # a writer that keeps the note open: no close-write event yet
        handle.seek(0)
        handle.write(JANE.replace("client", "family "))
        handle.flush()
        until(lambda: index.category("people/Jane Doe.md") == "family")
        assert any(b.reason == "periodic" and b.full for b in watcher.batches)


def test_config_change_is_picked_up(vault: Path, start: Start) -> None:
    watcher, index = start()
    (vault / "friends").mkdir()
    (vault / "friends" / "Hal.md").write_text("---\nname: Hal\n---\n")
    until(lambda: "friends/Hal.md" in index.paths())
    assert index.contact("friends/Hal.md") is None
    (vault / "mdnet.toml").write_text('contact_dirs = ["people", "friends"]\n')
    until(lambda: index.contact("friends/Hal.md") is not None)
    assert any("settings reloaded" in line for line in watcher.messages)


# -- --autocommit ---------------------------------------------------------------------


def test_autocommit_commits_exactly_the_changed_notes(git_vault: Path, start: Start) -> None:
    root = git_vault
    (root / "people" / "Jane Doe.md").write_text(JANE)
    (root / "people" / "Bob Baker.md").write_text(BOB)
    (root / "unrelated.txt").write_text("one\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    (root / "unrelated.txt").write_text("two\n")
    git(root, "add", "unrelated.txt")  # the user's own staged work: must stay staged, out of our commits
    watcher, _ = start(root=root, autocommit=True)
    (root / "people" / "Jane Doe.md").write_text(JANE.replace("client", "vendor"))
    (root / "people" / "Carl.md").write_text("---\nname: Carl Jung\n---\n")
    (root / "people" / "Carl.md~").write_text("backup")
    (root / "people" / ".Carl.md.swp").write_text("swap")
    until(lambda: len(watcher.commits) == 1)
    show = git(root, "show", "--name-only", "--format=%s%n%b", "HEAD")
    subject = show.splitlines()[0]
    assert subject == "Update Carl Jung, Jane Doe"
    committed = set(git(root, "show", "--name-only", "--format=", "HEAD").split("\n")) - {""}
    assert committed == {"people/Jane Doe.md", "people/Carl.md"}
    assert git(root, "diff", "--cached", "--name-only").split() == ["unrelated.txt"]
    assert ".mdnet" not in git(root, "ls-files")

    (root / "people" / "Bob Baker.md").unlink()
    until(lambda: len(watcher.commits) == 2)
    assert git(root, "log", "-1", "--format=%s").strip() == "Update Bob Baker"
    assert "deleted people/Bob Baker.md" in git(root, "log", "-1", "--format=%b")
    assert git(root, "diff", "--cached", "--name-only").split() == ["unrelated.txt"]


def test_autocommit_in_a_vault_inside_a_bigger_repository(tmp_path: Path, start: Start) -> None:
    repo = tmp_path / "home"
    root = repo / "notes" / "network"
    (root / "people").mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n')
    (repo / "todo.txt").write_text("outside the vault\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    git(repo, "config", "user.name", "Test User")
    git(repo, "config", "user.email", "test@example.com")
    (repo / ".gitignore").write_text(".mdnet/\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    watcher, _ = start(root=root, autocommit=True)
    (repo / "todo.txt").write_text("changed, not ours to commit\n")
    (root / "people" / "Ivy.md").write_text("---\nname: Ivy Lee\n---\n")
    until(lambda: len(watcher.commits) == 1)
    committed = set(git(repo, "show", "--name-only", "--format=", "HEAD").split("\n")) - {""}
    assert committed == {"notes/network/people/Ivy.md"}
    assert git(repo, "log", "-1", "--format=%s").strip() == "Update Ivy Lee"
    assert "todo.txt" in git(repo, "status", "--porcelain")


CONFLICTED = JANE + "- 2026-11-20 coffee: {}\n"


def _leave_a_conflict_in_jane(root: Path, how: str) -> None:
    """Make git stop with Jane's note unmerged (conflict markers in its log), as a stash pop, merge or rebase does."""
    jane = root / "people" / "Jane Doe.md"
    jane.write_text(CONFLICTED.format("first"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "jane")
    if how == "stash pop":
        jane.write_text(CONFLICTED.format("stashed"))
        git(root, "stash", "-q")
        jane.write_text(CONFLICTED.format("committed"))
        git(root, "commit", "-q", "-am", "committed")
        command = ["stash", "pop"]
    else:
        git(root, "checkout", "-q", "-b", "side")
        jane.write_text(CONFLICTED.format("side"))
        git(root, "commit", "-q", "-am", "side")
        git(root, "checkout", "-q", "main")
        jane.write_text(CONFLICTED.format("main"))
        git(root, "commit", "-q", "-am", "main")
        command = ["merge", "-q", "side"] if how == "merge" else ["rebase", "-q", "side"]
    stopped = subprocess.run(["git", "-C", str(root), *command], capture_output=True, env=git_env(), check=False)
    assert stopped.returncode != 0
    assert "<<<<<<<" in jane.read_text()


@pytest.mark.parametrize("how", ["stash pop", "merge", "rebase"])
def test_autocommit_never_commits_or_resolves_a_conflict(git_vault: Path, start: Start, how: str) -> None:
    """git leaves conflict markers in a note: the watcher indexes the note but never stages or commits it,
    and does not commit into the middle of a merge or rebase; the conflict stays for the user to resolve."""
    root = git_vault
    (root / "people" / "Jane Doe.md").write_text(JANE)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    watcher, _ = start(root=root, autocommit=True)
    _leave_a_conflict_in_jane(root, how)
    head = git(root, "rev-parse", "HEAD")
    until(lambda: any("committed" in line for line in watcher.messages))
    assert watcher.wait_idle(quiet_for=0.5)
    assert watcher.commits == []
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "ls-files", "-u", "--", "people/Jane Doe.md") != ""  # still unmerged: nothing marked it resolved
    assert any("not committed" in line and "conflict" in line for line in watcher.messages)


def test_autocommit_never_takes_the_users_other_changes_out_of_the_working_tree(
    git_vault: Path, tmp_path: Path, start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vault uses the real pre-commit framework (section 8). For a commit of some paths it stashes every
    other unstaged change out of the working tree while its hooks run, and puts it back after: a background
    commit must not revert a file the user is typing into (a save in that window is rolled back and lost)."""
    import sys

    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    root = git_vault
    seen = tmp_path / "what-the-hook-saw.txt"
    (root / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: look\n    name: look\n    language: system\n"
        f"    pass_filenames: false\n    entry: cp ideas.txt '{seen}'\n"
    )
    (root / "people" / "Jane Doe.md").write_text(JANE)
    (root / "ideas.txt").write_text("plans\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    subprocess.run([pre_commit, "install"], cwd=root, check=True, capture_output=True, env=git_env())
    (root / "ideas.txt").write_text("plans\nTyping in another file, never ours to commit\n")
    watcher, _ = start(root=root, autocommit=True, commit_quiet=0.3)
    (root / "people" / "Jane Doe.md").write_text(JANE.replace("client", "vendor"))
    until(lambda: any("committed" in line for line in watcher.messages))
    assert len(watcher.commits) == 1, list(watcher.messages)
    assert not seen.exists() or "Typing" in seen.read_text(), "the user's work was taken out of ideas.txt"
    assert "Typing" in (root / "ideas.txt").read_text()


def test_a_failed_autocommit_leaves_nothing_staged_for_the_users_next_commit(git_vault: Path, start: Start) -> None:
    """The commit fails (here signing: no working gpg): the notes stay changed in the working tree, as the docs
    say, but not staged, or the user's own next 'git commit' of their staged work would carry them along."""
    root = git_vault
    (root / "people" / "Jane Doe.md").write_text(JANE)
    (root / "unrelated.txt").write_text("one\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    git(root, "config", "commit.gpgsign", "true")
    git(root, "config", "gpg.program", "false")
    (root / "unrelated.txt").write_text("two\n")
    git(root, "add", "unrelated.txt")
    watcher, _ = start(root=root, autocommit=True)
    (root / "people" / "Jane Doe.md").write_text(JANE.replace("client", "vendor"))
    (root / "people" / "Carl.md").write_text("---\nname: Carl Jung\n---\n")
    until(lambda: any("not committed" in line for line in watcher.messages))
    assert watcher.wait_idle(quiet_for=0.5)
    assert git(root, "diff", "--cached", "--name-only").split() == ["unrelated.txt"]
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "mine")  # the user's own commit
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == ["unrelated.txt"]
    assert "vendor" in (root / "people" / "Jane Doe.md").read_text()


def test_autocommit_never_commits_a_note_caught_half_written(git_vault: Path, start: Start) -> None:
    """git commits a note as it is on disk when the commit runs. A note being written again (by a writer that
    holds it open: no close event yet) is not what the index holds: it waits for the next batch."""
    root = git_vault
    watcher, index = start(root=root, autocommit=True)
    jane = root / "people" / "Jane Doe.md"
    jane.write_text(JANE.replace("client", "vendor"))
    until(lambda: index.category("people/Jane Doe.md") == "vendor")
    half = "---\nname: Jane Doe\ncate"
    with open(jane, "r+") as handle:  # the next save starts right away, and is slow
        handle.truncate(0)
        handle.write(half)
        handle.flush()
        time.sleep(1.0)  # longer than the commit's quiet period (0.3 s here)
        handle.write(JANE.replace("client", "investor")[len(half) :])
    until(lambda: index.category("people/Jane Doe.md") == "investor")
    until(lambda: "investor" in git(root, "log", "-p", "--format=", "--", "people/Jane Doe.md"))
    for commit in git(root, "log", "--format=%H", "--", "people/Jane Doe.md").split():
        assert git(root, "show", f"{commit}:people/Jane Doe.md") != half, "a half-written note was committed"


class CountingTicks(Watcher):
    ticks = 0

    def _tick(self, final: bool) -> None:
        self.ticks += 1
        super()._tick(final)


def test_autocommit_waits_for_edits_to_settle_without_spinning(git_vault: Path, start: Start) -> None:
    """While files keep changing, a commit that is due waits for them to settle: by sleeping until the next
    batch, not by running the worker's loop flat out (tens of thousands of rounds a second, on a 2-core box)."""
    watcher, index = start(CountingTicks, root=git_vault, autocommit=True)
    deadline = time.monotonic() + 2.0
    i = 0
    while time.monotonic() < deadline:  # a sync tool or an import: a file every few milliseconds
        (git_vault / "people" / f"P{i:04}.md").write_text(f"---\nname: P{i:04}\n---\n")
        i += 1
        time.sleep(0.005)
    rounds = watcher.ticks  # type: ignore[attr-defined]
    until(lambda: len(watcher.commits) >= 1 and len(index.paths()) == i + 2, timeout=30)  # + Jane and Bob
    assert rounds < 200, f"{rounds} rounds of the worker's loop in 2 s of edits"


def test_stopping_a_polling_watcher_indexes_and_commits_a_save_it_has_not_polled_yet(
    git_vault: Path, start: Start
) -> None:
    """docs/watch.md: Ctrl-C and SIGTERM index pending changes and make pending commits first. A poller
    sees a save only at its next look (once a second): a save just before the stop is pending too."""
    root = git_vault
    (root / "people" / "Jane Doe.md").write_text(JANE)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    watcher, index = start(root=root, autocommit=True, observer="polling", poll_interval=30.0)
    assert watcher.mode == "polling"
    (root / "people" / "Jane Doe.md").write_text(JANE.replace("client", "vendor"))
    watcher.stop()
    assert index.category("people/Jane Doe.md") == "vendor"
    assert git(root, "status", "--porcelain", "--", "people") == ""
    assert git(root, "log", "-1", "--format=%s").strip() == "Update Jane Doe"


def test_autocommit_says_nothing_when_the_notes_were_committed_meanwhile(
    git_vault: Path, start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mdnet sync` (or the user) committing the same note between the watcher's look at git and its commit:
    nothing is left to commit, which is no failure to report."""
    from mdnet.git import commands as history

    root = git_vault
    (root / "people" / "Jane Doe.md").write_text(JANE)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    looked = history.changed_paths

    def changed_then_committed_by_sync(where: Path, paths: list[str]) -> list[str]:
        found = looked(where, paths)
        if found:
            git(root, "commit", "-q", "-m", "Sync 1 note: Jane Doe", "--", *found)
        return found

    monkeypatch.setattr(history, "changed_paths", changed_then_committed_by_sync)
    watcher, index = start(root=root, autocommit=True)
    (root / "people" / "Jane Doe.md").write_text(JANE.replace("client", "vendor"))
    until(lambda: index.category("people/Jane Doe.md") == "vendor")
    assert watcher.wait_idle(quiet_for=0.6)
    assert git(root, "log", "-1", "--format=%s").strip() == "Sync 1 note: Jane Doe"
    assert not any("not committed" in line for line in watcher.messages), watcher.messages


def test_autocommit_outside_git_says_so(vault: Path, start: Start) -> None:
    watcher, _ = start(autocommit=True)
    assert any("not in a git repository" in line for line in watcher.messages)


# -- --daily --------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(Vault, "daily_note"), reason="Vault.daily_note (issue 4) is not on this branch yet")
def test_daily_note_follows_the_due_list(vault: Path, start: Start) -> None:
    today = dt.date(2026, 11, 25)
    watcher, _ = start(daily=True, today=lambda: today)
    daily = vault / "daily" / "2026-11-25.md"
    until(lambda: daily.exists())
    (vault / "people" / "Zed.md").write_text("---\nname: Zed Newcomer\nneeds_reply: true\n---\n")
    until(lambda: "Zed Newcomer" in daily.read_text(encoding="utf-8"))
    assert any("daily note" in line for line in watcher.messages)


@pytest.mark.skipif(not hasattr(Vault, "daily_note"), reason="Vault.daily_note (issue 4) is not on this branch yet")
def test_autocommit_commits_the_daily_note_the_watcher_writes(git_vault: Path, start: Start) -> None:
    """docs/daily.md: the daily note is yours to commit, 'or mdnet watch --autocommit does it' - also the
    note the watcher writes itself (on start, when the due list changes), not only after you edit it."""
    root = git_vault
    (root / "people" / "Zed.md").write_text("---\nname: Zed Newcomer\nneeds_reply: true\n---\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    watcher, _ = start(root=root, autocommit=True, daily=True, today=lambda: dt.date(2026, 11, 25))
    daily = root / "daily" / "2026-11-25.md"
    # committed, not only in git's index: a new note is staged intent-to-add before its commit
    until(lambda: "daily/2026-11-25.md" in git(root, "ls-tree", "-r", "--name-only", "HEAD", "--", "daily"))
    assert "Zed Newcomer" in git(root, "show", "HEAD:daily/2026-11-25.md")
    (root / "people" / "Yan.md").write_text("---\nname: Yan Later\nneeds_reply: true\n---\n")
    until(lambda: "Yan Later" in daily.read_text(encoding="utf-8"))
    until(lambda: git(root, "status", "--porcelain", "--", "people", "daily") == "")
    assert "Yan Later" in git(root, "show", "HEAD:daily/2026-11-25.md")
    assert watcher.wait_idle(quiet_for=0.6)


class StandInDailyVault(Vault):
    """Until issue 4's Vault.daily_note is merged: a careful stand-in (writes only when the text changes),
    enough to test *when* the watcher asks for the daily note."""

    calls: list[dt.date]

    def daily_note(self, date: dt.date | None = None) -> Path:
        assert date is not None
        self.calls.append(date)
        path = self.root / "daily" / f"{date.isoformat()}.md"
        path.parent.mkdir(exist_ok=True)
        text = "".join(f"- [ ] [[{item.name}]]\n" for item in self.due(today=date))
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        return path

    def refresh_daily(self, date: dt.date | str | None = None) -> Any:  # the watcher asks this one (issue 18)
        assert isinstance(date, dt.date)
        return SimpleNamespace(full_path=self.daily_note(date), logged=[])


class DailyWatcher(Watcher):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.vault = StandInDailyVault(self.vault.root, self.vault.config)
        self.vault.calls = []


def test_daily_triggers_due_change_own_write_user_edit_and_midnight(vault: Path, start: Start) -> None:
    day = [dt.date(2026, 11, 25)]
    watcher, _ = start(DailyWatcher, daily=True, today=lambda: day[0])
    calls = watcher.vault.calls  # type: ignore[attr-defined]
    assert calls == [day[0]]
    daily = vault / "daily" / "2026-11-25.md"
    (vault / "people" / "Zed.md").write_text("---\nname: Zed Newcomer\nneeds_reply: true\n---\n")
    until(lambda: daily.exists() and "Zed Newcomer" in daily.read_text())
    assert watcher.wait_idle(quiet_for=0.6)
    assert len(calls) == 2  # its own write of the note did not ask again
    (vault / "people" / "Jane Doe.md").write_text(JANE.replace("# Jane Doe\n", "# Jane Doe\n\nLikes sailing.\n"))
    until(lambda: any("people/Jane Doe.md" in b.changed for b in watcher.batches))
    assert watcher.wait_idle(quiet_for=0.3)
    assert len(calls) == 2
    with open(daily, "a") as handle:  # the user edits today's note (ticks a task)
        handle.write("- [x] called the bank\n")
    until(lambda: len(calls) == 3)
    day[0] = dt.date(2026, 11, 26)  # midnight
    until(lambda: calls[-1] == dt.date(2026, 11, 26))
    until(lambda: (vault / "daily" / "2026-11-26.md").exists())  # the stand-in notes the call, then writes


# -- the command --------------------------------------------------------------------


def test_watch_is_a_lazy_command() -> None:
    from tests.conftest import run_cli

    result = run_cli("watch", "--help")
    assert result.code == 0
    assert "--autocommit" in result.out
    assert "--daily" in result.out
    assert "--verbose" in result.out


@contextlib.contextmanager
def watch_process(vault: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """``mdnet watch ARGS`` as a new process, once it says it is watching; its stdout lines gather in the list.
    Killed at the end if it is still running."""
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("MDNET_")}
    process = subprocess.Popen([sys.executable, "-m", "mdnet", "--vault", str(vault), "watch", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")))  # type: ignore[union-attr]
    reader.start()
    try:
        until(lambda: any("watching" in line for line in lines), timeout=15)
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=5)


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_mdnet_watch_process_ends_cleanly_on_a_signal(vault: Path, signal_name: str) -> None:
    import signal

    with watch_process(vault) as (process, lines):
        (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
        until(lambda: any("reindexed people/Carl.md" in line for line in lines))
        process.send_signal(getattr(signal, signal_name))
        code = process.wait(timeout=15)
    stderr = process.stderr.read() if process.stderr else ""
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert lines[-1].rstrip().endswith("stopped")
    assert "people/Carl.md" in IndexView(vault).paths()


def test_polling_never_follows_symlinked_folders(vault: Path, tmp_path: Path, start: Start) -> None:
    """The polling observer (NFS, or inotify's limits reached) reports changes in the vault's own folders only:
    a symlinked folder is not part of the vault (the scan does not enter it), and a link back up is a loop."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Ext.md").write_text(BOB)
    (vault / "people" / "ext").symlink_to(outside, target_is_directory=True)
    (vault / "people" / "loop").symlink_to(vault, target_is_directory=True)
    watcher, index = start(observer="polling", poll_interval=0.1, verbose=True)
    assert watcher.mode == "polling"
    (outside / "Ext.md").write_text(BOB.replace("friend", "client"))
    (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
    until(lambda: "people/Carl.md" in index.paths())
    assert watcher.wait_idle(quiet_for=0.5)
    assert index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md", "people/Carl.md"}
    walked = [line for line in watcher.messages if "/loop/" in line or "/ext/" in line]
    assert walked == []  # not even polled: a loop would copy the whole vault into every poll


def test_a_note_whose_name_is_not_utf8_is_reported_by_the_watcher(vault: Path, start: Start) -> None:
    """Its event carries the name's bytes as surrogates, which the index cannot hold: the watcher looks it up
    under the index's readable stand-in and reports its problem, with no internal error on the way."""
    watcher, index = start()
    (vault / os.fsdecode(b"people/B\xe9a.md")).write_text(BOB)
    until(lambda: "people/B\\xe9a.md" in index.paths())
    until(lambda: any("not valid UTF-8" in line for line in watcher.messages))
    assert watcher.wait_idle(quiet_for=0.3)
    assert not [line for line in watcher.messages if "internal error" in line]
    assert watcher.full_scans == 1  # the start's: no rescan after an error


# -- the vault or its index going away -------------------------------------------------


@pytest.mark.parametrize("how", ["deleted", "renamed", "replaced"])
def test_a_vault_folder_that_goes_away_stops_the_watcher_with_an_error(
    vault: Path, tmp_path: Path, start: Start, how: str
) -> None:
    """Its watches follow the old folder (or nothing): rather than watch nothing and say it is watching, the
    watcher says what happened and stops; ``watcher.error`` is what the command exits with (2)."""
    watcher, _ = start()
    if how == "deleted":
        shutil.rmtree(vault)
    else:
        os.rename(vault, tmp_path / "moved")
        if how == "replaced":  # a new folder at the same path (restored from a backup, cloned again)
            (vault / "people").mkdir(parents=True)
    until(lambda: watcher.error is not None)
    assert wait_for(lambda: not watcher.running, DEADLINE)
    assert "vault folder" in str(watcher.error)
    assert watcher.error is not None
    assert watcher.error.exit_code == 2
    assert any("vault folder" in line and "stopping" in line for line in watcher.messages)
    assert not any("internal error" in line or "removed" in line for line in watcher.messages)


def test_polling_follows_a_vault_folder_replaced_at_its_path(vault: Path, tmp_path: Path, start: Start) -> None:
    """Polling looks at paths, not at the folders it saw (and runs on network file systems, whose inode numbers
    may change): a deleted vault folder stops it, a new folder at the path is simply the vault, index and all."""
    watcher, _ = start(observer="polling", poll_interval=0.1)
    os.rename(vault, tmp_path / "moved")
    (vault / "people").mkdir(parents=True)
    (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
    index_file = vault / ".mdnet" / "index.sqlite"
    until(lambda: any("the index was deleted or replaced" in line for line in watcher.messages))
    until(lambda: index_file.exists() and IndexView(vault).paths() == {"people/Carl.md"})
    assert watcher.running
    shutil.rmtree(vault)
    until(lambda: not watcher.running)
    assert watcher.error is not None


def test_mdnet_watch_exits_2_when_its_vault_folder_is_renamed(vault: Path, tmp_path: Path) -> None:
    with watch_process(vault) as (process, _lines):
        os.rename(vault, tmp_path / "moved")
        code = process.wait(timeout=15)
    stderr = process.stderr.read() if process.stderr else ""
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("mdnet: error: ")
    assert len(stderr.strip().splitlines()) == 1
    assert "vault folder" in stderr


def test_an_index_deleted_while_watching_is_made_again(vault: Path, start: Start) -> None:
    """``rm -rf .mdnet`` (the index is a cache): the watcher must not go on keeping a deleted file up to date
    while the vault has no index; it opens a new one and fills it with a full scan."""
    watcher, _ = start()
    shutil.rmtree(vault / ".mdnet")
    (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
    # Opened once the watcher made it, so that the view reads the new file (made by either, it would be one file).
    until(lambda: any("the index was deleted" in line for line in watcher.messages))
    index = IndexView(vault)
    assert index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md", "people/Carl.md"}
    (vault / "people" / "Dana.md").write_text("---\nname: Dana\n---\n")
    until(lambda: "people/Dana.md" in index.paths())


def test_an_index_locked_too_long_is_used_again_once_it_can_be_written(
    vault: Path, start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the index's write lock past the busy timeout (cut to 0.3 s here, 30 s in use):
    the watcher answers from memory meanwhile, as a command does, but must not stay there for good once the
    lock is gone; it goes back to the file, brings it up to date and keeps it current."""
    monkeypatch.setattr("mdnet.store.index_file.BUSY_TIMEOUT", 0.3)
    watcher, index = start()
    other = sqlite3.connect(vault / ".mdnet" / "index.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # a real lock, from a connection of its own
    try:
        (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
        until(lambda: any("index file cannot be written (database is locked)" in line for line in watcher.messages))
        assert any("reindexed people/Carl.md" in line for line in watcher.messages)  # answered from memory
        time.sleep(2.5)  # the first tries of the file (1 s, then 2 s later) find it locked still
        assert not any("back on it" in line for line in watcher.messages)
    finally:
        other.execute("ROLLBACK")
        other.close()
    (vault / "people" / "Dana.md").write_text("---\nname: Dana\n---\n")
    until(lambda: any("the index file can be written again; back on it" in line for line in watcher.messages), 10)
    everyone = {"people/Jane Doe.md", "people/Bob Baker.md", "people/Carl.md", "people/Dana.md"}
    until(lambda: index.paths() == everyone)
    (vault / "people" / "Eve.md").write_text("---\nname: Eve\n---\n")  # and the file is kept current again
    until(lambda: index.paths() == everyone | {"people/Eve.md"})
    assert not any("internal error" in line or "refresh failed" in line for line in watcher.messages)


# A process that takes the index's creation lock and keeps it (stopped, as Ctrl-Z stops a process).
_HOLD_THE_CREATION_LOCK = """
import fcntl, os, signal, sys
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(descriptor, fcntl.LOCK_EX)
print("held", flush=True)
os.kill(os.getpid(), signal.SIGSTOP)
"""


def test_a_failed_try_of_the_index_file_backs_off_like_any_other(
    vault: Path, start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the watcher answered from memory, a try of the file that raised (here: the file found damaged on the
    way back, and its creation lock held by a stopped process, so it could not be thrown away) left the time of
    the next try in the past: the watcher tried again at once, for ever, an 'internal error' line each time,
    with no back-off. A try that fails now waits 1 s, 2 s, 4 s ... like one that finds the file locked, and the
    damaged file is thrown away and made again once the lock is free."""
    monkeypatch.setattr("mdnet.store.index_file.BUSY_TIMEOUT", 0.3)
    watcher, view = start()
    view.index.close()
    database = vault / ".mdnet" / "index.sqlite"
    checkpoint = sqlite3.connect(database)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the notes table's pages in the file itself
    page_size = checkpoint.execute("PRAGMA page_size").fetchone()[0]
    root_page = checkpoint.execute("SELECT rootpage FROM sqlite_master WHERE name = 'notes'").fetchone()[0]
    checkpoint.close()
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_THE_CREATION_LOCK, str(database) + ".lock"],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
        until(lambda: any("index file cannot be written" in line for line in watcher.messages))
        with database.open("r+b") as file:  # damaged past its header while the watcher is in memory
            file.seek((root_page - 1) * page_size)
            file.write(b"\xff" * page_size)
        other.execute("ROLLBACK")
        other.close()
        time.sleep(4.0)  # tries at about 1 s and 3 s find the file damaged and cannot throw it away yet
        errors = [line for line in watcher.messages if "internal error" in line]
        assert errors == []
    finally:
        holder.kill()
        holder.wait()
    until(lambda: any("back on it" in line for line in watcher.messages), 20)
    index = IndexView(vault)
    assert index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md", "people/Carl.md"}
    index.index.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_watcher_started_on_a_read_only_index_folder_uses_the_file_once_writable(vault: Path) -> None:
    """`.mdnet/` read-only when the watcher starts (a read-only mount, remounted read-write later): it starts
    in memory and goes back to the file once the folder can be written, with what changed meanwhile."""
    with Vault.open(vault) as opened:
        opened.refresh()
    folder = vault / ".mdnet"
    folder.chmod(0o555)
    watcher = Watcher(vault, quiet=0.1, settle=0.2)
    try:
        watcher.start()
        assert any("index file cannot be written" in line for line in watcher.messages)
        (vault / "people" / "Carl.md").write_text("---\nname: Carl\n---\n")
        until(lambda: any("reindexed people/Carl.md" in line for line in watcher.messages))
        folder.chmod(0o755)
        until(lambda: any("the index file can be written again; back on it" in line for line in watcher.messages), 10)
        index = IndexView(vault)
        assert index.paths() == {"people/Jane Doe.md", "people/Bob Baker.md", "people/Carl.md"}
        (vault / "people" / "Dana.md").write_text("---\nname: Dana\n---\n")
        until(lambda: "people/Dana.md" in index.paths())
    finally:
        folder.chmod(0o755)
        watcher.stop()


def _vault_with_a_damaged_index(vault: Path, damage: bool = True) -> None:
    """Forty long-saved notes, indexed, then the notes table's root page overwritten: the index opens and its
    header and meta read fine; the first read of the table fails ('database disk image is malformed')."""
    for i in range(40):
        path = vault / "people" / f"P{i:02d}.md"
        path.write_text(f"---\nname: P{i:02d}\n---\n" + "words " * 200)
        os.utime(path, (1_700_000_000, 1_700_000_000))
    with Vault.open(vault) as opened:
        opened.refresh()
    if damage:
        _damage_notes_table(vault / ".mdnet" / "index.sqlite")


def test_a_damaged_index_is_rebuilt_when_the_watcher_starts(vault: Path, start: Start) -> None:
    _vault_with_a_damaged_index(vault)
    watcher, index = start()  # not 'cannot watch ...: database disk image is malformed'
    assert len(index.paths()) == 42
    (vault / "people" / "New.md").write_text("---\nname: New\n---\n")
    until(lambda: "people/New.md" in index.paths())
    assert not any("internal error" in line for line in watcher.messages)


def test_an_index_damaged_while_watching_is_rebuilt(vault: Path, start: Start) -> None:
    _vault_with_a_damaged_index(vault, damage=False)
    watcher, _ = start()
    _damage_notes_table(vault / ".mdnet" / "index.sqlite")
    (vault / "people" / "New.md").write_text("---\nname: New\n---\n")

    # Opened once the watcher made it again, so that the view reads the new file, not the one thrown away.
    until(lambda: any("[full scan: the index was damaged]" in line for line in watcher.messages))
    index = IndexView(vault)  # rebuilt, not 'internal error: DatabaseError' every few seconds for ever
    assert len(index.paths()) == 43
    (vault / "people" / "Newer.md").write_text("---\nname: Newer\n---\n")
    until(lambda: "people/Newer.md" in index.paths())
    assert not any("internal error" in line for line in watcher.messages)


@contextlib.contextmanager
def _terminal_job(vault: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """``mdnet ARGS`` as a terminal's foreground job: a new process in its own process group, which a
    terminal's Ctrl-C (``os.killpg``) reaches whole. Killed at the end if it is still running."""
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("MDNET_")}
    process = subprocess.Popen([sys.executable, "-m", "mdnet", "--vault", str(vault), *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists() or (os.cpu_count() or 1) < 2, reason="Linux, 2 cores")
def test_ctrl_c_in_a_terminal_while_notes_are_parsed_on_every_core(vault: Path) -> None:
    """A terminal's Ctrl-C reaches the whole foreground process group: mdnet and the processes that parse notes
    on every core. The watcher must still end as documented (exit 0, 'stopped'), not with a thread's traceback,
    nor with 'cannot watch' and exit 2 when it was catching up with the vault."""
    import signal

    for i in range(4000):
        (vault / "people" / f"P{i:04}.md").write_text(f"---\nname: P{i:04}\ncadence: 30d\n---\n" + "word " * 100)
    with _terminal_job(vault, "watch") as process:
        assert wait_for(lambda: process.poll() is not None or len(_children(process.pid)) >= 2, 30)
        os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        out, err = process.communicate(timeout=60)
    assert "Traceback" not in err
    assert (process.returncode, err) == (0, "")
    assert out.rstrip().endswith("stopped")
    assert len(IndexView(vault).paths()) == 4002


@pytest.mark.slow
def test_ctrl_c_in_a_terminal_while_the_watcher_commits_still_commits(git_vault: Path) -> None:
    """Ctrl-C reaches the terminal's whole foreground process group, git included: a commit in flight was
    killed ('not committed: git add failed: ', or nothing said at all) though the stop promises the pending
    commit. git runs in its own process group under the watcher; mdnet finishes the commit, then stops."""
    import signal

    marker = git_vault / ".git" / "committing"
    hook = git_vault / ".git" / "hooks" / "prepare-commit-msg"  # runs even with --no-verify
    hook.write_text(f"#!/bin/sh\ntouch '{marker}'\nsleep 2\n")
    hook.chmod(0o755)
    with _terminal_job(git_vault, "watch", "--autocommit") as process:
        time.sleep(1.0)
        (git_vault / "people" / "Carl.md").write_text("---\nname: Carl Jung\n---\n")
        assert wait_for(lambda: marker.exists() or process.poll() is not None, 20)
        os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (0, "")
    assert "not committed" not in out
    assert "committed" in out
    assert out.rstrip().endswith("stopped")
    assert git(git_vault, "status", "--porcelain", "--", "people") == ""
    assert git(git_vault, "log", "-1", "--format=%s").strip() == "Update Carl Jung"


def test_a_watcher_in_a_folder_no_marker_makes_a_vault_saves_no_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mdnet watch` typed in the home folder: like every command there, the watcher keeps its index in memory
    (its own Vault wrote `.mdnet/`, which made the folder and every folder below it a vault for good)."""
    plain = tmp_path / "plain"
    (plain / "people").mkdir(parents=True)
    (plain / "people" / "Ann.md").write_text("---\nname: Ann\ncadence: 30d\n---\n", encoding="utf-8")
    monkeypatch.chdir(plain)
    vault = Vault.open()
    assert not vault.save_index
    messages: list[str] = []
    watcher = Watcher(vault, quiet=0.1, settle=0.2, report=messages.append)
    watcher.start()  # its first full scan has opened the index by now
    try:
        assert not (plain / ".mdnet").exists()
    finally:
        watcher.stop()
    assert not (plain / ".mdnet").exists()
    assert not any("cannot be written" in message for message in messages)  # the command said why, once
