"""Issue 19: every command that commits exits 1 when git refuses the commit (a stale ``index.lock``), and keeps
the change on disk for the next commit (``mail scan``, ``daily``; ``log`` is in test_git_concurrency.py)."""

from __future__ import annotations

import json
import mailbox
import os
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import git, run_cli

CONFIG = 'contact_dirs = ["people"]\nme = ["me@mine.example"]\n'
JANE = (
    "---\nname: Jane Doe\nemail: jane@acme.example\ncadence: 30d\nlast_contact: 2026-10-21\n---\n# Jane Doe\n\n## Log\n"
)
BOB = "---\nname: Bob Baker\nemail: bob@globex.example\n---\n# Bob Baker\n\n## Log\n"


def _stale_lock(root: Path) -> Path:
    """git's index.lock as a killed git leaves it: nobody holds it, a minute old."""
    lock = root / ".git" / "index.lock"
    lock.write_text("")
    os.utime(lock, (time.time() - 60, time.time() - 60))
    return lock


def _sent(to: str, subject: str, mid: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Me <me@mine.example>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Wed, 18 Nov 2026 09:00:00 +0000"
    message["Message-ID"] = mid
    message.set_content("hello\n")
    return message


@pytest.fixture
def vault(git_vault: Path) -> Path:
    (git_vault / "mdnet.toml").write_text(CONFIG)
    (git_vault / "people" / "Jane Doe.md").write_text(JANE)
    (git_vault / "people" / "Bob Baker.md").write_text(BOB)
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "contacts")
    return git_vault


@pytest.mark.slow
def test_mail_scan_exits_1_on_a_stale_lock_and_keeps_the_entries(vault: Path, tmp_path: Path) -> None:
    box = mailbox.mbox(str(tmp_path / "sent.mbox"), create=True)
    box.add(mailbox.mboxMessage(_sent("jane@acme.example", "The pilot", "<s1@mine.example>")))
    box.add(mailbox.mboxMessage(_sent("bob@globex.example", "The print shop", "<s2@mine.example>")))
    box.close()
    head = git(vault, "rev-parse", "HEAD").strip()
    lock = _stale_lock(vault)
    started = time.monotonic()
    first = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(tmp_path / "sent.mbox"))
    assert first.code == 1, first.out + first.err
    assert time.monotonic() - started < 20  # the second note is not tried for seconds more once git is locked
    assert f"rm -f {lock}" in first.out
    assert lock.exists()  # never removed by mdnet
    assert git(vault, "rev-parse", "HEAD").strip() == head
    assert "- 2026-11-18 email: The pilot" in (vault / "people" / "Jane Doe.md").read_text()
    assert "- 2026-11-18 email: The print shop" in (vault / "people" / "Bob Baker.md").read_text()
    lock.unlink()
    again = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(tmp_path / "sent.mbox"))
    assert again.code == 0, again.out + again.err
    jane = (vault / "people" / "Jane Doe.md").read_text()
    assert jane.count("The pilot") == 1  # kept, not written twice
    # the next scan commits each note it finds its lines in and that differs from HEAD, not a bare record
    assert "committed people/Jane Doe.md, written earlier" in again.out
    assert "committed people/Bob Baker.md, written earlier" in again.out
    assert git(vault, "status", "--porcelain", "--", "people") == ""
    assert git(vault, "show", "HEAD:people/Jane Doe.md").count("- 2026-11-18 email: The pilot") == 1
    assert git(vault, "show", "HEAD:people/Bob Baker.md").count("- 2026-11-18 email: The print shop") == 1
    messages = git(vault, "log", f"{head}..HEAD", "--format=%B%x00").split("\0")
    jane_commit = next(m for m in messages if "Contact: Jane Doe" in m)
    assert jane_commit.strip().startswith("Log email with Jane Doe: The pilot")
    assert "Message-ID: <s1@mine.example>" in jane_commit
    assert "Also committed here, written earlier: - 2026-11-18 email: The pilot" in jane_commit
    changed = git(vault, "diff", "--name-only", f"{head}..HEAD").splitlines()
    assert changed == ["people/Bob Baker.md", "people/Jane Doe.md"]
    # recorded once: a third scan has nothing to do, and history pairs the entry with its commit
    third = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(tmp_path / "sent.mbox"))
    assert third.code == 0 and "2 handled before" in third.out, third.out
    assert git(vault, "rev-list", "--count", f"{head}..HEAD").strip() == "2"
    shown = run_cli("--vault", str(vault), "--today", "2026-11-25", "history", "Jane Doe", "--json")
    item = next(i for i in json.loads(shown.out)["items"] if i["text"] == "The pilot")
    assert item["commit"] == git(vault, "log", "-1", "--format=%H", "--", "people/Jane Doe.md").strip()


@pytest.mark.slow
def test_daily_exits_1_when_a_ticked_task_cannot_be_committed(vault: Path) -> None:
    day = "2026-11-25"
    made = run_cli("--vault", str(vault), "--today", day, "daily")
    assert made.code == 0, made.err
    note = vault / "daily" / f"{day}.md"
    text = note.read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("- [ ] [[Jane Doe]]"))
    note.write_text(text.replace(line, line.replace("- [ ]", "- [x]", 1), 1))
    head = git(vault, "rev-parse", "HEAD")
    lock = _stale_lock(vault)
    ticked = run_cli("--vault", str(vault), "--today", day, "daily")
    assert ticked.code == 1, ticked.out + ticked.err
    assert f"rm -f {lock}" in ticked.out
    assert git(vault, "rev-parse", "HEAD") == head
    assert "- 2026-11-25 followed up from the daily note" in (vault / "people" / "Jane Doe.md").read_text()
    lock.unlink()
    again = run_cli("--vault", str(vault), "--today", day, "daily")
    assert again.code == 0, again.out + again.err
    assert (vault / "people" / "Jane Doe.md").read_text().count("followed up from the daily note") == 1
    logged = run_cli("--vault", str(vault), "--today", day, "log", "Jane Doe", "coffee")
    assert logged.code == 0, logged.out + logged.err
    assert "followed up from the daily note" in git(vault, "show", "HEAD:people/Jane Doe.md")


MEETING = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//mdnet tests//EN\r
BEGIN:VEVENT\r
UID:pilot-review@mine.example\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261118T150000Z\r
DTEND:20261118T160000Z\r
SUMMARY:Pilot review\r
ORGANIZER:mailto:me@mine.example\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@mine.example\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:jane@acme.example\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.mark.slow
def test_calendar_scan_commits_next_time_what_a_failed_commit_left(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    ics = tmp_path / "cal.ics"
    ics.write_text(MEETING)
    head = git(vault, "rev-parse", "HEAD").strip()
    lock = _stale_lock(vault)
    args = ("--vault", str(vault), "--today", "2026-11-25", "calendar", "scan", str(ics))
    try:
        first = run_cli(*args)
        assert first.code == 1, first.out + first.err
        assert f"rm -f {lock}" in first.out
        entry = "- 2026-11-18 15:00 meeting: Pilot review"
        assert entry in (vault / "people" / "Jane Doe.md").read_text()
        assert git(vault, "rev-parse", "HEAD").strip() == head
        lock.unlink()
        again = run_cli(*args)
        assert again.code == 0, again.out + again.err
        assert "committed people/Jane Doe.md, written earlier" in again.out
        assert (vault / "people" / "Jane Doe.md").read_text().count(entry) == 1
        assert git(vault, "status", "--porcelain", "--", "people") == ""
        assert git(vault, "show", "HEAD:people/Jane Doe.md").count(entry) == 1
        message = git(vault, "log", "-1", "--format=%B")
        assert message.startswith("Log meeting with Jane Doe: Pilot review")
        assert "Calendar-Event: pilot-review@mine.example" in message
        assert git(vault, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
        third = run_cli(*args)
        assert third.code == 0, third.out + third.err
        assert git(vault, "rev-list", "--count", f"{head}..HEAD").strip() == "1"  # recorded: nothing more
    finally:
        monkeypatch.undo()
        time.tzset()


CAROL_CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:carol-1\r\nFN:Carol Chen\r\nN:Chen;Carol;;;\r\nTEL:{phone}\r\nEND:VCARD\r\n"
)


@pytest.mark.slow
def test_vdir_sync_commits_next_time_what_a_failed_commit_left(vault: Path, tmp_path: Path) -> None:
    folder = tmp_path / "contacts"
    folder.mkdir()
    card = folder / "carol-1.vcf"
    card.write_text(CAROL_CARD.format(phone="+1 555 0100"))
    args = ("--vault", str(vault), "--today", "2026-11-25", "vdir", "sync", str(folder))
    made = run_cli(*args)
    assert made.code == 0, made.out + made.err
    assert git(vault, "status", "--porcelain", "--", "people") == ""
    head = git(vault, "rev-parse", "HEAD").strip()
    card.write_text(CAROL_CARD.format(phone="+1 555 0199 ext 2"))  # the phone changed it
    lock = _stale_lock(vault)
    failed = run_cli(*args)
    assert failed.code == 1, failed.out + failed.err
    assert f"rm -f {lock}" in failed.out + failed.err
    carol = vault / "people" / "Carol Chen.md"
    assert "0199 ext 2" in carol.read_text()
    assert git(vault, "rev-parse", "HEAD").strip() == head
    lock.unlink()
    again = run_cli(*args)
    assert again.code == 0, again.out + again.err
    assert "committed note people/Carol Chen.md: written by an earlier sync" in again.out
    assert git(vault, "status", "--porcelain", "--", "people") == ""
    assert git(vault, "show", "HEAD:people/Carol Chen.md").count("0199 ext 2") == 1
    assert "Contact: Carol Chen" in git(vault, "log", "-1", "--format=%B")
    third = run_cli(*args)
    assert third.code == 0, third.out + third.err
    assert git(vault, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
