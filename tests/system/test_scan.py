"""The no-change scan: which files are notes, what each one's state is, and the digest shortcut.

Every command pays for this scan, so it is written for speed; these tests pin down
what it must still do on real folders.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from mdnet.store import files
from mdnet.vault.facade import Vault

NOTE = "---\nname: {name}\ncadence: 30d\nlast_contact: 2026-10-01\n---\n# {name}\n"


def backdate(root: Path) -> None:
    """Notes written a minute ago: their tokens are not racy, so an unchanged vault takes the digest shortcut."""
    for path in root.rglob("*.md"):
        info = path.stat()
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 60_000_000_000))


def test_scan_finds_notes_in_every_folder_with_their_states(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    written = ["people/Ann.md", "people/deep/er/Ben.MD", "people/Cy.Md", "Top.md", "projects/x/Plan.md"]
    for relative in written:
        write_note(relative, NOTE.format(name=relative))
    found = files.scan(vault_dir)
    assert sorted(found) == sorted(written)
    for relative, state in found.items():
        info = (vault_dir / relative).stat()
        assert state == (info.st_mtime_ns, info.st_size, info.st_ino)
        assert files.FileState(*state).token == files.token_of(vault_dir / relative)


def test_scan_skips_what_is_never_a_note(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann"))
    for junk in (".obsidian/people/X.md", ".trash/Y.md", ".git/Z.md", ".mdnet/W.md", ".hidden/V.md",
                 "people/.Ann.md", "people/~Ann.md", "people/Ann.md~", "people/Ann.md.swp", "people/notes.txt",
                 "people/4913"):  # fmt: skip
        write_note(junk, "x")
    assert list(files.scan(vault_dir)) == ["people/Ann.md"]


def test_a_folder_named_like_a_note_is_entered(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Archive.md/Ann.md", NOTE.format(name="Ann"))
    assert list(files.scan(vault_dir)) == ["people/Archive.md/Ann.md"]


def test_symlinked_folders_are_not_followed_but_linked_notes_are_read(
    vault_dir: Path, tmp_path: Path, write_note: Callable[..., Path]
) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Ben.md").write_text(NOTE.format(name="Ben"), encoding="utf-8")
    (vault_dir / "people" / "loop").symlink_to(vault_dir, target_is_directory=True)  # would never end
    (vault_dir / "people" / "elsewhere.md").symlink_to(outside, target_is_directory=True)  # a folder link named .md
    (vault_dir / "people" / "Ben.md").symlink_to(outside / "Ben.md")
    (vault_dir / "people" / "Gone.md").symlink_to(outside / "missing.md")  # dangling: skipped
    found = files.scan(vault_dir)
    assert sorted(found) == ["people/Ann.md", "people/Ben.md"]
    assert found["people/Ben.md"][2] == (outside / "Ben.md").stat().st_ino  # the target's state


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_is_skipped(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann"))
    write_note("people/locked/Ben.md", NOTE.format(name="Ben"))
    locked = vault_dir / "people" / "locked"
    locked.chmod(0)
    try:
        assert list(files.scan(vault_dir)) == ["people/Ann.md"]
    finally:
        locked.chmod(0o755)


def test_an_unchanged_vault_reports_the_stored_counts(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann"))
    write_note("people/Ben.md", NOTE.format(name="Ben"))
    write_note("Plan.md", "# not a contact\n")
    backdate(vault_dir)
    with Vault.open(vault_dir) as vault:
        first = vault.refresh()
        assert (first.files, first.contacts, first.added) == (3, 2, 3)
        again = vault.refresh()  # the digest shortcut: nothing is read, the counts come from the last write
        assert (again.files, again.contacts, again.added, again.updated) == (3, 2, 0, 0)
        (vault_dir / "people/Ben.md").unlink()
        assert (vault.refresh().files, vault.refresh().contacts) == (2, 1)
        write_note("people/Cy.md", NOTE.format(name="Cy"))
        partial = vault.refresh(["people/Cy.md"])
        assert (partial.files, partial.contacts, partial.added) == (3, 2, 1)
        assert (vault.refresh().files, vault.refresh().contacts) == (3, 2)


def test_an_index_without_stored_counts_still_answers(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", NOTE.format(name="Ann"))
    with Vault.open(vault_dir) as vault:
        vault.refresh()
    with sqlite3.connect(vault_dir / ".mdnet" / "index.sqlite") as db:  # as an older mdnet left it
        db.execute("DELETE FROM meta WHERE key = 'counts'")
    with Vault.open(vault_dir) as vault:
        stats = vault.refresh()
        assert (stats.files, stats.contacts, stats.added) == (1, 1, 0)


def test_a_note_changed_in_nested_folders_is_seen(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    for i in range(30):
        write_note(f"people/{'abc'[i % 3]}/P{i}.md", NOTE.format(name=f"P{i}"))
    backdate(vault_dir)
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        assert vault.refresh().updated == 0
        write_note("people/b/P7.md", NOTE.format(name="Seven"))
        assert vault.refresh().updated == 1
        assert "Seven" in [c.name for c in vault.contacts()]


def _meta(vault_dir: Path, key: str) -> str | None:
    with sqlite3.connect(vault_dir / ".mdnet" / "index.sqlite") as db:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def test_changes_are_found_by_comparing_with_the_stored_scan(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    for name in ("Ann", "Ben", "Cy"):
        write_note(f"people/{name}.md", NOTE.format(name=name))
    backdate(vault_dir)
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        assert _meta(vault_dir, "scan")  # stored with the rows
        write_note("people/Ann.md", NOTE.format(name="Ann Lee"))
        (vault_dir / "people/Ben.md").unlink()
        write_note("people/Dee.md", NOTE.format(name="Dee"))
        stats = vault.refresh()
        assert (stats.added, stats.updated, stats.removed, stats.files) == (1, 1, 1, 3)
        assert sorted(c.name for c in vault.contacts()) == ["Ann Lee", "Cy", "Dee"]


def test_a_partial_refresh_drops_the_stored_scan(vault_dir: Path,
                                                 write_note: Callable[..., Path]) -> None:  # fmt: skip
    for name in ("Ann", "Ben"):
        write_note(f"people/{name}.md", NOTE.format(name=name))
    backdate(vault_dir)
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        write_note("people/Ann.md", NOTE.format(name="Ann Lee"))
        write_note("people/Ben.md", NOTE.format(name="Ben Bo!"))
        backdate(vault_dir)  # not racy: read once
        assert vault.refresh(["people/Ann.md"]).updated == 1  # what a watcher does
        assert _meta(vault_dir, "scan") == ""
        stats = vault.refresh()  # compares every token: Ben's change is still seen, Ann's not read twice
        assert (stats.updated, stats.added) == (1, 0)
        assert sorted(c.name for c in vault.contacts()) == ["Ann Lee", "Ben Bo!"]


@pytest.mark.parametrize("stored", ["garbage", "2 !!! ???", "5 YQ== AAAA", "1 YQ== AAAAAAAAAAAA"])
def test_an_unreadable_stored_scan_means_comparing_tokens(vault_dir: Path, write_note: Callable[..., Path],
                                                          stored: str) -> None:  # fmt: skip
    write_note("people/Ann.md", NOTE.format(name="Ann"))
    backdate(vault_dir)
    with Vault.open(vault_dir) as vault:
        vault.refresh()
    with sqlite3.connect(vault_dir / ".mdnet" / "index.sqlite") as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'scan'", (stored,))
        db.execute("UPDATE meta SET value = 'other' WHERE key = 'digest'")  # so the scans are compared
    write_note("people/Ann.md", NOTE.format(name="Ann Lee"))
    with Vault.open(vault_dir) as vault:
        stats = vault.refresh()
        assert (stats.updated, stats.added, stats.removed) == (1, 0, 0)
        assert [c.name for c in vault.contacts()] == ["Ann Lee"]


def test_a_partial_refresh_indexes_only_what_a_scan_would(vault_dir: Path, tmp_path: Path,
                                                          write_note: Callable[..., Path]) -> None:  # fmt: skip
    """``Vault.refresh(paths)`` (what a watcher, or any event source, calls) follows the scan's rules:
    no notes through symlinked folders, none in dot folders, none by another spelling of a path, and a
    note replaced by a folder is gone."""
    write_note("people/Ann.md", NOTE.format(name="Ann"))
    write_note("people/Cy.md", NOTE.format(name="Cy"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Ben.md").write_text(NOTE.format(name="Ben"), encoding="utf-8")
    (vault_dir / "people" / "ext").symlink_to(outside, target_is_directory=True)
    (vault_dir / "people" / "loop").symlink_to(vault_dir / "people", target_is_directory=True)
    write_note(".obsidian/X.md", NOTE.format(name="X"))
    write_note("people/.hidden/Y.md", NOTE.format(name="Y"))
    backdate(vault_dir)
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        given = ["people/ext/Ben.md", "people/loop/Ann.md", ".obsidian/X.md", "people/.hidden/Y.md",
                 "./people/Ann.md", "people//Ann.md", "people/../people/Ann.md", "people/Ann.md"]  # fmt: skip
        stats = vault.refresh(given)
        assert (stats.added, stats.updated) == (0, 0)
        indexed = sorted(vault.indexed().tokens())
        assert indexed == sorted(files.scan(vault_dir)) == ["people/Ann.md", "people/Cy.md"]
        (vault_dir / "people" / "Cy.md").unlink()
        (vault_dir / "people" / "Cy.md").mkdir()  # a folder where the note was
        assert vault.refresh(["people/Cy.md"]).removed == 1
        assert sorted(vault.indexed().tokens()) == sorted(files.scan(vault_dir)) == ["people/Ann.md"]
