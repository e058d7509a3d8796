"""Issue 20, item 2: ``.mdnet/`` is mdnet's own. A cloned vault whose ``.mdnet`` is a link, or holds links
where mdnet's files go, is refused as "not an index folder mdnet made": the command answers from an index
in memory, and nothing outside the vault is read, written, created or deleted.

Every test builds the hostile vault in a temp folder with fake targets beside it (never the real home
folder), runs mdnet, and proves the targets unchanged (bytes and mtime_ns) and nothing created outside.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from mdnet.store import files, index_file
from mdnet.vault.facade import Vault
from tests.conftest import DEMO_DATE, commit_as_repository, git, run_cli

DUE = "---\nname: {name}\ncadence: 30d\nlast_contact: {day}\n---\n# {name}\n\n## Log\n- {day} call: hi\n"
REFUSED = "not an index folder mdnet made"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int] | str]:
    """Every entry under ``folder``: a file's bytes and mtime_ns, a link's target (links never followed)."""
    found: dict[str, tuple[bytes, int] | str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[relative] = "-> " + os.readlink(path)
            elif path.is_file():
                found[relative] = (path.read_bytes(), path.stat().st_mtime_ns)
            else:
                found[relative] = "folder"
    return found


def make_vault(tmp_path: Path) -> Path:
    """A git vault of two contacts: Ann overdue, Ben not yet due (on DEMO_DATE)."""
    root = tmp_path / "vault"
    (root / "people").mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
    (root / ".gitignore").write_text(".mdnet/\n", encoding="utf-8")
    (root / "people" / "Ann.md").write_text(DUE.format(name="Ann", day="2026-09-01"), encoding="utf-8")
    (root / "people" / "Ben.md").write_text(DUE.format(name="Ben", day="2026-11-20"), encoding="utf-8")
    return commit_as_repository(root)


def another_apps_database(path: Path) -> Path:
    """A real SQLite database of another application, in rollback-journal mode (as most apps keep theirs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE secrets (value TEXT)")
    connection.execute("INSERT INTO secrets VALUES ('do not touch')")
    connection.commit()
    connection.close()
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    return path


def assert_answers_from_memory(root: Path) -> None:
    """``due`` exits 0 with the right list, says the index folder was refused, and prints nothing from outside."""
    result = run_cli("--vault", str(root), "--today", DEMO_DATE, "due", "--json")
    assert result.code == 0, result.err
    assert [item["name"] for item in json.loads(result.out)["items"]] == ["Ann"]
    assert REFUSED in result.err
    assert "do not touch" not in result.out + result.err
    with Vault.open(root) as vault:
        assert [c.name for c in vault.contacts()] == ["Ann", "Ben"]
        assert vault.indexed().path is None
        assert vault.in_memory_because is not None and REFUSED in vault.in_memory_because


def test_an_index_folder_that_is_a_link_to_another_folder(tmp_path: Path) -> None:
    """Old mdnet deleted index.sqlite, its WAL and temporaries in the linked folder, then wrote its own."""
    root = make_vault(tmp_path)
    outside = tmp_path / "outside"
    another_apps_database(outside / "index.sqlite")
    (outside / "index.sqlite-wal").write_bytes(b"another app's WAL")
    (outside / "123.new").write_bytes(b"another app's temporary")
    (outside / "index.sqlite.1.new").write_bytes(b"another app's temporary")
    before = snapshot(outside)
    (root / ".mdnet").symlink_to(outside, target_is_directory=True)

    assert_answers_from_memory(root)
    assert run_cli("--vault", str(root), "index", "--rebuild").code == 0
    assert run_cli("--vault", str(root), "--today", DEMO_DATE, "history", "Ann").code == 0
    assert snapshot(outside) == before


@pytest.mark.parametrize("target_exists", [True, False])
def test_an_index_folder_whose_gitignore_is_a_link(tmp_path: Path, target_exists: bool) -> None:
    """A link at ``.mdnet/.gitignore``: old mdnet created the file it points at (a link to a missing file)."""
    root = make_vault(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    if target_exists:
        (outside / "profile").write_text("export PATH=/usr/bin\n", encoding="utf-8")
    (root / ".mdnet").mkdir()
    (root / ".mdnet" / ".gitignore").symlink_to(outside / "profile")
    before = snapshot(outside)

    assert_answers_from_memory(root)
    assert snapshot(outside) == before
    assert sorted(os.listdir(root / ".mdnet")) == [".gitignore"]  # nothing of mdnet's beside the link


def test_an_index_database_that_is_a_link_to_another_apps_database(tmp_path: Path) -> None:
    """Old mdnet opened the linked database, switched it to WAL (-wal and -shm beside it), then replaced the link."""
    root = make_vault(tmp_path)
    database = another_apps_database(tmp_path / "app" / "data.sqlite")
    before = snapshot(database.parent)
    (root / ".mdnet").mkdir()
    (root / ".mdnet" / "index.sqlite").symlink_to(database)

    assert_answers_from_memory(root)
    assert run_cli("--vault", str(root), "index", "--rebuild").code == 0
    assert snapshot(database.parent) == before  # same bytes and mtime, no -wal or -shm beside it
    assert (root / ".mdnet" / "index.sqlite").is_symlink()  # not deleted either: mdnet did not make it


@pytest.mark.parametrize("name", ["index.sqlite.lock", "index.sqlite-wal", "index.sqlite-shm", "123.new"])
def test_an_index_folder_holding_a_link_where_mdnet_writes(tmp_path: Path, name: str) -> None:
    """A link at the lock file, the WAL, the shared memory or a temporary's name, pointing at a missing file
    outside: old mdnet created the lock file there (and SQLite its WAL and shared memory)."""
    root = make_vault(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept").write_text("kept\n", encoding="utf-8")
    before = snapshot(outside)
    (root / ".mdnet").mkdir()
    (root / ".mdnet" / name).symlink_to(outside / "made-by-mdnet")

    assert_answers_from_memory(root)
    assert run_cli("--vault", str(root), "index", "--rebuild").code == 0
    assert snapshot(outside) == before
    assert (root / ".mdnet" / name).is_symlink()


def test_a_force_added_history_cache_that_is_a_link(tmp_path: Path) -> None:
    """``.mdnet/git-history.json -> ../../fake_bashrc`` committed with ``git add -f``: old mdnet read the
    target as its cache (a crafted commit subject printed) and replaced it with the new cache."""
    root = make_vault(tmp_path)
    assert run_cli("--vault", str(root), "history", "Ann").code == 0  # a real cache, to craft the fake from
    cache = root / ".mdnet" / "git-history.json"
    fake = tmp_path / "fake_bashrc"
    fake.write_bytes(cache.read_bytes().replace(b'"initial"', b'"PWNED; touch pwned #"'))
    assert b"PWNED" in fake.read_bytes()
    cache.unlink()
    cache.symlink_to(Path("..") / ".." / "fake_bashrc")
    git(root, "add", "-f", ".mdnet/git-history.json")
    git(root, "commit", "-q", "-m", "add a cache")
    os.utime(fake, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = fake.read_bytes(), fake.stat().st_mtime_ns

    result = run_cli("--vault", str(root), "--today", DEMO_DATE, "history", "Ann", "--json")
    assert result.code == 0, result.err
    texts = [item["text"] for item in json.loads(result.out)["items"]]
    assert "initial" in texts and not any("PWNED" in text for text in texts)
    assert REFUSED in result.err
    assert (fake.read_bytes(), fake.stat().st_mtime_ns) == before
    assert cache.is_symlink() and not (tmp_path / "pwned").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake_bashrc", "vault"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a folder away")
def test_an_index_folder_another_user_owns_is_refused(tmp_path: Path) -> None:
    """A ``.mdnet`` owned by neither this user nor the vault's owner is not one mdnet made here."""
    root = make_vault(tmp_path)
    folder = root / ".mdnet"
    folder.mkdir()
    os.chown(folder, 4321, 4321)
    assert_answers_from_memory(root)
    assert os.listdir(folder) == []


def test_an_index_folder_mdnet_made_is_used_and_kept(tmp_path: Path) -> None:
    """The ordinary case: mdnet makes ``.mdnet/`` with its .gitignore, the index and the history cache."""
    root = make_vault(tmp_path)
    result = run_cli("--vault", str(root), "--today", DEMO_DATE, "due", "--json")
    assert (result.code, result.err) == (0, "")
    assert run_cli("--vault", str(root), "history", "Ann").code == 0
    assert {".gitignore", "index.sqlite", "index.sqlite.lock", "git-history.json"} <= set(os.listdir(root / ".mdnet"))
    with Vault.open(root) as vault:
        assert vault.indexed().path == root / ".mdnet" / "index.sqlite"
        assert vault.in_memory_because is None


# -- the helpers under it: nothing follows or removes a link ---------------------------------------------------


def test_deleting_the_index_files_leaves_links_and_their_targets(tmp_path: Path) -> None:
    outside = another_apps_database(tmp_path / "outside" / "app.sqlite")
    (tmp_path / "outside" / "app.sqlite-wal").write_bytes(b"wal")
    before = snapshot(outside.parent)
    folder = tmp_path / "index"
    folder.mkdir()
    (folder / "index.sqlite").symlink_to(outside)
    (folder / "index.sqlite-wal").symlink_to(tmp_path / "outside" / "app.sqlite-wal")
    (folder / "77.new").symlink_to(outside)
    index_file.delete_files(folder / "index.sqlite")
    index_file.delete_temporaries(folder)
    index_file.delete_database(folder / "index.sqlite")
    assert sorted(os.listdir(folder)) == ["77.new", "index.sqlite", "index.sqlite-wal"]
    assert snapshot(outside.parent) == before


def test_a_cache_file_is_read_and_written_without_following_a_link(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"secret")
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "c.json").symlink_to(target)
    with pytest.raises(OSError, match="symbolic links"):
        files.read_own_file(folder / "c.json")
    files.write_own_file(folder / "c.json", b"cache")
    assert target.read_bytes() == b"secret"
    assert not (folder / "c.json").is_symlink() and (folder / "c.json").read_bytes() == b"cache"
