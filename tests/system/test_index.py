"""The index follows the files: tokens, the digest shortcut, rebuilds, two processes at once."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mdnet.config import Config
from mdnet.index import SCHEMA_VERSION, Index, contact_to_json
from mdnet.refresh import refresh
from mdnet.vault import Vault

NOTE = "---\nname: {name}\ncadence: 30d\nlast_contact: 2026-10-{day:02d}\n---\n# {name}\n\n## Log\n- 2026-10-01 x\n"


def names(vault: Vault) -> list[str]:
    return [c.name for c in vault.contacts()]


def test_added_changed_and_deleted_notes_are_followed(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    write_note("people/Ben.md", NOTE.format(name="Ben", day=2))
    with Vault.open(vault_dir) as vault:
        first = vault.refresh()
        assert (first.added, first.contacts) == (2, 2)
        assert vault.refresh().added == 0  # nothing changed: the digest shortcut
        write_note("people/Ann.md", NOTE.format(name="Ann Lee", day=3))
        (vault_dir / "people/Ben.md").unlink()
        write_note("people/sub/Cy.md", NOTE.format(name="Cy", day=4))
        stats = vault.refresh()
        assert (stats.added, stats.updated, stats.removed) == (1, 1, 1)
        assert names(vault) == ["Ann Lee", "Cy"]


def test_same_size_edit_within_the_same_second_is_seen(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    path = write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    with Vault.open(vault_dir) as vault:
        assert names(vault) == ["Ann"]
        stat = path.stat()
        write_note("people/Ann.md", NOTE.format(name="Bea", day=1))  # same size
        import os

        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
        assert names(vault) == ["Bea"]


def test_deleting_the_index_loses_nothing(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    with Vault.open(vault_dir) as vault:
        before = [contact_to_json(c) for c in vault.contacts()]
    shutil.rmtree(vault_dir / ".mdnet")
    with Vault.open(vault_dir) as vault:
        assert [contact_to_json(c) for c in vault.contacts()] == before


def test_index_folder_ignores_itself_for_git(vault_dir: Path) -> None:
    with Vault.open(vault_dir) as vault:
        vault.refresh()
    assert (vault_dir / ".mdnet" / ".gitignore").read_text().strip().endswith("*")


def test_a_corrupt_index_is_rebuilt_by_itself(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    with Vault.open(vault_dir) as vault:
        vault.refresh()
    db = vault_dir / ".mdnet" / "index.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    with Vault.open(vault_dir) as vault:
        stats = vault.refresh()
        assert stats.rebuilt
        assert names(vault) == ["Ann"]


def test_another_schema_version_means_rebuild(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    with Vault.open(vault_dir) as vault:
        vault.refresh()
    connection = sqlite3.connect(vault_dir / ".mdnet" / "index.sqlite")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with Vault.open(vault_dir) as vault:
        assert vault.refresh().rebuilt
        assert names(vault) == ["Ann"]


def test_a_config_change_rebuilds(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", "---\nname: Ann\n---\n## Interactions\n- 2026-11-01 x\n")
    with Vault.open(vault_dir) as vault:
        assert vault.contacts()[0].log == ()
    (vault_dir / "mdnet.toml").write_text('log_heading = "Interactions"\n', encoding="utf-8")
    with Vault.open(vault_dir) as vault:
        assert len(vault.contacts()[0].log) == 1


def test_dot_folders_and_editor_files_are_never_notes(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    for junk in (".obsidian/people/X.md", ".trash/people/Y.md", ".git/Z.md", "people/.Ann.md.swp",
                 "people/Ann.md~", "people/.#Ann.md", "people/notes.txt"):  # fmt: skip
        write_note(junk, NOTE.format(name="Junk", day=1))
    with Vault.open(vault_dir) as vault:
        assert names(vault) == ["Ann"]


def test_only_given_paths_are_refreshed(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        write_note("people/Ben.md", NOTE.format(name="Ben", day=1))
        (vault_dir / "people/Ann.md").unlink()
        stats = vault.refresh(["people/Ben.md", "people/Ann.md"])
        assert (stats.added, stats.removed) == (1, 1)


_WORKER = """
import sys
from mdnet.vault import Vault
for _ in range(int(sys.argv[2])):
    with Vault.open(sys.argv[1]) as vault:
        vault.refresh()
        assert len(vault.contacts()) >= 1
"""


@pytest.mark.slow
def test_two_processes_at_once_never_corrupt_it(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    for i in range(300):
        write_note(f"people/P{i}.md", NOTE.format(name=f"P{i}", day=1 + i % 28))
    workers = [
        subprocess.Popen([sys.executable, "-c", _WORKER, str(vault_dir), "15"], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for i in range(20):  # and the files change under them
        write_note(f"people/P{i}.md", NOTE.format(name=f"Q{i}", day=1))
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    connection = sqlite3.connect(vault_dir / ".mdnet" / "index.sqlite")
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    with Vault.open(vault_dir) as vault:
        assert sorted(names(vault))[:3] == ["P100", "P101", "P102"]
        assert len(names(vault)) == 300


def test_parallel_parsing_equals_serial_parsing(vault_dir: Path, write_note: Callable[..., Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    for i in range(120):
        write_note(f"people/P{i}.md", NOTE.format(name=f"P{i}", day=1 + i % 28) + ("- 2026-13-01 bad\n" * (i % 2)))
    serial = Index.memory()
    refresh(vault_dir, Config(), serial)
    monkeypatch.setattr("mdnet.refresh.PARALLEL_THRESHOLD", 10)
    parallel = Index.memory()
    refresh(vault_dir, Config(), parallel)
    assert _snapshot(serial) == _snapshot(parallel)


def _snapshot(index: Index) -> tuple[list[str], list[str]]:
    contacts = [json.dumps(contact_to_json(c), sort_keys=True) for c in index.contacts()]
    problems = [p.format() for p in index.problems()]
    return contacts, problems


_BODIES = [
    NOTE.format(name="{stem}", day=5),
    "---\nname: {stem}\ntags: [a, b]\nneeds_reply: true\n---\n",
    "---\nname: {stem}\ncadence: often\n---\n",  # an error
    "---\n- not a mapping\n---\n",
    "no front matter at all\n",
    "---\nname: {stem}\nnotes: |\n  block\n---\n## Log\n- 2026-11-01 call: hi\n",
]


class IncrementalEqualsRebuild(RuleBasedStateMachine):
    """After any sequence of edits, the incremental index equals one built from scratch."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="mdnet-sm-"))
        (self.root / "people").mkdir()
        self.vault = Vault(self.root, Config())
        self.files: set[str] = set()

    def _write(self, relative: str, body: int) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_BODIES[body].replace("{stem}", path.stem), encoding="utf-8")
        self.files.add(relative)

    @rule(name=st.sampled_from(["a", "b", "c", "sub/d", "sub/e"]), body=st.integers(0, len(_BODIES) - 1))
    def create_or_edit(self, name: str, body: int) -> None:
        self._write(f"people/{name}.md", body)

    @rule(data=st.data(), target_name=st.sampled_from(["f", "g", "sub/h"]))
    def rename(self, data: st.DataObject, target_name: str) -> None:
        if not self.files:
            return
        source = data.draw(st.sampled_from(sorted(self.files)))
        target = f"people/{target_name}.md"
        (self.root / target).parent.mkdir(parents=True, exist_ok=True)
        (self.root / source).rename(self.root / target)
        self.files.discard(source)
        self.files.add(target)

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        if self.files:
            victim = data.draw(st.sampled_from(sorted(self.files)))
            (self.root / victim).unlink()
            self.files.discard(victim)

    @rule(data=st.data())
    def corrupt(self, data: st.DataObject) -> None:
        if self.files:
            victim = data.draw(st.sampled_from(sorted(self.files)))
            (self.root / victim).write_bytes(b"---\nname: \xff\xfe\n---\n")

    @rule()
    def refresh_now(self) -> None:
        self.vault.refresh()

    @invariant()
    def equals_rebuild(self) -> None:
        self.vault.refresh()
        fresh = Index.memory()
        refresh(self.root, Config(), fresh)
        index = self.vault._open_index()
        assert _snapshot(index) == _snapshot(fresh)

    def teardown(self) -> None:
        self.vault.close()
        shutil.rmtree(self.root, ignore_errors=True)


TestIncrementalEqualsRebuild = IncrementalEqualsRebuild.TestCase
TestIncrementalEqualsRebuild.settings = settings(max_examples=40, stateful_step_count=12, deadline=None)


def _found(vault: Vault, text: str) -> list[str]:
    return sorted(c.name for c, _ in vault.search(text))


def test_full_text_search_stays_current(vault_dir: Path, write_note: Callable[..., Path],
                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1) + "Loves sailing.\n")
    write_note("people/Ben.md", NOTE.format(name="Ben", day=1) + "Plays jazz.\n")
    with Vault.open(vault_dir) as vault:
        assert _found(vault, "sailing") == ["Ann"]  # filled on the first search
        write_note("people/Ben.md", NOTE.format(name="Ben", day=1) + "Took up sailing.\n")
        (vault_dir / "people/Ann.md").unlink()
        assert _found(vault, "sailing") == ["Ben"]  # kept current note by note
        monkeypatch.setattr("mdnet.index.FTS_INCREMENTAL_LIMIT", 1)
        for name in ("Cy", "Di", "Ed"):
            write_note(f"people/{name}.md", NOTE.format(name=name, day=2) + "Sailing club.\n")
        vault.refresh()
        assert vault._open_index().get_meta("fts") == "stale"  # a bulk change defers the work
        assert _found(vault, "sailing") == ["Ben", "Cy", "Di", "Ed"]
        assert _found(vault, "jazz") == []


@pytest.mark.parametrize(
    ("today", "window", "expected"),
    [
        ("2026-12-28", 7, ["Dec", "Jan"]),  # the window wraps New Year
        ("2027-02-25", 5, ["Leap"]),  # 29 February is kept on the 28th in a common year
        ("2026-03-01", 30, []),
        ("2026-06-01", 400, ["Dec", "Jan", "Leap"]),
    ],
)
def test_birthday_windows_in_sql_match_the_due_rules(
    vault_dir: Path, write_note: Callable[..., Path], today: str, window: int, expected: list[str]
) -> None:
    for name, day in (("Jan", "--01-02"), ("Dec", "1980-12-30"), ("Leap", "--02-29")):
        write_note(f"people/{name}.md", f"---\nbirthday: {day}\n---\n")
    with Vault.open(vault_dir) as vault:
        assert [i.name for i in vault.due(today=today, within=window)] == expected


def _backdate(root: Path) -> None:
    """Notes written a minute ago: not racy, so an unchanged vault takes the digest shortcut."""
    import os

    for folder, _, names_ in os.walk(root):
        for name in names_:
            path = Path(folder, name)
            info = path.stat()
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 60_000_000_000))


def test_a_file_name_that_is_not_utf8_is_reported_not_a_crash(vault_dir: Path,
                                                              write_note: Callable[..., Path]) -> None:  # fmt: skip
    """Linux file names are bytes; one that is not UTF-8 (copied from an old Latin-1 system) must not stop
    every command: it is reported with a readable path, and everything else is indexed as usual."""
    import os

    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    raw = os.fsdecode(b"people/B\xe9a.md")  # what os.scandir and inotify give: a lone surrogate
    (vault_dir / raw).write_bytes(NOTE.format(name="Bea", day=2).encode())
    _backdate(vault_dir)
    with Vault.open(vault_dir) as vault:
        assert names(vault) == ["Ann"]
        problems = [p for p in vault.check() if p.path == "people/B\\xe9a.md"]
        assert [(p.severity, "not valid UTF-8" in p.message) for p in problems] == [("error", True)]
        again = vault.refresh()
        assert (again.added, again.updated, again.removed, again.files) == (0, 0, 0, 2)
        assert vault.refresh([raw]).updated == 0  # what a watcher passes: the same note, no change
        fresh = Index.memory()
        refresh(vault_dir, Config(), fresh)
        assert _snapshot(vault._open_index()) == _snapshot(fresh)
        (vault_dir / raw).unlink()
        assert vault.refresh([raw]).removed == 1
        assert vault.check() == []
