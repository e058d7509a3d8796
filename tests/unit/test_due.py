"""SPEC section 3: reasons, buckets, order, the window, and what is never due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mdnet.core.due import due_items, item_for, matches, next_due, reasons_for
from mdnet.core.model import Contact, Duration, LogEntry

TODAY = dt.date(2026, 11, 25)


def contact(name: str = "Jane Doe", **values: Any) -> Contact:
    values.setdefault("cadence_set", "cadence" in values)
    return Contact(path=f"people/{name}.md", name=name, stem=name, fields={}, **values)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_cadence_from_the_effective_last_contact() -> None:
    item = item_for(contact(cadence=Duration(30, "d"), last_contact=d("2026-10-21")), TODAY, 7, None)
    assert item is not None
    assert (item.bucket, item.due, item.days_overdue) == ("overdue", d("2026-11-20"), 5)
    assert item.reasons[0].detail == "every 30d; last contact 2026-10-21"
    assert item.as_dict()["reasons"] == [
        {"kind": "cadence", "due": "2026-11-20", "detail": "every 30d; last contact 2026-10-21"}
    ]


def test_a_cadence_without_any_contact_is_due_today() -> None:
    item = item_for(contact(cadence=Duration(90, "d")), TODAY, 7, None)
    assert item is not None and (item.bucket, item.due) == ("today", TODAY)


def test_the_earliest_reason_gives_the_due_date() -> None:
    c = contact(cadence=Duration(1, "m"), last_contact=d("2026-11-10"), follow_up=d("2026-11-27"),
                next_contact=d("2026-11-30"))  # fmt: skip
    item = item_for(c, TODAY, 7, None)
    assert item is not None
    assert (item.bucket, item.due) == ("upcoming", d("2026-11-27"))
    assert [r.kind for r in item.reasons] == ["follow_up", "planned", "cadence"]


def test_reply_owed_goes_first_whatever_its_date() -> None:
    owed_now = item_for(contact(needs_reply=True, follow_up=d("2026-11-01")), TODAY, 7, None)
    assert owed_now is not None and (owed_now.bucket, owed_now.due) == ("reply", d("2026-11-01"))
    dated = item_for(contact(needs_reply=True, needs_reply_date=d("2026-11-20")), TODAY, 7, None)
    assert dated is not None and (dated.bucket, dated.days_overdue) == ("reply", 5)


def test_a_reply_owed_from_a_future_date_waits() -> None:
    item = item_for(contact(needs_reply=True, needs_reply_date=d("2026-11-28")), TODAY, 7, None)
    assert item is not None and item.bucket == "upcoming"


def test_archived_and_snoozed_are_never_due_but_dormant_is() -> None:
    overdue = {"cadence": Duration(1, "w"), "last_contact": d("2026-01-01")}
    assert item_for(contact(status="archived", **overdue), TODAY, 7, None) is None
    assert item_for(contact(snooze_until=d("2026-12-10"), **overdue), TODAY, 7, None) is None
    assert item_for(contact(snooze_until=TODAY, **overdue), TODAY, 7, None) is not None
    assert item_for(contact(status="dormant", **overdue), TODAY, 7, None) is not None


def test_window_bounds_are_inclusive() -> None:
    at_edge = contact(next_contact=d("2026-12-02"))
    past_edge = contact(next_contact=d("2026-12-03"))
    assert item_for(at_edge, TODAY, 7, None) is not None
    assert item_for(past_edge, TODAY, 7, None) is None
    assert item_for(past_edge, TODAY, 30, None) is not None


def test_birthdays_are_this_year_or_next_never_overdue() -> None:
    soon = reasons_for(contact(birthday=(1984, 11, 28)), TODAY, None)
    assert (soon[0].due, soon[0].detail) == (d("2026-11-28"), "birthday Nov 28 (turns 42)")
    passed = reasons_for(contact(birthday=(None, 6, 2)), TODAY, None)
    assert passed[0].due == d("2027-06-02")
    leap = reasons_for(contact(birthday=(None, 2, 29)), d("2027-01-10"), None)
    assert leap[0].due == d("2027-02-28")


def test_default_cadence_applies_only_without_an_own_cadence() -> None:
    own_never = contact(cadence=None, cadence_set=True, last_contact=d("2026-01-01"))
    inherits = contact(name="Other", last_contact=d("2026-01-01"))
    default = Duration(90, "d")
    assert item_for(own_never, TODAY, 7, default) is None
    assert item_for(inherits, TODAY, 7, default) is not None


def test_order_is_bucket_then_due_then_name() -> None:
    people = [
        contact("Zed", next_contact=d("2026-11-20")),
        contact("Amy", next_contact=d("2026-11-20")),
        contact("Bob", next_contact=d("2026-11-26")),
        contact("Cat", needs_reply=True),
        contact("Dan", next_contact=TODAY),
        contact("Eve", next_contact=d("2026-11-10")),
    ]
    items = due_items(people, TODAY, 7)
    assert [(i.bucket, i.name) for i in items] == [
        ("reply", "Cat"), ("overdue", "Eve"), ("overdue", "Amy"), ("overdue", "Zed"), ("today", "Dan"),
        ("upcoming", "Bob"),
    ]  # fmt: skip


def test_next_due_ignores_the_window() -> None:
    far = contact(follow_up=d("2027-05-25"))
    assert next_due(far, TODAY, None) == d("2027-05-25")
    assert next_due(contact(), TODAY, None) is None


def test_filters_are_case_and_accent_insensitive() -> None:
    c = contact(category="Client", tags=("Cloud", "area/phoenix"))
    assert matches(c, "client", None)
    assert matches(c, None, "#cloud")
    assert matches(c, None, "area")
    assert not matches(c, "vendor", None)
    assert not matches(c, None, "sailing")


def test_log_dates_feed_the_cadence_through_the_contact() -> None:
    entry = LogEntry(d("2026-11-20"), None, "coffee", "x", 10)
    c = contact(cadence=Duration(2, "w"), last_contact=d("2026-11-20"), log=(entry,))
    item = item_for(c, TODAY, 10, None)
    assert item is not None and item.due == d("2026-12-04")


def test_birthday_months_are_named_as_the_c_locale_names_them_in_every_month() -> None:
    for month in range(1, 13):
        when = dt.date(2026, month, 15)
        reason = reasons_for(contact(birthday=(None, month, 15)), dt.date(2026, 1, 1), None)[0]
        assert reason.detail == f"birthday {when.strftime('%b')} 15"


def test_a_birthday_after_the_calendar_ends_is_no_reason_not_a_crash() -> None:
    """On 20 December 9999 a birthday on 5 January would be in the year 10000: there is no such date,
    so the birthday gives no reason (as the due list's SQL pre-filter already leaves it out)."""
    late = d("9999-12-20")
    c = contact(birthday=(1984, 1, 5), cadence=Duration(1, "y"), last_contact=d("9999-06-01"))
    assert [r.kind for r in reasons_for(c, late, None)] == ["cadence"]
    item = item_for(c, late, 30, None)
    assert item is not None and item.due == d("9999-12-31")
    assert next_due(contact(birthday=(None, 1, 5)), late, None) is None
    assert reasons_for(contact(birthday=(None, 12, 25)), late, None)[0].due == d("9999-12-25")
    assert reasons_for(contact(birthday=(None, 2, 29)), d("9999-03-01"), None) == []


def test_a_birth_date_after_today_is_named_not_a_negative_age() -> None:
    # the parser reads no clock, so it accepts 2030-12-01; the due list has today and says what is odd
    assert reasons_for(contact(birthday=(2030, 12, 1)), TODAY, None)[0].detail == (
        "birthday Dec 1 (born 2030-12-01, after today: check the year)"
    )
    assert reasons_for(contact(birthday=(2026, 11, 25)), TODAY, None)[0].detail == "birthday Nov 25"  # born today
    assert reasons_for(contact(birthday=(0, 11, 28)), TODAY, None)[0].detail == "birthday Nov 28"  # year 0000
    assert reasons_for(contact(birthday=(2027, 2, 29)), TODAY, None)[0].detail.endswith("check the year)")
