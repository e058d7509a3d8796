"""History from real git repositories: renames, hand commits, the cache, facts, followup and snooze."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mdnet.git import commands as history
from mdnet.git import timeline
from mdnet.vault.facade import Vault
from tests.conftest import git, git_env, run_cli, run_mdnet_process

JANE = "---\nname: Jane Doe\ncadence: 30d  # keep in touch\n---\n# Jane Doe\n\n## Log\n- 2026-01-10 email: intro\n"
BOB = "---\nname: Bob Baker\n---\n# Bob\n"


def commit_all(root: Path, message: str, date: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, f"--date={date}T12:00:00+00:00")
    return git(root, "rev-parse", "HEAD").strip()


def follow_hashes(root: Path, path: str) -> list[str]:
    """What plain git says: every commit of the file, renames followed."""
    return git(root, "log", "--follow", "--format=%H", "--", path).split()


@pytest.fixture
def jane_history(git_vault: Path, write_note: Callable[[str, str], Path]) -> dict[str, str]:
    """Jane's note: created, logged by mdnet, renamed with git mv, edited by hand (Obsidian git style)."""
    write_note("people/Jane Doe.md", JANE)
    write_note("people/Bob Baker.md", BOB)
    hashes = {"created": commit_all(git_vault, "add Jane and Bob", "2026-01-10")}
    with Vault.open(git_vault) as vault:
        result = vault.log("Jane", "coffee, talked sailing", kind="coffee", when="2026-02-01")
    assert result.commit is not None
    hashes["logged"] = result.commit
    git(git_vault, "mv", "people/Jane Doe.md", "people/jane-doe.md")
    hashes["renamed"] = commit_all(git_vault, "rename Jane's note", "2026-03-01")
    path = git_vault / "people" / "jane-doe.md"
    path.write_text(path.read_text() + "\nLikes jazz.\n")
    hashes["edited"] = commit_all(git_vault, "vault backup: 2026-04-01 10:00:00", "2026-04-01")
    return hashes


def test_history_merges_log_and_commits_each_once_newest_first(git_vault: Path, jane_history: dict[str, str]) -> None:
    with Vault.open(git_vault) as vault:
        items = vault.history("Jane")
    assert [(i.date.isoformat(), i.source, i.kind, i.text) for i in items] == [
        ("2026-04-01", "git", None, "vault backup: 2026-04-01 10:00:00"),
        ("2026-03-01", "git", None, "rename Jane's note"),
        ("2026-02-01", "log", "coffee", "coffee, talked sailing"),
        ("2026-01-10", "git", None, "add Jane and Bob"),
        ("2026-01-10", "log", "email", "intro"),
    ]
    # every commit plain git knows for the file (renames followed) appears exactly once
    commits = [i.commit for i in items if i.commit]
    assert sorted(commits) == sorted(follow_hashes(git_vault, "people/jane-doe.md"))
    assert len(set(commits)) == len(commits)
    # the commit mdnet log made is the log entry's commit, not a separate item
    logged = next(i for i in items if i.source == "log" and i.kind == "coffee")
    assert logged.commit == jane_history["logged"]
    assert next(i for i in items if i.text == "intro").commit is None
    with Vault.open(git_vault) as vault:
        assert [i.text for i in vault.history("Bob")] == ["add Jane and Bob"]


def test_history_json_has_the_spec_shape(git_vault: Path, jane_history: dict[str, str]) -> None:
    result = run_cli("--vault", str(git_vault), "history", "jane", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == {"name", "path", "items"}
    assert (data["name"], data["path"]) == ("Jane Doe", "people/jane-doe.md")
    for item in data["items"]:
        assert set(item) == {"date", "source", "kind", "text", "commit"}
        assert item["source"] in ("log", "git")
        assert item["commit"] is None or len(item["commit"]) == 40
    assert [i["date"] for i in data["items"]] == sorted((i["date"] for i in data["items"]), reverse=True)
    table = run_cli("--vault", str(git_vault), "history", "jane")
    assert table.code == 0
    assert "rename Jane's note" in table.out
    assert jane_history["edited"][:10] in table.out


def test_git_facts_follow_renames_from_one_pass(
    git_vault: Path, jane_history: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str | None] = []
    real = history.log_records

    def counting(root: Path, head: str, since: str | None = None) -> Iterator[bytes]:
        calls.append(since)
        return real(root, head, since)

    monkeypatch.setattr(history, "log_records", counting)
    with Vault.open(git_vault) as vault:
        facts = vault.git_facts()
        assert facts["people/jane-doe.md"].last_touched.isoformat() == "2026-04-01"
        assert facts["people/jane-doe.md"].commits == 4
        assert facts["people/jane-doe.md"].last_commit == jane_history["edited"]
        assert facts["people/Bob Baker.md"].last_touched.isoformat() == "2026-01-10"
        assert "people/Jane Doe.md" not in facts  # the old name is followed, not listed
        assert calls == [None]  # one git log for the whole vault
        vault.history("Jane")
        vault.history("Bob")
        assert vault.git_facts() == facts
    assert calls == [None]  # everything else came from the cache


def test_the_cache_follows_head_forward_and_rebuilds_after_a_reset(
    git_vault: Path, jane_history: dict[str, str], write_note: Callable[[str, str], Path]
) -> None:
    cache = git_vault / ".mdnet" / timeline.HISTORY_CACHE
    with Vault.open(git_vault) as vault:
        before = vault.history("Jane")
    assert json.loads(cache.read_text().splitlines()[0])["head"] == jane_history["edited"]
    git(git_vault, "mv", "people/jane-doe.md", "people/Jane D.md")
    moved = commit_all(git_vault, "rename again", "2026-05-01")
    with Vault.open(git_vault) as vault:
        after = vault.history("Jane")
        assert vault.git_facts()["people/Jane D.md"].commits == 5
    assert [i.text for i in after][1:] == [i.text for i in before]
    assert after[0].commit == moved
    assert json.loads(cache.read_text().splitlines()[0])["head"] == moved
    git(git_vault, "reset", "-q", "--hard", "HEAD~1")
    with Vault.open(git_vault) as vault:
        assert [i.commit for i in vault.history("Jane")] == [i.commit for i in before]
        assert "people/Jane D.md" not in vault.git_facts()
    # a corrupt cache is thrown away, never an error
    cache.write_text("{not json")
    with Vault.open(git_vault) as vault:
        assert [i.commit for i in vault.history("Jane")] == [i.commit for i in before]


def test_history_outside_git_is_the_log_alone(vault_dir: Path, write_note: Callable[[str, str], Path]) -> None:
    write_note("people/Jane Doe.md", JANE)
    with Vault.open(vault_dir) as vault:
        assert [(i.source, i.text) for i in vault.history("Jane")] == [("log", "intro")]
        assert vault.git_facts() == {}


def test_history_in_a_repository_without_commits(vault_dir: Path, write_note: Callable[[str, str], Path]) -> None:
    subprocess.run(["git", "init", "-q", str(vault_dir)], check=True)
    write_note("people/Jane Doe.md", JANE)
    with Vault.open(vault_dir) as vault:
        assert [i.source for i in vault.history("Jane")] == ["log"]


def test_followup_sets_fields_in_place_and_commits_that_file(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    write_note("people/Jane Doe.md", JANE)
    commit_all(git_vault, "add Jane", "2026-01-10")
    before = (git_vault / "people" / "Jane Doe.md").read_text()
    result = run_cli("--vault", str(git_vault), "--today", "2026-11-25", "followup", "jane", "6m", "--note",
                     "Not hiring until Q2; ask again")  # fmt: skip
    assert result.code == 0, result.err
    assert "committed" in result.out
    after = (git_vault / "people" / "Jane Doe.md").read_text()
    assert after == before.replace(
        "---\n# Jane", "follow_up: 2027-05-25\nfollow_up_note: Not hiring until Q2; ask again\n---\n# Jane"
    )
    message = git(git_vault, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "Follow up with Jane Doe on 2027-05-25: Not hiring until Q2; ask again"
    assert "Contact: Jane Doe\nFollow-Up: 2027-05-25" in message
    assert git(git_vault, "show", "--name-only", "--format=", "HEAD").split("\n")[0] == "people/Jane Doe.md"
    # a new date keeps the note unless a new one is given; 'none' clears both
    with Vault.open(git_vault) as vault:
        vault.followup("Jane", "2027-06-01", today="2026-11-25")
        contact = vault.get("Jane")
        assert (str(contact.follow_up), contact.follow_up_note) == ("2027-06-01", "Not hiring until Q2; ask again")
        cleared = vault.followup("Jane", "none")
        assert cleared.fields == {"follow_up": None, "follow_up_note": None}
        contact = vault.get("Jane")
        assert (contact.follow_up, contact.follow_up_note) == (None, None)
    assert git(git_vault, "status", "--porcelain") == ""


def test_snooze_hides_the_contact_and_commits(git_vault: Path, write_note: Callable[[str, str], Path]) -> None:
    write_note("people/Jane Doe.md", JANE)
    commit_all(git_vault, "add Jane", "2026-01-10")
    with Vault.open(git_vault) as vault:
        assert [i.name for i in vault.due(today="2026-11-25")] == ["Jane Doe"]
        result = vault.snooze("jane", "2w", today="2026-11-25")
        assert result.fields == {"snooze_until": "2026-12-09"}
        assert result.commit == git(git_vault, "rev-parse", "HEAD").strip()
        assert vault.due(today="2026-11-25") == []
        assert [i.kind for i in vault.history("Jane")][0] == "snooze"
    assert "Snooze-Until: 2026-12-09" in git(git_vault, "log", "-1", "--format=%B")
    bad = run_cli("--vault", str(git_vault), "snooze", "jane", "someday")
    assert (bad.code, bad.err.startswith("mdnet: error: bad snooze date")) == (2, True)


def test_log_without_a_git_identity_writes_and_says_how_to_set_one(git_vault: Path, tmp_path: Path) -> None:
    """git refuses to commit without an identity: the entry is in the note, and the reason is one line that says
    what to do, not git's several lines."""
    (git_vault / "people" / "Jane Doe.md").write_text(JANE, encoding="utf-8")
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "Jane")
    git(git_vault, "config", "--unset", "user.name")
    git(git_vault, "config", "--unset", "user.email")
    git(git_vault, "config", "user.useConfigOnly", "true")  # no guessing from the host name
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MDNET_", "EMAIL"))}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1")
    command = ["-m", "mdnet", "--vault", str(git_vault), "--today", "2026-11-25", "log", "jane", "coffee, no identity"]
    done = subprocess.run([sys.executable, *command], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert "not committed: git commit failed: git has no identity here (set git config user.name and user.email)" in (
        done.stdout
    )
    assert "coffee, no identity" in (git_vault / "people" / "Jane Doe.md").read_text(encoding="utf-8")


def test_followup_outside_git_writes_and_says_it_did_not_commit(
    vault_dir: Path, write_note: Callable[[str, str], Path]
) -> None:
    write_note("people/Jane Doe.md", JANE)
    result = run_cli("--vault", str(vault_dir), "--today", "2026-11-25", "followup", "jane", "2027-01-15")
    assert result.code == 0, result.err
    assert "not committed: the vault is not a git repository" in result.out
    assert "follow_up: 2027-01-15\n" in (vault_dir / "people" / "Jane Doe.md").read_text()
    data = json.loads(run_cli("--vault", str(vault_dir), "snooze", "jane", "2027-01-01", "--json").out)
    assert data["commit"] is None
    assert data["fields"] == {"snooze_until": "2027-01-01"}


def test_log_cli_commits_with_trailers_and_says_when_it_did_not(
    git_vault: Path, vault_dir: Path, write_note: Callable[[str, str], Path]
) -> None:
    # a name on two lines would forge a trailer: it is a check error, so the note is left out
    write_note("people/Jane Doe.md", JANE.replace("name: Jane Doe", 'name: "Jane\\nContact: Mallory"'))
    commit_all(git_vault, "add Jane", "2026-01-10")
    head = git(git_vault, "rev-parse", "HEAD")
    refused = run_mdnet_process("--vault", str(git_vault), "log", "jane", "lunch")
    assert refused.code == 1 and "no contact named 'jane'" in refused.err
    assert git(git_vault, "rev-parse", "HEAD") == head
    write_note("people/Jane Doe.md", JANE)
    commit_all(git_vault, "fix Jane", "2026-01-11")
    done = run_mdnet_process("--vault", str(git_vault), "log", "jane", "lunch", "--kind", "lunch", "--date",
                             "2026-11-20")  # fmt: skip
    assert done.code == 0, done.err
    assert "committed" in done.out
    trailers = git(git_vault, "log", "-1", "--format=%(trailers:only,unfold)").strip().splitlines()
    expected = ["Contact: Jane Doe", "Interaction: lunch", "Interaction-Date: 2026-11-20", "Mdnet: 1"]
    assert trailers == expected
    skipped = run_mdnet_process("--vault", str(git_vault), "log", "jane", "call", "--no-commit")
    assert "not committed: --no-commit was given" in skipped.out
    assert git(git_vault, "diff", "--name-only").splitlines() == ["people/Jane Doe.md"]
    missing = run_cli("--vault", str(git_vault), "history", "nobody")
    assert missing.code == 1
    assert missing.err.startswith("mdnet: error: no contact named 'nobody'")


def test_text_logged_without_a_kind_that_reads_back_as_one_appears_once(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    """`mdnet log bob "coffee: talked shop"` writes `- DATE coffee: talked shop`, which reads back as
    kind coffee (decisions.md, "Ambiguous log text"); its commit says `Interaction: note`. The
    commit is still that entry's, not a second item (SPEC: each interaction once)."""
    write_note("people/Bob Baker.md", BOB)
    commit_all(git_vault, "add Bob", "2026-01-10")
    with Vault.open(git_vault) as vault:
        result = vault.log("bob", "coffee: talked shop", when="2026-02-01")
        items = vault.history("bob")
    assert result.commit is not None
    assert [(i.source, i.kind, i.text, i.commit) for i in items if i.date.isoformat() == "2026-02-01" or
            i.commit == result.commit] == [("log", "coffee", "talked shop", result.commit)]  # fmt: skip


def test_a_note_renamed_since_its_last_commit_is_committed_as_a_rename_and_history_follows_it(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    write_note("people/Jane.md", JANE)
    write_note("people/Bob Baker.md", BOB)
    created = commit_all(git_vault, "add Jane and Bob", "2026-01-10")
    # renamed in Obsidian (no git plugin): the old name is gone from disk, still in HEAD and the index
    (git_vault / "people" / "Jane.md").rename(git_vault / "people" / "Jane Doe.md")
    (git_vault / "people" / "Bob Baker.md").unlink()  # another note deleted meanwhile: not this commit's business
    with Vault.open(git_vault) as vault:
        result = vault.log("Jane", "call after the rename", kind="call", when="2026-02-01")
        assert result.commit is not None, result.not_committed_because
        items = vault.history("Jane")
    changes = git(git_vault, "show", "-M", "--name-status", "--format=", "HEAD").splitlines()
    assert len(changes) == 1
    assert changes[0].startswith("R")
    assert changes[0].endswith("\tpeople/Jane.md\tpeople/Jane Doe.md")
    assert git(git_vault, "status", "--porcelain").splitlines() == [' D "people/Bob Baker.md"']
    assert created in [i.commit for i in items]


@pytest.mark.parametrize("renamed_name", ['"Jane Doe"', "'Jane Doe'", "Jane Doe   # renamed"])
def test_a_rename_whose_name_is_only_written_differently_keeps_the_person(
    git_vault: Path, write_note: Callable[[str, str], Path], renamed_name: str
) -> None:
    """The name is compared as YAML reads it: quotes or a comment added in the rename keep the person."""
    write_note("people/Jane.md", JANE)
    created = commit_all(git_vault, "add Jane", "2026-01-10")
    (git_vault / "people" / "Jane.md").unlink()
    write_note("people/Jane Doe.md", JANE.replace("name: Jane Doe", f"name: {renamed_name}"))
    with Vault.open(git_vault) as vault:
        items = vault.history("Jane")
    assert [(i.source, i.commit) for i in items if i.source == "git"] == [("git", created)]


def test_a_note_moved_with_git_mv_and_not_committed_is_committed_as_a_rename(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    write_note("people/Jane.md", JANE)
    commit_all(git_vault, "add Jane", "2026-01-10")
    git(git_vault, "mv", "people/Jane.md", "people/Jane Doe.md")  # staged: the new name is in the index
    with Vault.open(git_vault) as vault:
        result = vault.log("Jane", "call after the move", kind="call", when="2026-02-01")
    assert result.commit is not None, result.not_committed_because
    changes = git(git_vault, "show", "-M", "--name-status", "--format=", "HEAD").splitlines()
    assert len(changes) == 1
    assert changes[0].startswith("R")
    assert changes[0].endswith("\tpeople/Jane.md\tpeople/Jane Doe.md")
    assert git(git_vault, "status", "--porcelain").strip() == ""


def test_history_of_a_note_renamed_since_its_last_commit_follows_the_old_name(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    write_note("people/Jane.md", JANE)
    created = commit_all(git_vault, "add Jane", "2026-01-10")
    (git_vault / "people" / "Jane.md").rename(git_vault / "people" / "Jane Doe.md")
    with Vault.open(git_vault) as vault:
        items = vault.history("Jane")
    assert [(i.source, i.commit) for i in items if i.source == "git"] == [("git", created)]
    assert git(git_vault, "status", "--porcelain").splitlines() == [" D people/Jane.md", '?? "people/Jane Doe.md"']


def _commit_dated(root: Path, message: str, date: str) -> str:
    stamp = f"{date}T12:00:00+00:00"
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-am", message, f"--date={stamp}"], check=True,
                   env={**git_env(), "GIT_COMMITTER_DATE": stamp})  # fmt: skip
    return git(root, "rev-parse", "HEAD").strip()


def test_facts_after_merging_an_older_branch_are_those_of_a_rebuild(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    path = write_note("people/Jane Doe.md", JANE)
    commit_all(git_vault, "add Jane", "2026-01-01")
    git(git_vault, "switch", "-q", "-c", "device")
    path.write_text(JANE + "\nfrom the other device\n")
    _commit_dated(git_vault, "other device", "2026-01-05")
    git(git_vault, "switch", "-q", "main")
    path.write_text(JANE.replace("# Jane Doe", "# Jane"))
    newest = _commit_dated(git_vault, "here", "2026-02-01")
    with Vault.open(git_vault) as vault:
        assert vault.git_facts()["people/Jane Doe.md"].last_commit == newest  # the cache is written at 'here'
    git(git_vault, "merge", "-q", "--no-edit", "device")  # a pull that merges: the branch's commit is older
    with Vault.open(git_vault) as vault:
        incremental = vault.git_facts()
    for name in (timeline.HISTORY_CACHE, timeline.FACTS_CACHE):
        (git_vault / ".mdnet" / name).unlink()
    with Vault.open(git_vault) as vault:
        rebuilt = vault.git_facts()
    assert incremental == rebuilt
    assert rebuilt["people/Jane Doe.md"].last_commit == newest


def test_a_new_note_is_not_taken_for_a_rename_of_another_deleted_note_from_the_same_template(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    template = "## Family\n\n## Interests\n\n## How we met\n\n## Ask about\n\n## Log\n"
    for name in ("Bob Baker", "Ann Smith"):
        write_note(
            f"people/{name}.md", f"---\nname: {name}\ncategory: client\ncadence: 90d\n---\n# {name}\n\n{template}"
        )
    git(git_vault, "add", "people/Bob Baker.md")
    git(git_vault, "commit", "-q", "-m", "Bob")  # Ann is new to git
    (git_vault / "people" / "Bob Baker.md").unlink()  # Bob deleted, not committed: two notes ~80% alike
    with Vault.open(git_vault) as vault:
        result = vault.log("Ann", "first call", kind="call")
    assert result.commit is not None, result.not_committed_because
    assert git(git_vault, "show", "--name-status", "--format=", "HEAD").splitlines() == ["A\tpeople/Ann Smith.md"]
    assert git(git_vault, "status", "--porcelain").splitlines() == [' D "people/Bob Baker.md"']


def test_snoozing_again_to_the_same_date_says_there_is_nothing_to_commit(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    """The second `snooze bob 6m` of a day changes nothing: it says so, not git's 'On branch main'."""
    write_note("people/Jane Doe.md", JANE)
    commit_all(git_vault, "add Jane", "2026-01-10")
    write_note("untracked.md", "mine, not committed\n")
    first = run_cli("--vault", str(git_vault), "--today", "2026-11-25", "snooze", "jane", "6m")
    assert (first.code, first.out.splitlines()[-1].startswith("committed ")) == (0, True), first
    for args in (("snooze", "jane", "6m"), ("followup", "jane", "none")):
        again = run_cli("--vault", str(git_vault), "--today", "2026-11-25", *args)
        assert again.code == 0, again.err
        # issue 18: a change that changes nothing is not even written, and says so in one line
        assert again.out.startswith("people/Jane Doe.md: nothing to change (")
        assert again.out.splitlines()[-1].endswith("; nothing written or committed")
    assert git(git_vault, "status", "--porcelain") == "?? untracked.md\n"


def test_snooze_never_is_refused_not_taken_as_unsnooze(git_vault: Path, write_note: Callable[[str, str], Path]) -> None:
    """`snooze bob never` reads as "never remind me"; it cleared the snooze instead, the opposite."""
    note = write_note("people/Jane Doe.md", "---\nname: Jane Doe\ncadence: 30d\nsnooze_until: 2027-05-25\n---\n")
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-qm", "jane")
    before = note.read_bytes()
    result = run_cli("--vault", str(git_vault), "--today", "2026-11-25", "snooze", "jane", "never")
    assert result.code == 2
    assert result.err.startswith("mdnet: error: bad snooze date: 'never'")
    assert "none" in result.err and "archived" in result.err
    assert note.read_bytes() == before
    cleared = run_cli("--vault", str(git_vault), "--today", "2026-11-25", "snooze", "jane", "none")
    assert cleared.code == 0, cleared.err
    assert "2027-05-25" not in note.read_text(encoding="utf-8")
