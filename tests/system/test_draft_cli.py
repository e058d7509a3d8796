"""`mdnet draft` on a copy of the demo vault: .eml files, the review note, --log in one commit."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from tests.conftest import DEMO_DATE, commit_as_repository, git, run_cli

TEMPLATE = """---
subject: "An update for {{ first_name }}"
---
Hi {{ first_name }},

Last time: {{ last_topic }}.{{ nickname }}
"""


def cli(vault: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("--vault", str(vault), "--today", DEMO_DATE, *args)
    return result.code, result.out, result.err


def test_eml_drafts_for_a_category_never_overwrite(example_vault: Path, tmp_path: Path) -> None:
    template = tmp_path / "update.md"
    template.write_text(TEMPLATE, encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, err = cli(example_vault, "draft", str(template), "--category", "recruiter", "--out", str(out))
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["Kevin Park.eml", "Rachel Adler.eml"]
    message = message_from_bytes((out / "Kevin Park.eml").read_bytes(), policy=default)
    assert message["Subject"] == "An update for Kevin"
    assert message["To"].endswith(".example.com") or "@" in message["To"]
    assert "Last time: " in message.get_content()
    before = (out / "Kevin Park.eml").read_bytes()
    code, _, err = cli(example_vault, "draft", str(template), "--category", "recruiter", "--out", str(out))
    assert code == 2
    assert "already exists" in err
    assert (out / "Kevin Park.eml").read_bytes() == before


def test_review_note_in_the_vault_for_due_contacts(example_vault: Path) -> None:
    templates = example_vault / "templates"
    templates.mkdir()
    (templates / "checkin.md").write_text("Hi {{ first_name }}: {{ due_reason }}\n", encoding="utf-8")
    code, out, err = cli(example_vault, "draft", "checkin", "--due", "--format", "md", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert len(data["drafts"]) == 19  # the demo's due list for seven days
    note = Path(data["written"][0])
    assert note == example_vault / "drafts" / "2026-11-25 checkin.md"
    text = note.read_text(encoding="utf-8")
    assert "## [[bob-overdue|Bob Baker]]" in text
    assert "every 30d" in text


def test_a_bad_template_writes_nothing(example_vault: Path, tmp_path: Path) -> None:
    template = tmp_path / "evil.md"
    template.write_text("{{ cycler.__init__.__globals__ }}\n", encoding="utf-8")
    code, _, err = cli(example_vault, "draft", str(template), "--out", str(tmp_path / "out"))
    assert code == 2
    assert err.startswith("mdnet: error: template evil.md")
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    code, _, err = cli(example_vault, "draft", "no-such-template")
    assert code == 2
    assert "no template" in err


def test_log_records_every_draft_in_one_commit(example_vault: Path, tmp_path: Path) -> None:
    commit_as_repository(example_vault)
    template = tmp_path / "update.md"
    template.write_text(TEMPLATE, encoding="utf-8")
    code, out, err = cli(example_vault, "draft", str(template), "--tag", "cloud", "--out", str(tmp_path / "o"),
                         "--log", "--json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert len(data["logged"]) == len(data["drafts"]) >= 2
    assert data["commit"]
    assert git(example_vault, "rev-list", "--count", "HEAD").strip() == "2"
    changed = git(example_vault, "show", "--name-only", "--format=", "HEAD").split("\n")
    assert sorted(p for p in changed if p) == sorted(data["logged"])
    for path in data["logged"]:
        text = (example_vault / path).read_text(encoding="utf-8")
        assert "- 2026-11-25 email: sent: An update for" in text
    assert git(example_vault, "status", "--porcelain").strip() == ""


def test_an_address_a_message_cannot_hold_is_a_clear_error_and_nothing_is_written(
    vault_dir: Path, tmp_path: Path
) -> None:
    """An email holding a line break (a YAML escape), a lone '<' or an unclosed '[' made the mail
    library raise ValueError, IndexError or AttributeError: 'unexpected ...' (found by review)."""
    template = tmp_path / "hello.md"
    template.write_text("Hi {{ first_name }}\n", encoding="utf-8")
    (vault_dir / "people" / "Good.md").write_text("---\nname: Good One\nemail: [good@x.example]\n---\n", "utf-8")
    for number, address in enumerate(('"eve@x.example\\nBcc: boss@x.example"', '"<"', '"eve@[10.0.0.1"')):
        note = vault_dir / "people" / "Eve.md"
        note.write_text(f"---\nname: Eve Adams\nemail: [{address}]\n---\n", "utf-8")
        out = tmp_path / f"out{number}"
        code, stdout, err = cli(vault_dir, "draft", str(template), "--out", str(out))
        assert code == 1, stdout + err
        assert err.startswith("mdnet: error: people/Eve.md: email ") and "unexpected" not in err, err
        assert err.count("\n") == 1
        assert not out.exists()


def test_the_log_commit_names_the_template_not_the_first_persons_subject(example_vault: Path, tmp_path: Path) -> None:
    """'Log email to 5 contacts: A quick update for Aaron' read as if all five got Aaron's mail."""
    commit_as_repository(example_vault)
    template = tmp_path / "update.md"
    template.write_text(TEMPLATE, encoding="utf-8")
    code, out, err = cli(example_vault, "draft", str(template), "--category", "client", "--out", str(tmp_path / "o"),
                         "--log", "--json")  # fmt: skip
    assert code == 0, err
    logged = len(json.loads(out)["logged"])
    assert logged >= 2
    subject = git(example_vault, "show", "-s", "--format=%s", "HEAD").strip()
    assert subject == f"Log email to {logged} contacts: drafts from update.md"
    # the same subject for everyone: that subject
    same = tmp_path / "same.md"
    same.write_text("---\nsubject: Season's greetings\n---\nHi {{ first_name }}\n", encoding="utf-8")
    code, out, err = cli(example_vault, "draft", str(same), "--tag", "family", "--out", str(tmp_path / "p"), "--log")
    assert code == 0, err
    subject = git(example_vault, "show", "-s", "--format=%s", "HEAD").strip()
    # two family contacts, one with no email address: since issue 18 that one is not logged (no To:)
    assert subject == "Log email to 1 contact: Season's greetings"
    assert "no email address in the note; not logged" in err


def test_one_draft_is_counted_in_the_singular(example_vault: Path, tmp_path: Path) -> None:
    """'1 drafts:' on the terminal and '1 drafts.' in the review note; '1 interactions' logged."""
    commit_as_repository(example_vault)
    template = tmp_path / "update.md"
    template.write_text(TEMPLATE, encoding="utf-8")
    review = tmp_path / "review.md"
    code, out, err = cli(example_vault, "draft", str(template), "--category", "investor", "--format", "md",
                         "--out", str(review), "--log")  # fmt: skip
    assert code == 0, err
    assert out.startswith("1 draft:\n")
    assert "logged 1 interaction\n" in out
    assert "\n1 draft. Edit freely" in review.read_text(encoding="utf-8")
    assert git(example_vault, "show", "-s", "--format=%s", "HEAD").startswith("Log email to 1 contact: An update for")


def test_due_reason_holds_the_reasons_of_the_due_list_not_far_ones(example_vault: Path) -> None:
    """Teresa is due on the 29th for her weekly call; her birthday on 14 December is not why, yet the
    draft said 'every 1w; last contact 2026-11-22; birthday Dec 14 (turns 68)' as `mdnet due` does not."""
    templates = example_vault / "templates"
    templates.mkdir()
    (templates / "checkin.md").write_text("{{ due_reason }}\n", encoding="utf-8")
    code, out, err = cli(example_vault, "draft", "checkin", "--due", "--tag", "family", "--format", "md", "--json")
    assert code == 0, err
    bodies = {d["name"]: d["body"].strip() for d in json.loads(out)["drafts"]}
    assert bodies["Teresa Ortiz"] == "every 1w; last contact 2026-11-22"
