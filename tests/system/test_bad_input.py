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
    from mdnet.refresh import _parse_one

    row = _parse_one((str(vault_dir), "people/Gone.md", "token"), (("people",), "Log", 1024))
    assert row.record is None
    problem = json.loads(row.problems)[0]
    assert problem["severity"] == "error" and problem["message"].startswith("cannot read")
