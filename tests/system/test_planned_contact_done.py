"""A planned next contact is done once you have been in touch on or after its day."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

HANNAH = (
    "---\nname: Hannah Lee\nnext_contact: 2026-11-25  # call about the portfolio\n"
    "last_contact: 2026-11-10\n---\n# Hannah Lee\n\n## Log\n- 2026-11-10 email: sent my bio\n"
)


def _due(vault: Path, today: str, *args: str) -> dict[str, list[dict[str, object]]]:
    result = run_cli("--vault", str(vault), "--today", today, "due", "--json", *args)
    assert result.code == 0, result.err
    return {item["name"]: item["reasons"] for item in json.loads(result.out)["items"]}


def test_ticking_a_planned_contact_in_the_daily_note_takes_it_off_the_list(git_vault: Path) -> None:
    (git_vault / "people" / "Hannah Lee.md").write_text(HANNAH, encoding="utf-8")
    assert "Hannah Lee" in _due(git_vault, "2026-11-25")
    assert run_cli("--vault", str(git_vault), "--today", "2026-11-25", "daily").code == 0
    note = git_vault / "daily" / "2026-11-25.md"
    note.write_text(note.read_text(encoding="utf-8").replace("- [ ] [[Hannah Lee]]", "- [x] [[Hannah Lee]]"))
    ticked = run_cli("--vault", str(git_vault), "--today", "2026-11-25", "daily")
    assert ticked.code == 0, ticked.err
    assert "logged Hannah Lee" in ticked.out
    # the plan was for the 25th and the call happened on the 25th: not "2d overdue" two days later
    assert "Hannah Lee" not in _due(git_vault, "2026-11-25")
    assert "Hannah Lee" not in _due(git_vault, "2026-11-27", "--within", "30d")
    shown = run_cli("--vault", str(git_vault), "--today", "2026-11-27", "brief", "Hannah", "--json")
    assert not any("planned" in line for line in json.loads(shown.out)["open_follow_ups"])
    # the note keeps what the user wrote
    assert (
        "next_contact: 2026-11-25  # call about the portfolio\n" in (git_vault / "people" / "Hannah Lee.md").read_text()
    )


def test_a_contact_before_the_planned_day_leaves_the_plan_standing(git_vault: Path) -> None:
    (git_vault / "people" / "Hannah Lee.md").write_text(HANNAH, encoding="utf-8")
    logged = run_cli(
        "--vault", str(git_vault), "--today", "2026-11-20", "log", "Hannah", "quick hello", "--kind", "email"
    )
    assert logged.code == 0, logged.err
    reasons = _due(git_vault, "2026-11-27")["Hannah Lee"]
    assert [r["kind"] for r in reasons] == ["planned"]
    assert reasons[0]["due"] == "2026-11-25"
