"""The watcher's pure rules: which paths matter, status lines, commit messages."""

from __future__ import annotations

import pytest

from mdnet.core.model import Problem, RefreshStats
from mdnet.watch.engine import _outermost
from mdnet.watch.report import Batch, commit_message, is_watched_note, relative_path, status_line

ROOT = "/home/me/net"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (ROOT, ""),
        (f"{ROOT}/people/Jane Doe.md", "people/Jane Doe.md"),
        (f"{ROOT}/people", "people"),
        (f"{ROOT}/.git/index", None),
        (f"{ROOT}/.obsidian/workspace.json", None),
        (f"{ROOT}/.trash/Bob.md", None),
        (f"{ROOT}/.mdnet/index.sqlite", None),
        (f"{ROOT}/people/.hidden/x.md", None),
        (f"{ROOT}/people/.Jane Doe.md.swp", None),
        ("/home/me/network/people/x.md", None),  # a sibling folder sharing the prefix
        ("/elsewhere/x.md", None),
    ],
)
def test_relative_path_ignores_dot_folders_and_outside(path: str, expected: str | None) -> None:
    assert relative_path(ROOT, path) == expected


@pytest.mark.parametrize(
    ("path", "watched"),
    [
        ("people/Jane Doe.md", True),
        ("people/Jane Doe.MD", True),
        ("people/Jane Doe.md~", False),
        ("people/4913", False),
        ("people/.#Jane Doe.md", False),
        ("people/Jane Doe.md.tmp", False),
        ("people/x.tmp", False),
        ("people/photo.png", False),
    ],
)
def test_is_watched_note_skips_editor_temporaries(path: str, watched: bool) -> None:
    assert is_watched_note(path) is watched


def test_outermost_keeps_parents_only() -> None:
    assert _outermost({"a/b", "a", "c/d", "a/b/c", "ab"}) == ["a", "ab", "c/d"]
    assert _outermost({"a", ""}) == [""]


def test_commit_message_names_contacts_and_lists_every_path() -> None:
    names = {"people/Jane Doe.md": "Jane Doe", "people/bob.md": "Bob Baker"}
    paths = ["daily/2026-11-25.md", "people/Jane Doe.md", "people/bob.md"]
    message = commit_message(paths, names, deleted=["people/bob.md"])
    subject, blank, *body = message.splitlines()
    assert subject == "Update Bob Baker, Jane Doe"
    assert blank == ""
    assert "- daily/2026-11-25.md" in body
    assert "- deleted people/bob.md (Bob Baker)" in body
    assert "Contact: Jane Doe" in body
    assert message.endswith("\n")


def test_commit_message_subject_stays_short_with_many_contacts() -> None:
    names = {f"people/p{i}.md": f"Person Number {i}" for i in range(40)}
    subject = commit_message(sorted(names), names).splitlines()[0]
    assert len(subject) <= 72
    assert subject.startswith("Update Person Number")
    assert "more" in subject


def test_commit_message_without_contacts() -> None:
    assert commit_message(["daily/2026-11-25.md"], {}).splitlines()[0] == "Update daily/2026-11-25.md"
    assert commit_message(["a.md", "b.md"], {}).splitlines()[0] == "Update 2 notes"


def test_status_line_says_what_and_problems() -> None:
    stats = RefreshStats(10, 8, 1, 1, 0, 1, 0.01, False)
    problem = Problem("people/Bad.md", 3, 1, "error", "bad date")
    batch = Batch("events", ("people/A.md", "people/Bad.md"), False, stats, (problem,), ("people/A.md",))
    line = status_line(batch)
    assert line.startswith("reindexed people/A.md (1 added, 1 updated)")
    assert "1 problem: people/Bad.md:3:1: error: bad date" in line
    full = Batch("periodic", (), True, stats, (), tuple(f"n{i}.md" for i in range(5)))
    assert status_line(full).startswith("reindexed 5 notes")
    assert "[full scan: periodic]" in status_line(full)
    failed = Batch("events", (), False, None, error="OSError: boom")
    assert "refresh failed" in status_line(failed)
    assert "boom" in status_line(failed)
