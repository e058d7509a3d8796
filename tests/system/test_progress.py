"""Progress bars (issue 17 item 6): on stderr when it is a terminal, never on a pipe nor with --json.

Each command family runs as a new process twice: stderr a pipe (no bar), then stderr a pseudo-terminal
(a bar). ``MDNET_PROGRESS_AFTER=0`` (for tests only, docs/commands.md) draws a bar at once instead of
after a second of work, so a small vault is enough and nothing sleeps.
"""

from __future__ import annotations

import mailbox
import os
import pty
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import git, run_mdnet_process

AT_ONCE = {"MDNET_PROGRESS_AFTER": "0", "COLUMNS": "100"}
TODAY = "2026-11-25"
BAR = "━"  # rich's bar


def _on_a_terminal(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Exit code and what ``mdnet ARGS`` wrote to stderr, a pseudo-terminal (stdout to a file)."""
    leader, follower = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MDNET_")}
    full_env.update(env or {})
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([sys.executable, "-m", "mdnet", "--today", TODAY, *args], cwd=cwd, stdout=out,
                                   stderr=follower, stdin=subprocess.DEVNULL, env=full_env)  # fmt: skip
        os.close(follower)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower closed: the process ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=120)
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace")


def _contacts(vault: Path, count: int) -> None:
    for n in range(count):
        note = f"---\nname: Person {n:03}\nemail: p{n}@x.example\ncadence: 30d\n---\n# Person {n:03}\n"
        (vault / "people" / f"P{n:03}.md").write_text(note, encoding="utf-8")


@pytest.fixture
def vault(git_vault: Path) -> Path:
    (git_vault / "mdnet.toml").write_text('contact_dirs = ["people"]\nme = ["me@mine.example"]\n'
                                          'my_emails = ["me@mine.example"]\n', encoding="utf-8")  # fmt: skip
    _contacts(git_vault, 250)  # more than one batch of the serial parse (200): the bar moves
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "contacts")
    return git_vault


def _vcards(tmp: Path) -> list[str]:
    cards = "".join(f"BEGIN:VCARD\nVERSION:3.0\nFN:New {n}\nN:{n};New;;;\nEMAIL:new{n}@y.example\nEND:VCARD\n"
                    for n in range(5))  # fmt: skip
    (tmp / "cards.vcf").write_text(cards, encoding="utf-8")
    return ["import", "vcard", str(tmp / "cards.vcf")]


def _mbox(tmp: Path) -> list[str]:
    box = mailbox.mbox(str(tmp / "sent.mbox"), create=True)
    for n in range(3):
        message = EmailMessage()
        message["From"] = "me@mine.example"
        message["To"] = f"p{n}@x.example"
        message["Subject"] = f"hello {n}"
        message["Date"] = f"Fri, 20 Nov 2026 10:0{n}:00 +0000"
        message["Message-ID"] = f"<m{n}@mine.example>"
        message.set_content("hi")
        box.add(mailbox.mboxMessage(message))
    box.close()
    return ["mail", "scan", str(tmp / "sent.mbox")]


def _ics(tmp: Path) -> list[str]:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{n}@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:202611{10 + n}T100000Z\r\n"
        f"DTEND:202611{10 + n}T110000Z\r\nSUMMARY:Coffee {n}\r\nORGANIZER:mailto:me@mine.example\r\n"
        f"ATTENDEE:mailto:p{n}@x.example\r\nEND:VEVENT\r\n"
        for n in range(3)
    )
    (tmp / "cal.ics").write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{events}END:VCALENDAR\r\n",
                                 encoding="utf-8")  # fmt: skip
    return ["calendar", "scan", str(tmp / "cal.ics")]


def _vdir(tmp: Path) -> list[str]:
    (tmp / "cards").mkdir()
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1\r\nFN:Phone Friend\r\nN:Friend;Phone;;;\r\nEND:VCARD\r\n"
    (tmp / "cards" / "card-1.vcf").write_text(card, encoding="utf-8")
    return ["vdir", "sync", str(tmp / "cards")]


def _index(tmp: Path) -> list[str]:
    return ["due"]


def _stats(tmp: Path) -> list[str]:
    return ["stats"]


@pytest.mark.parametrize(
    ("make", "bar_text"),
    [
        (_index, "indexing notes"),
        (_vcards, "importing contacts"),
        (_mbox, "reading mailboxes"),
        (_ics, "writing notes"),
        (_vdir, "writing new cards"),
        (_stats, "reading contacts"),
    ],
    ids=["cold index", "import vcard", "mail scan", "calendar scan", "vdir sync", "stats"],
)
def test_a_bar_on_a_terminal_and_none_on_a_pipe(
    vault: Path, tmp_path: Path, make: Callable[[Path], list[str]], bar_text: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    args = make(outside)
    code, err = _on_a_terminal(vault, *args, env=AT_ONCE)  # the vault's first command: its index is cold
    assert code == 0, err
    assert bar_text in err and BAR in err, err
    if bar_text != "indexing notes":
        assert "indexing notes" in err  # every command that opens the vault indexes it first
    shutil.rmtree(vault / ".mdnet")  # cold again
    piped = run_mdnet_process("--today", TODAY, *args, cwd=vault, env=AT_ONCE)
    assert piped.code == 0, piped
    assert BAR not in piped.err and bar_text not in piped.err and "indexing notes" not in piped.err, piped.err


def test_no_bar_with_json_on_a_terminal(vault: Path) -> None:
    code, err = _on_a_terminal(vault, "due", "--json", env=AT_ONCE)
    assert code == 0, err
    assert err == "", err


def test_no_bar_for_quick_work(vault: Path) -> None:
    code, err = _on_a_terminal(vault, "due", env={"COLUMNS": "100"})  # 250 notes: well under a second
    assert code == 0, err
    assert "indexing notes" not in err and BAR not in err, err


def test_the_bar_stops_when_the_work_ends() -> None:
    """A bar erased once its work is done: the next piece of work waits its own second before it shows."""
    from mdnet.cli.progress import ProgressBar

    bar = ProgressBar("work")
    bar.enabled = True  # as on a terminal; nothing is drawn while the threshold is not reached
    bar.after = 3600.0
    bar(0, 10)
    bar(5, 10)
    assert bar._bar is None and bar._started is not None
    bar(10, 10)
    assert bar._started is None  # the piece of work ended: the next starts its own clock


def test_work_that_reports_nothing_for_a_while_gets_its_bar() -> None:
    """Reading one big mailbox says (0, 1), then nothing until it is read: a timer draws the bar meanwhile."""
    import time

    from mdnet.cli.progress import ProgressBar

    with ProgressBar("work") as bar:
        bar.enabled = True
        bar.after = 0.1
        bar.staged("reading", 0, 1)
        assert bar._bar is None  # not yet: the work may end before the threshold
        deadline = time.monotonic() + 30
        while bar._bar is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert bar._bar is not None, "no bar after the threshold"
        bar.staged("reading", 1, 1)
        assert bar._bar is None  # erased at the end of the work


def test_the_library_reports_the_notes_a_refresh_stores(vault: Path) -> None:
    import mdnet

    for note in vault.rglob("*.md"):  # long saved: none is "racy" (read again by the next refresh)
        os.utime(note, (1_700_000_000, 1_700_000_000))
    calls: list[tuple[int, int]] = []
    with mdnet.Vault.open(vault) as opened:
        opened.refresh(progress=lambda done, total: calls.append((done, total)))
        assert calls == [(0, 250), (200, 250), (250, 250)], calls  # in batches of 200 notes, as they are stored
        calls.clear()
        opened.refresh(progress=lambda done, total: calls.append((done, total)))
        assert calls == []  # nothing read, nothing to report
