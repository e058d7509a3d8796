"""Calendar scan figures: 5,000 occurrences against 2,000 contacts. Standalone, seeded, never fails.

    .venv/bin/python benchmarks/bench_calendar.py

The calendar (one .ics, built with icalendar) holds weekly series and single meetings over the
year before the scan's day and the month after it, each with one to three contacts, sometimes
someone unknown, a room, or a crowd. Figures: the dry run (read, expand, plan), the first scan
(which writes and commits each contact met), and the rescan (nothing to write). Each is printed
with its target and PASS or MISS.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

import icalendar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import git, mdnet, verdict  # noqa: E402

CONTACTS = 2000
SERIES = 100  # weekly, 26 occurrences each in the window
SINGLES = 5000 - SERIES * 26
TODAY = dt.date(2026, 11, 25)
ME = "me@mine.example"
TARGETS = {"dry-run": 10.0, "scan": 120.0, "rescan": 10.0}


def report(name: str, seconds: float, what: str) -> None:
    target = TARGETS[name]
    print(f"{name:9} {seconds:7.2f} s  target <= {target:.0f} s  {verdict(seconds, target)}  ({what})", flush=True)


def attendees(rng: random.Random) -> list[icalendar.vCalAddress]:
    count = rng.randint(1, 3)
    people = [icalendar.vCalAddress(f"mailto:p{rng.randrange(CONTACTS):04d}@x.example") for _ in range(count)]
    roll = rng.random()
    if roll < 0.2:
        people.append(icalendar.vCalAddress(f"mailto:stranger{rng.randrange(200)}@unknown.example"))
    elif roll < 0.3:
        room = icalendar.vCalAddress("mailto:room@rooms.example")
        room.params["CUTYPE"] = "ROOM"
        people.append(room)
    elif roll < 0.35:
        people.extend(icalendar.vCalAddress(f"mailto:c{i}@crowd.example") for i in range(10))
    return people


def build_calendar(rng: random.Random) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//mdnet bench//EN")
    cal.add("version", "2.0")
    first = dt.datetime.combine(TODAY - dt.timedelta(days=150), dt.time(9), tzinfo=dt.UTC)
    items = [(f"series{i}@bench", first + dt.timedelta(days=rng.randrange(7), hours=rng.randrange(8)), True)
             for i in range(SERIES)]  # fmt: skip
    span = 395 * 24  # hours from a year back to a month ahead
    start = dt.datetime.combine(TODAY - dt.timedelta(days=365), dt.time(0), tzinfo=dt.UTC)
    items += [(f"single{i}@bench", start + dt.timedelta(hours=rng.randrange(span)), False) for i in range(SINGLES)]
    for uid, when, weekly in items:
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("summary", f"Meeting {uid.split('@')[0]}")
        event.add("dtstamp", start)
        event.add("dtstart", when)
        event.add("dtend", when + dt.timedelta(minutes=45))
        event.add("organizer", icalendar.vCalAddress(f"mailto:{ME}"))
        for person in attendees(rng):
            event.add("attendee", person)
        if weekly:
            event.add("rrule", {"freq": "weekly", "count": 26})
        cal.add_component(event)
    return bytes(cal.to_ical())


def main() -> None:
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as temp:
        vault = Path(temp) / "vault"
        (vault / "people").mkdir(parents=True)
        (vault / "mdnet.toml").write_text(f'contact_dirs = ["people"]\nmy_emails = ["{ME}"]\n', encoding="utf-8")
        (vault / ".gitignore").write_text(".mdnet/\n", encoding="utf-8")
        for i in range(CONTACTS):
            front = f"---\nname: Person {i:04d}\nemail: [p{i:04d}@x.example]\ncadence: 90d\n---\n"
            body = f"# Person {i:04d}\n\n## Log\n"
            (vault / "people" / f"Person {i:04d}.md").write_text(front + body, encoding="utf-8")
        git(vault, "init", "-q")
        git(vault, "config", "user.name", "Bench")
        git(vault, "config", "user.email", "bench@example.com")
        git(vault, "config", "commit.gpgsign", "false")
        git(vault, "add", "-A")
        git(vault, "commit", "-q", "-m", "init")
        ics = Path(temp) / "calendar.ics"
        ics.write_bytes(build_calendar(rng))
        base = ("--vault", str(vault), "--today", TODAY.isoformat(), "calendar", "scan", str(ics))
        what = f"{SERIES * 26 + SINGLES} occurrences, {CONTACTS} contacts"
        report("dry-run", mdnet(*base, "--dry-run"), what)
        report("scan", mdnet(*base), what + ", a commit per contact met")
        report("rescan", mdnet(*base), "nothing to write")


if __name__ == "__main__":
    main()
