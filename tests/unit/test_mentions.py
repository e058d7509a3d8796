"""Unit tests of mentions.read_note: dated notes, mentions, open loops and log mentions (SPEC 11)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet.core.dateformat import daily_date_reader
from mdnet.features.daily_block import BEGIN, END
from mdnet.note import mentions
from mdnet.note.mentions import (
    NOTHING,
    MentionSettings,
    NoteFacts,
    read_note,
)
from tests.conftest import examples

LINKS = MentionSettings()
DAILY = "daily/2026-11-20.md"
D = dt.date(2026, 11, 20)


def facts(body: str, path: str = DAILY, mode: str = "links", **kwargs: object) -> NoteFacts:
    return read_note(body, path, MentionSettings(mode=mode), **kwargs)  # type: ignore[arg-type]


def targets(body: str, path: str = DAILY, mode: str = "links") -> list[str]:
    return [m.target for m in facts(body, path, mode).mentions]


# -- dated notes ------------------------------------------------------------------


def test_daily_note_date_comes_from_the_caller() -> None:
    note = facts("- [[Bob]]\n", "journal/whatever.md", daily_date=dt.date(2026, 1, 2))
    assert (note.date, note.date_source) == (dt.date(2026, 1, 2), "daily")


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("date: 2026-11-05", dt.date(2026, 11, 5)),
        ("date: 2026-11-05T14:30", dt.date(2026, 11, 5)),
        ("date: 2026-11-05 14:30:00", dt.date(2026, 11, 5)),
        ('date: "[[2026-11-05]]"', dt.date(2026, 11, 5)),
        ("date: [[2026-11-05]]", dt.date(2026, 11, 5)),  # YAML: a list holding a list
        ("day: 2026-11-06", dt.date(2026, 11, 6)),
        ("date: 2026-11-05\nday: 2026-11-06", dt.date(2026, 11, 5)),  # date before day
    ],
)
def test_front_matter_dates(front: str, expected: dt.date) -> None:
    note = facts(f"---\n{front}\n---\n- [[Bob]]\n", "meetings/Coffee.md")
    assert note.date == expected
    assert [m.line for m in note.mentions] == [front.count("\n") + 4]


def test_file_name_starting_with_an_iso_date() -> None:
    note = facts("Lunch with [[Bob]]\n", "meetings/2026-11-20 Lunch with Bob.md")
    assert (note.date, note.date_source) == (D, "name")
    assert facts("[[Bob]]\n", "meetings/Lunch 2026-11-20.md").date is None  # only a prefix counts


def test_daily_name_beats_front_matter_beats_file_name() -> None:
    text = "---\ndate: 2026-01-01\n---\n[[Bob]]\n"
    assert facts(text, "x/2026-03-03 a.md", daily_date=D).date == D
    assert facts(text, "x/2026-03-03 a.md").date == dt.date(2026, 1, 1)


def test_impossible_date_gives_no_date_and_a_warning() -> None:
    note = facts("---\ntitle: x\ndate: 2026-02-30\n---\n[[Bob]]\n", "meetings/Coffee.md")
    assert note.date is None and note.mentions == ()
    (problem,) = note.problems
    assert (problem.path, problem.line, problem.severity) == ("meetings/Coffee.md", 3, "warning")
    assert "2026-02-30" in problem.message and "day is out of range" in problem.message


def test_impossible_date_falls_back_to_the_file_name() -> None:
    note = facts("---\ndate: 2026-13-01\n---\n[[Bob]]\n", "m/2026-11-20 x.md")
    assert note.date == D and len(note.problems) == 1


def test_impossible_date_in_the_file_name_warns() -> None:
    note = facts("[[Bob]]\n", "m/2026-02-30 x.md")
    assert note.date is None and "not a date" in note.problems[0].message


@pytest.mark.parametrize("template", ["{{date}}", "{{date:YYYY-MM-DD}}", "{{ title }}"])
def test_templates_are_never_dated(template: str) -> None:
    assert facts(f"# {template}\n- [[Bob]]\n", "templates/2026-11-20 daily.md", daily_date=D).date is None
    assert facts(f"---\ndate: {template}\n---\n- [[Bob]]\n", "t/Meeting.md").date is None


def test_type_contact_and_contact_notes_are_never_dated() -> None:
    assert facts("---\ntype: contact\ndate: 2026-11-20\n---\n[[Bob]]\n", "x/Al.md").date is None
    assert facts("[[Bob]]\n", "people/2026-11-20 Al.md", is_contact=True).date is None


def test_undated_notes_have_no_mentions() -> None:
    assert facts("Lunch with [[Bob]]\n", "projects/Berlin.md") == NOTHING


# -- mentions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("[[Bob Stone]]", "Bob Stone"),
        ("[[Bob Stone|Bob]]", "Bob Stone"),
        ("[[Bob Stone#Berlin]]", "Bob Stone"),
        ("[[Bob Stone#Berlin|the move]]", "Bob Stone"),
        ("[[people/Bob Stone]]", "people/Bob Stone"),
        ("[[people/bob-stone|Bob Stone]]", "people/bob-stone"),
        ("[lunch](people/Bob%20Stone.md)", "people/Bob Stone.md"),
        ("[lunch](<people/Bob Stone.md>)", "people/Bob Stone.md"),
        ("[lunch](Bob.md#Berlin)", "Bob.md"),
    ],
)
def test_every_link_form_is_a_mention(link: str, target: str) -> None:
    (mention,) = facts(f"# Day\n- Lunch with {link}, he is moving to Berlin\n").mentions
    assert (mention.target, mention.line, mention.source) == (target, 2, "body")
    assert mention.text.startswith("Lunch with ") and mention.text.endswith("moving to Berlin")


@pytest.mark.parametrize(
    "text",
    [
        "[site](https://example.com/Bob.md)",
        "[deck](files/deck.pdf)",
        "[[Deck.pdf]]",
        "[[#Heading]]",
        "![[Bob Stone]]",
        "![photo](people/Bob.md)",
    ],
)
def test_links_that_name_no_note_or_embed_one_are_not_mentions(text: str) -> None:
    assert targets(f"- {text}\n") == []


NOT_MENTIONS = {
    "backtick fence": "```\n[[Bob]]\n```\n",
    "tilde fence": "~~~md\n[[Bob]]\n~~~\n",
    "inline code": "see `[[Bob]]` here\n",
    "quote": "> lunch with [[Bob]]\n",
    "nested quote": ">> [[Bob]]\n",
    "indented quote": "  > [[Bob]]\n",
    "callout": "> [!note] Met\n> [[Bob]]\n",
    "embed": "![[Bob]]\n",
    "open task": "- [ ] call [[Bob]]\n",
    "cancelled task": "- [-] call [[Bob]]\n",
    "half-done task": "- [/] call [[Bob]]\n",
    "other box": "* [>] call [[Bob]]\n",
    "html comment": "<!-- [[Bob]] -->\n",
    "html comment over lines": "<!--\nlunch\n[[Bob]]\n-->\n",
    "percent comment": "%% [[Bob]] %%\n",
    "percent comment over lines": "%%\n[[Bob]]\n%%\n",
    "mdnet block": "<!-- mdnet:begin -->\n### Due today\n- [x] [[Bob]] — every 30d ✓ logged\n<!-- mdnet:end -->\n",
}


@pytest.mark.parametrize("body", NOT_MENTIONS.values(), ids=NOT_MENTIONS.keys())
def test_not_a_mention(body: str) -> None:
    assert targets("# Day\n" + body + "After [[Carl]]\n") == ["Carl"]


@pytest.mark.parametrize("opening", ["```", "%% draft", "<!-- draft"])
def test_an_unclosed_fence_or_comment_runs_to_the_end(opening: str) -> None:
    assert targets(f"[[Ann]]\n{opening}\n[[Bob]]\n- [ ] [[Carl]]\n") == ["Ann"]
    assert facts(f"{opening}\n- [ ] [[Carl]]\n").loops == ()


@pytest.mark.parametrize("box", ["x", "X"])
@pytest.mark.parametrize("marker", ["-", "*", "+", "1.", "2)"])
def test_a_done_task_is_a_mention(box: str, marker: str) -> None:
    assert targets(f"  {marker} [{box}] called [[Bob]]\n") == ["Bob"]


def test_front_matter_interaction_fields() -> None:
    text = (
        "---\ndate: 2026-11-20\n"
        'people: ["[[Ann]]", "[[Bo|B]]"]\n'
        'attendees:\n  - [[Cy]]\n  - "[[people/Di]]"\n'
        "with: Plain Name\n"
        'topic: "[[Not A Field]]"\n'
        "MET: [[Ed]]\n"
        "---\nbody\n"
    )
    found = [(m.target, m.line, m.source) for m in facts(text, "m/x.md").mentions]
    assert found == [("Ann", 3, "field"), ("Bo", 3, "field"), ("Cy", 4, "field"), ("people/Di", 4, "field"),
                     ("Ed", 9, "field")]  # fmt: skip


def test_configured_interaction_fields_only() -> None:
    text = "---\nguests: [[Ann]]\nwith: [[Bo]]\n---\nguests:: [[Cy]]\n"
    settings_ = MentionSettings(mode="fields", interaction_fields=("guests",))
    assert [m.target for m in read_note(text, DAILY, settings_).mentions] == ["Ann", "Cy"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("met:: [[Bob]]", ["Bob"]),
        ("- attendees:: [[Bob]], [[Carl]]", ["Bob", "Carl"]),
        ("Lunch [with:: [[Bob]], [[Carl|C]]] at noon", ["Bob", "Carl"]),
        ("Lunch (attendees:: [[Bob]]) at noon", ["Bob"]),
        ("Lunch [topic:: [[Berlin]]] [with:: [[Bob]]]", ["Bob"]),
    ],
)
def test_inline_fields_in_all_three_syntaxes(line: str, expected: list[str]) -> None:
    found = facts(f"# Day\n{line}\n", mode="fields").mentions
    assert [m.target for m in found] == expected
    assert {m.source for m in found} == {"inline"}
    assert [m.target for m in facts(f"# Day\n{line}\n").mentions if m.source == "inline"] == expected


def test_fields_mode_ignores_body_links_and_off_gives_none() -> None:
    text = "---\nwith: [[Ann]]\n---\n- lunch with [[Bob]]\nmet:: [[Cy]]\n"
    assert targets(text, "m/2026-11-20.md", "fields") == ["Ann", "Cy"]
    assert targets(text, "m/2026-11-20.md", "links") == ["Ann", "Bob", "Cy"]
    assert facts(text, "m/2026-11-20.md", "off").mentions == ()


def test_lines_count_over_the_whole_file() -> None:
    text = "---\ndate: 2026-11-20\nwith: [[Ann]]\n---\n\n# Notes\n\n- [[Bob]]\n"
    assert [(m.target, m.line) for m in facts(text, "m/x.md").mentions] == [("Ann", 3), ("Bob", 8)]


def test_crlf_and_bom() -> None:
    text = "\ufeff---\r\ndate: 2026-11-20\r\nwith: [[Ann]]\r\n---\r\n- [[Bob]] \r\n- [ ] ask [[Cy]] 📅 2026-12-01\r\n"
    note = facts(text, "m/x.md")
    assert [(m.target, m.line, m.text) for m in note.mentions] == [("Ann", 3, "with: Ann"), ("Bob", 5, "Bob")]
    assert [(lo.line, lo.text, lo.due, lo.targets) for lo in note.loops] == [
        (6, "ask Cy 📅 2026-12-01", dt.date(2026, 12, 1), ("Cy",))
    ]


def test_mention_text_is_flattened_and_trimmed() -> None:
    (mention,) = facts("   -   Dinner   with [[people/Bob|Bob]]\tand [Carl's](Deck.pdf)  \n").mentions
    assert mention.text == "Dinner with Bob and Carl's"


def test_broken_front_matter_still_gives_the_body() -> None:
    assert targets("---\nwith: [[Ann]\n---\n- [[Bob]]\n", "m/2026-11-20 x.md") == ["Bob"]


# -- open loops -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "due"),
    [
        ("📅 2026-12-01", dt.date(2026, 12, 1)),
        ("[due:: 2026-12-02]", dt.date(2026, 12, 2)),
        ("(due:: 2026-12-03)", dt.date(2026, 12, 3)),
        ("due:: 2026-12-04", dt.date(2026, 12, 4)),
        ("⏳ 2026-12-05", dt.date(2026, 12, 5)),
        ("⏳ 2026-12-05 📅 2026-12-06", dt.date(2026, 12, 6)),  # the due date beats the scheduled one
        ("📅 2026-02-30", None),
        ("", None),
    ],
)
def test_loop_due_dates(suffix: str, due: dt.date | None) -> None:
    (loop,) = facts(f"- [ ] send [[Bob]] the deck {suffix}\n", "projects/Deck.md").loops
    assert (loop.line, loop.due, loop.targets) == (1, due, ("Bob",))


@pytest.mark.parametrize("line", ["- [ ] x", "* [ ] x", "+ [ ] x", "1. [ ] x", "\t\t- [ ] x", "    12) [ ] x"])
def test_loop_list_markers_and_indents(line: str) -> None:
    assert [lo.text for lo in facts(line + "\n", "p/x.md").loops] == ["x"]


@pytest.mark.parametrize(
    "body",
    ["- [x] x", "- [-] x", "- [/] x", "> - [ ] x", "```\n- [ ] x\n```", "<!-- - [ ] x -->", "%% - [ ] x %%",
     "<!-- mdnet:begin -->\n- [ ] [[Bob]] — due\n<!-- mdnet:end -->", "[ ] x", "-[ ] x"],
)  # fmt: skip
def test_not_loops(body: str) -> None:
    assert facts(body + "\n", "p/x.md").loops == ()


def test_loops_in_any_note_with_or_without_links() -> None:
    text = "---\ntype: contact\n---\n## Todo\n- [ ] send the deck\n- [ ] intro [[Carl]] to [Di](Di.md)\n"
    note = facts(text, "people/Bob.md", is_contact=True)
    assert [(lo.line, lo.targets) for lo in note.loops] == [(5, ()), (6, ("Carl", "Di.md"))]
    assert note.mentions == ()


def test_loops_do_not_depend_on_mentions_mode() -> None:
    assert len(facts("- [ ] ask [[Bob]]\n", DAILY, "off").loops) == 1


# -- log entries of contact notes ---------------------------------------------------


CONTACT = """---
name: Ann Lee
---
# Ann Lee

## Log
- 2026-11-20 dinner: with [[Bob Stone]] and [Carl](Carl.md)
- 2026-11-10 call: nobody else
- [ ] 2026-11-01 plan with [[Dana]]
- 2026-10-01 14:30 lunch with [[people/Eve|Eve]] and [[Eve]]

## Notes
- 2026-09-01 [[Not In The Log]]
"""


def test_log_entries_that_link_others() -> None:
    note = facts(CONTACT, "people/Ann Lee.md", is_contact=True)
    found = [(e.date, e.line, e.targets) for e in note.log_mentions]
    assert found == [
        (D, 7, ("Bob Stone", "Carl.md")),
        (dt.date(2026, 10, 1), 10, ("people/Eve", "Eve")),
    ]
    assert note.log_mentions[0].text == "2026-11-20 dinner: with Bob Stone and Carl"
    assert note.date is None and note.mentions == ()


def test_log_mentions_with_a_configured_heading_and_modes() -> None:
    text = CONTACT.replace("## Log", "## Interactions")
    assert facts(text, "people/Ann.md", is_contact=True).log_mentions == ()
    custom = MentionSettings(log_heading="Interactions")
    assert len(read_note(text, "people/Ann.md", custom, is_contact=True).log_mentions) == 2
    assert len(facts(CONTACT, "people/Ann.md", "fields", is_contact=True).log_mentions) == 2
    assert facts(CONTACT, "people/Ann.md", "off", is_contact=True).log_mentions == ()


# -- daily note names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "fmt", "path", "expected"),
    [
        ("daily", "YYYY-MM-DD", "daily/2026-11-20.md", D),
        ("daily", "YYYY-MM-DD", "daily/2026-02-30.md", None),
        ("daily", "YYYY-MM-DD", "other/2026-11-20.md", None),
        ("daily", "YYYY-MM-DD", "daily/sub/2026-11-20.md", None),
        ("", "YYYY-MM-DD", "2026-11-20.md", D),
        ("Journal", "YYYY/MM/YYYY-MM-DD", "Journal/2026/11/2026-11-20.md", D),
        ("Journal", "DD.MM.YYYY", "Journal/20.11.2026.md", D),
        ("j", "dddd, MMMM Do YYYY", "j/Friday, November 20th 2026.md", D),
        ("j", "dddd, MMMM Do YYYY", "j/Monday, November 20th 2026.md", None),  # wrong weekday
        ("j", "[Day] YYYYMMDD", "j/Day 20261120.md", D),
        ("j", "gggg-[W]ww", "j/2026-W47.md", None),  # a weekly note names no day
    ],
)
def test_daily_date_reader(folder: str, fmt: str, path: str, expected: dt.date | None) -> None:
    assert daily_date_reader(folder, fmt)(path) == expected


# -- properties -----------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["Lunch", "with", "[[Bob]]", "[[Carl|C]]", "`code`", "met::", "- [ ]", "- [x]", ">", "[[Di]]", "%%", "<!--",
     "-->", "(with:: [[Ed]])", "📅 2026-12-01", "\t", "[x](F.md)"]
)  # fmt: skip
_LINES = st.lists(st.lists(_WORDS, max_size=6).map(" ".join), max_size=8)


@settings(max_examples=examples(60), deadline=None)
@given(before=_LINES, inside=_LINES, after=_LINES, fence=st.sampled_from(["```", "~~~", "````"]))
def test_nothing_inside_a_code_fence_counts(before: list[str], inside: list[str], after: list[str], fence: str) -> None:
    lines = ["# Day", *before, fence, *(line.replace("`", "") for line in inside), fence, *after, ""]
    note = facts("\n".join(lines), DAILY)
    first, last = len(before) + 2, len(before) + len(inside) + 3
    assert all(not first <= m.line <= last for m in note.mentions)
    assert all(not first <= lo.line <= last for lo in note.loops)


@settings(max_examples=examples(60), deadline=None)
@given(lines=_LINES, extra=st.sampled_from(["", "more [[Bob]]", "- [ ] later [[Di]]", "met:: [[Ed]]"]))
def test_a_plain_line_added_at_the_end_changes_nothing_before_it(lines: list[str], extra: str) -> None:
    text = "\n".join(["# Day", *lines, "", "---", ""])  # a closed paragraph: no comment left open
    if text.count("%%") % 2 or text.count("<!--") > text.count("-->"):
        return
    before = facts(text, DAILY)
    after = facts(text + extra + "\n", DAILY)
    assert after.mentions[: len(before.mentions)] == before.mentions
    assert after.loops[: len(before.loops)] == before.loops


def test_the_block_markers_are_the_daily_notes() -> None:
    assert (mentions.BEGIN, mentions.END) == (BEGIN, END)
