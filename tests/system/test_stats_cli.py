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


def test_legend_wraps_whole_items_at_80_columns(example_vault: Path) -> None:
    """Issue 18: at 80 columns a line of the legend ended "■ family  ■" and the next began "friend"."""
    from tests.conftest import run_mdnet_process

    result = run_mdnet_process("--vault", str(example_vault), "--today", DEMO_DATE, "stats",
                               env={"COLUMNS": "80", "LINES": "40"})  # fmt: skip
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("■"))
    legend = lines[start : lines.index("", start)]
    assert len(legend) > 1  # the demo vault's categories do not fit one line of 80
    categories = json.loads(run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "stats", "--json").out)
    names = categories["categories"]
    for line in legend:
        assert len(line) <= 80 and line.startswith("■ ") and not line.rstrip().endswith("■")
    assert sorted(" ".join(legend).replace("■", " ").split()) == sorted(" ".join(names).split())


def test_every_category_has_its_own_colour(example_vault: Path, tmp_path: Path) -> None:
    """client and former-client were both #4e79a7 in the HTML; on a 16-colour terminal recruiter, employer
    and investor were all white and former-client had client's blue."""
    from mdnet.features.stats_html import colour_of

    page = tmp_path / "health.html"
    assert run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "stats", "--html", str(page)).code == 0
    data = json.loads(run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "stats", "--json").out)
    names = data["categories"]
    assert len(names) >= 11
    html = page.read_text(encoding="utf-8")
    legend = html[html.index("<i style") :]
    swatches = [legend.split('<i style="background:', 1 + i)[-1].split('"', 1)[0] for i in range(len(names))]
    assert len(set(swatches)) == len(names)
    many = tuple(f"c{i:02d}" for i in range(40))
    assert len(set(colour_of(many).values())) == 40
    assert colour_of(("b", "a")) == colour_of(("a", "b"))  # by sorted name, not by rank
    # the terminal: colours a 16-colour terminal has (rich made pink1, tan and grey62 white there), one each
    from rich.color import Color

    from mdnet.cli.render_relations import _category_styles

    colour, glyph = _category_styles(tuple(names))
    assert all(Color.parse(c).number is not None and Color.parse(c).number < 16 for c in colour.values())
    assert len({colour[n] for n in names}) == len(names)
    colour, glyph = _category_styles(many)
    assert len({(colour[n], glyph[n]) for n in many}) == 40
