"""Cadence policy by category: parsing the [cadence] table and applying it in due."""

from __future__ import annotations

import datetime as dt

import pytest

from mdnet.config import config_from_mapping
from mdnet.core.due import due_items, item_for
from mdnet.core.model import Contact, Duration
from mdnet.core.policy import CadencePolicy, Window, cadence_ratio, losing_touch, parse_policy, parse_window
from mdnet.errors import ConfigError

TODAY = dt.date(2026, 11, 25)


def contact(name: str, category: str | None = None, cadence: Duration | None = None, cadence_set: bool = False,
            last: dt.date | None = None) -> Contact:  # fmt: skip
    return Contact(path=f"people/{name}.md", name=name, stem=name, fields={}, category=category,
                   cadence=cadence, cadence_set=cadence_set, last_contact=last)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "ideal", "maximum"),
    [
        ("30d", Duration(30, "d"), Duration(60, "d")),
        ("30d..45d", Duration(30, "d"), Duration(45, "d")),
        ("monthly..6w", Duration(1, "m"), Duration(6, "w")),
        (" 2w .. 3w ", Duration(2, "w"), Duration(3, "w")),
        ("quarterly", Duration(3, "m"), Duration(6, "m")),
    ],
)
def test_parse_window(text: str, ideal: Duration, maximum: Duration) -> None:
    assert parse_window(text) == Window(ideal, maximum)


def test_never_is_no_window() -> None:
    assert parse_window("never") is None


@pytest.mark.parametrize("text", ["", "30", "30d..", "45d..30d", "never..30d", "30d..never", "0d", "soon"])
def test_bad_windows_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_window(text)


def test_config_reports_every_bad_value_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"cadence": {"client": "30d..20d", "recruiter": 90, "friend": "60d", "x": "fortnight"}})
    message = str(caught.value)
    assert "cadence.client" in message
    assert "cadence.recruiter" in message
    assert "cadence.x" in message
    assert "cadence.friend" not in message


def test_config_refuses_a_cadence_that_is_not_a_table() -> None:
    with pytest.raises(ConfigError, match="cadence must be a table"):
        config_from_mapping({"cadence": "30d"})


def test_config_exposes_the_policy_case_insensitively() -> None:
    config = config_from_mapping({"cadence": {"Client": "30d..45d", "family": "never"}})
    policy = config.cadence_policy
    assert policy.category_window("CLIENT") == (True, Window(Duration(30, "d"), Duration(45, "d")))
    assert policy.category_window("family") == (True, None)
    assert policy.category_window("vendor") == (False, None)
    assert config_from_mapping({}).cadence_policy == CadencePolicy()


def test_own_cadence_wins_and_keeps_the_category_tolerance() -> None:
    policy, problems = parse_policy({"client": "30d..45d"})
    assert problems == []
    own = contact("Own", "client", Duration(60, "d"), cadence_set=True)
    assert policy.window_for(own, None) == Window(Duration(60, "d"), Duration(90, "d"))
    never = contact("Never", "client", None, cadence_set=True)
    assert policy.window_for(never, Duration(7, "d")) is None
    assert policy.window_for(contact("Policy", "client"), Duration(7, "d")) == Window(Duration(30, "d"),
                                                                                    Duration(45, "d"))  # fmt: skip
    assert policy.window_for(contact("Default", "vendor"), Duration(7, "d")) == Window(Duration(7, "d"),
                                                                                     Duration(14, "d"))  # fmt: skip


def test_ratio_and_losing_touch() -> None:
    window = Window(Duration(30, "d"), Duration(45, "d"))
    assert cadence_ratio(TODAY - dt.timedelta(69), window, TODAY) == 2.3
    assert cadence_ratio(None, window, TODAY) is None
    assert losing_touch(TODAY - dt.timedelta(45), window, TODAY) is False
    assert losing_touch(TODAY - dt.timedelta(46), window, TODAY) is True


def test_due_uses_the_category_policy() -> None:
    policy, _ = parse_policy({"client": "30d..45d", "friend": "never"})
    people = [
        contact("Ann", "client", last=TODAY - dt.timedelta(40)),
        contact("Ben", "client", last=TODAY - dt.timedelta(50)),
        contact("Cat", "friend", last=TODAY - dt.timedelta(500)),
        contact("Dan", "client", Duration(90, "d"), cadence_set=True, last=TODAY - dt.timedelta(50)),
    ]
    items = {i.name: i for i in due_items(people, TODAY, 7, None, policy)}
    assert set(items) == {"Ann", "Ben"}  # Cat's category is never; Dan's own 90d wins
    assert items["Ann"].due == TODAY - dt.timedelta(10)
    assert items["Ann"].losing_touch is False
    assert items["Ann"].cadence_ratio == 1.3
    assert items["Ben"].losing_touch is True
    assert "losing touch (past 45d)" in items["Ben"].reasons[0].detail
    assert "(client policy)" in items["Ben"].reasons[0].detail
    data = items["Ben"].as_dict()
    assert data["cadence_ratio"] == 1.7
    assert data["losing_touch"] is True


def test_due_without_policy_is_unchanged() -> None:
    bob = contact("Bob", "chamber", Duration(30, "d"), cadence_set=True, last=dt.date(2026, 9, 15))
    item = item_for(bob, TODAY, 7, None)
    assert item is not None
    assert item.due == dt.date(2026, 10, 15)
    assert item.reasons[0].detail.startswith("every 30d; last contact 2026-09-15")
    assert item.cadence_ratio == 2.4
    assert item.losing_touch is True  # 71 days is past twice the cadence


@pytest.mark.parametrize("same", ["Client", "CLIENT", "clíent"])
def test_two_spellings_of_one_category_are_refused_not_one_silently_dropped(same: str) -> None:
    """Names match case- and accent-insensitively, so `client` and `Client` are one category;
    the last one silently won (found by review)."""
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"cadence": {"client": "30d", same: "90d"}})
    assert f"cadence.{same}: the same category as 'client'" in str(caught.value)
    _, problems = parse_policy({"client": "30d", same: "never"})
    assert len(problems) == 1
