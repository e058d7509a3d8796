"""`mdnet calendar scan` over real .ics files (built with icalendar), a zip and a vdir, into a real git vault."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.conftest import git, run_cli, run_mdnet_process

TODAY = "2026-11-25"
NY = ZoneInfo("America/New_York")
UTC = dt.UTC
ME = "me@mine.example"
CONFIG = f'contact_dirs = ["people"]\nmy_emails = ["{ME}"]\n'
NOTES = {
    "Jane Doe": "---\nname: Jane Doe\nemail: [jane@acme.example]  # work\nlast_contact: 2026-10-01\n---\n"
    "# Jane Doe\n\n## Log\n- 2026-10-01 call: intro\n",
    "Bob Baker": "---\nname: Bob Baker\nemail: BOB@globex.example\n---\n# Bob Baker\n",
    "Carl Jung": "---\nname: Carl Jung\nemail: [carl@x.example]\nnext_contact: 2026-12-20\n---\n# Carl\n\n## Log\n",
    "Dana Scully": "---\r\nname: Dana Scully\r\nemail: [dana@fbi.example]\r\n---\r\n# Dana\r\n",
    "Eve Polastri": "---\nname: Eve Polastri\nemail: [eve@mi6.example]\n---\n# Eve\n",
}


pytestmark = pytest.mark.usefixtures("phoenix_time")  # local times in America/Phoenix (tests/conftest.py)


@pytest.fixture
def vault(git_vault: Path) -> Path:
    (git_vault / "mdnet.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in NOTES.items():
        (git_vault / "people" / f"{name}.md").write_bytes(text.encode("utf-8"))
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "contacts")
    return git_vault


# -- building calendars ----------------------------------------------------------------


def person(email: str, name: str = "", **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(email if email.lower().startswith("mailto:") else f"mailto:{email}")
    if name:
        address.params["CN"] = name
    for key, value in params.items():
        address.params[key.upper()] = value
    return address


def event(uid: str, summary: str, start: Any, attendees: list[icalendar.vCalAddress], **props: Any) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", uid)
    item.add("summary", summary)
    item.add("dtstamp", dt.datetime(2026, 1, 1, tzinfo=UTC))
    item.add("dtstart", start)
    if isinstance(start, dt.datetime):
        item.add("dtend", start + dt.timedelta(hours=1))
    item.add("organizer", props.pop("organizer", person(ME, "Me")))
    for attendee in attendees:
        item.add("attendee", attendee)
    for key, value in props.items():
        item.add(key.replace("_", "-"), value)
    return item


def jane_weekly(moved_last: bool = False) -> list[icalendar.Event]:
    """Weekly from Mon 2 Nov, 10:00 New York (08:00 in Phoenix), six times; 9 Nov excluded; 16 Nov moved
    to Tue 17 Nov 14:00; ``moved_last``: 30 Nov moved to Tue 1 Dec."""
    people = [person("MAILTO:Jane@Acme.example", "Jane Doe"), person("stranger@unknown.example", "Stranger Danger")]
    series = event("weekly@test", "Weekly 1:1", dt.datetime(2026, 11, 2, 10, tzinfo=NY), people,
                   rrule={"freq": "weekly", "count": 6}, exdate=dt.datetime(2026, 11, 9, 10, tzinfo=NY))  # fmt: skip
    moved = event("weekly@test", "Weekly 1:1 (moved)", dt.datetime(2026, 11, 17, 14, tzinfo=NY), people,
                  recurrence_id=dt.datetime(2026, 11, 16, 10, tzinfo=NY))  # fmt: skip
    items = [series, moved]
    if moved_last:
        original = dt.datetime(2026, 11, 30, 10, tzinfo=NY)
        items.append(event("weekly@test", "Weekly 1:1", dt.datetime(2026, 12, 1, 10, tzinfo=NY),
                           [person("jane@acme.example")], recurrence_id=original))  # fmt: skip
    return items


def others(dana_cancelled: bool = False) -> list[icalendar.Event]:
    bob, dana, carl = person("bob@globex.example"), person("dana@fbi.example"), person("carl@x.example")
    crowd = [person(f"p{i}@crowd.example") for i in range(8)]
    items = [
        event("cancelled@test", "Cancelled sync", dt.datetime(2026, 11, 10, 17, tzinfo=UTC), [bob], status="CANCELLED"),
        event("daily@test", "Bob daily", dt.datetime(2026, 11, 18, 16, tzinfo=UTC), [bob],
              rrule={"freq": "daily", "count": 3}),
        event("daily@test", "Bob daily", dt.datetime(2026, 11, 19, 16, tzinfo=UTC), [bob], status="CANCELLED",
              recurrence_id=dt.datetime(2026, 11, 19, 16, tzinfo=UTC)),
        event("allday@test", "Conference", dt.date(2026, 11, 12), [dana]),
        event("declined@test", "Declined", dt.datetime(2026, 11, 13, 18, tzinfo=UTC),
              [dana, person(ME, "Me", partstat="DECLINED")]),
        event("free@test", "Free time", dt.datetime(2026, 11, 14, 18, tzinfo=UTC), [dana], transp="TRANSPARENT"),
        event("room@test", "Coffee with Dana", dt.datetime(2026, 11, 15, 20, tzinfo=UTC),
              [dana, person("room-a@rooms.example", "Room A", cutype="ROOM")]),
        event("big@test", "All hands", dt.datetime(2026, 11, 16, 20, tzinfo=UTC), [carl, *crowd]),
        event("floating@test", "Floating lunch", dt.datetime(2026, 11, 21, 12, 30),
              [carl, person("eve.other@x.example", "Eve Polastri")]),
        event("carl-future@test", "Carl soon", dt.datetime(2026, 12, 1, 18, tzinfo=UTC), [carl]),
        event("dana-future@test", "Dana review", dt.datetime(2026, 12, 3, 18, tzinfo=UTC), [dana],
              **({"status": "CANCELLED"} if dana_cancelled else {})),
    ]  # fmt: skip
    return items


def calendar(events: list[icalendar.Event]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//mdnet tests//EN")
    cal.add("version", "2.0")
    for item in events:
        cal.add_component(item)
    return bytes(cal.to_ical())


def write_ics(path: Path, **changes: bool) -> Path:
    path.write_bytes(calendar(jane_weekly(changes.get("moved_last", False))
                              + others(changes.get("dana_cancelled", False))))  # fmt: skip
    return path


def write_vdir(folder: Path) -> Path:
    """Two collections, one event (with its moved occurrences) per file, as vdirsyncer keeps them."""
    (folder / "work").mkdir(parents=True)
    (folder / "personal").mkdir()
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "x.ics").write_text("garbage", encoding="utf-8")
    (folder / "work" / "displayname").write_text("Work", encoding="utf-8")
    (folder / "work" / "weekly.ics").write_bytes(calendar(jane_weekly()))
    by_uid: dict[str, list[icalendar.Event]] = {}
    for item in others():
        by_uid.setdefault(str(item["uid"]), []).append(item)
    for uid, items in by_uid.items():
        (folder / "personal" / f"{uid.replace('@', '_')}.ics").write_bytes(calendar(items))
    return folder


def write_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Takeout/Calendar/me@mine.example.ics", calendar(jane_weekly()))
        archive.writestr("Takeout/Calendar/Others.ics", calendar(others()))
        archive.writestr("Takeout/archive_browser.html", "<html></html>")
    return path


def note(vault: Path, name: str) -> str:
    return (vault / "people" / f"{name}.md").read_bytes().decode("utf-8")


def commits(vault: Path) -> list[str]:
    return git(vault, "log", "--format=%H").split()


def scan(vault: Path, *args: str) -> Any:
    return run_cli("--vault", str(vault), "--today", TODAY, "calendar", "scan", *args)


# -- the rules, end to end --------------------------------------------------------------

JANE_LOG = (
    "## Log\n- 2026-11-23 08:00 meeting: Weekly 1:1\n- 2026-11-17 12:00 meeting: Weekly 1:1 (moved)\n"
    "- 2026-11-02 08:00 meeting: Weekly 1:1\n- 2026-10-01 call: intro\n"
)


@pytest.fixture(params=["ics", "zip", "vdir"])
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "ics":
        return write_ics(tmp_path / "cal.ics")
    if request.param == "zip":
        return write_zip(tmp_path / "takeout.zip")
    return write_vdir(tmp_path / "calendars")


def test_scan_logs_meetings_by_the_rules(vault: Path, source: Path) -> None:
    result = scan(vault, str(source))
    assert result.code == 0, result.err
    assert result.err == ""
    # recurring with EXDATE (9 Nov) and a moved occurrence (16 -> 17 Nov), a New York time zone in Phoenix,
    # MAILTO: in capitals; the next one (30 Nov) planned
    assert note(vault, "Jane Doe") == (
        "---\nname: Jane Doe\nemail: [jane@acme.example]  # work\nlast_contact: 2026-11-23\n"
        "next_contact: 2026-11-30\n---\n# Jane Doe\n\n" + JANE_LOG
    )
    # the cancelled series (10 Nov) and the cancelled occurrence (19 Nov) are not logged
    bob = note(vault, "Bob Baker")
    assert "- 2026-11-20 09:00 meeting: Bob daily\n- 2026-11-18 09:00 meeting: Bob daily\n" in bob
    assert "11-19" not in bob and "Cancelled" not in bob
    # all-day, declined by me and transparent are not meetings; a room is no participant; CRLF kept
    dana = note(vault, "Dana Scully")
    assert dana == (
        "---\r\nname: Dana Scully\r\nemail: [dana@fbi.example]\r\nlast_contact: 2026-11-15\r\n"
        "next_contact: 2026-12-03\r\n---\r\n# Dana\r\n\r\n## Log\r\n- 2026-11-15 13:00 meeting: Coffee with Dana\r\n"
    )
    # nine participants besides me: not a personal meeting; a floating time is local; the user's own
    # next_contact is never moved
    carl = note(vault, "Carl Jung")
    assert "All hands" not in carl
    assert "- 2026-11-21 12:30 meeting: Floating lunch\n" in carl
    assert "next_contact: 2026-12-20\n" in carl
    assert note(vault, "Eve Polastri") == NOTES["Eve Polastri"]  # a name alone never matches
    # the unmatched attendees, most frequent first; a CN that names a contact is a suggestion
    out = result.out
    assert out.index("stranger@unknown.example") < out.index("eve.other@x.example")
    assert "mdnet add" in out
    assert "the name of Eve Polastri" in out
    assert "room-a@rooms.example" not in out and "crowd.example" not in out
    subjects = git(vault, "log", "--format=%s").splitlines()
    assert "Log 3 meetings with Jane Doe" in subjects
    trailers = git(vault, "log", "-1", "--format=%(trailers)", "--", "people/Jane Doe.md")
    assert "Calendar-Event: weekly@test 20261102T150000Z\n" in trailers
    assert "Calendar-Event: weekly@test 20261116T150000Z\n" in trailers  # the RECURRENCE-ID, not the new start
    assert "Calendar-Planned: weekly@test 20261130T150000Z 2026-11-30\n" in trailers


def test_second_scan_writes_nothing_even_without_the_index(vault: Path, tmp_path: Path) -> None:
    ics = write_ics(tmp_path / "cal.ics")
    assert scan(vault, str(ics)).code == 0
    notes, head = {n: note(vault, n) for n in NOTES}, commits(vault)
    again = scan(vault, str(ics))
    assert again.code == 0, again.err
    assert "nothing to change" in again.out
    shutil.rmtree(vault / ".mdnet")
    third = scan(vault, str(ics))
    assert third.code == 0, third.err
    assert "nothing to change" in third.out
    assert {n: note(vault, n) for n in NOTES} == notes
    assert commits(vault) == head


def test_a_contact_added_later_gets_the_past_meetings(vault: Path, tmp_path: Path) -> None:
    ics = write_ics(tmp_path / "cal.ics")
    first = scan(vault, str(ics))
    assert "stranger@unknown.example" in first.out
    added = run_cli("--vault", str(vault), "--today", TODAY, "add", "Stranger Danger", "--email",
                    "stranger@unknown.example")  # fmt: skip
    assert added.code == 0, added.err
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", "add Stranger")
    second = scan(vault, str(ics))
    assert second.code == 0, second.err
    text = note(vault, "Stranger Danger")
    assert "- 2026-11-23 08:00 meeting: Weekly 1:1\n" in text
    assert "next_contact: 2026-11-30" in text
    assert "stranger@unknown.example" not in second.out
    assert note(vault, "Jane Doe").count("meeting: Weekly 1:1\n") == 2  # Jane's were not logged again


def test_planned_next_contact_moves_and_clears_with_the_calendar(vault: Path, tmp_path: Path) -> None:
    ics = write_ics(tmp_path / "cal.ics")
    assert scan(vault, str(ics)).code == 0
    # the user plans Carl themselves; Jane's 30 Nov occurrence moves to 1 Dec; Dana's review is cancelled
    write_ics(ics, moved_last=True, dana_cancelled=True)
    result = scan(vault, str(ics), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    actions = {item["name"]: (item["action"], item["date"]) for item in data["planned"]}
    assert actions == {"Jane Doe": ("moved", "2026-12-01"), "Dana Scully": ("cleared", None)}
    assert "next_contact: 2026-12-01\n" in note(vault, "Jane Doe")
    assert "next_contact" not in note(vault, "Dana Scully")
    assert data["logged"] == []
    # a next_contact the user set by hand is never moved, even to mdnet's date
    carl = (vault / "people" / "Carl Jung.md").read_text(encoding="utf-8")
    assert "next_contact: 2026-12-20" in carl


def test_a_next_contact_the_user_changed_is_theirs(vault: Path, tmp_path: Path) -> None:
    ics = write_ics(tmp_path / "cal.ics")
    assert scan(vault, str(ics)).code == 0
    path = vault / "people" / "Jane Doe.md"
    path.write_text(path.read_text(encoding="utf-8").replace("next_contact: 2026-11-30", "next_contact: 2026-12-24"),
                    encoding="utf-8")  # fmt: skip
    git(vault, "commit", "-qam", "my own plan")
    write_ics(ics, moved_last=True)
    assert scan(vault, str(ics)).code == 0
    assert "next_contact: 2026-12-24\n" in note(vault, "Jane Doe")


def test_dry_run_writes_nothing_and_json_has_the_shape(vault: Path, tmp_path: Path) -> None:
    ics = write_ics(tmp_path / "cal.ics")
    head = commits(vault)
    result = scan(vault, str(ics), "--dry-run", "--json")
    assert result.code == 0, result.err
    assert commits(vault) == head
    assert {n: note(vault, n) for n in NOTES} == NOTES
    data = json.loads(result.out)
    assert {"logged", "planned", "unmatched"} <= set(data)
    assert data["unmatched"][0] == {"email": "stranger@unknown.example", "name": "Stranger Danger", "events": 5,
                                    "maybe": None}  # fmt: skip
    first = data["logged"][0]
    assert {"name", "path", "date", "time", "summary", "uid", "occurrence"} <= set(first)
    assert len([item for item in data["logged"] if item["name"] == "Jane Doe"]) == 3
    human = scan(vault, str(ics), "--dry-run")
    assert "would update people/Jane Doe.md: log 2026-11-23 08:00 meeting: Weekly 1:1" in human.out


def test_since_and_ahead_limit_the_window(vault: Path, tmp_path: Path) -> None:
    ics = write_ics(tmp_path / "cal.ics")
    result = scan(vault, str(ics), "--since", "2026-11-20", "--ahead", "3d", "--json")
    data = json.loads(result.out)
    assert {(i["name"], i["date"]) for i in data["logged"]} == {
        ("Jane Doe", "2026-11-23"), ("Bob Baker", "2026-11-20"), ("Carl Jung", "2026-11-21")}  # fmt: skip
    assert data["planned"] == []


def test_sources_from_the_config_and_me_from_git(vault: Path, tmp_path: Path) -> None:
    (vault / "cals").mkdir()
    write_ics(vault / "cals" / "cal.ics")
    (vault / "mdnet.toml").write_text('contact_dirs = ["people"]\ncalendar_sources = ["cals/cal.ics"]\n',
                                      encoding="utf-8")  # fmt: skip
    git(vault, "config", "user.email", ME)
    result = run_mdnet_process("--vault", str(vault), "--today", TODAY, "calendar", "scan", "--json",
                               env={"TZ": "America/Phoenix"})  # fmt: skip
    assert result.code == 0, result.err
    assert result.err == ""  # no progress bar on a pipe
    names = {item["name"] for item in json.loads(result.out)["logged"]}
    assert names == {"Jane Doe", "Bob Baker", "Dana Scully", "Carl Jung"}


def test_max_people_is_configurable(vault: Path, tmp_path: Path) -> None:
    (vault / "mdnet.toml").write_text(CONFIG + "calendar_max_people = 9\n", encoding="utf-8")
    result = scan(vault, str(write_ics(tmp_path / "cal.ics")))
    assert result.code == 0, result.err
    assert "All hands" in note(vault, "Carl Jung")


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:not-a-date\r\nUID:x\r\nEND:VEVENT\r\n",
         "broken.ics"),
        ("notes.ics", b"hello, I am not a calendar\n", "not an iCalendar file"),
        ("rule.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r\r\nDTSTART:20261101T100000Z\r\n"
                     b"RRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "rule.ics"),
    ],
)  # fmt: skip
def test_a_bad_calendar_is_one_error_line_and_nothing_written(
    vault: Path, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    good = write_ics(tmp_path / "good.ics")
    bad = tmp_path / name
    bad.write_bytes(data)
    head = commits(vault)
    result = scan(vault, str(good), str(bad))  # the good one first: still nothing is written
    assert result.code != 0
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("mdnet: error: ") and message in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in result.err
    assert commits(vault) == head
    assert {n: note(vault, n) for n in NOTES} == NOTES


def test_a_zip_without_calendars_is_an_error(vault: Path, tmp_path: Path) -> None:
    path = tmp_path / "takeout.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Takeout/readme.html", "<html></html>")
    result = scan(vault, str(path))
    assert result.code != 0
    assert result.err.count("\n") == 1 and "no .ics calendar in this zip" in result.err and str(path) in result.err


def test_a_failed_scan_then_a_good_one_logs_each_meeting_once(vault: Path, tmp_path: Path) -> None:
    good = write_ics(tmp_path / "good.ics")
    assert scan(vault, str(good)).code == 0
    bad = tmp_path / "bad.ics"
    bad.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nope\r\n")
    assert scan(vault, str(good), str(bad)).code != 0
    head = commits(vault)
    assert "nothing to change" in scan(vault, str(good)).out
    assert commits(vault) == head
    assert note(vault, "Jane Doe").count("meeting: Weekly 1:1\n") == 2


def test_no_source_and_no_config_is_bad_usage(vault: Path) -> None:
    result = scan(vault)
    assert result.code == 2
    assert "calendar_sources" in result.err


@pytest.mark.parametrize(
    ("line", "message"),
    [("calendar_max_people = 0", "calendar_max_people must be a whole number >= 1"),
     ('my_emails = "me@mine.example"', "my_emails must be a list of text"),
     ('my_emails = ["not an address"]', "my_emails must hold email addresses"),
     ("calendar_sources = [1]", "calendar_sources must be a list of text")],
)  # fmt: skip
def test_calendar_keys_are_checked_with_the_config(vault: Path, tmp_path: Path, line: str, message: str) -> None:
    (vault / "mdnet.toml").write_text(f'contact_dirs = ["people"]\n{line}\n', encoding="utf-8")
    result = scan(vault, str(write_ics(tmp_path / "cal.ics")))
    assert result.code == 2
    assert message in result.err


def test_a_rule_every_minute_is_left_out_with_a_warning(vault: Path, tmp_path: Path) -> None:
    storm = event("storm@test", "Every minute", dt.datetime(2026, 11, 20, 16, tzinfo=UTC),
                  [person("bob@globex.example")], rrule={"freq": "minutely"})  # fmt: skip
    path = tmp_path / "storm.ics"
    path.write_bytes(calendar([storm]))
    result = scan(vault, str(path))
    assert result.code == 0, result.err
    assert "storm@test repeats every second or minute; left out" in result.err
    assert "Every minute" not in note(vault, "Bob Baker")
