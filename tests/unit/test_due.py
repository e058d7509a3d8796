"""SPEC section 3: reasons, buckets, order, the window, and what is never due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mdnet.core.due import due_items, item_for, matches, next_due, reasons_for
from mdnet.core.model import Contact, DueFacts, Duration, LogEntry, Mention, OpenLoop

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
    # SPEC 3 (issue 14): an explicit date beats the rhythm, so the follow_up and the plan, both after
    # today, hold back the cadence (it was listed third here before); the earliest of the rest wins.
    assert [r.kind for r in item.reasons] == ["follow_up", "planned"]
    without_dates = item_for(contact(cadence=Duration(1, "m"), last_contact=d("2026-11-10")), TODAY, 30, None)
    assert without_dates is not None and without_dates.due == d("2026-12-10")


def test_reply_owed_goes_first_whatever_its_date() -> None:
    owed_now = item_for(contact(needs_reply=True, follow_up=d("2026-11-01")), TODAY, 7, None)
    assert owed_now is not None and (owed_now.bucket, owed_now.due) == ("reply", d("2026-11-01"))
    dated = item_for(contact(needs_reply=True, needs_reply_date=d("2026-11-20")), TODAY, 7, None)
    assert dated is not None and (dated.bucket, dated.days_overdue) == ("reply", 5)


def test_a_dated_reply_followed_by_a_later_interaction_is_answered() -> None:
    """Issue 18: after a sync, one device's needs_reply date met the other's later email."""
    answered = contact(needs_reply=True, needs_reply_date=d("2026-11-20"), last_contact=d("2026-11-22"))
    assert item_for(answered, TODAY, 7, None) is None
    same_day = contact(needs_reply=True, needs_reply_date=d("2026-11-20"), last_contact=d("2026-11-20"))
    item = item_for(same_day, TODAY, 7, None)  # a mail scan logs the day of the message it owes a reply to
    assert item is not None and item.bucket == "reply"
    undated = item_for(contact(needs_reply=True, last_contact=d("2026-11-24")), TODAY, 7, None)
    assert undated is not None and undated.bucket == "reply"


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


# SPEC 3 and 11 (issue 14): an explicit date beats the rhythm, mentions, and open loops. The contacts
# carry the fields the index fills (effective last_contact, last_contact_source, mentions, open_loops).

MONTHLY = {"cadence": Duration(1, "m"), "last_contact": d("2026-09-10")}  # cadence due 2026-10-10: overdue


def facts(c: Contact) -> DueFacts:
    """The light record the index gives the due list for the same contact."""
    return DueFacts(c.path, c.name, c.category, c.tags, c.status, c.cadence, c.cadence_set, c.last_contact,
                    c.next_contact, c.follow_up, c.follow_up_note, c.needs_reply, c.needs_reply_date,
                    c.snooze_until, c.birthday, c.last_contact_source, c.mentions, c.open_loops)  # fmt: skip


def kinds(c: Contact, today: dt.date = TODAY) -> list[str]:
    found = [r.kind for r in sorted(reasons_for(c, today, None), key=lambda r: (r.due, r.kind))]
    assert found == [r.kind for r in sorted(reasons_for(facts(c), today, None), key=lambda r: (r.due, r.kind))]
    return found


def test_a_follow_up_after_today_holds_back_the_cadence() -> None:
    # `mdnet followup bob 6m`: "come back in six months" means six months, not "due today as well"
    c = contact(follow_up=d("2027-05-25"), **MONTHLY)
    assert kinds(c) == ["follow_up"]
    assert item_for(c, TODAY, 7, None) is None
    assert item_for(facts(c), TODAY, 7, None) is None
    assert next_due(c, TODAY, None) == d("2027-05-25")


def test_a_follow_up_on_today_still_holds_back_the_cadence_one_in_the_past_does_not() -> None:
    on_today = item_for(contact(follow_up=TODAY, **MONTHLY), TODAY, 7, None)
    assert on_today is not None and (on_today.bucket, [r.kind for r in on_today.reasons]) == ("today", ["follow_up"])
    past = item_for(contact(follow_up=d("2026-11-20"), **MONTHLY), TODAY, 7, None)
    assert past is not None and [r.kind for r in past.reasons] == ["cadence", "follow_up"]
    assert (past.bucket, past.due) == ("overdue", d("2026-10-10"))


def test_a_planned_next_contact_holds_back_the_cadence_until_it_is_done() -> None:
    planned = contact(next_contact=d("2026-12-20"), **MONTHLY)
    assert kinds(planned) == ["planned"]
    assert item_for(planned, TODAY, 7, None) is None  # was "overdue since 2026-10-10" before SPEC 3's rule
    # a plan followed by an interaction is done: it neither gives a reason nor holds back the cadence
    done = contact(cadence=Duration(1, "w"), next_contact=d("2026-11-10"), last_contact=d("2026-11-12"))
    assert kinds(done) == ["cadence"]
    # a plan in the past not yet done is a reason (overdue) but no longer an explicit date ahead
    missed = contact(next_contact=d("2026-11-20"), **MONTHLY)
    assert kinds(missed) == ["cadence", "planned"]


def test_only_follow_up_and_next_contact_hold_back_the_cadence() -> None:
    c = contact(needs_reply=True, needs_reply_date=d("2026-12-01"), birthday=(None, 12, 1),
                open_loops=(OpenLoop("people/Jane Doe.md", 12, "send the deck", d("2026-12-01")),),
                mentions=(Mention(d("2026-12-01"), "meetings/2026-12-01 Coffee.md", 3, "Coffee with [[Jane Doe]]"),),
                **MONTHLY)  # fmt: skip
    assert kinds(c) == ["cadence", "birthday", "planned", "reply", "task"]
    with_follow_up = contact(follow_up=d("2026-12-05"), needs_reply=True, birthday=(None, 12, 1),
                             open_loops=c.open_loops, mentions=c.mentions, **MONTHLY)  # fmt: skip
    assert kinds(with_follow_up) == ["reply", "birthday", "planned", "task", "follow_up"]


def test_the_cadence_names_the_mention_it_counts_from() -> None:
    mention = Mention(d("2026-11-20"), "daily/2026-11-20.md", 3, "Lunch with [[Jane Doe]]")
    c = contact(cadence=Duration(30, "d"), last_contact=d("2026-11-20"), last_contact_source=mention.source,
                mentions=(mention,))  # fmt: skip
    for record in (c, facts(c)):
        (reason,) = reasons_for(record, TODAY, None)
        assert (reason.kind, reason.due) == ("cadence", d("2026-12-20"))
        assert reason.detail == "every 30d; last contact 2026-11-20 (daily/2026-11-20.md:3)"
    # losing touch is said after the source; another contact's log entry is named the same way
    old = contact(cadence=Duration(30, "d"), last_contact=d("2026-08-01"), last_contact_source="people/Bob.md:14")
    assert reasons_for(old, TODAY, None)[0].detail == (
        "every 30d; last contact 2026-08-01 (people/Bob.md:14); losing touch (past 60d)"
    )


def test_a_last_contact_from_the_note_itself_is_unchanged() -> None:
    own = contact(cadence=Duration(30, "d"), last_contact=d("2026-10-21"), last_contact_source="people/Jane Doe.md")
    assert reasons_for(own, TODAY, None)[0].detail == "every 30d; last contact 2026-10-21"
    none = contact(cadence=Duration(30, "d"), last_contact=d("2026-10-21"))  # old callers: no source at all
    assert reasons_for(none, TODAY, None)[0].detail == "every 30d; last contact 2026-10-21"
    # a note path holding a colon but no line is a bare path, not a mention
    odd = contact("Re: Jane", cadence=Duration(30, "d"), last_contact=d("2026-10-21"),
                  last_contact_source="people/Re: Jane.md")  # fmt: skip
    assert reasons_for(odd, TODAY, None)[0].detail == "every 30d; last contact 2026-10-21"


def test_a_mention_after_today_is_planned_and_leaves_the_cadence_alone() -> None:
    past = Mention(d("2026-10-01"), "daily/2026-10-01.md", 5, "Call with [[Jane Doe]]")
    future = Mention(d("2026-12-05"), "meetings/2026-12-05 Coffee.md", 2, "attendees:: [[Jane Doe]]")
    c = contact(cadence=Duration(30, "d"), last_contact=d("2026-10-01"), last_contact_source=past.source,
                mentions=(future, past))  # fmt: skip
    reasons = sorted(reasons_for(c, TODAY, None), key=lambda r: r.due)
    assert [(r.kind, r.due, r.detail) for r in reasons] == [
        ("cadence", d("2026-10-31"), "every 30d; last contact 2026-10-01 (daily/2026-10-01.md:5)"),
        ("planned", d("2026-12-05"), "planned in meetings/2026-12-05 Coffee.md"),
    ]
    item = item_for(c, TODAY, 7, None)
    assert item is not None and (item.bucket, item.due) == ("overdue", d("2026-10-31"))
    # without a cadence the future mention alone puts the contact on the list on its date
    alone = item_for(contact(mentions=(future,)), TODAY, 14, None)
    assert alone is not None and (alone.bucket, alone.due) == ("upcoming", d("2026-12-05"))
    # a mention today or before is never a plan (it is the last contact, which the index fills)
    assert reasons_for(contact(mentions=(past,)), TODAY, None) == []
    on_today = Mention(TODAY, "daily/2026-11-25.md", 1, "[[Jane Doe]]")
    assert reasons_for(contact(mentions=(on_today,)), TODAY, None) == []


def test_each_future_mention_is_its_own_plan() -> None:
    first = Mention(d("2026-12-05"), "meetings/2026-12-05 Coffee.md", 2, "[[Jane Doe]]")
    second = Mention(d("2026-12-09"), "daily/2026-12-09.md", 4, "[[Jane Doe]]")
    item = item_for(contact(mentions=(second, first)), TODAY, 30, None)
    assert item is not None and item.due == d("2026-12-05")
    assert [(r.kind, r.due) for r in item.reasons] == [("planned", d("2026-12-05")), ("planned", d("2026-12-09"))]


def test_open_loops_with_a_date_are_task_reasons_without_one_none() -> None:
    dated = OpenLoop("daily/2026-11-20.md", 7, "send [[Jane Doe]] the deck", d("2026-11-22"))
    later = OpenLoop("people/Jane Doe.md", 21, "book the venue", d("2026-12-01"))
    undated = OpenLoop("people/Jane Doe.md", 22, "ask about the move", None)
    c = contact(open_loops=(later, undated, dated))
    for record in (c, facts(c)):
        item = item_for(record, TODAY, 7, None)
        assert item is not None
        assert (item.bucket, item.due, item.days_overdue) == ("overdue", d("2026-11-22"), 3)
        assert [(r.kind, r.due, r.detail) for r in item.reasons] == [
            ("task", d("2026-11-22"), "send [[Jane Doe]] the deck (daily/2026-11-20.md:7)"),
            ("task", d("2026-12-01"), "book the venue (people/Jane Doe.md:21)"),
        ]
    assert reasons_for(contact(open_loops=(undated,)), TODAY, None) == []
    assert item_for(contact(open_loops=(undated,)), TODAY, 7, None) is None


def test_a_task_is_given_beside_a_follow_up_and_can_make_the_item_earlier() -> None:
    loop = OpenLoop("daily/2026-11-24.md", 2, "call [[Jane Doe]] back", TODAY)
    c = contact(follow_up=d("2027-05-25"), open_loops=(loop,), **MONTHLY)
    item = item_for(c, TODAY, 7, None)
    assert item is not None and (item.bucket, item.due) == ("today", TODAY)
    assert [r.kind for r in item.reasons] == ["task", "follow_up"]


def test_archived_and_snoozed_hide_tasks_and_planned_mentions_too() -> None:
    extra = {"open_loops": (OpenLoop("people/Jane Doe.md", 9, "x", TODAY),),
             "mentions": (Mention(d("2026-11-26"), "daily/2026-11-26.md", 1, "[[Jane Doe]]"),)}  # fmt: skip
    assert item_for(contact(status="archived", **extra), TODAY, 7, None) is None
    assert item_for(contact(snooze_until=d("2026-12-01"), **extra), TODAY, 7, None) is None
    assert next_due(contact(status="archived", **extra), TODAY, None) is None


def test_the_rules_give_the_same_items_for_contacts_and_their_light_records() -> None:
    loop = OpenLoop("daily/2026-11-20.md", 7, "send the deck", d("2026-11-28"))
    mention = Mention(d("2026-11-20"), "daily/2026-11-20.md", 3, "Lunch with [[Amy]]")
    people = [
        contact("Amy", cadence=Duration(1, "w"), last_contact=mention.date, last_contact_source=mention.source,
                mentions=(mention,), open_loops=(loop,)),
        contact("Bob", follow_up=d("2026-12-01"), **MONTHLY),
        contact("Cat", next_contact=d("2026-11-30"), **MONTHLY),
        contact("Dan", **MONTHLY),
        contact("Eve", mentions=(Mention(d("2026-11-27"), "meetings/2026-11-27 Sync.md", 4, "[[Eve]]"),)),
    ]  # fmt: skip
    full = due_items(people, TODAY, 7)
    assert full == due_items([facts(c) for c in people], TODAY, 7)
    assert [(i.name, i.bucket, i.due) for i in full] == [
        ("Dan", "overdue", d("2026-10-10")), ("Amy", "upcoming", d("2026-11-27")),
        ("Eve", "upcoming", d("2026-11-27")), ("Cat", "upcoming", d("2026-11-30")),
        ("Bob", "upcoming", d("2026-12-01")),
    ]  # fmt: skip


def test_losing_touch_on_the_due_list_is_the_policys_rule() -> None:
    """item_for works out "losing touch" by ordinals for a cadence in days; it agrees with losing_touch (the
    maximum added by calendar arithmetic) on each side of the day it starts, in every unit, and where the
    calendar ends."""
    from mdnet.core.policy import EMPTY_POLICY, losing_touch

    for cadence, today in [
        (Duration(10, "d"), dt.date(2026, 11, 25)),
        (Duration(2, "w"), dt.date(2026, 11, 25)),
        (Duration(1, "m"), dt.date(2026, 3, 31)),
        (Duration(1, "y"), dt.date(2028, 2, 29)),
        (Duration(10, "d"), dt.date(9999, 12, 31)),
    ]:
        window = EMPTY_POLICY.window_for(DueFacts(*_facts_values(cadence)), None)
        seen = set()
        for back in range(0, 900):
            last = today - dt.timedelta(days=back)
            item = item_for(DueFacts(*_facts_values(cadence, last)), today, 7, None)
            if item is not None:  # not due within the week: no item, nothing to compare
                assert item.losing_touch == losing_touch(last, window, today), (cadence, last)
                seen.add(item.losing_touch)
        assert seen == {False, True}, cadence


def _facts_values(cadence: Duration, last: dt.date | None = None) -> tuple[Any, ...]:
    return ("people/A.md", "A", None, (), "active", cadence, True, last, None, None, None, False, None, None, None,
            None if last is None else "people/A.md", (), (), None)  # fmt: skip
