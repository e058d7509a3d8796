"""Network health numbers from hand-made contacts."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from mdnet.core.model import Contact
from mdnet.core.policy import parse_policy
from mdnet.features.stats import compute, default_since
from mdnet.features.stats_html import render_html
from mdnet.note.contact import ParseSettings, parse_note

TODAY = dt.date(2026, 11, 25)


def note(name: str, front: str = "", log: tuple[str, ...] = ()) -> Contact:
    text = f"---\nname: {name}\n{front}---\n## Log\n" + "".join(f"- {e}\n" for e in log)
    parsed = parse_note(text, f"people/{name}.md", contact_folder=True, settings=ParseSettings())
    assert parsed.contact is not None, parsed.problems
    return parsed.contact


PEOPLE = [
    note("Ann", "category: client\ncadence: 30d\n", ("2026-11-20 call: a", "2026-10-20 call: b", "2026-09-20 x")),
    note("Bob", "category: client\nlast_contact: 2026-06-01\n", ("2026-05-01 email: old",)),
    note("Cy", "category: friend\n", ("2026-11-01 lunch: c", "2026-11-11 lunch: d")),
    note("Dee", "category: client\nstatus: archived\n", ("2026-11-02 call: ignored",)),
    note("Eve"),
]


def test_default_since_is_a_year_of_whole_months() -> None:
    assert default_since(TODAY) == dt.date(2025, 12, 1)
    assert default_since(dt.date(2026, 1, 31)) == dt.date(2025, 2, 1)


def test_counts_per_month_and_category() -> None:
    policy, _ = parse_policy({"client": "30d..45d"})
    stats = compute(PEOPLE, TODAY, policy=policy)
    data = stats.as_dict()
    assert data["since"] == "2025-12-01"
    assert len(data["per_month"]) == 12
    by_month = {m["month"]: m["by_category"] for m in data["per_month"]}
    assert by_month["2026-11"] == {"client": 1, "friend": 2}
    assert by_month["2026-06"] == {"client": 1}  # Bob's last_contact raised by hand counts once
    assert by_month["2026-05"] == {"client": 1}
    assert data["total"] == 7  # Ann 3, Bob 2, Cy 2; Dee is archived
    assert data["contacts"] == 4
    assert data["never_contacted"] == 1
    assert data["categories"] == ["client", "friend"]
    # gaps: Ann 30, 31; Bob 31; Cy 10 -> median 30.5
    assert data["median_days_between"] == 30.5
    assert data["median_days_between_by_category"] == {"client": 31.0, "friend": 10.0}
    assert [d["name"] for d in data["dormant"]] == ["Bob"]  # 177 days past the client maximum 45d
    assert data["dormant"][0]["maximum"] == "45d"
    assert [r["name"] for r in data["most_contacted"]] == ["Ann", "Bob", "Cy"]
    assert data["least_contacted"][0]["name"] == "Eve"


def test_since_narrows_the_window() -> None:
    stats = compute(PEOPLE, TODAY, since=dt.date(2026, 11, 1))
    assert stats.months == ("2026-11",)
    assert stats.total == 3


def test_empty_network() -> None:
    stats = compute([], TODAY)
    data = stats.as_dict()
    assert data["total"] == 0
    assert data["median_days_between"] is None
    assert data["dormant"] == []
    assert data["most_contacted"] == []
    page = render_html(stats)
    assert "Nobody" in page


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls.extend(v or "" for k, v in attrs if k in ("src", "href"))


def test_html_is_self_contained_and_escaped() -> None:
    evil = note("<script>alert(1)</script>", "category: <b>x</b>\n", ("2026-11-20 call: a",))
    page = render_html(compute([*PEOPLE, evil], TODAY))
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags
    assert parser.urls == []
    assert "svg" in parser.tags
    assert "rect" in parser.tags
    assert "&lt;script&gt;" in page
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)
