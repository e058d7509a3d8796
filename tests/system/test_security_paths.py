"""Links committed to a vault never make mdnet read or write outside it (issue 20, items 1 and 3).

Each test builds a hostile vault in a temp folder with a FAKE target outside it (never the
real home folder), runs mdnet, and proves the target unchanged (bytes and mtime), nothing
created outside, nothing printed from it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mdnet import OutsideVault
from mdnet.store import files
from tests.conftest import DEMO_DATE, run_cli

SECRET = "SECRET-do-not-copy-4711"
JANE = "---\nname: Jane Doe\ncadence: 30d\nlast_contact: 2026-10-01\n---\n# Jane Doe\n\n## Log\n"


def fake(path: Path, text: str = f"# fake start-up file\nexport TOKEN={SECRET}\n") -> Path:
    """A fake target outside the vault, with an old mtime so that a write would show."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    return path


def state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def cli(vault: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("--vault", str(vault), "--today", DEMO_DATE, *args)
    return result.code, result.out, result.err


@pytest.fixture
def hostile(vault_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A vault whose ``people/c.md`` links to ``fake_bashrc`` outside it (row 1 of the table)."""
    target = fake(tmp_path / "fake_bashrc")
    (vault_dir / "people" / "Jane Doe.md").write_text(JANE, encoding="utf-8")
    (vault_dir / "people" / "c.md").symlink_to(Path("..") / ".." / "fake_bashrc")
    return vault_dir, target


def test_a_daily_tick_on_a_note_linked_out_writes_nothing_there(hostile: tuple[Path, Path]) -> None:
    vault, target = hostile
    before = state(target)
    daily = vault / "daily" / f"{DEMO_DATE}.md"
    daily.parent.mkdir()
    daily.write_text("# day\n\n<!-- mdnet:begin -->\n- [x] [[c]] call: hi; touch pwned #\n<!-- mdnet:end -->\n")
    code, out, err = cli(vault, "daily")
    assert state(target) == before
    assert "people/c.md" in err and "links outside the vault" in err
    assert SECRET not in out + err
    assert listing(target.parent) == sorted(["fake_bashrc", "vault", *(f"vault/{p}" for p in listing(vault))])


@pytest.mark.parametrize(
    "args",
    [
        ["log", "c", "call: hi; touch pwned #"],
        ["followup", "c", "2w"],
        ["snooze", "c", "2w"],
        ["log", "people/c.md", "hi"],
    ],
)
def test_commands_refuse_a_note_linked_out(hostile: tuple[Path, Path], args: list[str]) -> None:
    vault, target = hostile
    before = state(target)
    code, out, err = cli(vault, *args)
    assert code != 0
    assert state(target) == before
    assert SECRET not in out + err
    assert err.count("mdnet: error:") == 1


def test_an_import_does_not_write_through_a_note_linked_out(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    vault, target = hostile
    before = state(target)
    card = tmp_path / "c.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:c\r\nN:;c;;;\r\nEMAIL:c@example.com\r\nEND:VCARD\r\n")
    code, out, err = cli(vault, "import", "vcard", str(card))
    assert state(target) == before
    assert SECRET not in out + err


def test_a_note_linked_into_the_git_folder_is_never_read_or_written(vault_dir: Path) -> None:
    (vault_dir / ".git").mkdir()
    config = fake(vault_dir / ".git" / "config", f"[core]\n\tname = {SECRET}\n")
    before = state(config)
    (vault_dir / "people" / "x.md").symlink_to(Path("..") / ".git" / "config")
    code, out, err = cli(vault_dir, "list")
    assert "people/x.md" in err and "hidden folder" in err
    code, out, err = cli(vault_dir, "log", "people/x.md", "hi")
    assert code != 0 and state(config) == before and SECRET not in out + err


def test_a_note_linked_inside_the_vault_is_read_and_written_where_it_points(vault_dir: Path) -> None:
    shared = vault_dir / "shared"
    shared.mkdir()
    (shared / "Jane Doe.md").write_text(JANE, encoding="utf-8")
    (vault_dir / "people" / "Jane Doe.md").symlink_to(Path("..") / "shared" / "Jane Doe.md")
    code, out, err = cli(vault_dir, "log", "Jane Doe", "coffee at the harbour", "--no-commit")
    assert code == 0, err
    assert (vault_dir / "people" / "Jane Doe.md").is_symlink()
    assert "coffee at the harbour" in (shared / "Jane Doe.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["brief", "search"])
def test_brief_and_search_never_print_a_note_linked_out(vault_dir: Path, tmp_path: Path, command: str) -> None:
    target = fake(tmp_path / "secret.md", f"---\nname: Sam Secret\n---\n# Sam\n\n{SECRET}\n")
    (vault_dir / "people" / "Jane Doe.md").write_text(JANE + "\nknows [[s]]\n", encoding="utf-8")
    (vault_dir / "people" / "s.md").symlink_to(target)
    before = state(target)
    code, out, err = cli(vault_dir, command, "Sam")
    assert SECRET not in out + err
    code, out, err = cli(vault_dir, "search", SECRET.split("-")[-1])
    assert "Sam" not in out and out.count(SECRET.split("-")[-1]) <= 1  # at most the query, echoed
    assert state(target) == before


def test_a_daily_template_linked_out_is_never_copied(vault_dir: Path, tmp_path: Path) -> None:
    target = fake(tmp_path / "environ", f"HOME=/x\0TOKEN={SECRET}\0")
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates" / "daily.md").symlink_to(target)
    code, out, err = cli(vault_dir, "daily")
    assert code == 0, err
    note = (vault_dir / "daily" / f"{DEMO_DATE}.md").read_text(encoding="utf-8")
    assert SECRET not in note + out + err
    assert "templates/daily.md" in err and "links outside the vault" in err  # a warning; the built-in default


def test_a_contact_template_linked_out_is_refused(vault_dir: Path, tmp_path: Path) -> None:
    target = fake(tmp_path / "fake_ssh_key", f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n")
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates" / "contact.md").symlink_to(target)
    before_notes = listing(vault_dir / "people")
    code, out, err = cli(vault_dir, "add", "New Person")
    assert code != 0
    assert "templates/contact.md: links outside the vault" in err
    assert SECRET not in out + err
    assert listing(vault_dir / "people") == before_notes


@pytest.mark.parametrize("linked", ["daily", "drafts"])
def test_a_daily_or_drafts_folder_linked_out_gets_nothing(vault_dir: Path, tmp_path: Path, linked: str) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (vault_dir / linked).symlink_to(outside)
    (vault_dir / "people" / "Jane Doe.md").write_text(JANE, encoding="utf-8")
    if linked == "daily":
        code, out, err = cli(vault_dir, "daily")
    else:
        (vault_dir / "templates").mkdir()
        (vault_dir / "templates" / "hello.md").write_text("Hi {{ first_name }}\n", encoding="utf-8")
        code, out, err = cli(vault_dir, "draft", "hello", "--log")
    assert code != 0
    assert "links outside the vault" in err
    assert listing(outside) == []
    assert (vault_dir / "people" / "Jane Doe.md").read_text(encoding="utf-8") == JANE


@pytest.mark.parametrize("name", ["mdnet.toml", ".obsidian/daily-notes.json"])
def test_config_files_linked_out_are_refused(vault_dir: Path, tmp_path: Path, name: str) -> None:
    target = fake(tmp_path / "fake.conf", f'{{"folder": "{SECRET}"}}\n')
    (vault_dir / name).parent.mkdir(exist_ok=True)
    (vault_dir / name).unlink(missing_ok=True)
    (vault_dir / name).symlink_to(target)
    before = state(target)
    code, out, err = cli(vault_dir, "daily")
    assert code != 0
    assert f"{name}: links outside the vault" in err
    assert SECRET not in out + err
    assert state(target) == before
    assert not (vault_dir / "daily").exists()


def test_git_files_linked_out_are_never_written(vault_dir: Path, tmp_path: Path) -> None:
    from mdnet.config import Config
    from mdnet.git.sync import write_attributes
    from mdnet.vault.scaffold import init_vault

    ignore = fake(tmp_path / "fake_ignore")
    attributes = fake(tmp_path / "fake_attributes")
    (vault_dir / ".gitignore").symlink_to(ignore)
    (vault_dir / ".gitattributes").symlink_to(attributes)
    before = state(ignore), state(attributes)
    with pytest.raises(OutsideVault, match=".gitignore: links outside the vault"):
        init_vault(vault_dir)
    with pytest.raises(OutsideVault, match=".gitattributes: links outside the vault"):
        write_attributes(vault_dir, Config())
    assert (state(ignore), state(attributes)) == before


def test_the_writes_refuse_a_target_whose_folder_leaves_the_vault(vault_dir: Path, tmp_path: Path) -> None:
    """The rule itself, below every command: refused before anything is written."""
    outside = tmp_path / "elsewhere"
    target = fake(outside / "note.md")
    before = state(target)
    (vault_dir / "linked").symlink_to(outside)
    (vault_dir / "people" / "note.md").symlink_to(target)
    for write in (
        lambda: files.write_if_unchanged(vault_dir / "people" / "note.md", b"x", before[0], "n", root=vault_dir),
        lambda: files.replace_atomically(vault_dir / "linked" / "note.md", b"x", "n", root=vault_dir),
        lambda: files.create_new(vault_dir / "linked" / "new.md", b"x", "n", root=vault_dir),
        lambda: files.read_note(str(vault_dir), "people/note.md", 0),
    ):
        with pytest.raises(OutsideVault):
            write()
    assert state(target) == before and listing(outside) == ["note.md"]


CONTACT_OUTSIDE = "---\nname: C Outside\nemail: c@x.example\n---\n# C\n\n## Log\n"


def test_mail_scan_writes_nothing_through_a_note_linked_out(vault_dir: Path, tmp_path: Path) -> None:
    """The linked-out note looks like a contact with an address; were it read, mail to that address
    would be logged into the file outside (row 2 of the table: `mail scan`)."""
    import mailbox
    from email.message import EmailMessage

    target = fake(tmp_path / "outside_contact.md", CONTACT_OUTSIDE)
    (vault_dir / "people" / "c.md").symlink_to(Path("..") / ".." / "outside_contact.md")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "me@mine.example", "c@x.example", "hi; touch pwned #"
    message["Date"], message["Message-ID"] = "Mon, 16 Nov 2026 09:00:00 -0700", "<one@x.example>"
    message.set_content("hello\n")
    box = mailbox.Maildir(str(tmp_path / "box"), create=True)
    box.add(message)
    box.close()
    (vault_dir / "mdnet.toml").write_text('me = ["me@mine.example"]\n', encoding="utf-8")
    before = state(target)
    code, out, err = cli(vault_dir, "mail", "scan", str(tmp_path / "box"))
    assert code == 0, err
    assert state(target) == before
    assert "hi; touch pwned" not in out  # nothing logged for a contact read from outside


def test_watch_daily_writes_nothing_through_a_note_linked_out(hostile: tuple[Path, Path]) -> None:
    """Row 1 with no command from the user: the watcher's daily note logs ticks by itself."""
    import datetime as dt
    import time

    from mdnet.watch.watcher import Watcher

    vault, target = hostile
    before = state(target)
    daily = vault / "daily" / f"{DEMO_DATE}.md"
    daily.parent.mkdir()
    daily.write_text("# day\n\n<!-- mdnet:begin -->\n- [x] [[c]] call: hi; touch pwned #\n<!-- mdnet:end -->\n")
    watcher = Watcher(vault, quiet=0.1, settle=0.2, daily=True, today=lambda: dt.date.fromisoformat(DEMO_DATE))
    try:
        watcher.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("daily note" in line for line in watcher.messages):
            time.sleep(0.05)
        assert any("daily note" in line for line in watcher.messages), watcher.messages
        daily.write_text(daily.read_text(encoding="utf-8") + "\nmore\n", encoding="utf-8")  # a save: a refresh
        time.sleep(1.0)
    finally:
        watcher.stop()
    assert state(target) == before
    assert SECRET not in "\n".join(watcher.messages)
