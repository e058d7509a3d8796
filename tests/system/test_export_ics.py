"""`mdnet export ics`: parses back with icalendar, stable UIDs, byte-identical re-export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest

from tests.conftest import DEMO_DATE, run_cli

NOTES = {
    "people/Jane Doe.md": "---\nname: Jane Doe\ncadence: 30d\nlast_contact: 2026-10-01\nbirthday: 1984-06-02\n"
    "follow_up: 2026-12-10\nfollow_up_note: Ask about Q1 budget\n---\n",
    "people/Leap Year.md": "---\nname: Leap Year\nbirthday: --02-29\n---\n",
    "people/Owes Reply.md": "---\nname: Owes Reply\nneeds_reply: 2026-11-20\nnext_contact: 2027-03-01\n---\n",
    "people/Archived.md": "---\nname: Archived\nstatus: archived\nbirthday: 1970-01-01\nfollow_up: 2026-11-26\n---\n",
    "people/Snoozed.md": "---\nname: Snoozed\nsnooze_until: 2026-12-31\nfollow_up: 2026-11-27\n"
    "birthday: --12-01\n---\n",
    # Jane's cadence (due 2026-10-31) is held back by her follow_up on 2026-12-10 (SPEC 3, issue 14: an
    # explicit date beats the rhythm); Lapsed has the same cadence and no follow_up, so it stays overdue.
    "people/Lapsed.md": "---\nname: Lapsed\ncadence: 30d\nlast_contact: 2026-10-01\n---\n",
}


@pytest.fixture
def vault(vault_dir: Path) -> Path:
    for relative, text in NOTES.items():
        (vault_dir / relative).write_text(text, encoding="utf-8")
    return vault_dir


def events_of(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_export_parses_back(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "mdnet.interop.ics"
    result = run_cli("--vault", str(vault), "--today", "2026-11-25", "export", "ics", "--out", str(out))
    assert result.code == 0, result.err
    data = out.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    events = events_of(data)
    assert sorted(events) == [
        "mdnet-birthday-people-jane-doe@mdnet",
        "mdnet-birthday-people-leap-year@mdnet",
        "mdnet-birthday-people-snoozed@mdnet",
        "mdnet-cadence-people-lapsed@mdnet",
        "mdnet-follow-up-people-jane-doe@mdnet",
        "mdnet-reply-people-owes-reply@mdnet",
    ]  # archived: nothing; snoozed: only the birthday; 2027-03-01 is past the 30-day window; no cadence
    # event for Jane: her follow_up after today holds back the overdue cadence (SPEC 3, issue 14)
    birthday = events["mdnet-birthday-people-jane-doe@mdnet"]
    assert birthday.decoded("DTSTART") == dt.date(1984, 6, 2)
    assert birthday["RRULE"]["FREQ"] == ["YEARLY"]
    assert str(birthday["SUMMARY"]) == "Jane Doe's birthday"
    leap = events["mdnet-birthday-people-leap-year@mdnet"]
    assert leap.decoded("DTSTART") == dt.date(2000, 2, 29)
    assert leap["RRULE"]["BYMONTHDAY"] == [-1]
    follow = events["mdnet-follow-up-people-jane-doe@mdnet"]
    assert follow.decoded("DTSTART") == dt.date(2026, 12, 10)
    assert "Ask about Q1 budget" in str(follow["DESCRIPTION"])
    cadence = events["mdnet-cadence-people-lapsed@mdnet"]
    assert cadence.decoded("DTSTART") == dt.date(2026, 11, 25)  # due 2026-10-31: overdue, shown today
    assert "25 days overdue" in str(cadence["DESCRIPTION"])
    reply = events["mdnet-reply-people-owes-reply@mdnet"]
    assert str(reply["SUMMARY"]) == "Reply to Owes Reply"
    for event in events.values():
        assert event.decoded("DTSTAMP") == dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def test_wider_window_and_stable_uids(vault: Path) -> None:
    narrow = events_of(run_cli("--vault", str(vault), "--today", "2026-11-25", "export", "ics").out.encode())
    wide = run_cli("--vault", str(vault), "--today", "2026-11-25", "export", "ics", "--within", "6m")
    events = events_of(wide.out.encode())
    assert "mdnet-planned-people-owes-reply@mdnet" in events
    assert set(narrow) < set(events)
    # a change to the note moves the event but keeps its UID
    path = vault / "people" / "Jane Doe.md"
    path.write_text(path.read_text().replace("follow_up: 2026-12-10", "follow_up: 2026-12-12"))
    moved = events_of(run_cli("--vault", str(vault), "--today", "2026-11-25", "export", "ics").out.encode())
    assert set(moved) == set(narrow)
    assert moved["mdnet-follow-up-people-jane-doe@mdnet"].decoded("DTSTART") == dt.date(2026, 12, 12)


def test_second_export_is_byte_identical(example_vault: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    for out in (first, second):
        result = run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "export", "ics", "--out", str(out))
        assert result.code == 0, result.err
    # even with the index thrown away in between
    (tmp_path / "again").mkdir()
    run_cli("--vault", str(example_vault), "index", "--rebuild")
    third = tmp_path / "again" / "3.ics"
    run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "export", "ics", "--out", str(third))
    assert first.read_bytes() == second.read_bytes() == third.read_bytes()
    assert len(events_of(first.read_bytes())) > 10


def test_bad_within(vault: Path) -> None:
    result = run_cli("--vault", str(vault), "export", "ics", "--within", "soon")
    assert result.code == 2
    assert "bad --within" in result.err


def test_notes_whose_paths_fold_alike_keep_their_own_events(vault: Path) -> None:
    # two people, two notes; folded to a-z0-9- their paths are the same, and a calendar
    # keeps one event per UID: the other person's birthday would be lost
    (vault / "people" / "José Álvarez.md").write_text("---\nname: José Álvarez\nbirthday: 1984-06-02\n---\n")
    (vault / "people" / "jose-alvarez.md").write_text("---\nname: Pepe Alvarez\nbirthday: 1990-01-01\n---\n")
    result = run_cli("--vault", str(vault), "--today", "2026-11-25", "export", "ics")
    assert result.code == 0, result.err
    birthdays = {str(e["SUMMARY"]): str(e["UID"]) for e in events_of(result.out.encode()).values()
                 if str(e["SUMMARY"]).endswith("birthday")}  # fmt: skip
    assert "José Álvarez's birthday" in birthdays
    assert "Pepe Alvarez's birthday" in birthdays
    assert birthdays["José Álvarez's birthday"] != birthdays["Pepe Alvarez's birthday"]
    assert birthdays["Jane Doe's birthday"] == "mdnet-birthday-people-jane-doe@mdnet"  # the others keep theirs
    again = run_cli("--vault", str(vault), "--today", "2026-11-25", "export", "ics")
    assert again.out == result.out


def test_an_event_on_the_calendars_last_day_is_exported(vault_dir: Path) -> None:
    # 9999-12-31 is what some people write for "someday"; an all-day event on it has no next day to end on
    (vault_dir / "people" / "Someday.md").write_text("---\nname: Someday\nfollow_up: 9999-12-31\n---\n")
    wide = run_cli("--vault", str(vault_dir), "--today", "2026-11-25", "export", "ics", "--within", "99999y")
    assert wide.code == 0, wide.err
    event = events_of(wide.out.encode())["mdnet-follow-up-people-someday@mdnet"]
    assert event.decoded("DTSTART") == dt.date(9999, 12, 31)
    assert "DTEND" not in event  # RFC 5545 3.6.1: a DATE start without an end lasts that one day
    last_day = run_cli("--vault", str(vault_dir), "--today", "9999-12-31", "export", "ics")
    assert last_day.code == 0, last_day.err
    assert "mdnet-follow-up-people-someday@mdnet" in events_of(last_day.out.encode())


def test_out_through_a_symbolic_link_writes_where_it_points(vault: Path, tmp_path: Path) -> None:
    # ~/Calendars/mdnet.ics -> a synced folder's file that a calendar subscribes to
    (tmp_path / "synced").mkdir()
    target = tmp_path / "synced" / "mdnet.interop.ics"
    target.write_text("old calendar\n")
    link = tmp_path / "mdnet.interop.ics"
    link.symlink_to(target)
    result = run_cli("--vault", str(vault), "--today", "2026-11-25", "export", "ics", "--out", str(link))
    assert result.code == 0, result.err
    assert link.is_symlink()
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    empty = run_cli("--vault", str(vault), "export", "ics", "--out", "")
    assert empty.code == 2
    assert empty.err.startswith("mdnet: error: ") and "unexpected" not in empty.err


def test_the_category_cadence_policy_applies_as_in_due(vault_dir: Path) -> None:
    # [cadence] client = "30d": Jane has no cadence of her own, and `due` lists her; so must the calendar
    (vault_dir / "mdnet.toml").write_text('contact_dirs = ["people"]\n\n[cadence]\nclient = "30d"\n')
    (vault_dir / "people" / "Jane Doe.md").write_text(
        "---\nname: Jane Doe\ncategory: client\nlast_contact: 2026-11-10\n---\n"
    )
    due = run_cli("--vault", str(vault_dir), "--today", "2026-11-25", "due", "--within", "30d", "--json")
    assert '"due": "2026-12-10"' in due.out
    result = run_cli("--vault", str(vault_dir), "--today", "2026-11-25", "export", "ics")
    assert result.code == 0, result.err
    event = events_of(result.out.encode())["mdnet-cadence-people-jane-doe@mdnet"]
    assert event.decoded("DTSTART") == dt.date(2026, 12, 10)
    assert "client policy" in str(event["DESCRIPTION"])
