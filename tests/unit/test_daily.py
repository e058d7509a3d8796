# ruff: noqa: E501  (golden text: task lines are long by nature)
"""The daily note's pure parts: rendering (golden), merging byte for byte, ticks, dates, tips."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdnet.core import dateformat
from mdnet.core.model import Contact, DueItem, LogEntry, Reason
from mdnet.features import daily_block as daily

DAY = dt.date(2026, 11, 25)


def contact(name: str, path: str, **extra: object) -> Contact:
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    return Contact(path=path, name=name, stem=stem, fields={"name": name}, **extra)  # type: ignore[arg-type]


JANE = contact(
    "Jane Doe",
    "people/Jane Doe.md",
    interests=("sailing", "jazz"),
    follow_up_note="Not hiring until Q2",
    last_contact=dt.date(2026, 11, 20),
    log=(LogEntry(dt.date(2026, 11, 20), None, "coffee", "discussed // // their https://x.example migration", 12),),
)
BOB = contact("Bob Baker", "people/bob-overdue.md", interests=("classic cars",), last_contact=dt.date(2026, 9, 15))
OWEN = contact("Owen Gallagher", "people/Owen Gallagher.md")
CONTACTS = {c.path: c for c in (JANE, BOB, OWEN)}
LINKS = daily.unique_links(CONTACTS.values())


def item(c: Contact, bucket: str, due: dt.date, *reasons: Reason) -> DueItem:
    overdue = (DAY - due).days if due < DAY else 0
    return DueItem(c.name, c.path, bucket, due, overdue, None, (), reasons)  # type: ignore[arg-type]


ITEMS = [
    item(JANE, "reply", DAY, Reason("cadence", dt.date(2026, 12, 20), "every 30d; last contact 2026-11-20"),
         Reason("reply", DAY, "you owe them a reply")),
    item(BOB, "overdue", dt.date(2026, 10, 15),
         Reason("cadence", dt.date(2026, 10, 15), "every 30d; last contact 2026-09-15")),
    item(OWEN, "upcoming", dt.date(2026, 11, 28), Reason("planned", dt.date(2026, 11, 28), "planned next contact")),
]  # fmt: skip

GOLDEN = """<!-- mdnet:begin -->
## Networking

> [!tip] Tip of the day
> Say hello.

### Immediate follow-up
- [ ] [[Jane Doe]] — you owe them a reply · last: 2026-11-20 coffee: discussed / / their https://x.example migration · ask about: sailing, jazz; Not hiring until Q2

### Overdue
- [ ] [[bob-overdue|Bob Baker]] — 41 days overdue: every 30d; last contact 2026-09-15 · last: 2026-09-15 · ask about: classic cars

### Coming up
- [ ] [[Owen Gallagher]] — due Sat 2026-11-28: planned next contact · last: never
<!-- mdnet:end -->"""


def render(items: list[DueItem] = ITEMS, done: list[str] | None = None, newline: str = "\n") -> str:
    return daily.render_block(items, CONTACTS, DAY, "Say hello.", within=7, done=done or [], links=LINKS,
                              newline=newline)  # fmt: skip


def test_render_block_golden() -> None:
    assert render() == GOLDEN


def test_render_block_crlf_uses_crlf_only() -> None:
    text = render(newline="\r\n")
    assert text == GOLDEN.replace("\n", "\r\n")


def test_empty_day_gets_a_friendly_block_not_empty_headings() -> None:
    text = render([])
    assert "Nobody is due today or in the next 7 days" in text
    assert "###" not in text
    assert text.startswith(daily.BEGIN)
    assert text.endswith(daily.END)


def test_done_lines_are_kept_and_their_contacts_left_out_of_the_buckets() -> None:
    done = ["- [x] [[bob-overdue|Bob Baker]] — 41 days overdue · last: 2026-09-15 ✓ logged"]
    text = daily.render_block(ITEMS, CONTACTS, DAY, "Say hello.", within=7, done=done, hide={BOB.path}, links=LINKS)
    assert text.endswith("### Done\n" + done[0] + "\n" + daily.END)
    assert "### Overdue" not in text
    assert "[[Jane Doe]]" in text


def test_unique_links_use_folder_paths_only_for_shared_stems() -> None:
    a = contact("Jane Doe", "people/work/jane.md")
    b = contact("Jane Roe", "people/home/jane.md")
    links = daily.unique_links([a, b, JANE, BOB])
    assert links[a.path] == "[[people/work/jane|Jane Doe]]"
    assert links[b.path] == "[[people/home/jane|Jane Roe]]"
    assert links[JANE.path] == "[[Jane Doe]]"
    assert links[BOB.path] == "[[bob-overdue|Bob Baker]]"


# -- merging ---------------------------------------------------------------

BEFORE = "---\ntags: [daily]   # mine\n---\n# Wednesday\n\nMy own notes, untouched.\n\n"
AFTER = "\n\n## Evening\n- [ ] [[Jane Doe]] buy milk\n  trailing spaces   \nno final newline"
OLD_BLOCK = "<!-- mdnet:begin -->\n## Networking\n\n### Overdue\n- [ ] [[Old Friend]] — stale\n<!-- mdnet:end -->"


def test_merge_replaces_only_the_block() -> None:
    merged = daily.merge(BEFORE + OLD_BLOCK + AFTER, GOLDEN)
    assert merged == BEFORE + GOLDEN + AFTER


def test_merge_keeps_text_touching_the_markers() -> None:
    note = "above, no blank line\n" + OLD_BLOCK + "\nbelow, no blank line\n"
    assert daily.merge(note, GOLDEN) == "above, no blank line\n" + GOLDEN + "\nbelow, no blank line\n"


def test_merge_appends_a_missing_block_after_a_blank_line() -> None:
    assert daily.merge("# Note\nline", GOLDEN) == "# Note\nline\n\n" + GOLDEN + "\n"
    assert daily.merge("# Note\n\n", GOLDEN) == "# Note\n\n" + GOLDEN + "\n"
    assert daily.merge("", GOLDEN) == GOLDEN + "\n"


def test_merge_crlf_and_bom_survive() -> None:
    crlf_block = GOLDEN.replace("\n", "\r\n")
    note = "\ufeff" + OLD_BLOCK.replace("\n", "\r\n") + "\r\nmine\r\n"
    merged = daily.merge(note, crlf_block)
    assert merged == "\ufeff" + crlf_block + "\r\nmine\r\n"
    appended = daily.merge("\ufeff# Title\r\nmine\r\n", crlf_block)
    assert appended == "\ufeff# Title\r\nmine\r\n\r\n" + crlf_block + "\r\n"
    assert "\n" not in appended.replace("\r\n", "")


def test_merge_is_idempotent() -> None:
    once = daily.merge(BEFORE + AFTER, GOLDEN)
    assert daily.merge(once, GOLDEN) == once


@pytest.mark.parametrize(
    ("note", "line", "words"),
    [
        ("a\n<!-- mdnet:begin -->\n- [ ] [[X]] — y\nb\n", 2, "has no <!-- mdnet:end -->"),
        ("a\n<!-- mdnet:end -->\n", 2, "has no <!-- mdnet:begin -->"),
        ("<!-- mdnet:end -->\n<!-- mdnet:begin -->\n", 1, "comes before"),
        (OLD_BLOCK + "\n" + OLD_BLOCK + "\n", 6, "more than one"),
        ("x <!-- mdnet:begin -->\n<!-- mdnet:end -->\n", 1, "on a line by itself"),
        ("<!-- mdnet:begin -->\n### Overdue\nmy own paragraph\n<!-- mdnet:end -->\n", 3, "move it below"),
        ("<!-- mdnet:begin -->\n  - [ ] [[X]] indented\n<!-- mdnet:end -->\n", 2, "move it below"),
        ("<!-- mdnet:begin -->\n- [x] Jane Doe — reply\n<!-- mdnet:end -->\n", 2, "needs its [[link]]"),
        ("<!-- mdnet:begin -->\n- [ ] [[Jane Doe]] my own task\n<!-- mdnet:end -->\n", 2, "move it below"),
        ("<!-- mdnet:begin -->\n## My thoughts\n<!-- mdnet:end -->\n", 2, "move it below"),
        ("<!-- mdnet:begin -->\n_my emphasis_\n<!-- mdnet:end -->\n", 2, "move it below"),
    ],
)
def test_mangled_blocks_are_refused_with_the_line_to_fix(note: str, line: int, words: str) -> None:
    with pytest.raises(daily.BlockError) as caught:
        daily.merge(note, GOLDEN)
    assert caught.value.line == line
    assert words in caught.value.message


def test_marker_lookalikes_in_user_text_are_not_markers() -> None:
    note = "I write `mdnet:begin` in prose without the comment.\n"
    assert daily.find_block(note) is None


# -- ticks -----------------------------------------------------------------

TICKED = """<!-- mdnet:begin -->
## Networking

### Overdue
- [x] [[bob-overdue|Bob Baker]] — 41 days overdue: every 30d · last: 2026-09-15
- [ ] [[Jane Doe]] — you owe them a reply
- [X] [[Owen Gallagher]] — planned next contact // coffee: talked about the chamber board
- [x] [[people/x/Kim|Kim]] — old one ✓ logged
- [ ] [[Lee]] — unticked but logged earlier ✓ logged
- [-] [[Cancelled Person]] — cancelled is not done
- [x] [[Jane Doe]] my own words on a ticked line are kept
- [x] [[Kim]] call: said hello
<!-- mdnet:end -->"""


def test_find_ticks_reads_new_ticks_only() -> None:
    block = daily.find_block("intro\n" + TICKED + "\n- [x] [[Jane Doe]] outside the block\n")
    assert block is not None
    ticks = daily.find_ticks(block)
    assert [(t.line, t.target, t.kind, t.words) for t in ticks] == [
        (6, "bob-overdue", None, "followed up from the daily note (41 days overdue: every 30d)"),
        (8, "Owen Gallagher", "coffee", "talked about the chamber board"),
        (12, "Jane Doe", None, "my own words on a ticked line are kept"),
        (13, "Kim", "call", "said hello"),
    ]


@pytest.mark.parametrize(
    "task", ["- [x] [[Deck.pdf]] sent", "- [ ] [[notes/plan.CANVAS]] — review", "- [x] ![[a.png]]"]
)
def test_a_task_in_the_block_that_starts_with_an_attachment_is_refused_with_its_line(task: str) -> None:
    """``[[Deck.pdf]]`` names a file, not whom to log: it was "no contact named 'Deck.pdf'",
    warned again on every refresh; now it is named like any line the block cannot keep."""
    text = f"<!-- mdnet:begin -->\n- [x] [[Jane Doe]] coffee\n{task}\n<!-- mdnet:end -->\n"
    with pytest.raises(daily.BlockError) as caught:
        daily.find_block(text)
    assert caught.value.line == 3


def test_carry_forward_marks_logged_ticks_and_keeps_history() -> None:
    block = daily.find_block(TICKED)
    assert block is not None
    kept = daily.carry_forward(block, {5})
    assert kept == [
        "- [x] [[bob-overdue|Bob Baker]] — 41 days overdue: every 30d · last: 2026-09-15 ✓ logged",
        "- [X] [[Owen Gallagher]] — planned next contact // coffee: talked about the chamber board",
        "- [x] [[people/x/Kim|Kim]] — old one ✓ logged",
        "- [ ] [[Lee]] — unticked but logged earlier ✓ logged",
        "- [x] [[Jane Doe]] my own words on a ticked line are kept",
        "- [x] [[Kim]] call: said hello",
    ]
    assert daily.carry_forward(None) == []


def test_a_rendered_block_with_logged_lines_has_no_new_ticks() -> None:
    done = ["- [x] [[bob-overdue|Bob Baker]] — x ✓ logged"]
    block = daily.find_block(render(done=done))
    assert block is not None
    assert daily.find_ticks(block) == []
    assert daily.carry_forward(block) == done


# -- dates, templates, tips ------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("YYYY-MM-DD", "2026-11-25"),
        ("YYYY/MM/YYYY-MM-DD", "2026/11/2026-11-25"),
        ("dddd, MMMM Do YYYY", "Wednesday, November 25th 2026"),
        ("ddd D MMM YY", "Wed 25 Nov 26"),
        ("GGGG-[W]WW", "2026-W48"),
        ("[Daily] YYYY-MM-DD", "Daily 2026-11-25"),
        ("DDDD Q", "329 4"),
    ],
)
def test_format_date_moment_tokens(pattern: str, expected: str) -> None:
    assert dateformat.format_date(DAY, pattern) == expected


def test_ordinals() -> None:
    got = [dateformat.format_date(dt.date(2026, 1, d), "Do") for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)]
    assert got == ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]


def test_fill_template_tokens() -> None:
    template = "# {{title}}\n{{date}} | {{date:dddd D MMMM}} | {{ time }} | {{time:HH.mm.ss}} | "
    template += "{{date+1d:YYYY-MM-DD}}\n"
    now = dt.datetime(2026, 11, 26, 7, 5, 9)  # created the next morning for yesterday's note
    filled = dateformat.fill_template(template, DAY, now, title="2026-11-25", date_format="YYYY-MM-DD")
    assert filled == "# 2026-11-25\n2026-11-25 | Wednesday 25 November | 07:05 | 07.05.09 | 2026-11-26\n"


def test_tips_are_many_distinct_and_chosen_by_date() -> None:
    tips = daily.parse_tips(resources.files("mdnet").joinpath("tips.txt").read_text(encoding="utf-8"))
    assert len(tips) >= 30
    assert len(set(tips)) == len(tips)
    assert all(" // " not in t and len(t) < 200 for t in tips)
    assert daily.pick_tip(tips, DAY) == daily.pick_tip(tips, DAY)
    week = {daily.pick_tip(tips, DAY + dt.timedelta(days=n)) for n in range(7)}
    assert len(week) == 7
    assert daily.pick_tip([], DAY)


# -- properties ------------------------------------------------------------

_user_text = st.text(alphabet=st.sampled_from(list("ab #-[]x>\t\r\n\ufeffé<!\u2028\x0c")), max_size=60)


@given(before=_user_text, after=_user_text, crlf=st.booleans())
def test_merge_keeps_every_byte_outside_the_block(before: str, after: str, crlf: bool) -> None:
    newline = "\r\n" if crlf else "\n"
    if before and not before.endswith("\n"):
        before += newline
    note = before + OLD_BLOCK.replace("\n", newline) + newline + after
    block = GOLDEN.replace("\n", newline)
    merged = daily.merge(note, block)
    assert merged == before + block + newline + after
    assert daily.merge(merged, block) == merged


@given(text=_user_text)
def test_appending_keeps_the_note_as_a_prefix(text: str) -> None:
    merged = daily.merge(text, GOLDEN)
    assert merged.startswith(text)
    assert merged.endswith(GOLDEN + "\n") or merged.endswith(GOLDEN + "\r\n")
    assert daily.merge(merged, GOLDEN) == merged
