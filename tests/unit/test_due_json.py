"""``due --json`` through a pipe is written key by key (mdnet.cli.due.compact_due_json); it must be
exactly ``json.dumps`` of the items' ``as_dict``, whatever the names, details and numbers hold."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from mdnet.cli.due import compact_due_json
from mdnet.core.model import BUCKETS, DueItem, Reason

text = st.text(st.characters(codec="utf-8") | st.sampled_from('"\\\n\t\x00\x7f\u2028é✓😀'), max_size=12)
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
# every Reason kind; "task" came with SPEC 3/11 (issue 14: an open loop with a date)
kinds = st.sampled_from(["reply", "follow_up", "planned", "cadence", "birthday", "task"])
reasons = st.builds(Reason, kinds, dates, text)
items = st.builds(
    DueItem,
    name=text,
    path=text,
    bucket=st.sampled_from(BUCKETS),
    due=dates,
    days_overdue=st.integers(min_value=0, max_value=4_000_000),
    category=st.none() | text,
    tags=st.lists(text, max_size=4).map(tuple),
    reasons=st.lists(reasons, max_size=5).map(tuple),
    cadence_ratio=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    losing_touch=st.booleans(),
)


@given(dates, st.integers(min_value=0, max_value=10**6), st.lists(items, max_size=6))
def test_compact_due_json_is_json_dumps_of_the_dicts(today: dt.date, within: int, due: list[DueItem]) -> None:
    expected = json.dumps(
        {"date": today.isoformat(), "within_days": within, "items": [i.as_dict() for i in due]}, ensure_ascii=False
    )
    assert compact_due_json(today, within, due) == expected


def test_lone_surrogates_from_odd_file_names_are_kept_as_json_dumps_keeps_them() -> None:
    item = DueItem("Bad \udcff name", "people/\udcff.md", "today", dt.date(2026, 11, 25), 0, None, (), ())
    today = dt.date(2026, 11, 25)
    assert compact_due_json(today, 7, [item]) == json.dumps(
        {"date": "2026-11-25", "within_days": 7, "items": [item.as_dict()]}, ensure_ascii=False
    )
