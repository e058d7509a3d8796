"""SPEC 11 end to end: interactions written anywhere in the vault, through real files, the real index and
the CLI (in-process and as a subprocess). They need the index of issue 14 and skip until it is merged."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from mdnet.store.index import Index
from mdnet.watch.watcher import Watcher, wait_for
from tests.conftest import commit_as_repository, git, run_cli, run_mdnet_process
from tests.conftest import write_file as write

pytestmark = pytest.mark.skipif(not hasattr(Index, "mentions_of"), reason="needs the index of issue 14")

T = "2026-12-08"
BOB = "---\nname: Bob Stone\naliases: [Bob]\ncadence: 90d\n---\n# Bob Stone\n\n## Log\n"
ANN = "---\nname: Ann Lee\ncadence: 30d\n---\n# Ann Lee\n\n## Log\n"


@pytest.fixture
def vault(vault_dir: Path) -> Path:
    write(vault_dir, "people/Bob Stone.md", BOB)
    write(vault_dir, "people/Ann Lee.md", ANN)
    return vault_dir


def cli(root: Path, *args: str, today: str = T) -> tuple[int, str, str]:
    result = run_cli("--vault", str(root), "--today", today, *args)
    return result.code, result.out, result.err


def shown(root: Path, name: str = "Bob Stone", today: str = T) -> dict[str, Any]:
    code, out, err = cli(root, "show", name, "--json", today=today)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def mention_places(root: Path, name: str = "Bob Stone", today: str = T) -> list[tuple[str, str, int]]:
    return [(m["date"], m["path"], m["line"]) for m in shown(root, name, today)["mentions"]]


def due(root: Path, today: str = T, within: str = "7d") -> dict[str, dict[str, Any]]:
    code, out, err = cli(root, "due", "--json", "--within", within, today=today)
    assert code == 0, err
    return {item["name"]: item for item in json.loads(out)["items"]}


# -- the story -----------------------------------------------------


def test_bob_stone_lunch_and_coffee_count_in_show_as_a_subprocess(vault: Path) -> None:
    write(vault, "daily/2026-12-06.md", "# Saturday\n\n- Lunch with [[Bob Stone]], he is moving to Berlin\n")
    write(vault, "meetings/2026-12-05 Coffee with Bob.md", "# Coffee\n\nattendees:: [[Bob Stone]]\n")
    result = run_mdnet_process("--vault", str(vault), "--today", T, "show", "bob")
    assert result.code == 0, result.err
    assert "Last contact  2026-12-06 (daily/2026-12-06.md:3)" in result.out
    assert "never" not in result.out and re.search(r"^Due +today", result.out, re.MULTILINE) is None
    data = json.loads(run_mdnet_process("--vault", str(vault), "--today", T, "show", "bob", "--json").out)
    assert data["last_contact"] == "2026-12-06" and data["last_contact_source"] == "daily/2026-12-06.md:3"
    assert [(m["date"], m["path"], m["line"]) for m in data["mentions"]] == [
        ("2026-12-06", "daily/2026-12-06.md", 3),
        ("2026-12-05", "meetings/2026-12-05 Coffee with Bob.md", 3),
    ]
    assert "Lunch with Bob Stone" in data["mentions"][0]["text"]
    assert data["due"] is None and "Bob Stone" not in due(vault)  # next due 2027-03-06
    history = json.loads(run_mdnet_process("--vault", str(vault), "--today", T, "history", "bob", "--json").out)
    assert [(i["source"], i["date"], i["path"], i["line"], i["kind"], i["commit"]) for i in history["items"]] == [
        ("mention", "2026-12-06", "daily/2026-12-06.md", 3, None, None),
        ("mention", "2026-12-05", "meetings/2026-12-05 Coffee with Bob.md", 3, None, None),
    ]


# -- what counts, what does not ----------------------------------------------

NOT_MENTIONS = {
    "inline code": ("daily/2026-12-06.md", "# Day\n\nThe syntax is `[[Bob Stone]]`.\n"),
    "code fence": ("daily/2026-12-06.md", "# Day\n\n```\n- Lunch with [[Bob Stone]]\n```\n"),
    "tilde fence": ("daily/2026-12-06.md", "# Day\n\n~~~md\n[[Bob Stone]]\n~~~\n"),
    "quote": ("daily/2026-12-06.md", "# Day\n\n> Lunch with [[Bob Stone]]\n"),
    "callout": ("daily/2026-12-06.md", "# Day\n\n> [!note] Lunch\n> with [[Bob Stone]]\n"),
    "embed": ("daily/2026-12-06.md", "# Day\n\n![[Bob Stone]]\n"),
    "open task": ("daily/2026-12-06.md", "# Day\n\n- [ ] lunch with [[Bob Stone]]\n"),
    "cancelled task": ("daily/2026-12-06.md", "# Day\n\n- [-] lunch with [[Bob Stone]]\n"),
    "task in progress": ("daily/2026-12-06.md", "# Day\n\n- [/] lunch with [[Bob Stone]]\n"),
    "html comment": ("daily/2026-12-06.md", "# Day\n\n<!-- lunch with [[Bob Stone]] -->\n"),
    "html comment on lines": ("daily/2026-12-06.md", "# Day\n\n<!--\nlunch with [[Bob Stone]]\n-->\n"),
    "obsidian comment": ("daily/2026-12-06.md", "# Day\n\n%% lunch with [[Bob Stone]] %%\n"),
    "obsidian comment on lines": ("daily/2026-12-06.md", "# Day\n\n%%\n[[Bob Stone]]\n%%\n"),
    "mdnet's block": ("daily/2026-12-06.md", "# Day\n\n<!-- mdnet:begin -->\n### Overdue\n"
                      "- [x] [[Bob Stone]] — every 90d ✓ logged\n<!-- mdnet:end -->\n"),
    "a plain name in a field": ("meetings/2026-12-06 Lunch.md", "---\nattendees: Bob Stone\n---\n# Lunch\n"),
    "a plain name in an inline field": ("meetings/2026-12-06 Lunch.md", "# Lunch\n\nmet:: Bob Stone\n"),
    "a note that is not dated": ("notes/Ideas.md", "# Ideas\n\n- Lunch with [[Bob Stone]]\n"),
    "a template": ("templates/2026-12-06 Daily.md", "# {{date}}\n\n- Lunch with [[Bob Stone]]\n"),
    "a contact note outside people/": ("notes/2026-12-06 Carl.md", "---\ntype: contact\n---\n- Met [[Bob Stone]]\n"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(NOT_MENTIONS))
def test_never_a_mention(vault: Path, case: str) -> None:
    path, text = NOT_MENTIONS[case]
    write(vault, path, text)
    data = shown(vault)
    assert data["mentions"] == [] and data["last_contact"] is None, case
    code, out, _ = cli(vault, "history", "Bob Stone", "--json")
    assert code == 0 and json.loads(out)["items"] == []


@pytest.mark.parametrize(
    "line",
    ["- Lunch with [[Bob Stone]]", "- [x] lunch with [[Bob Stone]]", "- [X] lunch with [[Bob]]",
     "Lunch with [[Bob Stone|B.]]", "Lunch with [[people/Bob Stone]]", "Lunch with [[Bob Stone#Berlin]]",
     "Lunch with [B.](../people/Bob%20Stone.md)", "* Lunch with [[bob stone]]"],
)  # fmt: skip
def test_every_link_form_in_a_dated_note_is_a_mention(vault: Path, line: str) -> None:
    write(vault, "daily/2026-12-06.md", f"# Day\n\n{line}\n")
    assert mention_places(vault) == [("2026-12-06", "daily/2026-12-06.md", 3)]


def test_the_three_inline_field_syntaxes_and_front_matter_fields(vault: Path) -> None:
    write(vault, "meetings/2026-12-01 A.md", "# A\n\nmet:: [[Bob Stone]]\n")
    write(vault, "meetings/2026-12-02 B.md", "# B\n\nCoffee [with:: [[Bob Stone]], [[Ann Lee]]] downtown\n")
    write(vault, "meetings/2026-12-03 C.md", "# C\n\nA call (attendees:: [[Bob Stone]]) went well\n")
    write(vault, "meetings/D.md", '---\ndate: 2026-12-04\npeople:\n  - "[[Bob Stone]]"\n---\n# D\n')
    write(vault, "meetings/E.md", '---\nday: "[[2026-12-07]]"\nwith: [[Bob Stone]]\n---\n# E\n')
    assert mention_places(vault) == [
        ("2026-12-07", "meetings/E.md", 3),
        ("2026-12-04", "meetings/D.md", 3),
        ("2026-12-03", "meetings/2026-12-03 C.md", 3),
        ("2026-12-02", "meetings/2026-12-02 B.md", 3),
        ("2026-12-01", "meetings/2026-12-01 A.md", 3),
    ]
    assert mention_places(vault, "Ann Lee") == [("2026-12-02", "meetings/2026-12-02 B.md", 3)]


def test_a_log_entry_that_links_another_contact_is_a_mention_of_the_other(vault: Path) -> None:
    write(vault, "people/Ann Lee.md", ANN + "- 2026-12-03 dinner: with [[Bob Stone]] and [[Ann Lee]]\n")
    assert mention_places(vault) == [("2026-12-03", "people/Ann Lee.md", 8)]
    ann = shown(vault, "Ann Lee")
    assert ann["mentions"] == [] and ann["last_contact_source"] == "people/Ann Lee.md"  # no self-mention


def test_one_interaction_per_person_note_and_date(vault: Path) -> None:
    write(vault, "daily/2026-12-06.md",
          "# Day\n\n- Lunch with [[Bob Stone]]\n- [x] paid for [[Bob]]\nmet:: [[Bob Stone]]\n")  # fmt: skip
    write(vault, "people/Bob Stone.md", BOB + "- 2026-12-06 lunch: Berlin plans\n")
    assert mention_places(vault) == [("2026-12-06", "daily/2026-12-06.md", 3)]
    code, out, _ = cli(vault, "history", "Bob Stone", "--json")
    assert [i["source"] for i in json.loads(out)["items"]] == ["log", "mention"]
    code, out, _ = cli(vault, "stats", "--json", "--since", "2026-12-01")
    assert json.loads(out)["total"] == 2  # the log entry and the daily note: one each


def test_mentions_fields_and_off(vault: Path) -> None:
    write(vault, "daily/2026-12-06.md", "# Day\n\n- Lunch with [[Bob Stone]]\n")
    write(vault, "meetings/2026-12-05 Call.md", "# Call\n\nwith:: [[Bob Stone]]\n")
    write(vault, "people/Ann Lee.md", ANN + "- 2026-12-04 dinner: with [[Bob Stone]]\n")
    assert [p for _, p, _ in mention_places(vault)] == ["daily/2026-12-06.md", "meetings/2026-12-05 Call.md",
                                                        "people/Ann Lee.md"]  # fmt: skip
    (vault / "mdnet.toml").write_text('contact_dirs = ["people"]\nmentions = "fields"\n', encoding="utf-8")
    assert [p for _, p, _ in mention_places(vault)] == ["meetings/2026-12-05 Call.md", "people/Ann Lee.md"]
    assert shown(vault)["last_contact"] == "2026-12-05"
    (vault / "mdnet.toml").write_text('contact_dirs = ["people"]\nmentions = "off"\n', encoding="utf-8")
    assert mention_places(vault) == [] and shown(vault)["last_contact"] is None


def test_interaction_fields_are_configurable(vault: Path) -> None:
    write(vault, "meetings/2026-12-05 Call.md", '---\nguests: ["[[Bob Stone]]"]\n---\nhost:: [[Ann Lee]]\n')
    assert mention_places(vault) == []  # not a field of interaction_fields; in the body Ann's link counts
    assert mention_places(vault, "Ann Lee") == [("2026-12-05", "meetings/2026-12-05 Call.md", 4)]
    (vault / "mdnet.toml").write_text('contact_dirs = ["people"]\nmentions = "fields"\n', encoding="utf-8")
    assert mention_places(vault) == [] and mention_places(vault, "Ann Lee") == []
    (vault / "mdnet.toml").write_text('contact_dirs = ["people"]\nmentions = "fields"\n'
                                      'interaction_fields = ["guests", "host"]\n', encoding="utf-8")  # fmt: skip
    assert mention_places(vault) == [("2026-12-05", "meetings/2026-12-05 Call.md", 2)]
    assert mention_places(vault, "Ann Lee") == [("2026-12-05", "meetings/2026-12-05 Call.md", 4)]


# -- the due list ------------------------------------------------------------


def test_a_future_mention_is_planned_and_never_a_last_contact(vault: Path) -> None:
    write(vault, "meetings/2026-12-12 Dinner.md", "# Dinner\n\nwith:: [[Bob Stone]]\n")
    data = shown(vault)
    assert data["last_contact"] is None and data["last_contact_source"] is None
    assert [m["date"] for m in data["mentions"]] == ["2026-12-12"]  # show lists planned ones too
    reasons = {r["kind"]: r for r in due(vault)["Bob Stone"]["reasons"]}
    assert reasons["planned"]["due"] == "2026-12-12"
    assert reasons["cadence"]["due"] == T  # a dated note leaves the cadence alone
    code, out, _ = cli(vault, "history", "Bob Stone", "--json")
    assert json.loads(out)["items"] == []  # history lists past mentions only
    assert shown(vault, today="2026-12-13")["last_contact"] == "2026-12-12"  # once it is past, it counts


def test_the_cadence_reason_names_the_mention(vault: Path) -> None:
    write(vault, "people/Ann Lee.md", ANN.replace("## Log\n", "## Log\n- 2026-10-20 call: catch-up\n"))
    write(vault, "daily/2026-11-01.md", "# Day\n\n- Walk with [[Ann Lee]]\n")
    reason = due(vault)["Ann Lee"]["reasons"][0]
    assert reason == {"kind": "cadence", "due": "2026-12-01",
                      "detail": "every 30d; last contact 2026-11-01 (daily/2026-11-01.md:3)"}  # fmt: skip


def test_open_loops_are_shown_give_task_reasons_and_close_when_ticked(vault: Path) -> None:
    write(vault, "people/Bob Stone.md", BOB.replace("## Log\n", "- [ ] call about Berlin\n\n## Log\n"))
    daily_text = ("# Day\n\n- [ ] send [[Bob Stone]] the deck 📅 2026-12-10\n- [ ] book [[Bob]] [due:: 2026-12-11]\n"
                  "  * [ ] ask [[Bob Stone]] due:: 2026-12-12\n- [ ] visit [[Bob Stone]] ⏳ 2026-12-13\n"
                  "- [ ] someday [[Bob Stone]]\n> - [ ] quoted [[Bob Stone]]\n")  # fmt: skip
    daily = write(vault, "daily/2026-12-06.md", daily_text)
    loops = shown(vault)["open_loops"]
    assert sorted((loop["path"], loop["line"], loop["due"]) for loop in loops) == [
        ("daily/2026-12-06.md", 3, "2026-12-10"), ("daily/2026-12-06.md", 4, "2026-12-11"),
        ("daily/2026-12-06.md", 5, "2026-12-12"), ("daily/2026-12-06.md", 6, "2026-12-13"),
        ("daily/2026-12-06.md", 7, None), ("people/Bob Stone.md", 8, None),
    ]  # fmt: skip
    assert shown(vault)["mentions"] == []  # open tasks are no interactions
    item = due(vault)["Bob Stone"]
    assert sorted(r["due"] for r in item["reasons"] if r["kind"] == "task") == [
        "2026-12-10", "2026-12-11", "2026-12-12", "2026-12-13"]  # fmt: skip
    code, out, _ = cli(vault, "show", "Bob Stone")
    assert "Open loops" in out and "daily/2026-12-06.md:3" in out
    code, out, _ = cli(vault, "brief", "Bob Stone", "--json")
    assert any("call about Berlin" in f for f in json.loads(out)["open_follow_ups"])
    code, out, _ = cli(vault, "daily", "--print")
    assert out.count("    - open: ") == 5 and "    - and 1 more open loop\n" in out
    code, out, err = cli(vault, "export", "ics")
    assert code == 0, err
    assert out.count("UID:mdnet-task-people-bob-stone-") == 4
    daily.write_text(daily_text.replace("- [ ] send", "- [x] send"), encoding="utf-8")
    assert len(shown(vault)["open_loops"]) == 5  # ticking closes the loop, and the done task is a mention
    assert mention_places(vault) == [("2026-12-06", "daily/2026-12-06.md", 3)]


def test_the_daily_note_lists_loops_and_a_refresh_of_an_unchanged_vault_rewrites_nothing(vault: Path) -> None:
    write(vault, "daily/2026-12-06.md", "# Day\n\n- [ ] send [[Bob Stone]] the deck 📅 2026-12-10\n")
    assert cli(vault, "daily")[0] == 0
    note = vault / "daily" / f"{T}.md"
    first = note.read_bytes()
    assert "    - open: send Bob Stone the deck 📅 2026-12-10, due 2026-12-10" in first.decode()
    assert "last: never" in first.decode()
    assert cli(vault, "daily")[0] == 0
    assert note.read_bytes() == first
    assert shown(vault)["mentions"] == [] and len(shown(vault)["open_loops"]) == 1  # mdnet's block is no source
    write(vault, "daily/2026-12-07.md", "# Day\n\n- Lunch with [[Bob Stone]]\n")
    assert cli(vault, "daily")[0] == 0
    assert "last: 2026-12-07 Lunch with Bob Stone (daily/2026-12-07.md)" in note.read_text(encoding="utf-8")


# -- following the files -----------------------------------------------------


def test_a_rename_and_a_new_alias_keep_and_find_mentions(vault: Path) -> None:
    write(vault, "daily/2026-12-05.md", "# Day\n\n- Lunch with [[Bob Stone]]\n")
    write(vault, "daily/2026-12-06.md", "# Day\n\n- Coffee with [[Bobby]]\n")
    assert mention_places(vault) == [("2026-12-05", "daily/2026-12-05.md", 3)]
    os.replace(vault / "people" / "Bob Stone.md", vault / "people" / "Robert Stone.md")
    assert mention_places(vault, "Robert Stone") == [("2026-12-05", "daily/2026-12-05.md", 3)]  # by name
    write(vault, "people/Robert Stone.md", BOB.replace("aliases: [Bob]", "aliases: [Bob, Bobby]"))
    assert mention_places(vault, "Robert Stone") == [("2026-12-06", "daily/2026-12-06.md", 3),
                                                     ("2026-12-05", "daily/2026-12-05.md", 3)]  # fmt: skip


def test_the_watcher_updates_the_due_list_and_daily_note_when_a_daily_note_changes(vault: Path) -> None:
    today = dt.date.fromisoformat(T)
    watcher = Watcher(vault, daily=True, quiet=0.1, settle=0.2, today=lambda: today)
    note = vault / "daily" / f"{T}.md"
    with watcher:
        assert wait_for(lambda: note.exists() and "[[Bob Stone]]" in note.read_text(encoding="utf-8"), 5.0)
        write(vault, "daily/2026-12-07.md", "# Day\n\n- Lunch with [[Bob Stone]]\n")
        assert wait_for(lambda: "[[Bob Stone]]" not in note.read_text(encoding="utf-8"), 5.0), (
            "the watcher did not see the mention: " + "; ".join(watcher.messages)
        )
        edited = vault / "daily" / "2026-12-07.md"
        edited.write_text("# Day\n\n- Lunch with Bob, no link\n", encoding="utf-8")
        assert wait_for(lambda: "[[Bob Stone]]" in note.read_text(encoding="utf-8"), 5.0)


def test_history_gives_the_last_commit_of_the_dated_note(vault: Path) -> None:
    write(vault, ".gitignore", ".mdnet/\n")
    write(vault, "daily/2026-12-05.md", "# Day\n\n- Lunch with [[Bob Stone]]\n")
    commit_as_repository(vault)
    head = git(vault, "rev-parse", "HEAD").strip()
    write(vault, "daily/2026-12-06.md", "# Day\n\n- Coffee with [[Bob Stone]]\n")  # not committed
    code, out, err = cli(vault, "history", "Bob Stone", "--json")
    assert code == 0, err
    mentions = [(i["date"], i["commit"]) for i in json.loads(out)["items"] if i["source"] == "mention"]
    assert mentions == [("2026-12-06", None), ("2026-12-05", head)]


def test_brief_and_stats_count_mentions(vault: Path) -> None:
    write(vault, "people/Bob Stone.md", BOB + "- 2026-11-20 call: Berlin\n")
    write(vault, "daily/2026-11-21.md", "# Day\n\n- Lunch with [[Bob Stone]]\n")
    code, out, _ = cli(vault, "brief", "Bob Stone", "--json")
    sources = [(i["date"], i.get("source")) for i in json.loads(out)["last_interactions"]]
    assert sources == [("2026-11-21", "mention"), ("2026-11-20", "log")]
    code, out, _ = cli(vault, "stats", "--json", "--since", "2026-11-01")
    months = {m["month"]: m["total"] for m in json.loads(out)["per_month"]}
    assert months["2026-11"] == 2


def test_bad_dated_notes_are_warned_about_and_lose_nothing(vault: Path) -> None:
    write(vault, "daily/2026-12-05.md", "# Day\n\n- Lunch with [[Bob Stone]]\n")
    write(vault, "meetings/Bad date.md", "---\ndate: 2026-02-30\n---\n- Lunch with [[Bob Stone]]\n")
    write(vault, "daily/2026-12-06.md", b"# Day\n\n- Caf\xe9 with [[Bob Stone]]\n")  # Latin-1, not UTF-8
    code, out, err = cli(vault, "check")
    assert "meetings/Bad date.md:2" in out + err
    assert mention_places(vault) == [("2026-12-05", "daily/2026-12-05.md", 3)]
    code, out, err = cli(vault, "due", "--json")
    assert code == 0
