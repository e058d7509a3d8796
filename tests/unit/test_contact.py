"""Notes become contacts; every problem has a line and a column."""

from __future__ import annotations

import datetime as dt

import pytest

from mdnet.core.folding import fold
from mdnet.core.model import Duration
from mdnet.core.wikilinks import link_label, link_target
from mdnet.note.contact import ParseSettings, as_list, parse_note

SPEC_NOTE = """---
name: Jane Doe
aliases: [Jane, JD]
category: client          # a comment
tags: [cloud, phoenix]
company: "[[Acme Corp]]"
email: [jane@acme.example]
interests: [sailing, jazz]
birthday: 1984-06-02
cadence: 30d
last_contact: 2026-10-21
next_contact: 2026-12-01
follow_up: 2027-05-25
follow_up_note: Not hiring until Q2; ask again
needs_reply: true
snooze_until: 2026-12-10
status: active
favourite_color: teal
---
# Jane Doe

Met at the chamber breakfast.

## Log
- 2026-11-20 coffee: discussed their cloud migration; ask about the sailing trip
- 2026-10-21 email: sent quarterly update
- 2026-09-01 09:30 call: intro call
"""


def parse(text: str, path: str = "people/Jane Doe.md", folder: bool = True):  # type: ignore[no-untyped-def]
    return parse_note(text, path, contact_folder=folder, settings=ParseSettings())


def test_the_spec_example_parses_into_every_field() -> None:
    note = parse(SPEC_NOTE)
    assert note.problems == ()
    c = note.contact
    assert c is not None
    assert (c.name, c.stem, c.category, c.company) == ("Jane Doe", "Jane Doe", "client", "[[Acme Corp]]")
    assert c.aliases == ("Jane", "JD")
    assert c.tags == ("cloud", "phoenix")
    assert c.cadence == Duration(30, "d")
    assert c.last_contact == dt.date(2026, 11, 20)  # the newest log date beats the field
    assert c.next_contact == dt.date(2026, 12, 1)
    assert c.follow_up_note == "Not hiring until Q2; ask again"
    assert (c.needs_reply, c.needs_reply_date) == (True, None)
    assert c.birthday == (1984, 6, 2)
    assert c.fields["favourite_color"] == "teal"  # unknown fields are kept
    assert [(e.date.isoformat(), e.time, e.kind) for e in c.log] == [
        ("2026-11-20", None, "coffee"),
        ("2026-10-21", None, "email"),
        ("2026-09-01", "09:30", "call"),
    ]
    assert [e.line for e in c.log] == [25, 26, 27]


def test_name_falls_back_to_the_file_stem() -> None:
    note = parse("---\ncategory: friend\n---\n", path="people/Marcus Chen.md")
    assert note.contact is not None
    assert note.contact.name == "Marcus Chen"


def test_no_front_matter_is_still_a_contact_in_the_contact_folder() -> None:
    note = parse("# Someone\n", path="people/Someone.md")
    assert note.contact is not None and note.contact.name == "Someone"


def test_type_contact_makes_any_note_a_contact_and_other_types_opt_out() -> None:
    assert parse("---\ntype: contact\n---\n", path="notes/x.md", folder=False).contact is not None
    assert parse("---\ntitle: x\n---\n", path="notes/x.md", folder=False).contact is None
    assert parse("---\ntype: company\n---\n", path="people/Acme.md").contact is None


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("---\nname: J\nlast_contact: 2026-13-01\n---\n", 3, "bad date in last_contact"),
        ("---\nname: J\ncadence: sometimes\n---\n", 3, "bad cadence"),
        ("---\nname: J\ncadence: 30\n---\n", 3, "30d"),
        ("---\n- a\n- b\n---\n", 2, "not a mapping"),
        ("---\nname: J\nname: K\n---\n", 3, "duplicate key"),
        ("---\nname: J\ntags: [a, b\n---\n", 4, "malformed YAML"),
        ("---\nbirthday: 1984-02-30\n---\n", 2, "no such day"),
        ("---\nneeds_reply: maybe\n---\n", 2, "needs_reply"),
    ],
)
def test_errors_are_located_and_leave_the_contact_out(text: str, line: int, fragment: str) -> None:
    note = parse(text)
    errors = [p for p in note.problems if p.severity == "error"]
    assert errors, note.problems
    assert errors[0].line == line
    assert fragment in errors[0].message
    assert errors[0].format().startswith(f"people/Jane Doe.md:{line}:")
    assert note.contact is None


def test_warnings_keep_the_contact() -> None:
    note = parse("---\nstatus: retired\n---\n## Log\n- 2026-02-30 x\n- 2026-01-02 ok\n")
    assert {p.severity for p in note.problems} == {"warning"}
    assert note.contact is not None
    assert note.contact.status == "active"
    assert [e.text for e in note.contact.log] == ["ok"]


def test_unclosed_fence_is_a_warning() -> None:
    note = parse("---\nname: J\n")
    assert note.problems[0].severity == "warning"
    assert "never closed" in note.problems[0].message


def test_needs_reply_forms() -> None:
    for value, expected in [("true", (True, None)), ("false", (False, None)), ("yes", (True, None)),
                            ("2026-11-20", (True, dt.date(2026, 11, 20)))]:  # fmt: skip
        contact = parse(f"---\nneeds_reply: {value}\n---\n").contact
        assert contact is not None
        assert (contact.needs_reply, contact.needs_reply_date) == expected


def test_log_section_ends_at_the_next_heading_of_the_same_level() -> None:
    text = "---\n---\n## Log\n- 2026-01-02 a\n### Sub\n- 2026-01-03 b\n## Other\n- 2026-01-04 c\n"
    contact = parse(text).contact
    assert contact is not None
    assert [e.text for e in contact.log] == ["a", "b"]


def test_log_dates_that_the_calendar_refuses_are_warnings_with_their_line() -> None:
    entries = ["2026-02-30 a", "2026-13-01 b", "0000-01-01 c", "2026-00-10 d", "2024-02-29 e", "2026-01-31 f",
               "2026-12-28 g", "2026-11-00 h", "2025-02-29 i"]  # fmt: skip
    text = "---\n---\n## Log\n" + "".join(f"- {entry}\n" for entry in entries)
    parsed = parse(text)
    assert parsed.contact is not None
    assert [(e.date.isoformat(), e.text) for e in parsed.contact.log] == [
        ("2024-02-29", "e"), ("2026-01-31", "f"), ("2026-12-28", "g")
    ]  # fmt: skip
    warned = [(p.line, p.message.split(":")[2].strip()) for p in parsed.problems]
    assert warned == [(4, "'2026-02-30' (day is out of range for month)"), (5, "'2026-13-01' (month must be in 1..12)"),
                      (6, "'0000-01-01' (year 0 is out of range)"), (7, "'2026-00-10' (month must be in 1..12)"),
                      (11, "'2026-11-00' (day is out of range for month)"),
                      (12, "'2025-02-29' (day is out of range for month)")]  # fmt: skip


def test_log_dates_in_other_scripts_digits_are_read_as_iso_dates() -> None:
    log = "- ２０２６-０１-０２ coffee: x\n- 2026-01-1٥ y\n- ２０２６-02-31 z\n"
    text = "---\nlast_contact: 2025-12-01\n---\n## Log\n" + log
    parsed = parse(text)
    assert parsed.contact is not None
    assert [(e.date, e.kind, e.text) for e in parsed.contact.log] == [
        (dt.date(2026, 1, 2), "coffee", "x"), (dt.date(2026, 1, 15), None, "y")
    ]  # fmt: skip
    assert parsed.contact.last_contact == dt.date(2026, 1, 15)
    assert [p.line for p in parsed.problems] == [7]  # 31 February, whatever the digits


def test_lists_strings_and_comma_strings() -> None:
    assert as_list("a, b ,c") == ("a", "b", "c")
    assert as_list(["a", None, " b "]) == ("a", "b")
    assert as_list(None) == ()
    assert as_list([["Carl Jung"]]) == ("[[Carl Jung]]",)  # unquoted [[link]] in a list


def test_unquoted_wikilink_reads_back_as_a_link() -> None:
    contact = parse("---\ncompany: [[Acme Corp]]\n---\n").contact
    assert contact is not None and contact.company == "[[Acme Corp]]"


def test_fold_and_links() -> None:
    assert fold("José Álvarez") == fold("jose alvarez")
    assert link_target("[[people/Bob Baker#Log|Bob]]") == "Bob Baker"
    assert link_label("[[bob-overdue|Bob Baker]]") == "Bob Baker"
    assert link_label("plain") == "plain"


@pytest.mark.parametrize("name", ["¯", "\u0301", "´", "¨ ˜"])
def test_a_name_of_accents_alone_still_folds_to_something(name: str) -> None:
    """Folding away every accent left nothing, and nothing matched the note's own name."""
    assert fold(name)
    assert fold(name) == fold(name.upper())


def test_an_excalidraw_drawing_in_a_contact_folder_is_no_contact() -> None:
    """The Excalidraw plugin saves drawings as ``Org chart.excalidraw.md`` with its own front matter,
    which the user does not edit to add ``type:``; they were listed, and due, as people."""
    drawing = "---\nexcalidraw-plugin: parsed\ntags: [excalidraw]\n---\n==⚠  Switch to EXCALIDRAW VIEW ==\n"
    parsed = parse(drawing, "people/Org chart.excalidraw.md")
    assert parsed.contact is None and parsed.is_contact_type is False


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "tags: #work #mentor",
            "tags: '#work #mentor' is a YAML comment, so tags is empty; write tags: [work, mentor]",
        ),
        ("aliases:  #JD", "aliases: '#JD' is a YAML comment, so aliases is empty; write aliases: [JD]"),
        (  # written as a list: the commas are not part of the tags
            "tags: #work, #mentor,#ai",
            "tags: '#work, #mentor,#ai' is a YAML comment, so tags is empty; write tags: [work, mentor, ai]",
        ),
    ],
)
def test_hashtags_read_as_a_yaml_comment_are_a_warning(line: str, message: str) -> None:
    parsed = parse(f"---\nname: Ann\n{line}\n---\n")
    assert parsed.contact is not None and parsed.contact.tags == ()
    assert [(p.line, p.severity, p.message) for p in parsed.problems] == [(3, "warning", message)]


@pytest.mark.parametrize("line", ["tags: # none yet", "tags:", "tags: [work]  #work", "tags:  ## heading-like"])
def test_an_ordinary_comment_after_a_key_is_no_warning(line: str) -> None:
    assert parse(f"---\nname: Ann\n{line}\n---\n").problems == ()
