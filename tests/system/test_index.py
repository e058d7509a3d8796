"""The index follows the files: tokens, the digest shortcut, rebuilds, two processes at once."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from mdnet.config import Config
from mdnet.store.index import Index, contact_to_json
from mdnet.store.index_file import SCHEMA_VERSION
from mdnet.store.refresh import refresh
from mdnet.vault.facade import Vault
from tests.conftest import EXAMPLE_VAULT, examples, run_cli

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


def test_an_index_corrupt_past_its_first_page_is_rebuilt_by_the_query_that_finds_it(
    vault_dir: Path, write_note: Callable[..., Path]
) -> None:
    """A sound header, schema and meta table over a damaged notes table pass the open and the
    unchanged-vault shortcut; the first query to read a damaged page must rebuild the index, not fail."""
    for i in range(40):
        path = write_note(f"people/P{i:02d}.md", NOTE.format(name=f"P{i:02d}", day=1 + i % 28) + "words " * 200)
        os.utime(path, (1_700_000_000, 1_700_000_000))  # long saved: no racy token makes the scan read the table
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        expected = ([c.name for c in vault.contacts()], [i.name for i in vault.due(today="2026-11-25")])
    db = vault_dir / ".mdnet" / "index.sqlite"
    _damage_notes_table(db)
    with Vault.open(vault_dir) as vault:
        assert ([c.name for c in vault.contacts()], [i.name for i in vault.due(today="2026-11-25")]) == expected
        assert vault.get("p07").name == "P07"
    _damage_notes_table(db)
    result = run_cli("--vault", str(vault_dir), "--today", "2026-11-25", "due", "--json")
    assert (result.code, result.err) == (0, "")
    assert [i["name"] for i in json.loads(result.out)["items"]] == expected[1]


def _damage_notes_table(db: Path) -> None:
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'notes'").fetchone()[0]
    connection.close()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = b"\xff" * page_size  # the notes table's root page
    db.write_bytes(bytes(data))


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
from mdnet.vault.facade import Vault
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


# `mdnet index` in a process of its own, started at the wall-clock time argv[1]: processes given one time
# open the index within a millisecond or so of each other, as a hook and a watcher started together do.
_AT_ONCE = """
import sys, time
from mdnet.cli.main import run
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
run(["--vault", sys.argv[2], "index"])
"""


@pytest.mark.slow
def test_processes_creating_the_index_at_once_never_delete_each_others(
    vault_dir: Path, write_note: Callable[..., Path]
) -> None:
    """Four processes on a vault without `.mdnet/`, round after round: one that found the file another had
    just created (empty, or with its schema half made) took it for damaged and deleted it, with its WAL files,
    under the process still writing it. Every process must succeed and the index end whole."""
    for i in range(200):
        write_note(f"people/P{i}.md", NOTE.format(name=f"P{i}", day=1 + i % 28))
    rebuilt = Index.memory()
    refresh(vault_dir, Config(), rebuilt)
    for _ in range(12):
        shutil.rmtree(vault_dir / ".mdnet", ignore_errors=True)
        at = str(time.time() + 1.5)  # after every interpreter has started and imported mdnet
        command = [sys.executable, "-c", _AT_ONCE, at, str(vault_dir)]
        workers = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)
        ]
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err
            assert out.startswith("indexed: 200 notes, 200 contacts"), out
        connection = sqlite3.connect(vault_dir / ".mdnet" / "index.sqlite")
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        finally:
            connection.close()
        index = Index.open(vault_dir / ".mdnet" / "index.sqlite")
        try:
            assert not index.rebuilt
            assert _full_snapshot(index) == _full_snapshot(rebuilt)
        finally:
            index.close()


def test_parallel_parsing_equals_serial_parsing(vault_dir: Path, write_note: Callable[..., Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    for i in range(120):
        write_note(f"people/P{i}.md", NOTE.format(name=f"P{i}", day=1 + i % 28) + ("- 2026-13-01 bad\n" * (i % 2)))
    serial = Index.memory()
    refresh(vault_dir, Config(), serial)
    monkeypatch.setattr("mdnet.store.refresh.PARALLEL_THRESHOLD", 10)
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


# Names a note may take: nested folders, a case-only twin, NFC and NFD spellings of one name, and a name
# that is not UTF-8 (os.fsdecode gives it lone surrogates, as os.scandir and inotify do).
_NAMES = ["a", "A", "b", "c", "sub/d", "sub/e", "f", "g", "sub/h", "Jos\u00e9", "sub/Jose\u0301",
          os.fsdecode(b"l\xe9a")]  # fmt: skip
# What editors, Obsidian and git leave beside notes: never notes.
_JUNK = ["people/.a.md.swp", "people/a.md~", "people/4913", "people/.#a.md", ".obsidian/people/x.md",
         ".trash/a.md", "people/.hidden/z.md", ".git/a.md"]  # fmt: skip


def _body(body: int, stem: str) -> str:
    """Note ``body`` for a file named ``stem`` (a name that is not UTF-8 gives U+FFFD in the text)."""
    return _BODIES[body].replace("{stem}", stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def _full_snapshot(index: Index) -> dict[str, list[tuple[object, ...]]]:
    """Every table a query reads, without the change tokens (which differ between an index and a rebuild)."""
    columns = [row[1] for row in index.connection.execute("PRAGMA table_info(notes)") if row[1] != "token"]
    queries = {
        "notes": f"SELECT {', '.join(columns)} FROM notes",
        "links": "SELECT src, kind, key, label FROM links",
        "names": "SELECT key, path, rank, is_contact FROM names",
        "people": "SELECT path, name, last_contact, touches FROM people",
    }
    return {table: sorted(index.connection.execute(query), key=repr) for table, query in queries.items()}


class IncrementalEqualsRebuild(RuleBasedStateMachine):
    """After any sequence of edits, the incremental index equals one built from scratch.

    Edits come as editors and tools make them: in place, by atomic rename (a new inode), a second
    same-size edit within the same timestamp tick, renames (case-only, between folders), deletes,
    a note replaced by a folder, symbolic links (to notes, to folders, back up the tree, dangling),
    editor temporaries and dot folders; the index is refreshed by full scans, by a watcher's partial
    refreshes, by a second connection (another process), and is deleted now and then.
    """

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="mdnet-sm-"))
        (self.root / "people").mkdir()
        self.vault = Vault(self.root, Config())
        self.other = Vault(self.root, Config())  # a second process on the same index
        self.files: set[str] = set()  # notes and links to notes, as written
        self.touched: set[str] = set()  # what a watcher would have been told since its last refresh
        self.note_link = False  # people/link.md links to a note
        self.folder_links: dict[str, str] = {}  # link -> the folder it shows (a polling observer walks them)

    def _write(self, relative: str, body: int) -> None:
        path = self.root / relative
        if path.is_dir() and not path.is_symlink():  # a note turned folder: replaced, with what it held
            shutil.rmtree(path)
            self.touched.update(f for f in self.files if f.startswith(relative + "/"))
            self.files = {f for f in self.files if not f.startswith(relative + "/")}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_body(body, path.stem), encoding="utf-8")
        self.files.add(relative)
        self.touched.add(relative)

    def _pick(self, data: st.DataObject) -> str | None:
        return data.draw(st.sampled_from(sorted(self.files))) if self.files else None

    @rule(name=st.sampled_from(_NAMES), body=st.integers(0, len(_BODIES) - 1))
    def create_or_edit(self, name: str, body: int) -> None:
        self._write(f"people/{name}.md", body)

    @rule(data=st.data(), body=st.integers(0, len(_BODIES) - 1))
    def atomic_save(self, data: st.DataObject, body: int) -> None:
        """Write a temporary file and rename it over the note (a new inode), as many editors save."""
        victim = self._pick(data)
        if victim is None or (self.root / victim).is_symlink():
            return
        temp = self.root / "people" / ".save.tmp"
        temp.write_text(_body(body, Path(victim).stem), encoding="utf-8")
        os.replace(temp, self.root / victim)
        self.touched.update((victim, "people/.save.tmp"))

    @rule(data=st.data())
    def same_tick_edit(self, data: st.DataObject) -> None:
        """A second edit of the same size in the same timestamp tick: the change token stays the same."""
        victim = self._pick(data)
        if victim is None or (self.root / victim).is_symlink():
            return
        path = self.root / victim
        info = path.stat()
        text = path.read_bytes()
        letters = [i for i, byte in enumerate(text) if chr(byte).isalpha() and byte < 128]
        if not letters:
            return
        changed = bytearray(text)
        changed[letters[-1]] ^= 0x20  # flip the case of the last letter: same size, other content
        with open(path, "r+b") as handle:  # in place: the same inode
            handle.write(bytes(changed))
        if time.time_ns() - info.st_mtime_ns < 50_000_000:  # only a write this recent can share its tick
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
        self.touched.add(victim)

    @rule(data=st.data(), target_name=st.sampled_from(["f", "g", "sub/h", "A", "a", "Jose\u0301"]))
    def rename(self, data: st.DataObject, target_name: str) -> None:
        source = self._pick(data)
        if source is None:
            return
        target = f"people/{target_name}.md"
        if (self.root / target).is_dir() and not (self.root / target).is_symlink():
            return
        (self.root / target).parent.mkdir(parents=True, exist_ok=True)
        (self.root / source).rename(self.root / target)
        self.files.discard(source)
        self.files.add(target)
        self.touched.update((source, target))

    @rule(data=st.data())
    def case_only_rename(self, data: st.DataObject) -> None:
        source = self._pick(data)
        if source is None:
            return
        folder, _, name = source.rpartition("/")
        target = f"{folder}/{name[:-3].swapcase()}.md"
        if target == source or (self.root / target).exists() or (self.root / target).is_symlink():
            return
        (self.root / source).rename(self.root / target)
        self.files.discard(source)
        self.files.add(target)
        self.touched.update((source, target))

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        victim = self._pick(data)
        if victim is not None:
            (self.root / victim).unlink()
            self.files.discard(victim)
            self.touched.add(victim)

    @rule(data=st.data())
    def note_becomes_folder(self, data: st.DataObject) -> None:
        """A note deleted and a folder of the same name made (with a note inside)."""
        victim = self._pick(data)
        if victim is None:
            return
        (self.root / victim).unlink()
        self.files.discard(victim)
        (self.root / victim).mkdir()
        inner = f"{victim}/inner.md"
        (self.root / inner).write_text(_BODIES[0].replace("{stem}", "inner"), encoding="utf-8")
        self.files.add(inner)
        self.touched.update((victim, inner))

    @rule(data=st.data())
    def corrupt(self, data: st.DataObject) -> None:
        victim = self._pick(data)
        if victim is not None:
            (self.root / victim).write_bytes(b"---\nname: \xff\xfe\n---\n")
            self.touched.add(victim)

    @rule(data=st.data(), kind=st.sampled_from(["note", "folder", "loop", "dangling"]))
    def symlink(self, data: st.DataObject, kind: str) -> None:
        """A link to a note (read through the link), to a folder or back up the tree (never entered), or to nothing."""
        link = self.root / "people" / ("link.md" if kind in ("note", "dangling") else f"{kind}-link")
        if link.is_symlink():
            link.unlink()
        elif link.exists():
            return
        target = self._pick(data) if kind == "note" else {"folder": "sub", "loop": "..", "dangling": "missing.md"}[kind]
        if target is None:
            return
        link.symlink_to(os.path.relpath(self.root / target, link.parent) if kind == "note" else target)
        relative = link.relative_to(self.root).as_posix()
        if kind in ("note", "dangling"):
            self.note_link = kind == "note"
        else:
            self.folder_links[relative] = {"folder": "people/sub", "loop": ""}[kind]
        self.files.discard(relative)
        self.touched.add(relative)

    @rule(junk=st.sampled_from(_JUNK))
    def editor_and_tool_files(self, junk: str) -> None:
        path = self.root / junk
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_BODIES[0].replace("{stem}", "junk"), encoding="utf-8")
        self.touched.add(junk)

    @rule()
    def refresh_now(self) -> None:
        self.vault.refresh()
        self.touched.clear()
        self.equals_rebuild()

    @rule()
    def refresh_from_another_process(self) -> None:
        self.other.refresh()
        self.touched.clear()
        self.equals_rebuild()

    @rule()
    def watcher_refresh(self) -> None:
        """What a watcher does with its events: refresh just the paths it was told about (since the last
        refresh, over several steps), including those an observer that follows folder links reports through them.

        Without a link to a note that alone must equal a rebuild (an edit of a linked note names the
        note, not the link); with one, the next full scan must.
        """
        told = set(self.touched)
        for link, folder in self.folder_links.items():
            prefix = folder + "/" if folder else ""
            told.update(f"{link}/{p[len(prefix) :]}" for p in self.touched if p.startswith(prefix))
        self.vault.refresh(sorted(told))
        self.touched.clear()
        if not self.note_link:
            self.equals_rebuild()

    @rule()
    def delete_the_index(self) -> None:
        self.vault.close()
        self.other.close()
        shutil.rmtree(self.root / ".mdnet", ignore_errors=True)

    def equals_rebuild(self) -> None:
        """The index as it stands (not refreshed here: the rules refresh it) equals one built from scratch."""
        index = self.vault.indexed()
        fresh = Index.memory()
        refresh(self.root, Config(), fresh)
        assert _snapshot(index) == _snapshot(fresh)
        assert _full_snapshot(index) == _full_snapshot(fresh)

    def teardown(self) -> None:
        try:
            self.vault.refresh()
            self.equals_rebuild()
        finally:
            self.vault.close()
            self.other.close()
            shutil.rmtree(self.root, ignore_errors=True)


TestIncrementalEqualsRebuild = IncrementalEqualsRebuild.TestCase
TestIncrementalEqualsRebuild.settings = settings(max_examples=examples(80), stateful_step_count=15, deadline=None)


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
        monkeypatch.setattr("mdnet.store.index.FTS_INCREMENTAL_LIMIT", 1)
        for name in ("Cy", "Di", "Ed"):
            write_note(f"people/{name}.md", NOTE.format(name=name, day=2) + "Sailing club.\n")
        vault.refresh()
        assert vault.indexed().get_meta("fts") == "stale"  # a bulk change defers the work
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


def test_refresh_of_one_path_given_as_a_string_refreshes_that_note(
    vault_dir: Path, write_note: Callable[..., Path]
) -> None:
    """`vault.refresh("people/Ann.md")` read each character as a path and refreshed nothing."""
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        write_note("people/Ann.md", NOTE.format(name="Ann Lee", day=2))
        assert vault.refresh("people/Ann.md").updated == 1
        assert vault.indexed().contact("people/Ann.md").name == "Ann Lee"  # type: ignore[union-attr]


def test_add_over_a_damaged_index_still_refuses_a_duplicate(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    for i in range(40):
        path = write_note(f"people/P{i:02d}.md", NOTE.format(name=f"P{i:02d}", day=1 + i % 28) + "words " * 200)
        os.utime(path, (1_700_000_000, 1_700_000_000))
    with Vault.open(vault_dir) as vault:
        vault.refresh()
    _damage_notes_table(vault_dir / ".mdnet" / "index.sqlite")
    result = run_cli("--vault", str(vault_dir), "add", "P07")
    assert (result.code, result.err) == (1, "mdnet: error: 'P07' is already a contact: P07 (people/P07.md)\n")


def _backdate(root: Path) -> None:
    """Notes written a minute ago: not racy, so an unchanged vault takes the digest shortcut."""
    for folder, _, names_ in os.walk(root):
        for name in names_:
            path = Path(folder, name)
            info = path.stat()
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 60_000_000_000))


def _backdate_one(path: Path) -> None:
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
        assert _snapshot(vault.indexed()) == _snapshot(fresh)
        (vault_dir / raw).unlink()
        assert vault.refresh([raw]).removed == 1
        assert vault.check() == []


@contextlib.contextmanager
def _read_only(*paths: Path) -> Iterator[None]:
    """Make ``paths`` read-only for this process: file modes for a user, the immutable flag for root
    (whom modes do not stop). Skips the test when neither can be had."""
    if os.geteuid() != 0:
        modes = [(path, path.stat().st_mode) for path in paths]
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            for path, mode in modes:
                path.chmod(mode)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", *map(str, paths)],
                                                        capture_output=True).returncode != 0:  # fmt: skip
        pytest.skip("cannot make a file read-only for root here (chattr +i)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def test_an_index_another_user_owns_is_read_not_deleted(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    """A watcher running as another user (a system service) keeps the index open, so its WAL files exist;
    a command run by someone who cannot write the index must still answer, from memory, and leave it alone."""
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1) + "Loves sailing.\n")
    with Vault.open(vault_dir) as vault:
        vault.refresh()
    folder = vault_dir / ".mdnet"
    database = folder / "index.sqlite"
    watcher = sqlite3.connect(database)  # the other user's watcher: keeps -wal and -shm in place
    watcher.execute("SELECT count(*) FROM notes").fetchone()
    try:
        write_note("people/Ben.md", NOTE.format(name="Ben", day=2) + "Sailing too.\n")
        with _read_only(database, folder), Vault.open(vault_dir) as vault:
            assert names(vault) == ["Ann", "Ben"]
            assert _found(vault, "sailing") == ["Ann", "Ben"]
        assert database.exists()
        assert watcher.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        watcher.close()


def test_a_search_in_an_index_another_user_owns(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    """Nothing changed, so the refresh writes nothing; the first search fills the full-text table, which it
    cannot here: it searches from memory instead."""
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1) + "Loves sailing.\n")
    _backdate(vault_dir)
    with Vault.open(vault_dir) as vault:
        vault.refresh()
    folder = vault_dir / ".mdnet"
    database = folder / "index.sqlite"
    watcher = sqlite3.connect(database)
    watcher.execute("SELECT count(*) FROM notes").fetchone()
    try:
        with _read_only(database, folder), Vault.open(vault_dir) as vault:
            assert vault.refresh().updated == 0
            assert _found(vault, "sailing") == ["Ann"]
        assert database.exists()
    finally:
        watcher.close()


def test_an_index_found_damaged_by_two_processes_is_replaced_once(vault_dir: Path,
                                                                  write_note: Callable[..., Path]) -> None:  # fmt: skip
    """Two processes read the same damaged index; the first throws it away and makes a new one, which it fills.
    The second, later, must throw away only the file it found damaged, not the new one the first is using."""
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    database = vault_dir / ".mdnet" / "index.sqlite"
    with Vault.open(vault_dir) as vault:
        vault.refresh()
    first, second = Index.open(database), Index.open(database)
    _damage_notes_table(database)
    first.discard()
    renewed = Index.open(database)
    try:
        assert renewed.rebuilt is False  # nothing was there to rebuild: the first had deleted it
        refresh(vault_dir, Config(), renewed)
        second.discard()
        assert (database.stat().st_dev, database.stat().st_ino) == renewed.identity
        assert sorted(renewed.tokens()) == ["people/Ann.md"]
        again = Index.open(database)
        assert sorted(again.tokens()) == ["people/Ann.md"]
        again.close()
    finally:
        renewed.close()


def test_an_index_locked_too_long_is_answered_from_a_whole_copy_then_used_again(
    vault_dir: Path, write_note: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock past the busy timeout (cut to 0.2 s): a refresh of one path (what a
    watcher asks) goes on in memory, from a copy of the file, so it reads that one note and says so (an empty
    memory index read every note again and called them all added); and the file is taken back, brought up to
    date, once the lock is gone (what the watcher does by itself)."""
    monkeypatch.setattr("mdnet.store.index_file.BUSY_TIMEOUT", 0.2)
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    write_note("people/Ben.md", NOTE.format(name="Ben", day=2))
    database = vault_dir / ".mdnet" / "index.sqlite"
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            write_note("people/Cy.md", NOTE.format(name="Cy", day=3))
            assert vault.refresh(["people/Cy.md"]).added == 1
            assert vault.indexed().path is None
            assert sorted(vault.indexed().tokens()) == ["people/Ann.md", "people/Ben.md", "people/Cy.md"]
            assert "database is locked" in (vault.in_memory_because or "")
            assert vault.reopen_index_file() is None  # locked still: nothing waits for it
            assert vault.indexed().path is None
        finally:
            other.execute("ROLLBACK")
            other.close()
        write_note("people/Dee.md", NOTE.format(name="Dee", day=4))
        stats = vault.reopen_index_file()
        assert stats is not None
        assert (stats.added, stats.files) == (2, 4)
        assert vault.indexed().path == database
        assert vault.in_memory_because is None
        fresh = Index.memory()
        refresh(vault_dir, Config(), fresh)
        assert _full_snapshot(vault.indexed()) == _full_snapshot(fresh)


def test_a_refresh_racing_a_watcher_never_vouches_for_rows_it_did_not_write(
    vault_dir: Path, write_note: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three processes on one index, in the one order that used to leave a stale row for good: a watcher
    reads a note (W) and waits for the write lock; meanwhile the note changes (X), a command indexes X, and a
    second command reads the stored scan (P is X) before the watcher's stale row lands, and commits after it.
    That second command's scan and digest then vouched for X over the row of W: every later command took the
    digest shortcut and answered from W. (Real SQLite on real files; the hook only fixes the order.)"""
    path = write_note("people/P.md", NOTE.format(name="Vee", day=1))
    _backdate(vault_dir)
    watcher, first, second, later = (Vault.open(vault_dir) for _ in range(4))
    try:
        watcher.refresh()
        _backdate_one(write_note("people/P.md", NOTE.format(name="Double-u", day=2)))
        real_apply = Index.apply
        order: list[str] = []

        def second_commits_after_the_watcher(self: Index, *args: object, **kwargs: object) -> None:
            real_apply(watcher.indexed(), *watcher_write)  # the watcher's write lands first
            order.append("watcher")
            real_apply(self, *args, **kwargs)  # type: ignore[arg-type]
            order.append("second")

        watcher_write: list[object] = []

        def watcher_waits_for_the_lock(self: Index, *args: object, **kwargs: object) -> None:
            rows = list(args[0])  # type: ignore[call-overload]
            watcher_write.extend([rows, *args[1:]])
            _backdate_one(write_note("people/P.md", NOTE.format(name="Ex", day=3)))  # the note changes again
            monkeypatch.setattr(Index, "apply", real_apply)
            first.refresh()  # a command indexes X (and stores its scan)
            order.append("first")
            _backdate_one(write_note("people/Q.md", NOTE.format(name="Q", day=4)))  # for the second to write
            monkeypatch.setattr(Index, "apply", second_commits_after_the_watcher)
            second.refresh()
            monkeypatch.setattr(Index, "apply", real_apply)

        monkeypatch.setattr(Index, "apply", watcher_waits_for_the_lock)
        watcher.refresh(["people/P.md"])
        assert order == ["first", "watcher", "second"]
        assert path.read_text().count("name: Ex") == 1
        assert sorted(names(later)) == ["Ex", "Q"]
    finally:
        for vault in (watcher, first, second, later):
            vault.close()


def _damage_pages(database: Path) -> None:
    """Overwrite bytes inside several pages past the first (the header, the schema and meta stay readable)."""
    size = database.stat().st_size
    with open(database, "r+b") as handle:
        for offset in range(size // 3, size - 8192, 3 * 4096):
            handle.seek(offset + 100)
            handle.write(b"\xde\xad\xbe\xef" * 200)


@pytest.mark.parametrize("query", ["list", "due", "show", "search", "check"])
def test_an_index_damaged_past_its_header_is_rebuilt_by_itself(vault_dir: Path, write_note: Callable[..., Path],
                                                               query: str) -> None:  # fmt: skip
    """Damage that opening the index does not notice (and an unchanged vault's refresh never reads) is found
    by the first query that reads the rows: the index is then rebuilt and the query answered."""
    for i in range(300):
        write_note(f"people/P{i:03}.md", NOTE.format(name=f"P{i:03}", day=1 + i % 28) + f"Sailing {i} lorem.\n")
    _backdate(vault_dir)
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        assert _found(vault, "sailing")  # fills the full-text table too
    _damage_pages(vault_dir / ".mdnet" / "index.sqlite")
    with Vault.open(vault_dir) as vault:
        if query == "list":
            assert len(vault.contacts()) == 300
        elif query == "due":
            assert len(vault.due(today="2026-12-31")) == 300
        elif query == "show":
            assert vault.get("P150").name == "P150"
        elif query == "search":
            assert len(_found(vault, "lorem")) == 50  # search's limit
        else:
            assert vault.check() == []
    if query != "show":  # a lookup by name may read no damaged page: then it answers, and the damage waits
        connection = sqlite3.connect(vault_dir / ".mdnet" / "index.sqlite")
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # rebuilt
        connection.close()


def test_the_index_is_made_on_a_file_system_without_hard_links(
    vault_dir: Path, write_note: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vault on a USB stick (exFAT, FAT): link(2) says EPERM there, a fault ext4 cannot give. The new
    index is renamed into place instead (under the creation lock), not left in memory for every command."""
    import errno

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)
    write_note("people/Ann.md", NOTE.format(name="Ann", day=1))
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        assert vault.in_memory_because is None
    database = vault_dir / ".mdnet" / "index.sqlite"
    opened = Index.open(database)
    try:
        assert sorted(opened.tokens()) == ["people/Ann.md"]
    finally:
        opened.close()
    assert sorted(p.name for p in database.parent.iterdir() if ".new" in p.name) == []


def test_a_cold_index_makes_every_secondary_index_after_its_rows(
    vault_dir: Path, write_note: Callable[..., Path]
) -> None:
    """The cold index drops the schema's indexes, fills the tables and makes them again: all of them,
    over every row, and a query for one contact's mentions uses them."""
    write_note("people/Ann Lee.md", "---\nname: Ann Lee\n---\n")
    write_note("daily/2026-11-20.md", "- coffee with [[Ann Lee]]\n- [ ] send [[Ann Lee]] the deck 📅 2026-12-01\n")
    schema = Index.memory()
    wanted = schema.connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
    expected = wanted.fetchall()
    schema.close()
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        db = vault.indexed().connection
        made = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()
        assert made == expected and any(name == "hits_date" for name, _sql in made)
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert [m.date.isoformat() for m in vault.mentions_of("Ann Lee")] == ["2026-11-20"]
        assert [loop.line for loop in vault.open_loops_of("Ann Lee")] == [2]


def test_a_notes_row_is_stored_as_given_nulls_and_booleans_too() -> None:
    """The notes' rows are bound without None or bool (stand-ins that NULLIF turns back): every column reads
    back as a plain insert of the same rows stores it, value and SQLite type, contacts and other notes."""
    from mdnet.store.index import _N_DUE_COLUMNS, NoteRow
    from mdnet.store.rows import parse_one

    root = EXAMPLE_VAULT
    paths = sorted(str(p.relative_to(root)) for p in root.rglob("*.md"))
    settings = (("people",), "Log", 1_000_000)
    rows: list[NoteRow] = [parse_one((str(root), path, "t"), settings) for path in paths]
    assert any(r.record is None for r in rows) and any(r.record is not None for r in rows)
    assert any(r.columns and None in r.columns for r in rows)
    index = Index.memory()
    index.apply(rows, [], {})
    plain = Index.memory()
    plain.connection.executemany(
        "INSERT INTO notes VALUES (" + ", ".join(["?"] * (7 + _N_DUE_COLUMNS + 3)) + ")",
        [(r.path, r.token, r.record is not None, r.record, r.fields, r.problems, r.problem_count)
         + (r.columns or (None,) * _N_DUE_COLUMNS) + (r.fts or (None, None, None)) for r in rows],
    )  # fmt: skip
    read = "SELECT * FROM notes ORDER BY path"
    typed = (
        "SELECT "
        + ", ".join(
            f"typeof({c})"
            for c in (
                "path",
                "is_contact",
                "record",
                "fields",
                "cadence_set",
                "needs_reply",
                "follow_up",
                "news",
                "body",
            )
        )
        + " FROM notes"
    )
    assert index.connection.execute(read).fetchall() == plain.connection.execute(read).fetchall()
    assert index.connection.execute(typed).fetchall() == plain.connection.execute(typed).fetchall()
