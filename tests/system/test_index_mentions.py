"""SPEC 11 in the index: mentions and open loops kept per note, resolved to contacts, following the files."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from mdnet.config import Config, config_from_bytes
from mdnet.core.model import Mention, OpenLoop
from mdnet.errors import ConfigError
from mdnet.store.layout import daily_location
from mdnet.vault.facade import Vault
from tests.conftest import run_mdnet_process
from tests.conftest import write_file as write

T = dt.date(2026, 12, 6)
BOB = "people/Bob Stone.md"
CAROL = "people/Carol.md"


def age(root: Path, only: str = "") -> None:
    """Every note (or ``only`` that one) saved an hour earlier: none is racy (read again by each scan)."""
    for path in [root / only] if only else root.rglob("*.md"):
        os.utime(path, (path.stat().st_atime - 3600, path.stat().st_mtime - 3600))


@pytest.fixture
def vault(vault_dir: Path) -> Path:
    write(vault_dir, BOB, "---\nname: Bob Stone\ncadence: 90d\nlast_contact: 2026-08-01\n---\n")
    write(vault_dir, CAROL, "---\nname: Carol\ncadence: 30d\n---\n## Log\n- 2026-09-01 dinner with [[Bob Stone]]\n")
    write(vault_dir, "daily/2026-12-06.md", "# Sunday\n- Lunch with [[Bob Stone]], he is moving to Berlin\n")
    write(vault_dir, "meetings/2026-12-05 Coffee with Bob.md", "---\nattendees: ['[[Bob Stone]]']\n---\nnotes\n")
    return vault_dir


def test_mentions_give_the_effective_last_contact_and_its_source(vault: Path) -> None:
    with Vault.open(vault, today=T) as v:
        bob = v.get("Bob Stone")
        assert bob.last_contact == T
        assert bob.last_contact_source == "daily/2026-12-06.md:2"
        assert bob.mentions == (
            Mention(T, "daily/2026-12-06.md", 2, "Lunch with Bob Stone, he is moving to Berlin"),
            Mention(dt.date(2026, 12, 5), "meetings/2026-12-05 Coffee with Bob.md", 2, "attendees: ['Bob Stone']"),
            Mention(dt.date(2026, 9, 1), CAROL, 6, "2026-09-01 dinner with Bob Stone"),
        )
        assert v.indexed().mentions_of(BOB) == list(bob.mentions)
        # The day before: the lunch is planned, not a last contact; the coffee is the last one.
        earlier = v.get("Bob Stone", today="2026-12-05")
        assert (earlier.last_contact, earlier.last_contact_source) == (
            dt.date(2026, 12, 5),
            "meetings/2026-12-05 Coffee with Bob.md:2",
        )
        # Long before any mention: the note's own last_contact, and the note as its source.
        old = v.get("Bob Stone", today="2026-08-15")
        assert (old.last_contact, old.last_contact_source) == (dt.date(2026, 8, 1), BOB)
    with Vault.open(vault, today="2026-12-05") as v:  # the vault's day is every method's default
        assert v.get("Bob Stone").last_contact == dt.date(2026, 12, 5)
        assert {c.path: c.last_contact for c in v.contacts()}[BOB] == dt.date(2026, 12, 5)


def test_due_facts_carry_the_effective_last_contact_and_planned_mentions(vault: Path) -> None:
    with Vault.open(vault, today=T) as v:
        v.refresh()
        index = v.indexed()
        facts = {f.path: f for f in index.due_candidates(dt.date(2026, 12, 4), dt.date(2026, 12, 11), False)}
        assert facts[BOB].last_contact == dt.date(2026, 9, 1)  # Carol's log entry, not after T
        assert facts[BOB].last_contact_source == CAROL + ":6"
        assert [m.date for m in facts[BOB].mentions] == [T, dt.date(2026, 12, 5)]  # after T: planned


def test_the_due_query_reads_its_own_index_and_the_few_later_mentions(vault: Path) -> None:
    """The due list's columns come from notes_due (not the wide rows of notes, ~48 MB at 10k contacts), the
    contacts only a later mention or a dated loop lets in are looked up by path, and the mentions after today
    are found by date (not by walking every mention of the vault): docs/decisions.md, session 6."""
    with Vault.open(vault, today=T) as v:
        v.refresh()
        index = v.indexed()
        statements: list[str] = []
        index.connection.set_trace_callback(statements.append)
        for inherited in (False, True):
            assert BOB in {f.path for f in index.due_candidates(T, T + dt.timedelta(days=7), inherited)}
        index.connection.set_trace_callback(None)
        plans = {
            statement: [row[3] for row in index.connection.execute("EXPLAIN QUERY PLAN " + statement)]
            for statement in statements
            if "first_due" in statement or statement.startswith("SELECT contact, date, src, line, text FROM hits")
        }
        assert len(plans) == 3, statements
        for statement, plan in plans.items():
            if "first_due" in statement:
                assert "SCAN notes USING COVERING INDEX notes_due" in plan, plan
                assert [p for p in plan if p.startswith("SCAN")] == ["SCAN notes USING COVERING INDEX notes_due"]
            else:
                assert plan == ["SEARCH hits USING INDEX hits_date (date>?)"], plan


def test_one_interaction_per_person_note_and_date(vault: Path) -> None:
    write(vault, "daily/2026-12-06.md", "- [[Bob Stone]] at lunch\n- [[Bob Stone|Bob]] again\n- [[Nobody]]\n")
    with Vault.open(vault, today=T) as v:
        assert [(m.path, m.line) for m in v.get("Bob").mentions if m.date == T] == [("daily/2026-12-06.md", 1)]


def test_a_link_to_nobody_and_what_is_no_mention(vault: Path) -> None:
    write(
        vault,
        "daily/2026-12-07.md",
        "- [[Nobody Here]]\n> [[Carol]] quoted\n`[[Carol]]`\n![[Carol]]\n- [ ] [[Carol]]\n",
    )
    with Vault.open(vault, today="2026-12-31") as v:
        assert v.get("Carol").mentions == ()
        assert [lo.line for lo in v.get("Carol").open_loops] == [5]
        assert not [p for p in v.problems() if p.path == "daily/2026-12-07.md"]  # nobody is no problem


def test_open_loops_belong_to_the_linked_and_to_the_owner(vault: Path) -> None:
    write(vault, BOB, "---\nname: Bob Stone\n---\n- [ ] send [[Carol]] the deck 📅 2026-12-01\n- [x] done [[Carol]]\n")
    write(vault, "projects/plan.md", "- [ ] call [[Bob Stone]]\n")
    with Vault.open(vault, today=T) as v:
        deck = OpenLoop(BOB, 4, "send Carol the deck 📅 2026-12-01", dt.date(2026, 12, 1))
        assert v.get("Bob").open_loops == (deck, OpenLoop("projects/plan.md", 1, "call Bob Stone", None))
        assert v.get("Carol").open_loops == (deck,)
        assert v.indexed().open_loops_of(CAROL) == [deck]
        candidates = v.indexed().due_candidates(T, T + dt.timedelta(days=7), False)
        assert CAROL in {f.path for f in candidates}  # a dated loop lets her in (Carol has no last contact yet)
    write(vault, BOB, "---\nname: Bob Stone\n---\n- [x] send [[Carol]] the deck 📅 2026-12-01\n")
    with Vault.open(vault, today=T) as v:
        assert v.get("Carol").open_loops == ()  # ticked anywhere: closed


def test_an_unchanged_vault_reads_no_note_and_an_edited_daily_note_only_itself(vault: Path) -> None:
    age(vault)
    with Vault.open(vault, today=T) as v:
        v.refresh()
        again = v.refresh()
        assert again.updated + again.added == 0
        write(vault, "daily/2026-12-06.md", "# Sunday\n- Lunch with [[Carol]]\n")
        age(vault, "daily/2026-12-06.md")
        stats = v.refresh()
        assert (stats.updated, stats.added, stats.removed) == (1, 0, 0)
        assert [m.date for m in v.get("Bob").mentions] == [dt.date(2026, 12, 5), dt.date(2026, 9, 1)]
        assert [m.path for m in v.get("Carol").mentions] == ["daily/2026-12-06.md"]


def test_a_renamed_contact_keeps_its_mentions_and_a_new_alias_gains_some(vault: Path) -> None:
    write(vault, "daily/2026-12-04.md", "- [[Bobby]] called\n")
    age(vault)  # the dated notes are not read again below: only the names changing resolve them anew
    with Vault.open(vault, today=T) as v:
        assert len(v.get("Bob").mentions) == 3
        (vault / BOB).rename(vault / "people/Robert Stone.md")  # the links still say Bob Stone: his name
        v.refresh()
        robert = v.get("Robert Stone")
        assert robert.path == "people/Robert Stone.md"
        assert [m.date for m in robert.mentions] == [T, dt.date(2026, 12, 5), dt.date(2026, 9, 1)]
        write(vault, "people/Robert Stone.md", "---\nname: Bob Stone\naliases: [Bobby]\n---\n")
        age(vault, "people/Robert Stone.md")
        assert v.refresh().updated == 1
        assert dt.date(2026, 12, 4) in [m.date for m in v.get("Bobby").mentions]
        (vault / "people/Robert Stone.md").unlink()
        v.refresh()
        assert v.indexed().mentions_of("people/Robert Stone.md") == []
        assert (
            v.indexed().connection.execute("SELECT count(*) FROM hits WHERE contact LIKE '%Stone%'").fetchone()[0] == 0
        )


def test_a_contact_added_later_gets_the_mentions_written_before(vault: Path) -> None:
    write(vault, "daily/2026-12-03.md", "- met [[Dana]]\n")
    age(vault)
    with Vault.open(vault, today=T) as v:
        v.refresh()
        write(vault, "people/Dana.md", "---\nname: Dana\n---\n")
        age(vault, "people/Dana.md")
        assert [m.path for m in v.get("Dana").mentions] == ["daily/2026-12-03.md"]


def test_bad_input_is_a_warning_and_nothing_is_lost(vault: Path) -> None:
    write(vault, "meetings/odd.md", "---\ntitle: odd\ndate: 2026-02-30\n---\n- [[Carol]]\n")
    write(vault, "daily/2026-12-02.md", b"- [[Carol]] \xff\n")
    with Vault.open(vault, today=T) as v:
        problems = {(p.path, p.line, p.severity): p.message for p in v.problems()}
        assert "2026-02-30" in problems["meetings/odd.md", 3, "warning"]
        assert "UTF-8" in problems["daily/2026-12-02.md", 1, "warning"]
        assert v.get("Carol").mentions == ()  # neither note is read as dated; both are still indexed
        assert v.indexed().tokens().keys() >= {"meetings/odd.md", "daily/2026-12-02.md"}
    assert (vault / "daily/2026-12-02.md").read_bytes() == b"- [[Carol]] \xff\n"  # nothing written into notes
    result = run_mdnet_process("--vault", str(vault), "check")
    assert "meetings/odd.md:3" in result.out + result.err
    assert "daily/2026-12-02.md" in result.out + result.err


def test_an_impossible_date_is_said_in_a_note_without_links(vault: Path) -> None:
    """No link and no task box: nothing to store for SPEC 11, but the bad date: is still a warning."""
    write(vault, "meetings/plain.md", "---\ntitle: plain\nday: 2026-13-01\n---\nnotes only\n")
    with Vault.open(vault, today=T) as v:
        problems = {(p.path, p.line, p.severity): p.message for p in v.problems()}
    assert "2026-13-01" in problems["meetings/plain.md", 3, "warning"]


def test_mentions_off_and_fields_only(vault: Path) -> None:
    write(vault, "mdnet.toml", 'contact_dirs = ["people"]\nmentions = "fields"\n')
    with Vault.open(vault, today=T) as v:
        assert [m.path for m in v.get("Bob").mentions] == ["meetings/2026-12-05 Coffee with Bob.md", CAROL]
    write(vault, "mdnet.toml", 'contact_dirs = ["people"]\nmentions = "off"\n')
    with Vault.open(vault, today=T) as v:
        assert v.get("Bob").mentions == ()
        assert v.get("Bob").last_contact == dt.date(2026, 8, 1)


def test_the_config_keys_are_checked_at_once_and_change_the_fingerprint() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_bytes(b'mentions = "all"\ninteraction_fields = "met"\n')
    assert "mentions" in str(caught.value) and "interaction_fields" in str(caught.value)
    fields = config_from_bytes(b'interaction_fields = ["met", "guests"]\n')
    assert fields.interaction_fields == ("met", "guests")
    prints = {Config().fingerprint(), Config(mentions="off").fingerprint(), fields.fingerprint()}
    assert len(prints) == 3


def test_the_daily_folder_and_format_come_from_obsidian_or_periodic_notes(vault: Path) -> None:
    assert daily_location(vault, Config()) == ("daily", "YYYY-MM-DD")
    write(
        vault,
        ".obsidian/plugins/periodic-notes/data.json",
        json.dumps({"daily": {"folder": "j", "format": "DD.MM.YYYY"}}),
    )
    assert daily_location(vault, Config()) == ("j", "DD.MM.YYYY")
    write(vault, ".obsidian/daily-notes.json", json.dumps({"folder": "journal/", "format": "YYYY/MM/DD"}))
    assert daily_location(vault, Config()) == ("journal", "YYYY/MM/DD")
    write(vault, "journal/2026/12/01.md", "- [[Carol]]\n")
    with Vault.open(vault, today=T) as v:
        assert [m.date for m in v.get("Carol").mentions] == [dt.date(2026, 12, 1)]
        # A new daily format changes which notes are dated: the index is rebuilt.
        write(vault, ".obsidian/daily-notes.json", json.dumps({"folder": "journal", "format": "DD.MM.YYYY"}))
        stats = v.refresh()
        assert stats.rebuilt or stats.updated + stats.added > 1
        assert v.get("Carol").mentions == ()


def test_vault_open_today_checks_its_date(vault: Path) -> None:
    with Vault.open(vault, today="2026-12-05") as v:
        assert v.today == dt.date(2026, 12, 5)
    os.environ.pop("MDNET_TODAY", None)
    with Vault.open(vault) as v:
        assert v.today == dt.date.today()
