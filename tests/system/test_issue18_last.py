"""Issue 18, the last items: one name, two people on import, and the friction left. Each test failed
before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, run_mdnet_process
from tests.system.terminal import on_a_terminal
from tests.system.test_sync import two_devices  # noqa: F401 (a fixture)

# -- 5: an identity key that differs means a different person ---------------------------------

CONNECTIONS = (
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "José,Álvarez,https://www.linkedin.com/in/ja,,Acme,CTO,12 Mar 2024\n"
    "Jose,Alvarez,https://www.linkedin.com/in/ja2,,Initech,Engineer,01 Jan 2025\n"
)


def test_two_people_with_one_name_on_a_linkedin_import_are_two_notes(git_vault: Path, tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Connections.csv").write_text(CONNECTIONS, encoding="utf-8")
    args = ("--today", "2026-11-25", "import", "linkedin", str(export))
    dry = run_mdnet_process(*args, "--dry-run", cwd=git_vault)
    assert dry.code == 0, dry
    assert "a second note" in dry.out and "another LinkedIn profile" in dry.out, dry.out
    done = run_mdnet_process(*args, cwd=git_vault)
    assert done.code == 0, done
    names = sorted(p.name for p in (git_vault / "people").iterdir())
    assert names == ["Jose Alvarez 2.md", "José Álvarez.md"], (names, done.out)
    second = (git_vault / "people" / "Jose Alvarez 2.md").read_text(encoding="utf-8")
    assert "Initech" in second and "/in/ja2" in second
    first = (git_vault / "people" / "José Álvarez.md").read_text(encoding="utf-8")
    assert "Initech" not in first and "Acme" in first
    assert not git(git_vault, "status", "--porcelain")  # the LinkedIn import commits
    again = run_mdnet_process(*args, cwd=git_vault)
    assert again.code == 0, again
    assert sorted(p.name for p in (git_vault / "people").iterdir()) == names, again.out


def test_another_email_is_another_person_but_no_email_is_the_same(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "people" / "John Smith.md").write_text(
        "---\nname: John Smith\nemail: [john@acme.example]\n---\n", encoding="utf-8"
    )
    cards = tmp_path / "c.vcf"
    cards.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:John Smith\r\nEMAIL:jsmith@other.example\r\nORG:Other Ltd\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nTEL:+1 555 0100\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    (vault_dir / "people" / "Ann Lee.md").write_text("---\nname: Ann Lee\nemail: [ann@x.example]\n---\n", "utf-8")
    result = run_mdnet_process("import", "vcard", str(cards), "--json", cwd=vault_dir)
    assert result.code == 0, result
    items = {i["path"]: i for i in json.loads(result.out)["items"]}
    assert items["people/John Smith 2.md"]["action"] == "create"
    assert any("a second note" in d for d in items["people/John Smith 2.md"]["details"])
    assert items["people/Ann Lee.md"]["action"] == "update"  # no conflicting key: the same person
    again = run_mdnet_process("import", "vcard", str(cards), "--json", cwd=vault_dir)
    assert {i["action"] for i in json.loads(again.out)["items"]} == {"unchanged"}, again.out


# -- friction: the reply bucket's Due column shows the reply's date ------------------------------


def test_the_reply_bucket_shows_the_replys_date(vault_dir: Path) -> None:
    (vault_dir / "people" / "Ann Lee.md").write_text(
        "---\nname: Ann Lee\ncadence: 30d\nlast_contact: 2024-08-20\nneeds_reply: 2026-12-01\n---\n", encoding="utf-8"
    )
    result = run_mdnet_process("--today", "2026-12-08", "due", cwd=vault_dir, env={"COLUMNS": "150"})
    assert result.code == 0, result
    row = next(line for line in result.out.splitlines() if "Ann Lee" in line)
    assert "2026-12-01 (7d ago)" in row and "2024-" not in row.split("Ann Lee")[1].split("│")[1], result.out


# -- friction: `followup X none` removes the lines it added ------------------------------------------


def test_followup_none_removes_the_lines(git_vault: Path) -> None:
    note = git_vault / "people" / "Ann Lee.md"
    original = "---\nname: Ann Lee\ncadence: 30d  # monthly\n---\n# Ann Lee\n"
    note.write_text(original, encoding="utf-8")
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-qm", "Ann")
    added = run_mdnet_process("followup", "Ann Lee", "2w", "--note", "ask about Q1", cwd=git_vault)
    assert added.code == 0, added
    assert "follow_up_note: ask about Q1" in note.read_text(encoding="utf-8")
    cleared = run_mdnet_process("followup", "Ann Lee", "none", cwd=git_vault)
    assert cleared.code == 0, cleared
    assert note.read_text(encoding="utf-8") == original
    assert not git(git_vault, "status", "--porcelain")


def test_followup_years_in_the_past_warns(git_vault: Path) -> None:
    (git_vault / "people" / "Ann Lee.md").write_text("---\nname: Ann Lee\n---\n", encoding="utf-8")
    result = run_mdnet_process("--today", "2026-12-08", "followup", "Ann Lee", "2020-01-01", "--no-commit",
                               cwd=git_vault)  # fmt: skip
    assert result.code == 0, result
    assert "mdnet: warning: follow_up 2020-01-01 is 6 years in the past" in result.err
    soon = run_mdnet_process("--today", "2026-12-08", "followup", "Ann Lee", "2w", "--no-commit", cwd=git_vault)
    assert "warning" not in soon.err


# -- friction: `tags: [#mentor, work]` at its own line, with a hint ------------------------------


def test_a_hash_in_a_flow_list_is_reported_at_its_line_with_a_hint(vault_dir: Path) -> None:
    (vault_dir / "people" / "ann.md").write_text(
        "---\nname: Ann Lee\ncategory: friend\ntags: [#mentor, work]\ncadence: 30d\n---\n# Ann\n", encoding="utf-8"
    )
    result = run_mdnet_process("check", cwd=vault_dir)
    assert result.code == 1, result
    assert "people/ann.md:4:8: error: malformed YAML" in result.out + result.err
    assert "'#mentor' starts a YAML comment" in result.out + result.err
    assert 'quote it ("#mentor")' in result.out + result.err


# -- friction: `stats --html FILE` writes the page and does not print the terminal report too ----------


def test_stats_html_does_not_print_the_terminal_report(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "people" / "Ann Lee.md").write_text(
        "---\nname: Ann Lee\ncategory: friend\n---\n## Log\n- 2026-11-01 call: hi\n", encoding="utf-8"
    )
    page = tmp_path / "s.html"
    result = run_mdnet_process("--today", "2026-12-08", "stats", "--html", str(page), cwd=vault_dir)
    assert result.code == 0, result
    assert result.out.splitlines() == [f"wrote {page}: 1 interaction (open it in a browser)"]
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# -- friction: `draft --log` skips a contact with no address, and says so ---------------------------


def test_draft_log_skips_a_contact_with_no_address(git_vault: Path, tmp_path: Path) -> None:
    people = git_vault / "people"
    (people / "Ann Lee.md").write_text("---\nname: Ann Lee\ncategory: client\n---\n", encoding="utf-8")
    (people / "Bo Chan.md").write_text("---\nname: Bo Chan\ncategory: client\nemail: bo@x.example\n---\n", "utf-8")
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-qm", "two")
    template = tmp_path / "update.md"
    template.write_text("Subject: News\n\nHi {{ first_name }}\n", encoding="utf-8")
    result = run_mdnet_process("draft", str(template), "--category", "client", "--out", str(tmp_path / "out"),
                               "--log", cwd=git_vault)  # fmt: skip
    assert result.code == 0, result
    assert "people/Ann Lee.md: no email address in the note; not logged" in result.err
    assert "logged 1 interaction" in result.out
    assert "## Log" not in (people / "Ann Lee.md").read_text(encoding="utf-8")
    assert "email: sent: " in (people / "Bo Chan.md").read_text(encoding="utf-8")


# -- friction: the watcher says whom it logged from a tick ------------------------------------------


def test_the_watcher_says_whom_it_logged_from_a_tick(git_vault: Path) -> None:
    import datetime as dt

    from mdnet.vault.facade import Vault
    from mdnet.watch.daily_job import DailyJob

    (git_vault / "people" / "Tom Hanks.md").write_text(
        "---\nname: Tom Hanks\ncadence: 30d\nlast_contact: 2026-10-01\n---\n# Tom Hanks\n\n## Log\n", encoding="utf-8"
    )
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-qm", "tom")
    said: list[str] = []
    with Vault.open(git_vault) as vault:
        job = DailyJob(git_vault, lambda: vault, enabled=True, today=lambda: dt.date(2026, 12, 8), say=said.append,
                       token_of=lambda _path: None, wrote=lambda _path: None)  # fmt: skip
        job.check_daily()
        note = git_vault / "daily" / "2026-12-08.md"
        text = note.read_text(encoding="utf-8")
        line = next(x for x in text.splitlines() if "[[Tom Hanks]]" in x)
        note.write_text(text.replace(line, line.replace("- [ ]", "- [x]", 1)), encoding="utf-8")
        job.check_daily(force=True)  # the watcher's refresh after the user's save
    assert any(m.startswith("logged Tom Hanks from a tick: - 2026-12-08") for m in said), said


# -- friction: `brief` says a sentence once, and shows status: archived ---------------------------------


def test_brief_says_how_we_met_once_and_shows_archived(vault_dir: Path) -> None:
    (vault_dir / "people" / "Ann Lee.md").write_text(
        "---\nname: Ann Lee\nstatus: archived\n---\n# Ann Lee\n\nWe met at PyCon 2019.\n", encoding="utf-8"
    )
    result = run_mdnet_process("brief", "Ann Lee", cwd=vault_dir, env={"COLUMNS": "120"})
    assert result.code == 0, result
    assert result.out.count("We met at PyCon 2019") == 1, result.out
    assert "About" not in result.out
    assert any(line.strip("│ ").split() == ["Status", "archived"] for line in result.out.splitlines()), result.out
    (vault_dir / "people" / "Ann Lee.md").write_text(
        "---\nname: Ann Lee\n---\n# Ann Lee\n\nWe met at PyCon 2019. She runs the data team.\n", encoding="utf-8"
    )
    again = run_mdnet_process("brief", "Ann Lee", cwd=vault_dir, env={"COLUMNS": "120"})
    assert again.out.count("We met at PyCon 2019") == 1 and "She runs the data team." in again.out, again.out
    assert "Status" not in again.out


# -- friction: `due --limit N` / `list --limit N`, and a screenful on a terminal ---------------------------


def _many(vault_dir: Path, count: int) -> None:
    for n in range(count):
        note = f"---\nname: Person {n:03}\nneeds_reply: true\n---\n"
        (vault_dir / "people" / f"P{n:03}.md").write_text(note, encoding="utf-8")


def test_due_and_list_limit(vault_dir: Path) -> None:
    _many(vault_dir, 30)
    for command in ("due", "list"):
        cut = run_mdnet_process("--today", "2026-12-08", command, "--limit", "3", cwd=vault_dir)
        assert cut.code == 0, cut
        assert sum("Person 0" in line for line in cut.out.splitlines()) == 3, cut.out
        assert cut.out.splitlines()[-1] == "and 27 more: --all (or --limit N)"
        whole = run_mdnet_process("--today", "2026-12-08", command, cwd=vault_dir)  # a pipe: everyone
        assert sum("Person 0" in line for line in whole.out.splitlines()) == 30 and "more: --all" not in whole.out
    data = json.loads(run_mdnet_process("due", "--json", "--limit", "2", cwd=vault_dir).out)
    assert len(data["items"]) == 2


def test_a_terminal_gets_a_screenful(vault_dir: Path) -> None:
    _many(vault_dir, 80)
    out = on_a_terminal(vault_dir, "due", columns=100, lines=30)
    assert "more: --all" in out, out[-500:]
    assert len(out.splitlines()) <= 29


def test_due_on_a_40_line_terminal_fits_the_screen(vault_dir: Path) -> None:
    """Issue 18 (second pass): on a 40-row, 80-column terminal the default printed 63 lines: a fixed
    allowance of 12 lines for titles and borders, while long reasons wrap over several lines."""
    for n in range(60):
        note = (f"---\nname: Person {n:03}\nfollow_up: 2026-12-01\nfollow_up_note: send the deck about the "
                f"quarterly numbers and the hiring plan for the Berlin office, with the appendix\n---\n")  # fmt: skip
        (vault_dir / "people" / f"P{n:03}.md").write_text(note, encoding="utf-8")
    _many(vault_dir, 10)
    out = on_a_terminal(vault_dir, "due", columns=80, lines=40)
    printed = out.splitlines()
    assert len(printed) <= 39, out  # a line left for the prompt
    assert printed[-1].startswith("and ") and printed[-1].endswith("more: --all (or --limit N)"), out
    shown = sum("Person 0" in line for line in printed)
    assert shown >= 5 and f"and {60 - shown} more" in printed[-1]  # 10 replies owed, 50 follow-ups


# -- friction: `sync` keeps a staged change staged ----------------------------------------------------------


def test_sync_keeps_a_staged_change_staged(
    two_devices: tuple[Path, Path, Path],  # noqa: F811 (the fixture imported above)
) -> None:
    laptop, _remote, desktop = two_devices
    logged = run_mdnet_process("log", "Jane", "coffee", "--date", "2026-11-20", cwd=desktop)
    assert logged.code == 0, logged
    assert run_mdnet_process("sync", cwd=desktop).code == 0
    config = laptop / "mdnet.toml"
    config.write_text(config.read_text(encoding="utf-8") + "# staged for my next commit\n", encoding="utf-8")
    git(laptop, "add", "mdnet.toml")
    synced = run_mdnet_process("sync", cwd=laptop)
    assert synced.code == 0, synced
    assert "Jane" in git(laptop, "log", "-1", "--format=%s")  # the desktop's entry came in
    assert git(laptop, "diff", "--cached", "--name-only").split() == ["mdnet.toml"]
    assert git(laptop, "diff", "--name-only").split() == []


# -- friction: during sync's rebase the sides are "this device" and "other device" -------------------------


def test_a_conflict_during_syncs_rebase_names_the_devices(
    two_devices: tuple[Path, Path, Path],  # noqa: F811 (the fixture imported above)
) -> None:
    laptop, _remote, desktop = two_devices

    def set_role(root: Path, role: str) -> None:
        note = root / "people" / "Jane Doe.md"
        note.write_text(note.read_text(encoding="utf-8").replace("role: IT Manager", f"role: {role}"), "utf-8")
        git(root, "commit", "-qam", f"role {role}")

    set_role(laptop, "CIO")
    assert run_mdnet_process("sync", cwd=laptop).code == 0
    set_role(desktop, "CTO")
    stopped = run_mdnet_process("sync", cwd=desktop)
    assert stopped.code == 1, stopped
    assert "<<<<<<< other device: the version pulled; >>>>>>> this device: yours" in stopped.err
    text = (desktop / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    assert "<<<<<<< other device\nrole: CIO\n=======\nrole: CTO\n>>>>>>> this device\n" in text


# -- friction: Obsidian body tags are tags ------------------------------------------------------------------


def test_body_tags_are_seen_by_list_and_who(vault_dir: Path) -> None:
    (vault_dir / "people" / "Ann Lee.md").write_text(
        "---\nname: Ann Lee\ntags: [work]\n---\n# Ann Lee\n\nLoves #hiking and #Work.\n\n```\n#notatag\n```\n",
        encoding="utf-8",
    )
    (vault_dir / "people" / "Bo Chan.md").write_text("---\nname: Bo Chan\n---\n# Bo\n\nIssue #2024 only.\n", "utf-8")
    listed = run_mdnet_process("list", "--tag", "hiking", "--json", cwd=vault_dir)
    assert listed.code == 0, listed
    assert [(c["name"], c["tags"]) for c in json.loads(listed.out)["contacts"]] == [("Ann Lee", ["work", "hiking"])]
    assert json.loads(run_mdnet_process("list", "--tag", "notatag", "--json", cwd=vault_dir).out)["contacts"] == []
    who = run_mdnet_process("who", "#hiking", "--json", cwd=vault_dir)
    assert who.code == 0, who
    assert "Ann Lee" in who.out and "Bo Chan" not in who.out
