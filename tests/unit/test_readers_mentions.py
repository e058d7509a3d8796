# ruff: noqa: E501  (task lines are long by nature)
"""What shows a contact's mentions and open loops (SPEC 11), from Contact values built here: the index that
fills them is tested through real files in tests/system/test_interactions_anywhere.py."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from rich.console import Console

from mdnet.cli import render
from mdnet.cli.contacts import contact_json
from mdnet.core.model import Contact, DueItem, GitFacts, LogEntry, Mention, OpenLoop, Reason
from mdnet.features import brief as brief_module
from mdnet.features import daily_block as daily
from mdnet.features import stats
from mdnet.git import timeline
from mdnet.interop import ics

T = dt.date(2026, 12, 8)
LUNCH = Mention(dt.date(2026, 12, 6), "daily/2026-12-06.md", 3, "Lunch with Bob Stone, he is moving to Berlin")
COFFEE = Mention(dt.date(2026, 12, 5), "meetings/2026-12-05 Coffee with Bob.md", 4, "attendees:: Bob Stone")
DINNER = Mention(dt.date(2026, 12, 20), "meetings/2026-12-20 Dinner.md", 2, "with:: Bob Stone")
DECK = OpenLoop("daily/2026-12-06.md", 4, "send Bob Stone the deck 📅 2026-12-10", dt.date(2026, 12, 10))
CALL = OpenLoop("people/Bob Stone.md", 9, "call about Berlin", None)


def contact(**extra: Any) -> Contact:
    values: dict[str, Any] = {"path": "people/Bob Stone.md", "name": "Bob Stone", "stem": "Bob Stone",
                              "fields": {"name": "Bob Stone", "cadence": "90d"}}  # fmt: skip
    values.update(extra)
    return Contact(**values)


BOB = contact(
    last_contact=LUNCH.date,
    last_contact_source=LUNCH.source,
    mentions=(DINNER, LUNCH, COFFEE),
    open_loops=(DECK, CALL),
    log=(LogEntry(dt.date(2026, 9, 1), None, "call", "caught up", 12),),
)


def text_of(renderable: Any) -> str:
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


# -- show ------------------------------------------------------------------


def test_show_json_carries_the_source_every_mention_and_every_loop() -> None:
    shown = contact_json(BOB, None)
    assert shown["last_contact"] == "2026-12-06"
    assert shown["last_contact_source"] == "daily/2026-12-06.md:3"
    assert [m["date"] for m in shown["mentions"]] == ["2026-12-20", "2026-12-06", "2026-12-05"]  # future too
    assert shown["mentions"][1] == {"date": "2026-12-06", "path": "daily/2026-12-06.md", "line": 3,
                                    "text": LUNCH.text}  # fmt: skip
    assert shown["open_loops"] == [
        {"path": "daily/2026-12-06.md", "line": 4, "text": DECK.text, "due": "2026-12-10"},
        {"path": "people/Bob Stone.md", "line": 9, "text": "call about Berlin", "due": None},
    ]


def test_show_json_of_a_contact_without_any_has_empty_lists_and_no_source() -> None:
    shown = contact_json(contact(), None)
    assert shown["last_contact_source"] is None and shown["mentions"] == [] and shown["open_loops"] == []


def test_show_text_names_where_the_last_contact_was_written_and_lists_open_loops() -> None:
    out = text_of(render.contact_card(BOB, None, T))
    assert "Last contact  2026-12-06 (daily/2026-12-06.md:3)" in out
    assert "2026-12-06 Lunch with Bob Stone, he is moving to Berlin (daily/2026-12-06.md:3)" in out
    assert "2026-09-01 call: caught up" in out
    assert "Dinner" not in out.split("Last interactions")[1].split("Open loops")[0]  # planned, not past
    assert "Open loops" in out
    assert "- send Bob Stone the deck 📅 2026-12-10 (due 2026-12-10) - daily/2026-12-06.md:4" in out
    assert "- call about Berlin - people/Bob Stone.md:9" in out


def test_show_text_says_no_source_when_the_date_is_the_notes_own() -> None:
    own = contact(last_contact=dt.date(2026, 11, 1), last_contact_source="people/Bob Stone.md")
    out = text_of(render.contact_card(own, None, T))
    assert "Last contact  2026-11-01 " in out and "(" not in out and "Open loops" not in out


# -- history ---------------------------------------------------------------


def test_history_lists_each_mention_once_with_the_dated_notes_last_commit() -> None:
    log = (LogEntry(dt.date(2026, 12, 6), None, "coffee", "met again", 10),)
    again = Mention(LUNCH.date, LUNCH.path, 7, "and again [[Bob Stone]]")  # the same note and day: one interaction
    facts = {LUNCH.path: GitFacts(LUNCH.path, LUNCH.date, 2, "a" * 40)}
    items = timeline.merge(log, [], [COFFEE, again, LUNCH], facts)
    assert [(i.source, i.date.isoformat()) for i in items] == [("log", "2026-12-06"), ("mention", "2026-12-06"),
                                                               ("mention", "2026-12-05")]  # fmt: skip
    assert items[1].as_dict() == {"date": "2026-12-06", "source": "mention", "kind": None, "text": LUNCH.text,
                                  "commit": "a" * 40, "path": LUNCH.path, "line": 3}  # fmt: skip
    assert items[2].commit is None  # a dated note never committed
    assert "path" not in items[0].as_dict()


# -- brief -----------------------------------------------------------------


def test_brief_joins_open_loops_to_follow_ups_and_mentions_to_the_last_interactions() -> None:
    body = "# Bob Stone\n\n- [ ] call about [[Berlin]]\n- [ ] only in the body\n"
    result = brief_module.build_brief(BOB, body, [], None, T)
    assert result.open_follow_ups == (
        "send Bob Stone the deck 📅 2026-12-10 (due 2026-12-10; daily/2026-12-06.md:4)",
        "call about Berlin",  # the note's own loop, once
        "only in the body",
    )
    assert [getattr(e, "path", "log") for e in result.last_interactions] == [LUNCH.path, COFFEE.path, "log"]
    data = result.as_dict()["last_interactions"]
    assert data[0] == {"date": "2026-12-06", "time": None, "kind": None, "text": LUNCH.text, "source": "mention",
                       "path": LUNCH.path, "line": 3}  # fmt: skip
    assert data[2]["source"] == "log" and data[2]["kind"] == "call"


def test_brief_without_today_counts_mentions_up_to_the_effective_last_contact() -> None:
    result = brief_module.build_brief(BOB, "", [], None)
    assert DINNER not in result.last_interactions and LUNCH in result.last_interactions


# -- stats -----------------------------------------------------------------


def test_stats_count_mentions_like_log_entries() -> None:
    assert stats.touches(BOB) == [dt.date(2026, 9, 1), COFFEE.date, LUNCH.date, DINNER.date]
    result = stats.compute([BOB], T, since=dt.date(2026, 9, 1))
    assert result.total == 3  # the dinner on the 20th is still to come
    assert result.per_month["2026-12"] == {"uncategorized": 2}


# -- the daily note --------------------------------------------------------


def due_item(c: Contact, bucket: str = "overdue") -> DueItem:
    reason = Reason("cadence", dt.date(2026, 12, 1), "every 90d; last contact 2026-09-01")
    return DueItem(c.name, c.path, bucket, dt.date(2026, 12, 1), 7, None, (), (reason,))  # type: ignore[arg-type]


def test_the_daily_last_is_the_newer_of_log_and_mention_without_a_line_number() -> None:
    line = daily.task_line(due_item(BOB), BOB, T, 7)
    assert "· last: 2026-12-06 Lunch with Bob Stone, he is moving to Berlin (daily/2026-12-06.md) ·" in line + " ·"
    logged_same_day = contact(last_contact=LUNCH.date, mentions=(LUNCH,),
                              log=(LogEntry(LUNCH.date, None, "lunch", "Berlin plans", 12),))  # fmt: skip
    assert "last: 2026-12-06 lunch: Berlin plans" in daily.task_line(due_item(logged_same_day), logged_same_day, T, 7)
    planned_only = contact(mentions=(DINNER,))
    assert "last: never" in daily.task_line(due_item(planned_only), planned_only, T, 7)


def test_the_daily_block_lists_open_loops_under_the_line_and_reads_back() -> None:
    block = daily.render_block([due_item(BOB)], {BOB.path: BOB}, T, "Say hello.", within=7)
    lines = block.splitlines()
    task = next(i for i, line in enumerate(lines) if line.startswith("- [ ] [[Bob Stone]]"))
    assert lines[task + 1 : task + 3] == [
        "    - open: send Bob Stone the deck 📅 2026-12-10, due 2026-12-10",
        "    - open: call about Berlin",
    ]
    note = daily.merge("# Tuesday\n", block)
    found = daily.find_block(note)  # the checker takes mdnet's own loop lines
    assert found is not None and daily.find_ticks(found) == []
    assert daily.merge(note, block) == note  # an unchanged vault rewrites nothing
    ticked = note.replace("- [ ] [[Bob Stone]]", "- [x] [[Bob Stone]]")
    found = daily.find_block(ticked)
    assert found is not None and [t.target for t in daily.find_ticks(found)] == ["Bob Stone"]
    assert all("open:" not in line for line in daily.carry_forward(found, [t.line for t in daily.find_ticks(found)]))


@pytest.mark.parametrize(
    ("after", "line"),
    [
        ("> Say hello.", "    - open: typed by hand under the tip"),
        ("    - open: call about Berlin", "- open: not indented"),
        ("    - open: call about Berlin", "    - [ ] open: a task"),
        ("    - open: call about Berlin", "\t- open: a tab"),
        ("    - open: call about Berlin", "    - open: "),
    ],
)
def test_a_loop_line_anywhere_else_is_refused(after: str, line: str) -> None:
    block = daily.render_block([due_item(BOB)], {BOB.path: BOB}, T, "Say hello.", within=7)
    assert after in block
    note = daily.merge("", block.replace(after, f"{after}\n{line}"))
    with pytest.raises(daily.BlockError):
        daily.find_block(note)


def test_many_loops_are_counted_and_a_comment_in_one_cannot_end_the_block() -> None:
    loops = tuple(OpenLoop("daily/x.md", n, f"task {n}", None) for n in range(1, 8))
    loops = (OpenLoop("daily/x.md", 99, "see <!-- mdnet:end --> and // that", None), *loops)
    many = contact(open_loops=loops)
    lines = daily.loop_lines(many)
    assert len(lines) == daily.MAX_LOOPS + 1 and lines[-1] == "    - and 3 more open loops"
    assert "mdnet:end" in lines[0] and "<!--" not in lines[0] and "//" not in lines[0]
    note = daily.merge("", daily.render_block([due_item(many)], {many.path: many}, T, "Tip.", within=7))
    assert daily.find_block(note) is not None


# -- ics -------------------------------------------------------------------


def test_each_task_reason_is_an_event_of_its_own_that_keeps_its_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    def reasons(line: int) -> list[Reason]:
        return [
            Reason("cadence", dt.date(2026, 12, 1), "every 90d"),
            Reason("task", dt.date(2026, 12, 10), f"open task: send the deck (daily/2026-12-06.md:{line})"),
            Reason("task", dt.date(2026, 12, 12), f"open task: book Berlin (daily/2026-12-06.md:{line + 1})"),
            Reason("task", dt.date(2026, 12, 12), f"open task: book Berlin (daily/2026-12-07.md:{line})"),
        ]

    monkeypatch.setattr(ics, "reasons_for", lambda *args: reasons(4))
    events = ics.calendar_events([BOB], T, 30, None)
    uids = [e["uid"] for e in events]
    assert len(set(uids)) == 4 and "mdnet-cadence-people-bob-stone@mdnet" in uids
    tasks = [e for e in events if e["categories"] == ["task"]]
    assert [e["summary"] for e in tasks] == ["Open task with Bob Stone"] * 3
    assert all(e["uid"].startswith("mdnet-task-people-bob-stone-") for e in tasks)
    monkeypatch.setattr(ics, "reasons_for", lambda *args: reasons(14))  # lines added above the tasks
    assert sorted(e["uid"] for e in ics.calendar_events([BOB], T, 30, None)) == sorted(uids)
    assert "BEGIN:VEVENT" in ics.export_ics([BOB], T, 30)
