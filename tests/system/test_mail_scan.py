"""`mdnet mail scan` over a real Maildir and a real mbox, into a real git vault."""

from __future__ import annotations

import json
import mailbox
import shutil
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from mdnet.interop.mail_plan import plan_scan
from mdnet.interop.mail_read import Message
from tests.conftest import git, run_cli

CONFIG = 'contact_dirs = ["people"]\nme = ["me@mine.example", "Me.Alt@Work.example"]\n'
NOTES = {
    "Jane Doe": "---\nname: Jane Doe\nemail: [jane@acme.example]  # work\nlast_contact: 2026-10-01\ncadence: 30d\n"
    "---\n# Jane Doe\n\n## Log\n- 2026-10-01 call: intro\n",
    "Bob Baker": "---\nname: Bob Baker\nemail: bob@globex.example\n---\n# Bob Baker\n",
    "Carl Jung": "---\nname: Carl Jung\nemail:\n  - carl@x.example\nneeds_reply: 2026-11-01\n---\n# Carl\n\n## Log\n",
    "Dana Scully": "---\r\nname: Dana Scully\r\nemail: [dana@fbi.example]\r\n---\r\n# Dana\r\n",
}


def make(
    sender: str, to: str, subject: str, date: str | None, mid: str | None, cc: str = "", **headers: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    if date:
        message["Date"] = date
    if mid:
        message["Message-ID"] = mid
    for key, value in headers.items():
        message[key.replace("_", "-")] = value
    message.set_content(f"Body of {subject}\n\nFrom a line\n>From another\n")
    return message


MESSAGES = [
    make("Jane Doe <jane@acme.example>", "Me <me@mine.example>", "Proposal for the SD-WAN pilot",
         "Wed, 18 Nov 2026 09:00:00 -0700", "<m1@acme.example>"),
    # sent at 02:30 UTC on the 19th: still the 18th in Phoenix (UTC-7), the local day is logged
    make("Me <ME@mine.example>", "Jane Doe <JANE@acme.example>", "Re: Proposal for the SD-WAN pilot",
         "Thu, 19 Nov 2026 02:30:00 +0000", "<m2@mine.example>", cc="Dana Scully <dana@fbi.example>",
         In_Reply_To="<m1@acme.example>", References="<m1@acme.example>"),
    make("Bob Baker <bob@globex.example>", "me@mine.example", "=?utf-8?q?Intro_to_Ren=C3=A9?=",
         "Fri, 20 Nov 2026 10:00:00 -0700", "<m3@globex.example>"),
    make("jane@acme.example", "me.alt@work.example", "Re: Re: Proposal for the SD-WAN pilot",
         "Sat, 21 Nov 2026 08:15:00 -0700", "<m4@acme.example>", In_Reply_To="<m2@mine.example>"),
    make("Stranger <who@unknown.example>", "me@mine.example", "Hello from nobody you know",
         "Sat, 21 Nov 2026 09:00:00 -0700", "<m5@unknown.example>"),
    make("me@mine.example", "carl@x.example", "Re: catching up", "Sun, 22 Nov 2026 12:00:00 -0700",
         "<m6@mine.example>"),
    # Dana writes to someone else with me in Cc: a copy, nothing owed
    make("dana@fbi.example", "fox@fbi.example", "FYI: the files", "Mon, 23 Nov 2026 12:00:00 -0700",
         "<m7@fbi.example>", cc="me@mine.example"),
    make("bob@globex.example", "me@mine.example", "No date on this one", None, "<m8@globex.example>"),
    make("Bob via list <bob@globex.example>", "networking@lists.example", "[net] meetup",
         "Tue, 24 Nov 2026 12:00:00 -0700", "<m9@globex.example>", List_Id="<net.lists.example>"),
]  # fmt: skip


pytestmark = pytest.mark.usefixtures("phoenix_time")  # local times in America/Phoenix (tests/conftest.py)


@pytest.fixture
def vault(git_vault: Path) -> Path:
    (git_vault / "mdnet.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in NOTES.items():
        (git_vault / "people" / f"{name}.md").write_bytes(text.encode("utf-8"))
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "contacts")
    return git_vault


def write_maildir(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.Maildir(str(path), create=True)
    for message in messages:
        box.add(mailbox.MaildirMessage(message))
    box.close()
    return path


def write_mbox(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.mbox(str(path), create=True)
    for message in messages:
        box.add(mailbox.mboxMessage(message))
    box.close()
    return path


@pytest.fixture(params=["maildir", "mbox"])
def mail_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "maildir":
        return write_maildir(tmp_path / "Mail", MESSAGES)
    return write_mbox(tmp_path / "inbox.mbox", MESSAGES)


def note(vault: Path, name: str) -> str:
    return (vault / "people" / f"{name}.md").read_bytes().decode("utf-8")


def commits(vault: Path) -> list[str]:
    return git(vault, "log", "--format=%H").split()


def test_scan_logs_sent_mail_and_replies_owed(vault: Path, mail_path: Path) -> None:
    before = {name: note(vault, name) for name in NOTES}
    head = commits(vault)
    dry = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(mail_path), "--dry-run")
    assert dry.code == 0, dry.err
    assert "would update people/Jane Doe.md: log 2026-11-18 email: Re: Proposal for the SD-WAN pilot" in dry.out
    assert {name: note(vault, name) for name in NOTES} == before
    assert commits(vault) == head

    result = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(mail_path))
    assert result.code == 0, result.err
    assert "no usable Date: header (message left out)" in result.err
    assert "8 messages, 7 with contacts, 0 handled before, 1 with no contact" in result.out

    assert note(vault, "Jane Doe") == (
        "---\nname: Jane Doe\nemail: [jane@acme.example]  # work\nlast_contact: 2026-11-18\ncadence: 30d\n"
        "needs_reply: 2026-11-21\n---\n# Jane Doe\n\n## Log\n"
        "- 2026-11-18 email: Re: Proposal for the SD-WAN pilot\n- 2026-10-01 call: intro\n"
    )
    assert note(vault, "Bob Baker") == before["Bob Baker"].replace(
        "email: bob@globex.example\n", "email: bob@globex.example\nneeds_reply: 2026-11-20\n"
    )
    assert note(vault, "Carl Jung") == (
        "---\nname: Carl Jung\nemail:\n  - carl@x.example\nneeds_reply: false\nlast_contact: 2026-11-22\n---\n"
        "# Carl\n\n## Log\n- 2026-11-22 email: Re: catching up\n"
    )
    # a Cc on mail I sent is a contact too; CRLF survives
    assert note(vault, "Dana Scully") == (
        "---\r\nname: Dana Scully\r\nemail: [dana@fbi.example]\r\nlast_contact: 2026-11-18\r\n---\r\n# Dana\r\n"
        "\r\n## Log\r\n- 2026-11-18 email: Re: Proposal for the SD-WAN pilot\r\n"
    )
    # one commit per contact, each with the Message-IDs it handled as trailers
    assert len(commits(vault)) == len(head) + 4
    trailers = git(vault, "log", "--format=%(trailers:key=Message-ID,valueonly)", "-4")
    assert sorted(trailers.split()) == sorted(
        ["<m1@acme.example>", "<m2@mine.example>", "<m4@acme.example>", "<m2@mine.example>", "<m7@fbi.example>",
         "<m3@globex.example>", "<m9@globex.example>", "<m6@mine.example>"]
    )  # fmt: skip
    jane_commit = git(vault, "log", "-1", "--format=%B", "--", "people/Jane Doe.md")
    assert jane_commit.startswith("Log email with Jane Doe: Re: Proposal for the SD-WAN pilot\n")
    assert "Interaction-Date: 2026-11-18\n" in jane_commit
    assert git(vault, "status", "--porcelain") == ""

    due = json.loads(run_cli("--vault", str(vault), "--today", "2026-11-25", "due", "--json").out)
    assert {i["name"] for i in due["items"] if i["bucket"] == "reply"} == {"Jane Doe", "Bob Baker"}

    # the index is only a cache: without it, nothing is handled twice
    shutil.rmtree(vault / ".mdnet")
    after = {name: note(vault, name) for name in NOTES}
    head = commits(vault)
    again = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(mail_path))
    assert again.code == 0, again.err
    assert "7 handled before" in again.out
    assert "nothing to change" in again.out
    assert {name: note(vault, name) for name in NOTES} == after
    assert commits(vault) == head


def test_a_reply_owed_cleared_by_hand_stays_cleared(vault: Path, tmp_path: Path) -> None:
    box = write_maildir(tmp_path / "Mail", MESSAGES[:3])
    assert run_cli("--vault", str(vault), "mail", "scan", str(box)).code == 0
    bob = vault / "people" / "Bob Baker.md"
    assert "needs_reply: 2026-11-20\n" in bob.read_text()
    bob.write_text(bob.read_text().replace("needs_reply: 2026-11-20", "needs_reply: false  # answered by phone"))
    git(vault, "commit", "-q", "-am", "answered Bob by phone")
    cleared = bob.read_text()
    run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert bob.read_text() == cleared
    # my reply arrives later: logged, and the user's comment stays
    write_maildir(tmp_path / "Mail", [make("me@mine.example", "bob@globex.example", "Re: Intro",
                                           "Wed, 25 Nov 2026 08:00:00 -0700", "<m10@mine.example>")])  # fmt: skip
    run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert bob.read_text() == cleared.replace(
        "# answered by phone\n", "# answered by phone\nlast_contact: 2026-11-25\n"
    ).replace("# Bob Baker\n", "# Bob Baker\n\n## Log\n- 2026-11-25 email: Re: Intro\n")


def test_messages_that_change_no_note_are_recorded_once(vault: Path, tmp_path: Path) -> None:
    box = write_mbox(tmp_path / "fyi.mbox", [MESSAGES[6]])  # Dana's copy: nothing owed
    head = commits(vault)
    first = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert first.code == 0, first.err
    assert "recorded 1 message that changed no note" in first.out  # one message, in the singular
    assert "scanned mbox " in first.out and ": 1 message, 1 with contacts," in first.out
    new = commits(vault)
    assert len(new) == len(head) + 1
    assert git(vault, "show", "-s", "--format=%s", new[0]).strip() == "Mail scan: 1 message seen, no note changed"
    recorded = git(vault, "show", "--stat", "--format=%B", new[0]).strip()
    assert recorded.endswith("Message-ID: <m7@fbi.example>\nMdnet: 1")
    assert git(vault, "diff", "--stat", new[1], new[0]) == ""  # records, changes no file
    second = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert "1 handled before" in second.out
    assert commits(vault) == new


def test_staged_work_stays_out_of_the_record(vault: Path, tmp_path: Path) -> None:
    (vault / "people" / "Newcomer.md").write_text("---\nname: New Person\n---\n")
    git(vault, "add", "people/Newcomer.md")
    box = write_mbox(tmp_path / "fyi.mbox", [MESSAGES[6]])
    run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert git(vault, "status", "--porcelain") == "A  people/Newcomer.md\n"


def test_since_limits_what_is_handled_not_what_counts_as_a_reply(vault: Path, tmp_path: Path) -> None:
    box = write_maildir(tmp_path / "Mail", MESSAGES)
    result = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(box), "--since", "4d",
                     "--json")  # fmt: skip
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["dry_run"] is False
    assert report["mailbox"] == "maildir"
    assert [u["path"] for u in report["updates"]] == ["people/Carl Jung.md", "people/Jane Doe.md"]
    assert all(len(u["commit"]) == 40 for u in report["updates"])
    assert report["record_only"] == ["<m9@globex.example>", "<m7@fbi.example>"]  # by contact path
    jane = note(vault, "Jane Doe")
    assert "email: Re: Proposal" not in jane  # sent on the 18th, before the 21st
    assert "needs_reply: 2026-11-21\n" in jane
    assert "needs_reply" not in note(vault, "Bob Baker")  # the 20th is before the 21st
    full = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(box))
    assert full.code == 0
    jane = note(vault, "Jane Doe")
    assert "- 2026-11-18 email: Re: Proposal for the SD-WAN pilot\n" in jane
    assert "needs_reply: 2026-11-21\n" in jane  # m1 was answered by m2: still only m4 owed
    assert "needs_reply: 2026-11-20\n" in note(vault, "Bob Baker")


def test_without_git_log_lines_are_not_doubled(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "mdnet.toml").write_text(CONFIG)
    for name, text in NOTES.items():
        (vault_dir / "people" / f"{name}.md").write_bytes(text.encode())
    box = write_mbox(tmp_path / "inbox.mbox", MESSAGES)
    first = run_cli("--vault", str(vault_dir), "mail", "scan", str(box))
    assert first.code == 0, first.err
    assert "not committed: the vault is not a git repository" in first.out
    after = {name: note(vault_dir, name) for name in NOTES}
    run_cli("--vault", str(vault_dir), "mail", "scan", str(box))
    assert {name: note(vault_dir, name) for name in NOTES} == after


def test_corrupt_mbox_and_bad_maildir_change_nothing(vault: Path, tmp_path: Path) -> None:
    good = write_mbox(tmp_path / "good.mbox", MESSAGES)
    corrupt = tmp_path / "corrupt.mbox"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + good.read_bytes()[:500])
    head = commits(vault)
    before = {name: note(vault, name) for name in NOTES}
    for path, message in (
        (corrupt, "not an mbox file: it does not start with a 'From ' line"),
        (tmp_path, "not a Maildir (it has no cur/ or new/ folder)"),
        (tmp_path / "missing", "no such Maildir folder or mbox file"),
    ):
        result = run_cli("--vault", str(vault), "mail", "scan", str(path))
        assert result.code == 2
        assert result.out == ""
        assert result.err.count("\n") == 1
        assert message in result.err
    nul = tmp_path / "nul.mbox"
    nul.write_bytes(b"From x\n\x00\x00\x00")
    assert "binary data" in run_cli("--vault", str(vault), "mail", "scan", str(nul)).err
    assert {name: note(vault, name) for name in NOTES} == before
    assert commits(vault) == head


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('contact_dirs = ["people"]\n', "mail scan needs your own addresses"),
        ('me = "not an address"\n', "me: not an email address: 'not an address'"),
        ("me = [1]\n", "me: not an email address: 1"),
        ("me = []\n", "me must be a list of your email addresses"),
    ],
)
def test_me_is_validated(vault: Path, tmp_path: Path, config: str, message: str) -> None:
    (vault / "mdnet.toml").write_text(config)
    box = write_mbox(tmp_path / "inbox.mbox", MESSAGES)
    result = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert result.code == 2
    assert message in result.err


def test_plan_is_pure_and_skips_shared_addresses() -> None:
    from mdnet.note.contact import ParseSettings, parse_note

    def contact(name: str, mail: str) -> object:
        parsed = parse_note(f"---\nname: {name}\nemail: [{mail}]\n---\n", f"people/{name}.md", contact_folder=True,
                            settings=ParseSettings())  # fmt: skip
        return parsed.contact

    import datetime as dt

    one, two = contact("Ann", "team@x.example"), contact("Bea", "team@x.example")
    message = Message("<a@x>", "team@x.example", ("me@mine.example",), (), (),
                      dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), "Hi")  # fmt: skip
    plan = plan_scan([message], [one, two], {"me@mine.example"}, set())  # type: ignore[list-item]
    assert plan.updates == ()
    assert plan.unknown == 1
    assert "team@x.example belongs to several contacts" in plan.warnings[0]


def test_raw_messages_with_encoded_and_8bit_headers(vault: Path, tmp_path: Path) -> None:
    box = tmp_path / "Raw"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    (box / "cur" / "1700000000.1.host:2,S").write_bytes(
        b"Return-Path: <me@mine.example>\r\n"
        b"From: =?utf-8?q?M=C3=A9?= <me@mine.example>\r\n"
        b"To: =?iso-8859-1?q?Jos=E9?= <jane@acme.example>,\r\n"
        b"\tbob@globex.example\r\n"
        b"Subject: =?utf-8?q?Caf=C3=A9_on?=\r\n =?utf-8?q?_Friday?=\r\n"
        b"Date: Tue, 24 Nov 2026 23:30:00 -0700\r\n"
        b"Message-ID: <raw1@mine.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nSee you.\r\n"
    )
    (box / "new" / "1700000001.2.host").write_bytes(
        "From: Bob Baker <bob@globex.example>\nTo: me@mine.example\nSubject: Grüße aus Köln\n"
        "Date: Wed, 25 Nov 2026 08:30:00 +0100\n\nHallo\n".encode()  # raw UTF-8, no Message-ID
    )
    result = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert result.code == 0, result.err
    assert "- 2026-11-24 email: Café on Friday\n" in note(vault, "Jane Doe")
    bob = note(vault, "Bob Baker")
    assert "- 2026-11-24 email: Café on Friday\n" in bob
    assert "needs_reply: 2026-11-25\n" in bob  # 08:30 in Köln is 00:30 in Phoenix, after my 23:30
    trailers = git(vault, "log", "-1", "--format=%(trailers:key=Message-ID,valueonly)", "--", "people/Bob Baker.md")
    assert "@mdnet.invalid>" in trailers
    again = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert "2 handled before" in again.out


def test_inbox_and_sent_scanned_together(vault: Path, tmp_path: Path) -> None:
    # Jane writes on the 18th at 09:00; I answer from another client the same evening
    inbox = write_maildir(tmp_path / "INBOX", [MESSAGES[0]])
    sent = write_mbox(tmp_path / "Sent.mbox", [MESSAGES[1]])
    result = run_cli("--vault", str(vault), "mail", "scan", str(inbox), str(sent))
    assert result.code == 0, result.err
    assert "scanned maildir+mbox" in result.out
    jane = note(vault, "Jane Doe")
    assert "- 2026-11-18 email: Re: Proposal for the SD-WAN pilot\n" in jane
    assert "needs_reply" not in jane  # answered on the same day, later: seen because both were read
    # a bad second mailbox stops everything before anything is written
    fresh = tmp_path / "bad.mbox"
    fresh.write_text("garbage\n")
    before = note(vault, "Bob Baker")
    bad = run_cli("--vault", str(vault), "mail", "scan", str(write_maildir(tmp_path / "B", [MESSAGES[2]])),
                  str(fresh))  # fmt: skip
    assert bad.code == 2
    assert note(vault, "Bob Baker") == before


def test_a_date_past_the_calendars_end_is_a_warning_not_a_traceback(vault: Path, tmp_path: Path) -> None:
    # 23:59 on 31 December 9999 at UTC-12 is in the year 10000 anywhere east of it
    odd = make("bob@globex.example", "me@mine.example", "From the far future", "Fri, 31 Dec 9999 23:59:59 -1200",
               "<far@globex.example>")  # fmt: skip
    box = write_mbox(tmp_path / "odd.mbox", [odd, MESSAGES[2]])
    result = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert result.code == 0, result.err
    assert "odd.mbox message 1: no usable Date: header (message left out)" in result.err
    assert "needs_reply: 2026-11-20\n" in note(vault, "Bob Baker")


def test_control_characters_in_a_subject_never_reach_the_note(vault_dir: Path, tmp_path: Path) -> None:
    # a NUL would make git take the note for a binary file; an escape sequence would colour a terminal
    (vault_dir / "mdnet.toml").write_text(CONFIG)
    (vault_dir / "people" / "Jane Doe.md").write_bytes(NOTES["Jane Doe"].encode())
    box = tmp_path / "sent.mbox"
    box.write_bytes(
        b"From me@mine.example Mon Nov 23 19:00:00 2026\n"
        b"From: me@mine.example\nTo: jane@acme.example\nSubject: =?utf-8?q?Invoice=00_=1B[31m_due=07?=\n"
        b"Date: Mon, 23 Nov 2026 12:00:00 -0700\nMessage-ID: <ctl@mine.example>\n\nSee attached.\n"
    )
    first = run_cli("--vault", str(vault_dir), "mail", "scan", str(box))
    assert first.code == 0, first.err
    jane = note(vault_dir, "Jane Doe")
    assert "- 2026-11-23 email: Invoice [31m due\n" in jane
    assert not any(ord(c) < 32 and c != "\n" for c in jane)
    # without git, the log line is what says the message was handled: a second scan adds nothing
    assert run_cli("--vault", str(vault_dir), "mail", "scan", str(box)).code == 0
    assert note(vault_dir, "Jane Doe") == jane


def test_a_message_that_vanishes_while_the_maildir_is_read_is_left_out(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # mbsync or the mail client expunges a message between the listing and the reading
    import mdnet.interop.mail_read

    box = write_maildir(tmp_path / "Mail", [MESSAGES[0], MESSAGES[2]])
    listed = mdnet.interop.mail_read._MaildirReader._list
    victim: list[str] = []

    def list_then_expunge_one(self: mdnet.interop.mail_read._MaildirReader) -> dict[str, Path]:
        files = listed(self)
        if not victim:
            victim.append(min(files))
            files[victim[0]].unlink()
        return files

    monkeypatch.setattr(mdnet.interop.mail_read._MaildirReader, "_list", list_then_expunge_one)
    result = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert result.code == 0, result.err
    assert f"Mail:{victim[0]}: vanished while the mailbox was read" in result.err
    assert ": 1 message, " in result.out


def test_a_reply_owed_set_by_hand_is_not_cleared_by_older_mail(vault_dir: Path, tmp_path: Path) -> None:
    # needs_reply: true names no day; the mail I sent last year cannot have answered
    # what I noted after this month's call
    (vault_dir / "mdnet.toml").write_text(CONFIG)
    bob = vault_dir / "people" / "Bob Baker.md"
    bob.write_text("---\nname: Bob Baker\nemail: bob@globex.example\nlast_contact: 2026-11-10\n"
                   "needs_reply: true  # promised him the deck\n---\n# Bob Baker\n")  # fmt: skip
    old = make("me@mine.example", "bob@globex.example", "Season's greetings", "Mon, 15 Dec 2025 10:00:00 -0700",
               "<old@mine.example>")  # fmt: skip
    box = write_mbox(tmp_path / "sent.mbox", [old])
    assert run_cli("--vault", str(vault_dir), "mail", "scan", str(box)).code == 0
    text = bob.read_text()
    assert "needs_reply: true  # promised him the deck\n" in text
    assert "- 2025-12-15 email: Season's greetings\n" in text  # the old mail is still logged
    # a mail sent after the last contact does answer it
    new = make("me@mine.example", "bob@globex.example", "The deck", "Fri, 20 Nov 2026 10:00:00 -0700",
               "<deck@mine.example>")  # fmt: skip
    box = write_mbox(tmp_path / "sent2.mbox", [new])
    assert run_cli("--vault", str(vault_dir), "mail", "scan", str(box)).code == 0
    assert "needs_reply: false  # promised him the deck\n" in bob.read_text()


def test_a_note_edited_after_the_scan_read_it_is_left_alone(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the scan planned "needs_reply: 2026-11-20" for Bob; meanwhile the user noted that he called him
    import mdnet.interop.mail

    bob = vault / "people" / "Bob Baker.md"
    edited = "---\nname: Bob Baker\nemail: bob@globex.example\nneeds_reply: false  # called him\n---\n# Bob Baker\n"
    planned = mdnet.interop.mail.plan_scan

    def plan_then_edit(*args: Any, **kwargs: Any) -> Any:
        plan = planned(*args, **kwargs)
        bob.write_text(edited)  # the user saves while the scan runs
        return plan

    monkeypatch.setattr(mdnet.interop.mail, "plan_scan", plan_then_edit)
    box = write_maildir(tmp_path / "Mail", [MESSAGES[2]])
    result = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert result.code == 1
    assert "people/Bob Baker.md: changed since mdnet read it; nothing was written" in result.err
    assert bob.read_text() == edited


def test_a_maildir_without_new_or_tmp_is_read(vault: Path, tmp_path: Path) -> None:
    # git, Dropbox and some backups drop empty folders: an archived Maildir may keep only cur/
    box = write_maildir(tmp_path / "Archive", [MESSAGES[0], MESSAGES[2]])
    for name in ("new", "tmp"):
        for message in (box / name).iterdir():
            message.rename(box / "cur" / (message.name + ":2,S"))
        (box / name).rmdir()
    result = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert result.code == 0, result.err
    assert "2 messages, 2 with contacts" in result.out
    assert "needs_reply: 2026-11-20\n" in note(vault, "Bob Baker")
    assert sorted(p.name for p in box.iterdir()) == ["cur"]  # a scan reads; it creates nothing


def test_a_message_the_mail_client_marks_read_while_the_scan_runs_is_still_read(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mdnet.interop.mail_read

    box = write_maildir(tmp_path / "Mail", [MESSAGES[0], MESSAGES[2]])
    listed = mdnet.interop.mail_read._MaildirReader._list
    moved: list[Path] = []

    def list_then_mark_read(self: mdnet.interop.mail_read._MaildirReader) -> dict[str, Path]:
        files = listed(self)
        if not moved:  # new/KEY becomes cur/KEY:2,S, as a client does when the message is opened
            for key, path in files.items():
                moved.append(path.rename(box / "cur" / f"{key}:2,S"))
        return files

    monkeypatch.setattr(mdnet.interop.mail_read._MaildirReader, "_list", list_then_mark_read)
    result = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert result.code == 0, result.err
    assert "2 messages, 2 with contacts" in result.out
    assert len(moved) == 2


def test_a_message_to_two_contacts_is_logged_for_the_one_whose_note_failed_on_the_next_scan(
    vault: Path, tmp_path: Path
) -> None:
    jane = vault / "people" / "Jane Doe.md"
    jane.chmod(0o444)  # read-only: mdnet refuses to write it (root included)
    sent = make("me@mine.example", "Jane <jane@acme.example>, Bob <bob@globex.example>", "Team lunch",
                "Mon, 23 Nov 2026 12:00:00 -0700", "<lunch@mine.example>")  # fmt: skip
    box = write_mbox(tmp_path / "sent.mbox", [sent])
    first = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert first.code == 1
    assert "people/Jane Doe.md: is read-only" in first.err
    assert "- 2026-11-23 email: Team lunch\n" in note(vault, "Bob Baker")
    assert "Team lunch" not in note(vault, "Jane Doe")
    jane.chmod(0o644)
    bob = note(vault, "Bob Baker")
    second = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert second.code == 0, second.err
    assert "- 2026-11-23 email: Team lunch\n" in note(vault, "Jane Doe")  # handled now, not lost
    assert note(vault, "Bob Baker") == bob  # and not twice for Bob
    third = run_cli("--vault", str(vault), "mail", "scan", str(box))
    assert "1 handled before" in third.out
    assert "nothing to change" in third.out


def test_mail_dated_in_the_future_is_left_out(vault: Path, tmp_path: Path) -> None:
    # a phone whose clock says 2036: its mail would raise last_contact ten years ahead, and
    # Jane would drop off the due list until then
    future = make("me@mine.example", "jane@acme.example", "Sent from a broken clock",
                  "Tue, 01 Jan 2036 10:00:00 -0700", "<future@mine.example>")  # fmt: skip
    box = write_mbox(tmp_path / "sent.mbox", [future, MESSAGES[2]])
    result = run_cli("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(box))
    assert result.code == 0, result.err
    assert "sent.mbox message 1: dated 2036-01-01, after today (message left out)" in result.err
    assert "2036" not in note(vault, "Jane Doe")
    assert "needs_reply: 2026-11-20\n" in note(vault, "Bob Baker")
