"""A whole rebuild of the index, written into a new file and put in place whole (docs/index.md): killed with
SIGKILL at any moment it leaves an index that answers as a fresh one; a process holding the old index open
goes on answering; SQLite's files of the old index never leak into the new one."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mdnet.config import Config
from mdnet.store import index_file, refresh
from mdnet.store.files import FileState, scan
from mdnet.store.index import NoteRow
from mdnet.store.index_file import RETIRED_VERSION, SCHEMA_VERSION
from mdnet.store.layout import daily_location
from mdnet.store.session import IndexSession
from mdnet.vault.facade import Vault
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from generate import generate_vault  # noqa: E402

TODAY = "2026-12-01"
# Two settings files whose fingerprints differ (so each switch rebuilds the index) and whose answers do not.
SETTINGS = (b'contact_dirs = ["people"]\n', b'contact_dirs = ["people"]\nmax_note_bytes = 4000000\n')
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and SIGSTOP")


def _vault(root: Path, contacts: int) -> Path:
    generate_vault(root, contacts, seed=3)
    return root


def _index(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`mdnet --vault ROOT index ARGS` in a process of its own."""
    command = [sys.executable, "-c", "import sys\nfrom mdnet.cli.main import run\nrun(sys.argv[1:])",
               "--vault", str(root), "index", *args]  # fmt: skip
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )


def _answers(root: Path) -> tuple[Any, ...]:
    """What `due` and `show` answer from the vault's index as it is now (opened, brought up to date)."""
    with Vault.open(root, today=TODAY) as vault:
        due = vault.due(within=3650)
        contacts = vault.contacts()
        shown = [vault.get(contact.name) for contact in contacts[::25]]
        return due, contacts, shown


def _database(root: Path) -> Path:
    return root / ".mdnet" / "index.sqlite"


def _state(database: Path) -> tuple[str, int]:
    """The left index's integrity check and schema version (read-only: nothing is changed or recovered)."""
    connection = sqlite3.connect(database.absolute().as_uri() + "?mode=ro", uri=True)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0]), int(
            connection.execute("PRAGMA user_version").fetchone()[0]
        )
    finally:
        connection.close()


def _listing(root: Path) -> list[Path]:
    """What is in the vault's ``.mdnet/``; nothing when there is no such folder."""
    try:
        return list((root / ".mdnet").iterdir())
    except FileNotFoundError:
        return []


def _stopped(process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until ``process`` has stopped itself (SIGSTOP at a point of index_file.install)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "T":
            return
        time.sleep(0.01)
    raise AssertionError("the rebuild never reached its stop")


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


@POSIX_ONLY
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_rebuild_killed_at_any_moment_leaves_an_index_that_answers_as_a_fresh_one(tmp_path: Path) -> None:
    """A rebuild (no index, `index --rebuild`, or changed settings) is killed with SIGKILL after a random delay,
    again and again, and at the named points of its last step (before the old file is retired; retired, before
    the rename). After every kill the index left is whole (the old one, or a retired one the next open
    rebuilds) and the vault answers `due` and `show` exactly as a fresh build of it does."""
    root = _vault(tmp_path / "vault", 800)
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh)
    expected = _answers(fresh)
    started = time.monotonic()
    whole = _index(root)  # one rebuild left to finish: how long one takes here
    assert whole.wait(timeout=120) == 0
    duration = time.monotonic() - started
    assert _answers(root) == expected

    chance = random.Random(17)
    settings = 0
    half_built = 0
    kills = [("delay", "")] * 20 + [
        (point, how) for point in ("retire", "rename") for how in ("cold", "--rebuild", "toml")
    ]
    for number, (when, how) in enumerate(kills):
        how = how or chance.choice(["cold", "--rebuild", "toml"])
        if how == "toml":
            settings = 1 - settings
            (root / "mdnet.toml").write_bytes(SETTINGS[settings])
        elif how == "cold":
            shutil.rmtree(root / ".mdnet")
        env = {} if when == "delay" else {"MDNET_TEST_STOP_AT": when}
        process = _index(root, *(["--rebuild"] if how == "--rebuild" else []), env=env)
        if when == "delay":
            time.sleep(chance.uniform(0.0, duration))
            half_built += any(p.name.endswith(".new") for p in _listing(root))
        else:
            _stopped(process)
        _kill(process)
        left = sorted(p.name for p in _listing(root))  # none: killed before it made .mdnet/
        where = f"kill {number} ({when}, {how}), left: {left}"
        if _database(root).exists():
            try:
                state = _state(_database(root))
            except sqlite3.Error as exc:
                raise AssertionError(f"{where}: {exc}") from exc
            assert state in (("ok", SCHEMA_VERSION), ("ok", RETIRED_VERSION)), where
        assert _answers(root) == expected, where
        assert not [p.name for p in (root / ".mdnet").iterdir() if ".new" in p.name], where
    assert half_built >= 3  # the kills did land in the middle of rebuilds


@POSIX_ONLY
def test_a_process_holding_the_old_index_goes_on_reading_and_then_reads_the_new_one(tmp_path: Path) -> None:
    """A process that has the index open while another rebuilds it (a watcher, a command reading) keeps
    answering from it all along, never from an empty or half-made index, and once the rebuild is done reads
    the rebuilt rows in the same file: the rebuild is copied into it, not renamed over it."""
    root = _vault(tmp_path / "vault", 150)
    database = _database(root)
    with Vault.open(root, today=TODAY) as reader:
        before = reader.due(within=3650)
        reader.refresh_on_query = False
        index = reader.indexed()
        identity = index.identity
        old_settings = index.get_meta("config")
        (root / "mdnet.toml").write_bytes(SETTINGS[1])
        rebuild = _index(root)
        answered = 0
        while rebuild.poll() is None:
            assert reader.due(within=3650) == before
            answered += 1
        assert rebuild.returncode == 0, rebuild.stderr.read() if rebuild.stderr else ""
        assert answered
        assert index_file.identity(database) == identity
        new_settings = index.get_meta("config")
        assert new_settings != old_settings  # the reader's connection reads the rebuilt index
        assert reader.due(within=3650) == before
        assert not [p.name for p in database.parent.iterdir() if ".new" in p.name]
    with Vault.open(root, today=TODAY) as vault:
        assert vault.indexed().get_meta("config") == new_settings
        assert vault.refresh().added == 0  # nothing rebuilt again
    assert _state(database) == ("ok", SCHEMA_VERSION)


@POSIX_ONLY
def test_a_rebuild_alone_renames_a_new_file_over_the_old_one(tmp_path: Path) -> None:
    """With nobody else holding the index, a rebuild writes a new file and renames it over the old one; the
    old file's -wal and -shm files are gone with it."""
    root = _vault(tmp_path / "vault", 50)
    with Vault.open(root, today=TODAY) as vault:
        vault.refresh()
    before = index_file.identity(_database(root))
    (root / "mdnet.toml").write_bytes(SETTINGS[1])
    rebuild = _index(root)
    assert rebuild.wait(timeout=120) == 0
    assert index_file.identity(_database(root)) != before
    assert sorted(p.name for p in _database(root).parent.iterdir()) == [".gitignore", "index.sqlite",
                                                                       "index.sqlite.lock"]  # fmt: skip
    assert _state(_database(root)) == ("ok", SCHEMA_VERSION)


def _stale_wal(database: Path, scratch: Path) -> bytes:
    """A -wal file of committed frames that were never checkpointed, written to a copy of ``database``: what a
    process killed while writing leaves, and what SQLite would apply to any file opened under that name."""
    shutil.copyfile(database, scratch)
    connection = sqlite3.connect(scratch, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        connection.execute("UPDATE notes SET name = 'STALE', record = NULL")
        connection.execute("DELETE FROM people")
        return Path(str(scratch) + "-wal").read_bytes()
    finally:
        connection.close()


@POSIX_ONLY
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_stale_wal_beside_the_index_never_leaks_into_the_rebuilt_one(tmp_path: Path) -> None:
    """SQLite finds an index's -wal file by the index's name, and applies whatever it finds there to the file
    opened under that name. A -wal (and -shm) found beside the index when the rebuilt file is renamed into place
    is deleted first: the new index holds the rebuild's rows, not the stale frames."""
    root = _vault(tmp_path / "vault", 80)
    expected = _answers(root)
    database = _database(root)
    stale = _stale_wal(database, tmp_path / "scratch.sqlite")
    (root / "mdnet.toml").write_bytes(SETTINGS[1])
    rebuild = _index(root, env={"MDNET_TEST_STOP_AT": "rename"})
    _stopped(rebuild)
    Path(str(database) + "-wal").write_bytes(stale)
    Path(str(database) + "-shm").write_bytes(b"\0" * 32768)
    rebuild.send_signal(signal.SIGCONT)
    assert rebuild.wait(timeout=120) == 0, rebuild.stderr.read() if rebuild.stderr else ""
    assert _state(database) == ("ok", SCHEMA_VERSION)
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("SELECT count(*) FROM notes WHERE name = 'STALE'").fetchone()[0] == 0
    finally:
        connection.close()
    assert _answers(root) == expected


@POSIX_ONLY
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_process_opening_the_retired_index_looks_again_and_finds_the_new_one(tmp_path: Path) -> None:
    """Between retiring the old file and renaming the new one over it, a process that opens the index finds it
    of no schema it knows: it makes no -wal beside it (which would be the new file's), and, once the rename is
    done, opens the new index."""
    root = _vault(tmp_path / "vault", 60)
    expected = _answers(root)
    database = _database(root)
    (root / "mdnet.toml").write_bytes(SETTINGS[1])
    rebuild = _index(root, env={"MDNET_TEST_STOP_AT": "rename"})
    _stopped(rebuild)
    assert _state(database)[1] == RETIRED_VERSION
    assert index_file.open_sound(database) is None
    assert not Path(str(database) + "-wal").exists()
    assert database.read_bytes()[18:20] == b"\x01\x01"  # still in rollback mode: never switched back to WAL
    rebuild.send_signal(signal.SIGCONT)
    assert rebuild.wait(timeout=120) == 0
    found = index_file.open_sound(database)
    assert found is not None
    found[0].close()
    assert _answers(root) == expected


def test_two_processes_rebuilding_at_once_leave_one_sound_index(tmp_path: Path) -> None:
    """Two processes that find the settings changed at once: one rebuilds; the other, waiting for the creation
    lock, then finds the index rebuilt and only refreshes it. Both succeed, and the index answers as a fresh one."""
    root = _vault(tmp_path / "vault", 200)
    expected = _answers(root)
    (root / "mdnet.toml").write_bytes(SETTINGS[1])
    both = [_index(root), _index(root)]
    for process in both:
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    assert _state(_database(root)) == ("ok", SCHEMA_VERSION)
    assert not [p.name for p in _database(root).parent.iterdir() if ".new" in p.name]
    assert _answers(root) == expected


def test_an_index_in_memory_is_rebuilt_in_place(tmp_path: Path) -> None:
    """A vault whose index is in memory (no marker made the folder a vault) rebuilds it in place: no file."""
    root = tmp_path / "loose"
    (root / "people").mkdir(parents=True)
    (root / "people" / "Ann.md").write_text("---\nname: Ann\ncadence: 30d\n---\n", encoding="utf-8")
    session = IndexSession(root, Config(), save_index=False)
    try:
        assert session.refresh().added == 1
        assert session.indexed().path is None
    finally:
        session.close()
    assert not (root / ".mdnet").exists()


def test_rows_cross_from_the_workers_as_plain_tuples_and_are_stored_as_the_serial_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker sends its rows back as plain tuples (pickled without a Python call per row); the main process
    makes them NoteRows again, equal to the rows a single process parses."""
    root = _vault(tmp_path / "vault", 40)
    with Vault.open(root) as vault:
        config = vault.config
    folder, date_format = daily_location(root, config)
    settings = (config.contact_dirs, config.log_heading, config.max_note_bytes, config.mentions,
                config.interaction_fields, folder, date_format)  # fmt: skip
    work = [(path, FileState(*state)) for path, state in sorted(scan(root).items())]
    batch = refresh._parse_batch([(str(root), path, state.token) for path, state in work[:3]], settings)
    assert batch and all(type(row) is tuple for row in batch)
    serial = refresh.parse_paths(root, config, work)
    monkeypatch.setattr(refresh, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(refresh, "chunk_size", lambda _notes, _workers: 7)
    monkeypatch.setattr(refresh.os, "cpu_count", lambda: 2)
    parallel = refresh.parse_paths(root, config, work)
    assert all(type(row) is NoteRow for row in parallel)
    assert parallel == serial
