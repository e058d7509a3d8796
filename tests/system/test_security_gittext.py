"""Text that reaches git is made safe: names on one line, trailers trusted only when mdnet wrote them,
and nothing from the vault reaches git as an option (issue 20, item 5)."""

from __future__ import annotations

import json
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from mdnet.git import commit_text
from mdnet.watch.report import commit_message as watch_message
from tests.conftest import git, run_cli

FORGED = "<real@x.example>"
EVIL_EVE = '---\nname: "Eve\\nMessage-ID: <real@x.example>"\nemail: eve@x.example\n---\n# Eve\n\n## Log\n'
EVE = "---\nname: Eve\nemail: eve@x.example\n---\n# Eve\n\n## Log\n"


def mail(mid: str, subject: str, date: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "me@mine.example"
    message["To"] = "Eve <eve@x.example>"
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = mid
    message.set_content("hello\n")
    return message


def mailbox_with(path: Path, kind: str, messages: list[EmailMessage]) -> Path:
    box: mailbox.Mailbox[mailbox.Message]
    box = mailbox.Maildir(str(path), create=True) if kind == "maildir" else mailbox.mbox(str(path), create=True)
    for message in messages:
        box.add(message)
    box.close()
    return path


@pytest.fixture
def eve_vault(git_vault: Path) -> Path:
    (git_vault / "mdnet.toml").write_text('contact_dirs = ["people"]\nme = ["me@mine.example"]\n', encoding="utf-8")
    (git_vault / "people" / "eve.md").write_text(EVE, encoding="utf-8")
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "contacts")
    return git_vault


def scan(vault: Path, box: Path) -> str:
    result = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(box))
    assert result.code == 0, result.err
    return result.out


@pytest.mark.parametrize("kind", ["maildir", "mbox"])
def test_a_name_with_a_newline_cannot_make_mail_scan_skip_a_real_mail(
    eve_vault: Path, tmp_path: Path, kind: str
) -> None:
    """Two layers: a name on two lines leaves its note out (a check error), so no commit names it; and
    what does reach a commit is flattened (see the log and autocommit tests below)."""
    note = eve_vault / "people" / "eve.md"
    note.write_text(EVIL_EVE, encoding="utf-8")
    git(eve_vault, "commit", "-q", "-am", "a name on two lines")
    first = mail("<first@x.example>", "first", "Mon, 16 Nov 2026 09:00:00 -0700")
    scan(eve_vault, mailbox_with(tmp_path / f"one-{kind}", kind, [first]))
    messages = git(eve_vault, "log", "--format=%B%x00").split("\0")
    assert all(line != f"Message-ID: {FORGED}" for text in messages for line in text.splitlines())

    note.write_text(EVE, encoding="utf-8")  # the user fixes the name; the real mail then comes
    git(eve_vault, "commit", "-q", "-am", "fix the name")
    real = mail(FORGED, "the real one", "Tue, 17 Nov 2026 09:00:00 -0700")
    out = scan(eve_vault, mailbox_with(tmp_path / f"two-{kind}", kind, [real]))
    assert "0 handled before" in out
    assert "- 2026-11-17 email: the real one" in note.read_text(encoding="utf-8")
    assert git(eve_vault, "log", "-1", "--format=%(trailers:key=Message-ID,valueonly)").split() == [FORGED]


def test_a_message_id_trailer_in_a_users_own_commit_is_not_trusted(eve_vault: Path, tmp_path: Path) -> None:
    (eve_vault / "notes.md").write_text("x\n", encoding="utf-8")
    git(eve_vault, "add", "notes.md")
    git(eve_vault, "commit", "-q", "-m", f"my notes\n\nMessage-ID: {FORGED}\nContact: Eve\n")
    real = mail(FORGED, "the real one", "Tue, 17 Nov 2026 09:00:00 -0700")
    out = scan(eve_vault, mailbox_with(tmp_path / "box", "maildir", [real]))
    assert "0 handled before" in out
    assert "email: the real one" in (eve_vault / "people" / "eve.md").read_text(encoding="utf-8")
    # and a second scan of the same mail skips it: mdnet's own trailer is trusted
    assert "1 handled before" in scan(eve_vault, tmp_path / "box")


def test_a_mail_commit_of_mdnet_before_the_marker_is_still_read(eve_vault: Path, tmp_path: Path) -> None:
    old = ("Log email with Eve: hi\n\n- log 2026-11-17 email: hi\n\nContact: Eve\nInteraction: email\n"
           f"Interaction-Date: 2026-11-17\nMessage-ID: {FORGED}\n")  # fmt: skip
    git(eve_vault, "commit", "-q", "--allow-empty", "-m", old)
    real = mail(FORGED, "hi", "Tue, 17 Nov 2026 09:00:00 -0700")
    assert "1 handled before" in scan(eve_vault, mailbox_with(tmp_path / "box", "maildir", [real]))


def test_history_does_not_read_trailers_a_user_or_a_name_wrote(eve_vault: Path) -> None:
    note = eve_vault / "people" / "eve.md"
    note.write_text(EVE + "- 2026-11-01 call: hello\n", encoding="utf-8")
    git(eve_vault, "commit", "-q", "-am", "edit\n\nInteraction: call\nInteraction-Date: 2026-11-01\n")
    result = run_cli("--vault", str(eve_vault), "history", "people/eve.md", "--json")
    assert result.code == 0, result.err
    items = json.loads(result.out)["items"]
    git_items = [item for item in items if item["source"] == "git"]
    assert [item["text"] for item in git_items] == ["edit", "contacts"]  # not taken as the log entry's commit
    assert all(item["kind"] is None for item in git_items)


def test_log_commit_puts_a_multiline_name_and_text_on_one_line(eve_vault: Path) -> None:
    result = run_cli("--vault", str(eve_vault), "--today", "2026-11-25", "log", "people/eve.md",
                     "a\nMessage-ID: <x@y>\u2028b", "--kind", "call")  # fmt: skip
    assert result.code == 0, result.err
    body = git(eve_vault, "log", "-1", "--format=%B")
    assert "\nMessage-ID:" not in body and "\u2028" not in body
    assert body.rstrip("\n").endswith("Interaction-Date: 2026-11-25\nMdnet: 1")


def test_autocommit_message_keeps_names_and_file_names_on_one_line() -> None:
    names = {"people/eve.md": "Eve\nMessage-ID: <real@x>", "people/a\n\nMessage-ID: <p@x>.md": "A\x1b[31m"}
    text = watch_message(sorted(names), names)
    assert not any(line.startswith("Message-ID") for line in text.splitlines())
    assert "\x1b" not in text
    block = text.rstrip("\n").split("\n\n")[-1]
    assert commit_text.trusted_trailers(block, text.splitlines()[0]) == [
        ("Contact", "A [31m"),
        ("Contact", "Eve Message-ID: <real@x>"),
    ]


def test_a_crafted_history_cache_head_is_never_an_option_to_git(eve_vault: Path, tmp_path: Path) -> None:
    target = tmp_path / "bashrc"
    target.write_text("# mine\n", encoding="utf-8")
    before = (target.read_bytes(), target.stat().st_mtime_ns)
    assert run_cli("--vault", str(eve_vault), "history", "people/eve.md").code == 0
    cache = eve_vault / ".mdnet" / "git-history.json"
    lines = cache.read_text(encoding="utf-8").split("\n")
    header = json.loads(lines[0])
    header["head"] = f"--output={target}"
    cache.write_text("\n".join([json.dumps(header), *lines[1:]]), encoding="utf-8")
    (eve_vault / "people" / "eve.md").write_text(EVE + "- 2026-11-01 call: hi\n", encoding="utf-8")
    git(eve_vault, "commit", "-q", "-am", "another")
    result = run_cli("--vault", str(eve_vault), "history", "people/eve.md", "--json")
    assert result.code == 0, result.err
    assert [item["text"] for item in json.loads(result.out)["items"] if item["source"] == "git"][0] == "another"
    assert (target.read_bytes(), target.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bashrc", "vault"]
