"""`mdnet stats` through the real CLI on a copy of the demo vault."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import DEMO_DATE, run_cli


def test_stats_json_html_and_chart(example_vault: Path, tmp_path: Path) -> None:
    page = tmp_path / "health.html"
    result = run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "stats", "--html", str(page))
    assert result.code == 0, result.err
    # the terminal report is no longer printed with --html (issue 18): it buried the one line that matters
    assert result.out.startswith(f"wrote {page}") and "Interactions per month" not in result.out
    shown = run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "stats")
    assert "Interactions per month" in shown.out
    assert "2026-11" in shown.out
    assert "Bob Baker" in shown.out  # gone dormant: 71 days on a 30-day cadence
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    result = run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "stats", "--json", "--since", "2026-10-01")
    data = json.loads(result.out)
    assert [m["month"] for m in data["per_month"]] == ["2026-10", "2026-11"]
    assert data["total"] == sum(m["total"] for m in data["per_month"])
    assert "Bob Baker" in {d["name"] for d in data["dormant"]}


def test_stats_bad_since_is_a_usage_error(example_vault: Path) -> None:
    result = run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "stats", "--since", "last tuesday")
    assert result.code == 2
    assert result.err.startswith("mdnet: error: bad --since")


def test_a_first_week_is_counted_in_the_singular(vault_dir: Path) -> None:
    """A new vault said '1 interactions with 1 of 1 contacts'."""
    (vault_dir / "people" / "Ana.md").write_text(
        "---\nname: Ana Gómez\n---\n# Ana\n\n## Log\n- 2026-11-20 coffee: first chat\n", encoding="utf-8"
    )
    result = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "stats")
    assert result.code == 0, result.err
    summary = " ".join(result.out.split())
    assert "1 interaction with 1 of 1 contact, 2025-12-01 to 2026-11-25" in summary
    assert "0 never contacted" in summary
