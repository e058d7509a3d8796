"""Issue 20, item 5: text from a vault that reaches a terminal is made safe, and a name on two
lines is a ``check`` error, not a broken daily note.

A vault can come from someone else (``mdnet sync`` pulls it). Its names, file names, fields and
log text hold OSC 0 (retitle the window), OSC 8 (a hidden hyperlink), CSI (clear the screen) and
C1 sequences; every command for people must print none of them, on stdout or stderr, while
``--json`` still gives the exact values.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mdnet.core.safe_text import json_safe, printable, printable_line
from tests.conftest import CliResult, git, run_cli, run_mdnet_process

TODAY = "2026-11-25"
OSC0 = "\x1b]0;pwned\x07"
OSC8 = "\x1b]8;;http://x\x1b\\click\x1b]8;;\x1b\\"
CSI = "\x1b[2J"
C1 = "\x9b"
BIDI = "\u202e"
EVE = f"Eve {OSC0} Mallory"
STEM = f"Osc{OSC0}{C1}1m"

# What a terminal acts on: C0 controls but a line break and a tab, DEL, C1, bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _yaml(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (YAML may not hold these characters raw)."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'


def hostile_vault(root: Path) -> Path:
    people = root / "people"
    people.mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
    (people / "Eve.md").write_text(
        "---\n"
        f"name: {_yaml(EVE)}\n"
        f"company: {_yaml(OSC8)}\n"
        f"role: {_yaml(C1 + '31m boss')}\n"
        f"location: {_yaml('evil' + BIDI + 'gpj.exe')}\n"
        f"aliases: [{_yaml('Dup ' + CSI)}]\n"
        f"tags: [{_yaml('t' + CSI)}]\n"
        f"category: {_yaml('client' + OSC0)}\n"
        f"interests: [{_yaml('sailing ' + CSI)}]\n"
        "cadence: 7d\n"
        "last_contact: 2026-01-01\n"
        "needs_reply: true\n"
        "---\n"
        f"# Eve\n\nAbout {OSC8} her.\n\n## Log\n\n- 2026-01-01 call: hi {CSI} there {C1}1m {OSC0}\n",
        encoding="utf-8",
    )
    (people / f"{STEM}.md").write_text(
        f"---\naliases: [{_yaml('Dup ' + CSI)}]\ncadence: 7d\nlast_contact: 2026-01-02\n---\n"
        f"## Log\n\n- 2026-01-02 meeting: hi {OSC8}\n",
        encoding="utf-8",
    )
    (people / f"Bad{CSI}.md").write_text(f"---\nname: {_yaml('Bad ' + OSC0)}\ncadence: often\n---\n", encoding="utf-8")
    return root


COMMANDS = [
    ("list",),
    ("due",),
    ("show", "Eve"),
    ("history", "Eve"),
    ("search", "hi"),
    ("brief", "Eve"),
    ("report",),
    ("check",),
    ("daily", "--print"),
    ("show", "Dup " + CSI),  # ambiguous: an error line naming both contacts
    ("show", "Nobody" + OSC0),  # not found: an error line holding the user's query
]


def _assert_safe(result: CliResult, command: tuple[str, ...]) -> None:
    for stream, text in (("stdout", result.out), ("stderr", result.err)):
        found = UNSAFE.search(text)
        assert found is None, f"{command}: {stream} holds {found.group()!r}: {text!r}"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = hostile_vault(tmp_path / "vault")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"add {EVE}")
    return root


def test_no_escape_sequence_reaches_the_terminal_from_a_subprocess(vault: Path) -> None:
    for command in COMMANDS:
        result = run_mdnet_process("--vault", str(vault), "--today", TODAY, *command)
        assert result.code in (0, 1), (command, result)
        assert result.out or result.err, command
        _assert_safe(result, command)
    # the names still show, with the controls as visible characters
    shown = run_mdnet_process("--vault", str(vault), "--today", TODAY, "show", "Eve").out
    assert "Eve ␛]0;pwned␇ Mallory" in shown and "␛]8;;http://x␛\\click␛]8;;␛\\" in shown
    reported = run_mdnet_process("--vault", str(vault), "--today", TODAY, "report").out
    assert "reply owed: Eve ␛]0;pwned␇ Mallory" in reported
    ambiguous = run_mdnet_process("--vault", str(vault), "--today", TODAY, "show", "Dup " + CSI)
    assert ambiguous.code == 1
    assert ambiguous.err.startswith("mdnet: error: ") and ambiguous.err.count("\n") == 1


def test_raw_bytes_hold_no_escape_introducer(vault: Path) -> None:
    """The bytes themselves: no ESC, no BEL, no C1 in UTF-8 (C2 80-9F) nor raw."""
    for command in (("list",), ("show", "Eve"), ("due",), ("list", "--json"), ("show", "Eve", "--json")):
        done = subprocess.run([sys.executable, "-m", "mdnet", "--vault", str(vault), "--today", TODAY, *command],
                              capture_output=True, timeout=120, check=False)  # fmt: skip
        for data in (done.stdout, done.stderr):
            assert b"\x1b" not in data and b"\x07" not in data, (command, data)
            assert not any(0x80 <= ord(c) <= 0x9F for c in data.decode("utf-8")), (command, data)


def test_no_escape_sequence_in_process(vault: Path) -> None:
    for command in COMMANDS:
        result = run_cli("--vault", str(vault), "--today", TODAY, *command)
        _assert_safe(result, command)


def test_json_keeps_the_exact_values(vault: Path) -> None:
    listed = run_mdnet_process("--vault", str(vault), "--today", TODAY, "list", "--json")
    assert UNSAFE.search(listed.out) is None  # C1 and bidi written as \uXXXX, the same values
    names = {c["name"] for c in json.loads(listed.out)["contacts"]}
    assert EVE in names and STEM in names
    shown = json.loads(run_mdnet_process("--vault", str(vault), "--today", TODAY, "show", "Eve", "--json").out)
    assert shown["name"] == EVE
    assert shown["fields"]["company"] == OSC8
    assert shown["fields"]["role"] == C1 + "31m boss"
    assert shown["fields"]["location"] == "evil" + BIDI + "gpj.exe"
    found = json.loads(run_cli("--vault", str(vault), "--today", TODAY, "search", "hi", "--json").out)
    assert any(CSI in r["snippet"] for r in found["results"])


def test_printable_replaces_each_control_with_one_visible_character() -> None:
    assert printable(OSC0) == "␛]0;pwned␇"
    assert printable(C1 + BIDI + "\x7f\b\rx") == "\ufffd\ufffd␡␈␍x"
    assert printable("a\r\nb\tc\n") == "a\r\nb\tc\n"  # lines and tabs kept; CR only before LF
    assert printable_line("a\nb\tc") == "a␊b␉c"
    assert printable("Zoë 李 [bold]x[/bold]") == "Zoë 李 [bold]x[/bold]"
    document = json.dumps({"n": EVE + C1 + BIDI}, ensure_ascii=False)
    assert UNSAFE.search(json_safe(document)) is None
    assert json.loads(json_safe(document)) == {"n": EVE + C1 + BIDI}


def test_markup_in_a_name_is_text(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    (root / "people").mkdir(parents=True)
    (root / "people" / "M.md").write_text('---\nname: "[bold red]Mark[/bold red] [link=http://x]y[/link]"\n---\n')
    result = run_cli("--vault", str(root), "--today", TODAY, "show", "M")
    assert "[bold red]Mark[/bold red] [link=http://x]y[/link]" in result.out


# -- a name on two lines ----------------------------------------------------------------------


def _line_break_vault(root: Path) -> Path:
    people = root / "people"
    people.mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
    due = "cadence: 7d\nlast_contact: 2026-01-01\n"
    (people / "Eve.md").write_text(f'---\nname: "Eve\\nMallory <!-- mdnet:end -->"\n{due}---\n', encoding="utf-8")
    (people / "Ali.md").write_text(f'---\naliases: ["Al\\n- [x] [[Ok]]"]\n{due}---\n', encoding="utf-8")
    (people / "Line\nBreak.md").write_text(f"---\nname: Line Break\n{due}---\n", encoding="utf-8")
    (people / "Ok.md").write_text(f"---\n{due}---\n## Log\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "vault")
    return root


def test_a_line_break_in_a_name_is_a_check_error(tmp_path: Path) -> None:
    root = _line_break_vault(tmp_path / "vault")
    result = run_mdnet_process("--vault", str(root), "--today", TODAY, "check")
    assert result.code == 1
    lines = result.out.splitlines()
    assert "people/Eve.md:2:1: error: name holds a line break; write the name on one line" in lines
    assert any(line.startswith("people/Ali.md:2:1: error: an alias holds a line break") for line in lines)
    assert any(line.startswith("people/Line\\nBreak.md:") and "file name holds a line break" in line for line in lines)
    assert all(re.match(r"people/\S+:\d+:\d+: (error|warning): ", line) for line in lines), lines


def test_a_line_break_in_a_name_leaves_the_daily_note_well_formed(tmp_path: Path) -> None:
    root = _line_break_vault(tmp_path / "vault")
    first = run_mdnet_process("--vault", str(root), "--today", TODAY, "daily")
    assert first.code == 0, first
    assert "note left out" in first.err and UNSAFE.search(first.err) is None
    note = root / "daily" / f"{TODAY}.md"
    text = note.read_text(encoding="utf-8")
    assert text.count("<!-- mdnet:begin -->") == 1 and text.count("<!-- mdnet:end -->") == 1
    assert "Mallory" not in text and "Line Break" not in text
    tasks = [line for line in text.splitlines() if "[[" in line]
    assert tasks and all(line.startswith("- [ ] [[") for line in tasks), tasks
    # the user ticks the one task; the next refresh logs it and still works
    note.write_text(text.replace("- [ ] [[Ok]]", "- [x] [[Ok]]"), encoding="utf-8")
    second = run_mdnet_process("--vault", str(root), "--today", TODAY, "daily")
    assert second.code == 0, second
    assert "logged Ok" in second.out
    third = run_mdnet_process("--vault", str(root), "--today", TODAY, "daily", "--print")
    assert third.code == 0, third


def test_every_line_the_cli_prints_goes_through_the_safe_helpers() -> None:
    """``click.echo`` only in the few functions that make text safe (or print JSON or exported data):
    a new command that printed a name with ``click.echo`` would bypass them."""
    import ast

    allowed = {"echo", "warn", "echo_rich", "echo_json_text", "_fail", "run", "write_output"}
    package = Path(__file__).resolve().parents[2] / "mdnet" / "cli"
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 10, "the guard reads mdnet/cli/*.py"
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and ast.unparse(node.func) in ("click.echo", "print", "sys.stdout.write"):
                    assert function.name in allowed, f"{module.name}:{node.lineno} prints outside the safe helpers"
