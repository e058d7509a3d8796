"""The atomic, conditional write under odd files: what the file was besides its bytes survives too."""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import DEMO_DATE, run_cli

NOTE = "---\nname: Jane Doe\n---\n# Jane\n\n## Log\n"


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("mode", [0o664, 0o660, 0o600, 0o640])
def test_a_logged_note_keeps_its_permissions_whatever_the_umask(
    vault_dir: Path, write_note: Callable[[str, str], Path], mode: int
) -> None:
    path = write_note("people/Jane Doe.md", NOTE)
    path.chmod(mode)
    code, _out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "log", "Jane", "coffee", "--no-commit")
    assert (code, err) == (0, "")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_text(encoding="utf-8").endswith("## Log\n- 2026-11-25 coffee\n")


def test_a_logged_note_keeps_its_extended_attributes(vault_dir: Path, write_note: Callable[[str, str], Path]) -> None:
    """The rename gives the note a new inode; tags other tools keep in xattrs must come along."""
    path = write_note("people/Jane Doe.md", NOTE)
    try:
        os.setxattr(path, "user.xdg.tags", b"client,warm")
        os.setxattr(path, "user.mdnet-test", b"\x00binary\xff")
    except (AttributeError, OSError) as exc:  # not Linux, or a file system without user attributes
        pytest.skip(f"no extended attributes here: {exc}")
    inode = path.stat().st_ino
    code, _out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "log", "Jane", "coffee", "--no-commit")
    assert (code, err) == (0, "")
    assert path.stat().st_ino != inode  # it was replaced, not written in place
    assert os.getxattr(path, "user.xdg.tags") == b"client,warm"
    assert os.getxattr(path, "user.mdnet-test") == b"\x00binary\xff"


@pytest.mark.parametrize("stem", ["A" * 240, "é" * 120, "Jane " + "x" * 245])
def test_a_note_with_a_long_file_name_can_be_written(
    vault_dir: Path, write_note: Callable[[str, str], Path], stem: str
) -> None:
    assert len((stem + ".md").encode("utf-8")) <= 255  # a name the file system takes
    path = write_note(f"people/{stem}.md", NOTE)
    code, out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "log", "Jane", "coffee", "--no-commit")
    assert (code, err) == (0, ""), out
    assert path.read_text(encoding="utf-8").endswith("## Log\n- 2026-11-25 coffee\n")
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary left behind


def test_a_read_only_note_is_not_replaced(vault_dir: Path, write_note: Callable[[str, str], Path]) -> None:
    path = write_note("people/Jane Doe.md", NOTE)
    path.chmod(0o444)
    code, _out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "log", "Jane", "coffee", "--no-commit")
    assert code == 1
    assert err == "mdnet: error: people/Jane Doe.md: is read-only; nothing was written (make it writable first)\n"
    assert path.read_text(encoding="utf-8") == NOTE
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert sorted(p.name for p in path.parent.iterdir()) == ["Jane Doe.md"]


def test_a_read_only_daily_note_is_not_replaced(vault_dir: Path) -> None:
    daily = vault_dir / "daily" / f"{DEMO_DATE}.md"
    daily.parent.mkdir()
    daily.write_text("# my own words\n", encoding="utf-8")
    daily.chmod(0o444)
    code, _out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "daily")
    assert code == 1
    assert "is read-only; nothing was written" in err
    assert daily.read_text(encoding="utf-8") == "# my own words\n"


def test_logging_to_a_note_of_properties_only_keeps_its_front_matter(
    vault_dir: Path, write_note: Callable[[str, str], Path]
) -> None:
    path = write_note("people/Jane Doe.md", "---\nname: Jane Doe\nneeds_reply: true\n---")  # as Obsidian saves it
    code, _out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "log", "Jane", "coffee", "--no-commit")
    assert (code, err) == (0, "")
    assert path.read_text(encoding="utf-8") == (
        "---\nname: Jane Doe\nneeds_reply: false\nlast_contact: 2026-11-25\n---\n## Log\n- 2026-11-25 coffee\n"
    )
    code, out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "show", "Jane", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["fields"]["needs_reply"] is False


def test_a_follow_up_note_with_a_control_character_leaves_the_note_readable(
    vault_dir: Path, write_note: Callable[[str, str], Path]
) -> None:
    write_note("people/Jane Doe.md", NOTE)
    code, _out, err = run_cli(
        "--vault",
        str(vault_dir),
        "--today",
        DEMO_DATE,
        "followup",
        "Jane",
        "6m",
        "--note",
        "ask\x07again",
        "--no-commit",
    )
    assert (code, err) == (0, "")
    code, out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "show", "Jane", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["fields"]["follow_up_note"] == "ask\x07again"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"node_modules/\r\n*.log\r\n", b"node_modules/\r\n*.log\r\n.mdnet/\r\n"),  # CRLF stays CRLF
        (b"node_modules/\r\n.mdnet/\r\n", b"node_modules/\r\n.mdnet/\r\n"),  # already there: untouched
        (b"\xef\xbb\xbf.mdnet/\n", b"\xef\xbb\xbf.mdnet/\n"),  # after a byte-order mark
        (b"caf\xe9/\n*.log", b"caf\xe9/\n*.log\n.mdnet/\n"),  # Latin-1: git reads bytes, so does mdnet
    ],
)
def test_init_adds_the_index_to_a_gitignore_in_its_own_bytes(tmp_path: Path, before: bytes, after: bytes) -> None:
    root = tmp_path / "net"
    root.mkdir()
    (root / ".gitignore").write_bytes(before)
    code, _out, err = run_cli("init", str(root))
    assert (code, err) == (0, "")
    assert (root / ".gitignore").read_bytes() == after
    assert (root / "mdnet.toml").is_file()


def test_log_refuses_to_change_a_date_that_an_alias_refers_to(
    vault_dir: Path, write_note: Callable[[str, str], Path]
) -> None:
    before = "---\nname: Jane Doe\nlast_contact: &met 2026-01-01\nfirst_met: *met\n---\n## Log\n"
    path = write_note("people/Jane Doe.md", before)
    code, _out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "log", "Jane", "coffee", "--no-commit")
    assert code == 1
    assert err.startswith("mdnet: error: people/Jane Doe.md: 'last_contact' is anchored as &met and *met refers to it")
    assert err.count("\n") == 1
    assert path.read_text(encoding="utf-8") == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_note_logged_by_root_still_belongs_to_its_owner(
    vault_dir: Path, write_note: Callable[[str, str], Path]
) -> None:
    path = write_note("people/Jane Doe.md", NOTE)
    os.chown(path, 4321, 4322)  # the vault's owner; root runs mdnet (sudo, a system cron job)
    code, _out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "log", "Jane", "coffee", "--no-commit")
    assert (code, err) == (0, "")
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (4321, 4322)  # else the owner's editor can no longer save it
    assert path.read_text(encoding="utf-8").endswith("- 2026-11-25 coffee\n")


@pytest.fixture
def no_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """link(2) as vfat and exfat answer it (a USB stick): a fault this machine's ext4 cannot give."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)


@pytest.mark.usefixtures("no_hard_links")
def test_add_works_on_a_file_system_without_hard_links(vault_dir: Path) -> None:
    code, out, err = run_cli("--vault", str(vault_dir), "add", "Jane Doe", "--category", "client")
    assert (code, err) == (0, ""), out
    note = vault_dir / "people" / "Jane Doe.md"
    assert "name: Jane Doe\n" in note.read_text(encoding="utf-8")
    assert sorted(p.name for p in note.parent.iterdir()) == ["Jane Doe.md"]  # no temporary left behind
    assert run_cli("--vault", str(vault_dir), "show", "Jane").code == 0


@pytest.mark.usefixtures("no_hard_links")
def test_without_hard_links_a_new_note_still_never_overwrites_one(vault_dir: Path) -> None:
    from mdnet.errors import FileChanged
    from mdnet.store import files

    target = vault_dir / "people" / "Jane Doe.md"
    target.write_text(NOTE, encoding="utf-8")
    with pytest.raises(FileChanged, match="already exists"):
        files.create_new(target, b"---\nname: Other\n---\n", "people/Jane Doe.md", root=vault_dir)
    assert target.read_text(encoding="utf-8") == NOTE
    assert sorted(p.name for p in target.parent.iterdir()) == ["Jane Doe.md"]
