"""Making the index: processes killed half way, long paths, the creation lock and file systems it fails on."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mdnet.vault.facade import Vault
from tests.system.test_index import _damage_notes_table

NOTE = "---\nname: {name}\ncadence: 30d\nlast_contact: 2026-10-01\n---\n"


def _mdnet(root: Path, *args: str, code: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`mdnet --vault ROOT ARGS` in a process of its own; ``code`` runs first in it (to stop it half way)."""
    prelude = code or ""
    script = f"import sys\n{prelude}\nfrom mdnet.cli.main import run\nrun(sys.argv[1:])\n"
    command = [sys.executable, "-c", script, "--vault", str(root), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def _sqlite_opens(path: Path) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = sqlite3.connect(path)
    except sqlite3.OperationalError:
        return False
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE t (a)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def test_the_index_is_made_in_the_longest_folder_sqlite_opens(tmp_path: Path) -> None:
    """SQLite opens no database whose full path is longer than about 500 bytes. A vault whose
    `.mdnet/index.sqlite` is just short enough had its index on disk; the new database made under a
    longer temporary name first (`index.sqlite.<pid>.new`, 12 bytes more) could not be opened, so every
    command there answered from memory, reading every note each time."""
    base = tmp_path / "v"
    longest = None
    for length in range(200, 600):  # the deepest vault whose index path SQLite still opens
        root = base / "/".join("d" * 200 for _ in range(length // 200)) / ("e" * (length % 200 or 1))
        if not _sqlite_opens(root / ".mdnet" / "probe.sqlite"):  # as long as index.sqlite
            break
        longest = root
    assert longest is not None
    (longest / "people").mkdir(parents=True)
    (longest / "people" / "Ann.md").write_text(NOTE.format(name="Ann"), encoding="utf-8")
    result = _mdnet(longest, "index")
    assert result.returncode == 0, result.stderr
    assert (longest / ".mdnet" / "index.sqlite").is_file()
    assert not [p.name for p in (longest / ".mdnet").iterdir() if p.name.endswith(".new")]


# Run in the process before `mdnet`: it kills itself (SIGKILL, as the OOM killer or a power cut would end it)
# at one step of making the index, the creation lock held.
_KILLED_AT = """
import os, signal
import mdnet.store.index
from mdnet.store import files
real_link = files.link_into_place
def die(*_args):
    os.kill(os.getpid(), signal.SIGKILL)
def link_then_die(source, target):
    real_link(source, target)
    die()
step = {step!r}
if step == "written":
    files.link_into_place = die
elif step == "linked":
    files.link_into_place = link_then_die
"""


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in (root / ".mdnet").iterdir() if ".new" in p.name)


def _integrity(database: Path) -> str:
    connection = sqlite3.connect(database)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


@pytest.mark.parametrize("step", ["written", "linked"])
def test_a_process_killed_while_making_the_index_leaves_nothing_for_good(tmp_path: Path, step: str) -> None:
    """A process killed after writing its new database, or after linking it into place but before deleting
    its temporary name, left `<pid>.new` in `.mdnet/` for good: nothing but a process of the same pid ever
    deleted it. Linked, it also kept every byte of the old index alive after `index --rebuild`. The next
    process that makes an index, holding the lock, now deletes any such file: no other process can be
    writing one then."""
    root = tmp_path / "vault"
    (root / "people").mkdir(parents=True)
    for i in range(5):
        (root / "people" / f"P{i}.md").write_text(NOTE.format(name=f"P{i}"), encoding="utf-8")
    killed = _mdnet(root, "index", code=_KILLED_AT.format(step=step))
    assert killed.returncode == -signal.SIGKILL
    assert _leftovers(root)  # what the test is about: a temporary file of the killed process
    after = _mdnet(root, "index") if step == "written" else _mdnet(root, "index", "--rebuild")
    assert after.returncode == 0, after.stderr
    assert ": 5 notes, 5 contacts" in after.stdout
    assert _leftovers(root) == []
    assert _integrity(root / ".mdnet" / "index.sqlite") == "ok"
    again = _mdnet(root, "index")
    assert "0 added, 0 updated, 0 removed" in again.stdout  # the index made is the one in use


def _nfs_flock(real: Callable[[int, int], None], lock_daemon: bool) -> Callable[[int, int], None]:
    """flock as on an NFS mount, a fault a local file system cannot give: Linux emulates it with a byte-range
    lock on the whole file, so an exclusive one needs the file open for writing (EBADF otherwise, flock(2));
    a server or mount without a lock daemon says ENOLCK to every lock."""

    def flock(descriptor: int, operation: int) -> None:
        if not lock_daemon:
            raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))
        writable = fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDONLY
        if operation & fcntl.LOCK_EX and not writable:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        real(descriptor, operation)

    return flock


@pytest.mark.parametrize("lock_daemon", [True, False], ids=["nfs", "nfs-without-locks"])
def test_the_index_is_made_on_nfs(vault_dir: Path, monkeypatch: pytest.MonkeyPatch, lock_daemon: bool) -> None:
    """A vault in an NFS home folder: the lock file was opened read-only, which NFS refuses an exclusive flock
    (EBADF), and without a lock daemon every flock fails (ENOLCK). Index.open raised, so every command, and
    the watcher for good, answered from an index in memory, reading every note again each time. A lock that
    cannot be had now is done without, as on Windows: the new index is still linked into place whole."""
    monkeypatch.setattr(fcntl, "flock", _nfs_flock(fcntl.flock, lock_daemon))
    (vault_dir / "people" / "Ann.md").write_text(NOTE.format(name="Ann"), encoding="utf-8")
    with Vault.open(vault_dir) as vault:
        assert vault.refresh().added == 1
        assert vault.in_memory_because is None
    with Vault.open(vault_dir) as vault:
        assert vault.refresh().added == 0  # the file made, and found again
        assert vault.in_memory_because is None
    database = vault_dir / ".mdnet" / "index.sqlite"
    assert _integrity(database) == "ok"
    with Vault.open(vault_dir) as vault:  # a damaged index is thrown away and made again there too
        vault.refresh()
    _damage_notes_table(database)
    with Vault.open(vault_dir) as vault:
        assert [c.name for c in vault.contacts()] == ["Ann"]
        assert vault.in_memory_because is None
    assert _integrity(database) == "ok"
    assert _leftovers(vault_dir) == []


# Run before `mdnet index`: the process stops itself (SIGSTOP, as Ctrl-Z or a debugger would) while it holds the
# creation lock, making a new index.
_STOPPED_MAKING = """
import os, signal
import mdnet.store.index_file
real_create = mdnet.store.index_file.create
def stop_then_create(path):
    os.kill(os.getpid(), signal.SIGSTOP)
    real_create(path)
mdnet.store.index_file.create = stop_then_create
"""


def test_a_process_stopped_holding_the_creation_lock_keeps_no_command_waiting_for_ever(tmp_path: Path) -> None:
    """flock waited without end: with one process stopped while it made the index (Ctrl-Z in a terminal), every
    later command on a vault without a sound index (`mdnet due` in a hook, the watcher) hung until it went on.
    The lock is waited for as SQLite's own locks are (30 s; 1 s here), then the command answers from memory."""
    root = tmp_path / "vault"
    (root / "people").mkdir(parents=True)
    (root / "people" / "Ann.md").write_text(NOTE.format(name="Ann"), encoding="utf-8")
    script = f"import sys\n{_STOPPED_MAKING}\nfrom mdnet.cli.main import run\nrun(sys.argv[1:])\n"
    stopped = subprocess.Popen([sys.executable, "-c", script, "--vault", str(root), "index"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        for _ in range(600):  # until it has stopped itself
            with open(f"/proc/{stopped.pid}/stat", encoding="ascii") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "T":
                    break
            time.sleep(0.02)
        else:
            pytest.fail("the process never got to the creation lock")
        started = time.monotonic()
        shorter_wait = "import mdnet.store.index_file\nmdnet.store.index_file.BUSY_TIMEOUT = 1.0"
        waited = _mdnet(root, "--today", "2026-11-25", "due", code=shorter_wait, timeout=30)
        assert waited.returncode == 0, waited.stderr
        assert "Ann" in waited.stdout
        assert time.monotonic() - started < 15
    finally:
        stopped.send_signal(signal.SIGCONT)
        out, err = stopped.communicate(timeout=60)
    assert stopped.returncode == 0, err
    assert "indexed: 1 note, 1 contact;" in out
    assert _integrity(root / ".mdnet" / "index.sqlite") == "ok"
