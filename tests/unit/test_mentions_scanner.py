"""The mention reader (mdnet.note.mentions, made cheaper in session 6) against the straightforward one it
replaced (tests/unit/mentions_reference.py): on random note text, the same dated-ness, mentions, open loops,
log mentions and warnings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet.note import mentions
from tests.unit import mentions_reference as reference

# Pieces a line is made of: links of both kinds (embeds, attachments, folders, headings, labels, encoded
# and odd URLs), list markers and task boxes, inline fields, quotes, code, comments, mdnet's block markers,
# due dates, and the characters the scanner cuts on.
PIECES = [
    "[[Ann Lee]]", "[[people/Bob Stone|Bob]]", "[[Cy#Notes]]", "[[Cy.md]]", "![[Ann Lee]]", "[[Deck.pdf]]",
    "[[ Ann ]]", "[[]]", "[[a|]]", "[[x", "]]", "[[", "[Bob](people/Bob%20Stone.md)", "![Cy](Cy.md)",
    "[a](https://x.example/a.md)", "[b](<my note.md>)", "[c](Dee.md#top)", "[d](mailto:d.md)", "](", "[", "]",
    "(", ")", "- ", "* ", "1. ", "2) ", "- [ ] ", "- [x] ", "- [X] ", "- [-] ", "- [/] ", "[ ]", "met:: ",
    "with:: ", "(with:: ", "[met:: ", "note:: ", "::", "> ", ">", "`", "``", "`[[Cy]]`", "<!-- ", " -->", "%%",
    mentions.BEGIN, mentions.END, "\N{CALENDAR} 2026-11-05", "\N{CALENDAR}\ufe0f2026-02-30", "due:: 2026-12-01",
    "[due:: 2026-12-02]", "\N{HOURGLASS WITH FLOWING SAND} 2026-10-10", "```", "~~~", "{{date}}", " ", "  ",
    "\t", "!", "|", "#", ".", "/", "word", "Ann", "é", "\r", "\n", "\n", "\n", "\n",
]  # fmt: skip
FRONTS = [
    "", "---\ndate: 2026-11-05\n---\n", "---\nday: 2026-02-30\n---\n", "---\ndate: '[[2026-11-06]]'\n---\n",
    "---\nwith: '[[Ann Lee]]'\nattendees:\n  - '[[Bob Stone]]'\n  - '[[Deck.pdf]]'\n---\n",
    "---\nattendees: [[Cy]]\n---\n", "---\ntype: contact\n---\n", "---\ntitle: {{title}}\n---\n",
]  # fmt: skip
PATHS = ["daily/2026-11-05.md", "meetings/2026-11-07 sync.md", "notes/plain.md", "people/Ann Lee.md"]


def plain(value: Any) -> Any:
    """A result as plain tuples and values: the two modules' classes differ, their contents must not."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple | list):
        return tuple(plain(v) for v in value)
    return value


@st.composite
def notes(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    body = "".join(draw(st.lists(st.sampled_from(PIECES), max_size=60)))
    path = draw(st.sampled_from(PATHS))
    daily = dt.date(2026, 11, 5) if path.startswith("daily/") and draw(st.booleans()) else None
    options = {"daily_date": daily, "is_contact": path.startswith("people/") and draw(st.booleans())}
    return draw(st.sampled_from(FRONTS)) + body, path, options


@settings(max_examples=1500, deadline=None)
@given(notes(), st.sampled_from(["links", "fields", "off"]))
def test_the_scanner_reads_what_the_reference_reads(note: tuple[str, str, dict[str, Any]], mode: str) -> None:
    text, path, options = note
    new = mentions.read_note(text, path, mentions.MentionSettings(mode=mode), **options)  # type: ignore[arg-type]
    old = reference.read_note(text, path, reference.MentionSettings(mode=mode), **options)  # type: ignore[arg-type]
    assert plain(new) == plain(old)


def test_the_comparison_can_fail() -> None:
    """The reference and the scanner are compared by content: a different mention is seen."""
    text = "[[Ann Lee]] and [[Bob Stone]]"
    new = mentions.read_note(text, PATHS[0], mentions.MentionSettings(), daily_date=dt.date(2026, 11, 5))
    old = reference.read_note(text, PATHS[0], reference.MentionSettings(), daily_date=dt.date(2026, 11, 5))
    assert plain(new) == plain(old)
    assert plain(new) != plain(dataclasses.replace(old, mentions=old.mentions[:1]))
