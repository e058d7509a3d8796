"""Issue 18, the rest: what a new user tripped over. Each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, run_mdnet_process

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
