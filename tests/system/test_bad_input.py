"""Every kind of bad note: one located line from `check` (exit 1); everything else keeps working."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DEMO_DATE, run_cli

BAD_NOTES: dict[str, tuple[bytes, str]] = {
    "malformed YAML": (b"---\nname: Bad\ntags: [a, b\nrole: x\n---\n", "people/Bad.md:4:"),
    "not a mapping": (b"---\n- just\n- a list\n---\n", "people/Bad.md:2:1: error: front matter is not a mapping"),
    "duplicate key": (b"---\nname: A\ncadence: 30d\nname: B\n---\n", "people/Bad.md:4:1: error: duplicate key"),
    "bad date": (b"---\nname: Bad\nfollow_up: 2026-04-31\n---\n", "people/Bad.md:3:1: error: bad date in follow_up"),
    "bad cadence": (b"---\nname: Bad\ncadence: every now and then\n---\n", "people/Bad.md:3:1: error: bad cadence"),
    "undecodable": (b"---\nname: B\xe4d\n---\n", "people/Bad.md:2:8: error: not valid UTF-8"),
    "huge": (b"---\nname: Big\n---\n" + b"x" * (1024 * 1024 + 1), "people/Bad.md:1:1: error: file is 1,048,"),
}


@pytest.mark.parametrize("kind", sorted(BAD_NOTES))
def test_one_bad_note_is_reported_and_the_rest_works(
    kind: str, vault_dir: Path, write_note: Callable[..., Path]
) -> None:
    data, expected = BAD_NOTES[kind]
    write_note("people/Good.md", "---\nname: Good\nneeds_reply: true\n---\n")
    (vault_dir / "people/Bad.md").write_bytes(data)
    base = ["--vault", str(vault_dir), "--today", DEMO_DATE]

    check = run_cli(*base, "check")
    assert check.code == 1
    errors = [line for line in check.out.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(expected), check.out
    assert check.err == ""

    due = run_cli(*base, "due", "--json")
    assert due.code == 0
    assert [i["name"] for i in json.loads(due.out)["items"]] == ["Good"]
    assert due.err.startswith("mdnet: warning: " + expected) and due.err.count("\n") == 1
    assert "Traceback" not in due.err

    show = run_cli(*base, "show", "Good", "--json")
    assert show.code == 0 and json.loads(show.out)["name"] == "Good"


def test_many_bad_notes_are_summarised_not_flooded(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    for i in range(25):
        write_note(f"people/Bad{i:02d}.md", "---\ncadence: sometimes\n---\n")
    result = run_cli("--vault", str(vault_dir), "due", "--json")
    assert result.code == 0
    lines = result.err.splitlines()
    assert len(lines) == 11 and "15 more notes left out; see 'mdnet check'" in lines[-1]


def test_a_note_that_vanishes_between_scan_and_read_is_reported(vault_dir: Path) -> None:
    """The scan saw it, then it was gone (an editor's rename, a git checkout): a problem, not a crash."""
    from mdnet.store.rows import parse_one

    row = parse_one((str(vault_dir), "people/Gone.md", "token"), (("people",), "Log", 1024))
    assert row.record is None
    problem = json.loads(row.problems)[0]
    assert problem["severity"] == "error" and problem["message"].startswith("cannot read")


def test_a_symlinked_note_stays_a_link_and_its_target_is_written(vault_dir: Path) -> None:
    from mdnet.vault.facade import Vault

    outside = vault_dir / "elsewhere" / "Teresa.md"  # in the vault: a link out of it is refused (test_security_paths)
    outside.parent.mkdir()
    outside.write_text("---\nname: Teresa Ortiz\n---\n# Teresa\n", encoding="utf-8")
    link = vault_dir / "people" / "Teresa Ortiz.md"
    link.symlink_to(outside)
    with Vault.open(vault_dir) as vault:
        vault.log("Teresa", "via the link", commit=False, today=DEMO_DATE)
    assert link.is_symlink()
    assert "- 2026-11-25 via the link" in outside.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["due", "--within", "99999y"],
        ["--today", "9999-12-31", "due", "--within", "30d"],
        ["--today", "0001-01-01", "due"],
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_not_crashes(vault_dir: Path, args: list[str]) -> None:
    (vault_dir / "people" / "Far.md").write_text("---\nlast_contact: 9999-12-01\ncadence: 1y\n---\n")
    result = run_cli("--vault", str(vault_dir), *args)
    assert result.code == 0, result.err
    assert "unexpected" not in result.err


def test_api_filters_of_the_wrong_type_raise_mdnet_errors(vault_dir: Path) -> None:
    from mdnet.errors import UsageError
    from mdnet.vault.facade import Vault

    with Vault.open(vault_dir) as vault, pytest.raises(UsageError, match="category must be text"):
        vault.contacts(category=5)  # type: ignore[arg-type]


def test_log_keeps_a_given_time_and_refuses_an_impossible_one(vault_dir: Path) -> None:
    (vault_dir / "people" / "Raj.md").write_text("---\nname: Raj\n---\n## Log\n- 2026-11-24 older\n")
    base = ["--vault", str(vault_dir), "log", "raj", "--no-commit"]
    assert run_cli(*base, "standup", "--date", "2026-11-25T10:30").code == 0
    assert run_cli(*base, "late note", "--date", "2026-11-25").code == 0
    bad = run_cli(*base, "x", "--date", "2026-11-25T25:00")
    assert bad.code == 2 and "bad --date" in bad.err
    lines = (vault_dir / "people" / "Raj.md").read_text().splitlines()
    assert lines[-3:] == ["- 2026-11-25 late note", "- 2026-11-25 10:30 standup", "- 2026-11-24 older"]


def test_api_arguments_a_script_plausibly_passes_work_or_raise_mdnet_errors(
    vault_dir: Path, write_note: Callable[..., Path]
) -> None:
    import datetime as dt

    from mdnet.errors import UsageError
    from mdnet.vault.facade import Vault

    note = write_note("people/Ann.md", "---\nname: Ann Lee\ncadence: 1w\nlast_contact: 2026-11-20\n---\n")
    with Vault.open(vault_dir) as vault:
        # datetime.now() is what a script has at hand, and a datetime is a date
        assert [i.name for i in vault.due(today=dt.datetime(2026, 11, 27, 9, 30))] == ["Ann Lee"]
        assert vault.due(today=dt.datetime(2026, 11, 27, 9, 30)) == vault.due(today="2026-11-27")
        logged = vault.log("ann", "standup", when=dt.datetime(2026, 11, 25, 10, 30), commit=False)
        assert logged.entry == "- 2026-11-25 10:30 standup"  # as --date 2026-11-25T10:30 writes it
        assert "last_contact: 2026-11-25\n" in note.read_text()
        # one path is a list of one path, not a list of its characters
        assert vault.check(str(note)) == vault.check(note) == vault.check([note]) == []
        wrong = [
            lambda: vault.get(None),  # type: ignore[arg-type]
            lambda: vault.get(5),  # type: ignore[arg-type]
            lambda: vault.search(None),  # type: ignore[arg-type]
            lambda: vault.due(within=1.5),  # type: ignore[arg-type]
            lambda: vault.due(within=-3),
            lambda: vault.due(within=True),
            lambda: vault.due(today=20261127),  # type: ignore[arg-type]
            lambda: Vault.open(123),  # type: ignore[arg-type]
            lambda: Vault.open(b"/tmp"),  # type: ignore[arg-type]
        ]
        for call in wrong:
            with pytest.raises(UsageError):
                call()


def test_an_alias_bomb_is_a_bad_note_not_a_hang(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    """A few hundred bytes of anchors and aliases (the "billion laughs") expand to 9**9 values: the
    index spent minutes and gigabytes writing them out. The note is refused with its line, at once."""
    import time

    lines = ["---", "name: Laughs", 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
    write_note("people/Laughs.md", "\n".join([*lines, "---", ""]))
    write_note("people/Good.md", "---\nname: Good\nneeds_reply: true\n---\n")
    write_note("people/Shared.md", "---\nname: Shared\nx: &x [a, b]\ny: *x\nz: *x\n---\n")  # fair use of aliases
    started = time.monotonic()
    code, out, err = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "due", "--json")
    assert time.monotonic() - started < 30
    assert code == 0 and [i["name"] for i in json.loads(out)["items"]] == ["Good"]
    assert err.startswith("mdnet: warning: people/Laughs.md:") and "aliases" in err
    shared = run_cli("--vault", str(vault_dir), "show", "shared", "--json")
    assert json.loads(shared.out)["fields"]["z"] == ["a", "b"]


def test_an_impossible_time_in_a_note_is_reported(tmp_path: Path) -> None:
    run_cli("init", str(tmp_path))
    (tmp_path / "people/Tim.md").write_text("---\nname: Tim\nlast_contact: 2026-11-25T25:61\n---\n", encoding="utf-8")
    code, out, _err = run_cli("--vault", str(tmp_path), "check")
    assert code == 1
    assert "people/Tim.md:3" in out
    assert "last_contact" in out


@pytest.mark.parametrize("when", ["2026-11-25T10:30:99", "2026-11-25T10:61"])
def test_log_refuses_an_impossible_time(tmp_path: Path, when: str) -> None:
    run_cli("init", str(tmp_path))
    (tmp_path / "people/Tim.md").write_text("---\nname: Tim\n---\n", encoding="utf-8")
    code, _out, err = run_cli("--vault", str(tmp_path), "log", "Tim", "hi", "--date", when, "--no-commit")
    assert code == 2
    assert err.startswith("mdnet: error: bad --date")
    assert (tmp_path / "people/Tim.md").read_text(encoding="utf-8") == "---\nname: Tim\n---\n"


EMPTY_NAME_COMMANDS = [
    ["who", "{}"],
    ["who", "{}", "--company"],
    ["who", "{}", "--tag"],
    ["show", "{}"],
    ["log", "{}", "coffee", "--no-commit"],
    ["brief", "{}"],
    ["history", "{}"],
    ["path", "{}"],
    ["path", "Ann", "--via", "{}"],
    ["path", "--company", "{}"],
    ["snooze", "{}", "2w", "--no-commit"],
    ["followup", "{}", "2w", "--no-commit"],
]


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
@pytest.mark.parametrize("command", EMPTY_NAME_COMMANDS, ids=" ".join)
def test_an_empty_name_is_a_usage_error(vault_dir: Path, command: list[str], blank: str) -> None:
    # `who ""` printed "You know nobody at  yet" and `show ""` said "no contact named ''" (exit 1, a search
    # that found nothing): an empty name is no name at all, bad usage (SPEC: exit 2, one line on stderr)
    note = vault_dir / "people" / "Ann.md"
    note.write_text("---\nname: Ann\nlast_contact: 2026-11-01\ncompany: '[[Acme]]'\ntags: [x]\n---\n")
    before = note.read_bytes()
    args = [part.replace("{}", blank) for part in command]
    code, out, err = run_cli("--vault", str(vault_dir), "--today", "2026-11-25", *args)
    assert code == 2, (out, err)
    assert out == ""
    assert err.startswith("mdnet: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert note.read_bytes() == before


def test_an_empty_name_is_a_usage_error_from_a_shell_and_from_the_api(vault_dir: Path) -> None:
    from mdnet.errors import UsageError
    from mdnet.vault.facade import Vault
    from tests.conftest import run_mdnet_process

    code, out, err = run_mdnet_process("--vault", str(vault_dir), "who", "")
    assert (code, out) == (2, "")
    assert err.startswith("mdnet: error: ") and err.count("\n") == 1, err
    with Vault.open(vault_dir) as vault:
        for call in (lambda: vault.get(" "), lambda: vault.who(""), lambda: vault.brief(""),
                     lambda: vault.path("", company=" ")):  # fmt: skip
            with pytest.raises(UsageError):
                call()


def test_a_birthday_with_a_year_still_to_come_says_so_instead_of_a_negative_age(vault_dir: Path) -> None:
    # "birthday Dec 1 (turns -4)": the parser cannot know the year is in the future (it reads no
    # clock, and SPEC gives no rule), but the due list has its day and can say what is odd
    (vault_dir / "people" / "Kid.md").write_text("---\nname: Kid\nbirthday: 2030-12-01\n---\n")
    (vault_dir / "people" / "Due.md").write_text("---\nname: Due\nbirthday: 2026-11-28\n---\n")
    (vault_dir / "people" / "Ann.md").write_text("---\nname: Ann\nbirthday: 1984-11-29\n---\n")
    code, out, err = run_cli("--vault", str(vault_dir), "--today", "2026-11-25", "due", "--json")
    assert code == 0, err
    details = {i["name"]: i["reasons"][0]["detail"] for i in json.loads(out)["items"]}
    assert details == {
        "Due": "birthday Nov 28 (born 2026-11-28, after today: check the year)",
        "Ann": "birthday Nov 29 (turns 42)",
        "Kid": "birthday Dec 1 (born 2030-12-01, after today: check the year)",
    }
    born_today = run_cli("--vault", str(vault_dir), "--today", "2026-11-28", "show", "Due", "--json")
    assert json.loads(born_today.out)["due"]["reasons"][0]["detail"] == "birthday Nov 28"
    assert run_cli("--vault", str(vault_dir), "check").code == 0  # validation reads no clock


def test_templates_with_placeholders_are_not_malformed_notes(vault_dir: Path) -> None:
    """`name: {{name}}`, as docs/commands.md suggests for templates/contact.md, is no YAML; `check`
    warned about it on every run. A template is not a note; other broken notes outside still warn."""
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates" / "contact.md").write_text("---\nname: {{name}}\ncreated: {{date}}\n---\n# {{name}}\n",
                                                        encoding="utf-8")  # fmt: skip
    (vault_dir / "templates" / "daily.md").write_text("---\ncreated: {{date:YYYY-MM-DD}}\n---\n", encoding="utf-8")
    (vault_dir / "notes").mkdir()
    (vault_dir / "notes" / "Broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    code, out, _err = run_cli("--vault", str(vault_dir), "check")
    assert code == 0
    assert [line.split(":", 1)[0] for line in out.splitlines()] == ["notes/Broken.md"]
    assert run_cli("--vault", str(vault_dir), "add", "Ann Lee").code == 0
    assert "name: Ann Lee\n" in (vault_dir / "people" / "Ann Lee.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("when", "code"), [("2026-11-26", 0), ("2026-11-27", 2), ("2027-01-01T10:00", 2)])
def test_log_refuses_an_interaction_after_today(vault_dir: Path, when: str, code: int) -> None:
    """`log --date 2027-01-01` raised last_contact into next year, which hid the contact from every
    due list until then. A day ahead is another time zone's today; more is a plan, not a log."""
    note = "---\nname: Tim\ncadence: 30d\n---\n"
    (vault_dir / "people" / "Tim.md").write_text(note, encoding="utf-8")
    result = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "log", "Tim", "hi", "--date", when, "--no-commit")
    assert result.code == code, result.err
    if code:
        assert result.err == (f"mdnet: error: bad --date: {when[:10]} is after today ({DEMO_DATE}); log what has "
                              f"happened, and plan the rest with: mdnet followup Tim {when[:10]}\n")  # fmt: skip
        assert (vault_dir / "people" / "Tim.md").read_text(encoding="utf-8") == note


def test_the_plan_it_hint_is_a_command_the_shell_reads_back_whatever_the_name(vault_dir: Path) -> None:
    """The hint wrapped the name in double quotes, which a name holding `"`, `$` or a backtick breaks."""
    import shlex

    name = 'Ann "AJ" $Lee`x`'
    (vault_dir / "people" / "Ann.md").write_text(f"---\nname: '{name}'\n---\n", encoding="utf-8")
    result = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "log", "Ann", "hi", "--date", "2027-01-01")
    command = result.err.rstrip("\n").split("plan the rest with: ", 1)[1]
    assert shlex.split(command) == ["mdnet", "followup", name, "2027-01-01"]


def test_a_name_whose_note_is_left_out_says_so_without_near_misses(vault_dir: Path) -> None:
    """`show "bad person"` named the note left out for errors, after "did you mean: Good Person",
    a stranger who only shares a word with it."""
    (vault_dir / "people" / "Bad Person.md").write_text("---\nname: Bad Person\nlast_contact: 2026-13-45\n---\n")
    (vault_dir / "people" / "Good Person.md").write_text("---\nname: Good Person\n---\n")
    result = run_cli("--vault", str(vault_dir), "show", "bad person")
    assert (result.code, result.out) == (1, "")
    assert result.err == ("mdnet: error: no contact named 'bad person'; people/Bad Person.md has errors and is left "
                          "out (see 'mdnet check')\n")  # fmt: skip
    other = run_cli("--vault", str(vault_dir), "show", "odd person")
    assert "did you mean: Good Person (people/Good Person.md)" in other.err  # near misses stay for the rest


def test_add_refuses_an_empty_name_as_every_command_does(vault_dir: Path) -> None:
    """`add` had its own message for the one condition `check_name` words for every other command, and a
    name that is no text reached `name.split()` (AttributeError from the API)."""
    from mdnet.errors import UsageError
    from mdnet.vault.facade import Vault

    code, out, err = run_cli("--vault", str(vault_dir), "add", " ")
    assert (code, out, err) == (2, "", "mdnet: error: the name is empty: give the new contact's name\n")
    with Vault.open(vault_dir) as vault:
        with pytest.raises(UsageError, match="the name is empty"):
            vault.add("")
        with pytest.raises(UsageError, match="name must be text, not int"):
            vault.add(3)  # type: ignore[arg-type]
    assert list((vault_dir / "people").iterdir()) == []


def test_a_template_that_says_type_contact_is_no_contact(vault_dir: Path) -> None:
    """A contact template with `type: contact` (so that the notes made from it are contacts anywhere) was
    itself a contact named "{{name}}", due at once with a cadence."""
    (vault_dir / "templates").mkdir()
    template = '---\ntype: contact\nname: "{{name}}"\ncadence: 30d\ncreated: "{{date}}"\n---\n# {{name}}\n'
    (vault_dir / "templates" / "contact.md").write_text(template, encoding="utf-8")
    listed = run_cli("--vault", str(vault_dir), "list", "--json")
    assert json.loads(listed.out)["contacts"] == []
    assert run_cli("--vault", str(vault_dir), "check").out == ""
    assert run_cli("--vault", str(vault_dir), "add", "Ann Lee").code == 0
    names = [c["name"] for c in json.loads(run_cli("--vault", str(vault_dir), "list", "--json").out)["contacts"]]
    assert names == ["Ann Lee"]
