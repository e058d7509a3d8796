"""Issue 18, the rest: what a new user tripped over. Each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, run_cli, run_mdnet_process
from tests.system.test_sync import two_devices  # noqa: F401 (a fixture)

# -- 9: a vCard round trip keeps every mapped field ---------------------------

_MAPPED = ("name", "aliases", "email", "phone", "company", "role", "location", "birthday", "links",
           "category", "tags", "status")  # fmt: skip


def test_vcard_round_trip_keeps_every_mapped_field(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "people" / "Ana Lima.md").write_text(
        "---\nname: Ana Lima\naliases: [Ani]\nemail: [ana@example.com, ana@work.example]\n"
        'phone: "+1 480 555 0100"\ncompany: "[[Acme]]"\nrole: CTO\nlocation: Lisbon\nbirthday: 1984-06-02\n'
        "links: [https://ana.example]\ncategory: client\ntags: [cloud, mentor]\nstatus: archived\n---\n",
        encoding="utf-8",
    )
    (vault_dir / "people" / "Bo Chen.md").write_text(
        "---\nname: Bo Chen\nbirthday: --12-08\ncategory: friend\nstatus: dormant\n---\n", encoding="utf-8"
    )
    cards = tmp_path / "out.vcf"
    exported = run_mdnet_process("export", "vcard", "--out", str(cards), cwd=vault_dir)
    assert exported.code == 0, exported
    empty = tmp_path / "empty"
    (empty / "people").mkdir(parents=True)
    (empty / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
    imported = run_mdnet_process("import", "vcard", str(cards), cwd=empty)
    assert imported.code == 0, imported

    def fields(root: Path) -> dict[str, dict[str, object]]:
        listed = run_mdnet_process("list", "--json", cwd=root)
        assert listed.code == 0, listed
        out: dict[str, dict[str, object]] = {}
        for row in json.loads(listed.out)["contacts"]:
            shown = json.loads(run_mdnet_process("show", row["name"], "--json", cwd=root).out)
            out[row["name"]] = {key: shown["fields"].get(key) for key in _MAPPED}
            out[row["name"]]["name"] = row["name"]
        return out

    before, after = fields(vault_dir), fields(empty)
    assert set(before) == {"Ana Lima", "Bo Chen"}
    assert before == after


# -- 2: one tick is one interaction -------------------------------------------


def test_words_after_a_logged_tick_amend_its_entry(git_vault: Path) -> None:
    (git_vault / "people" / "Tom Hanks.md").write_text(
        "---\nname: Tom Hanks\ncadence: 30d\nlast_contact: 2026-10-01\n---\n# Tom Hanks\n\n## Log\n", encoding="utf-8"
    )
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-qm", "tom")
    first = run_mdnet_process("--today", "2026-12-08", "daily", cwd=git_vault)
    assert first.code == 0, first
    note = git_vault / "daily" / "2026-12-08.md"
    line = next(x for x in note.read_text(encoding="utf-8").splitlines() if "[[Tom Hanks]]" in x)
    ticked = note.read_text(encoding="utf-8").replace(line, line.replace("- [ ]", "- [x]", 1))
    note.write_text(ticked, encoding="utf-8")  # the autosave of the tick
    logged = run_mdnet_process("--today", "2026-12-08", "daily", cwd=git_vault)  # the watcher's refresh
    assert logged.code == 0, logged
    commits = int(git(git_vault, "rev-list", "--count", "HEAD"))
    # the editor saves its older buffer: the same tick, words typed after it, no logged mark
    line_ticked = line.replace("- [ ]", "- [x]", 1)
    note.write_text(ticked.replace(line_ticked, line_ticked + " // call: talked about films"), encoding="utf-8")
    amended = run_mdnet_process("--today", "2026-12-08", "daily", cwd=git_vault)
    assert amended.code == 0, amended
    text = (git_vault / "people" / "Tom Hanks.md").read_text(encoding="utf-8")
    entries = [x for x in text.splitlines() if x.startswith("- 2026-12-08")]
    assert entries == ["- 2026-12-08 call: talked about films"]
    assert int(git(git_vault, "rev-list", "--count", "HEAD")) == commits + 1
    assert git(git_vault, "status", "--porcelain", "people").strip() == ""
    again = run_mdnet_process("--today", "2026-12-08", "daily", cwd=git_vault)
    assert again.code == 0, again
    assert (git_vault / "people" / "Tom Hanks.md").read_text(encoding="utf-8") == text
    assert "✓ logged" in note.read_text(encoding="utf-8")
    shown = json.loads(run_mdnet_process("--today", "2026-12-08", "history", "Tom Hanks", "--json", cwd=git_vault).out)
    assert [(i["source"], i["kind"], i["text"]) for i in shown["items"] if i["date"] == "2026-12-08"][:2] == [
        ("log", "call", "talked about films"),
        ("git", None, "tom"),
    ]


# -- 10: daily notes through the merge driver ---------------------------------


def _on(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("--vault", str(root), "--today", "2026-12-08", *args)
    return result.code, result.out, result.err


def _tick(note: Path, name: str) -> None:
    text = note.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if f"[[{name}]]" in x and x.startswith("- [ ]"))
    note.write_text(text.replace(line, line.replace("- [ ]", "- [x]", 1)), encoding="utf-8")


def test_daily_notes_of_two_devices_merge_ticks_and_user_text(
    two_devices: tuple[Path, Path, Path],  # noqa: F811 (the fixture imported above)
) -> None:
    laptop, _remote, desktop = two_devices
    note = Path("daily") / "2026-12-08.md"
    assert _on(laptop, "add", "Tom Hanks", "--cadence", "30d")[0] == 0
    assert _on(laptop, "sync")[0] == 0
    assert _on(desktop, "sync")[0] == 0
    # both devices write the day's note; the laptop ticks Jane, the desktop ticks Tom and writes below the block
    for root in (laptop, desktop):
        assert _on(root, "daily")[0] == 0
    _tick(laptop / note, "Jane Doe")
    _tick(desktop / note, "Tom Hanks")
    with (desktop / note).open("a", encoding="utf-8") as out:
        out.write("\nCalled the bank.\n")
    for root in (laptop, desktop):
        code, _out, err = _on(root, "daily")
        assert code == 0, err
    assert _on(laptop, "sync")[0] == 0
    code, out, err = _on(desktop, "sync")
    assert code == 0, out + err
    merged = (desktop / note).read_text(encoding="utf-8")
    assert "<<<<<<<" not in merged
    assert "Called the bank." in merged
    assert merged.count("[[Jane Doe]]") == 1 and merged.count("[[Tom Hanks]]") == 1
    assert merged.count("✓ logged") == 2
    code, _out, err = _on(desktop, "daily")
    assert code == 0, err
    for name in ("Jane Doe", "Tom Hanks"):
        entries = [x for x in (desktop / "people" / f"{name}.md").read_text(encoding="utf-8").splitlines()
                   if x.startswith("- 2026-12-08")]  # fmt: skip
        assert len(entries) == 1, (name, entries)


def test_daily_does_not_blame_the_user_for_a_git_conflict_marker(vault_dir: Path) -> None:
    assert run_mdnet_process("--today", "2026-12-08", "daily", cwd=vault_dir).code == 0
    note = vault_dir / "daily" / "2026-12-08.md"
    text = note.read_text(encoding="utf-8")
    begin = text.index("<!-- mdnet:begin -->\n") + len("<!-- mdnet:begin -->\n")
    note.write_text(text[:begin] + "<<<<<<< HEAD\n=======\n>>>>>>> other\n" + text[begin:], encoding="utf-8")
    result = run_mdnet_process("--today", "2026-12-08", "daily", cwd=vault_dir)
    assert result.code == 1
    assert "unresolved merge conflict" in result.err
    assert "daily/2026-12-08.md:4:" in result.err
    assert "not one mdnet wrote" not in result.err


def test_the_merge_knows_the_daily_block_as_the_refresh_writes_it() -> None:
    from mdnet.features import daily_block
    from mdnet.merge import daily as merge_daily

    assert (merge_daily.BEGIN, merge_daily.END, merge_daily.LOGGED) == (
        daily_block.BEGIN,
        daily_block.END,
        daily_block.LOGGED,
    )


# -- 7: 80-column tables never cut a date or a name ---------------------------


def test_80_column_tables_never_cut_a_date_or_a_name(example_vault: Path) -> None:
    import re

    names = [json.loads(run_mdnet_process("list", "--json", cwd=example_vault).out)["contacts"][i]["name"]
             for i in range(3)]  # fmt: skip
    for command in (("due",), ("due", "--within", "30d"), ("list",)):
        result = run_mdnet_process("--today", "2026-11-25", *command, cwd=example_vault, env={"COLUMNS": "80"})
        assert result.code == 0, result
        lines = result.out.splitlines()
        assert all(len(line) <= 80 for line in lines), command
        assert "…" not in result.out, (command, result.out)
        assert not re.search(r"\b\d{4}-(?!\d\d-\d\d)", result.out), command  # a date cut or wrapped
        assert "planned: planned" not in result.out
        assert "follow_up: follow up" not in result.out
        assert "birthday: birthday" not in result.out
        assert "reply: you owe them a" not in result.out  # the detail ends with the kind: said once
        if command == ("list",):
            for name in names:
                assert any(name in line for line in lines), (name, result.out)


# -- friction ------------------------------------------------------------------


def test_show_of_a_snoozed_contact_says_until_when(vault_dir: Path) -> None:
    (vault_dir / "people" / "Sam Lee.md").write_text(
        "---\nname: Sam Lee\ncadence: 30d\nsnooze_until: 2026-12-20\n---\n", encoding="utf-8"
    )
    shown = run_mdnet_process("--today", "2026-12-08", "show", "Sam Lee", cwd=vault_dir)
    assert shown.code == 0, shown
    assert "snoozed until 2026-12-20" in shown.out
    assert "not due in the window" not in shown.out


def test_an_unknown_config_key_suggests_the_one_meant(vault_dir: Path) -> None:
    (vault_dir / "mdnet.toml").write_text('contacts_dirs = ["people"]\n', encoding="utf-8")
    result = run_mdnet_process("list", cwd=vault_dir)
    assert result.code == 2, result
    assert "unknown key 'contacts_dirs'; did you mean 'contact_dirs'?" in result.err
