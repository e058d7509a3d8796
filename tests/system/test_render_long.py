"""Long listings are drawn as plain lines (mdnet/cli/render_table.py): rich's look, the column rules of
issue 18 item 7, the escaping of hostile text, and headings that count a whole bucket when it is cut."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from rich.cells import cell_len
from rich.table import Table

from mdnet.cli import render
from mdnet.cli.output import rich_text
from mdnet.cli.render_table import Column, PlainTable
from mdnet.core.model import DueItem, Reason
from tests.conftest import run_mdnet_process
from tests.system.terminal import on_a_terminal

TODAY = dt.date(2026, 12, 8)


def _print(renderable: object, columns: int) -> str:
    os.environ["COLUMNS"] = str(columns)  # rich's Console reads it for its width
    try:
        return rich_text(renderable)
    finally:
        del os.environ["COLUMNS"]


def test_a_plain_table_looks_like_riches() -> None:
    rows = [("Ann Lee", "2026-12-01 (7d ago)", "cadence: every 30d; last contact 2026-10-01", "1.3x"),
            ("Zoë 李小龍", "today", "follow up: send the deck", "")]  # fmt: skip
    rich_table = Table(title="Overdue - 2", title_justify="left")
    for header in ("Name", "Due", "Why"):
        rich_table.add_column(header, no_wrap=header != "Why", overflow="fold")
    rich_table.add_column("Cadence", justify="right", no_wrap=True)
    for row in rows:
        rich_table.add_row(*row)
    plain = PlainTable([Column("Name"), Column("Due"), Column("Why", wrap=True), Column("Cadence", right=True)],
                       rows, title="Overdue - 2")  # fmt: skip
    assert _print(plain, 120) == _print(rich_table, 120)


def test_only_the_wrapping_column_wraps_and_wide_characters_keep_the_frame() -> None:
    why = "a reason long enough to wrap over lines, with averyveryverylongwordthatfolds"
    rows = [("李小龍 Bruce", "2026-12-01", why)]
    text = _print(PlainTable([Column("Name"), Column("Due"), Column("Why", wrap=True)], rows), 50)
    lines = text.splitlines()
    assert {cell_len(line) for line in lines} == {50}, text  # the frame holds: every line the same width
    assert "李小龍 Bruce" in lines[3] and "2026-12-01" in lines[3]  # never cut
    assert len([line for line in lines if line.startswith("│")]) > 2  # the reason wrapped
    whys = [line.split("│")[3].strip() for line in lines if line.startswith("│")]
    assert max(cell_len(why) for why in whys) <= 18 and len(whys) > 3, whys
    assert "".join(whys).replace(" ", "") == why.replace(" ", "")  # folded, nothing lost


def test_hostile_text_in_a_plain_table_is_printable() -> None:
    rows = [("Eve \x1b]0;pwned\x07", "today", "call \x9b31m\u202eboss\tnow\nthen")]
    text = _print(PlainTable([Column("Name"), Column("Due"), Column("Why", wrap=True)], rows), 80)
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "\u202e" not in text
    assert "Eve ␛]0;pwned␇" in text and "boss now" in text and "then" in text


def _item(n: int, bucket: str) -> DueItem:
    due = TODAY - dt.timedelta(days=3) if bucket == "overdue" else TODAY
    return DueItem(name=f"Person {n:03}", path=f"people/P{n:03}.md", bucket=bucket, due=due, days_overdue=3,
                   category=None, tags=(), reasons=(Reason("cadence", due, "every 30d"),))  # fmt: skip


def test_a_cut_bucket_counts_the_whole_bucket() -> None:
    items = [_item(n, "overdue") for n in range(300)] + [_item(n, "today") for n in range(300, 310)]
    text = _print(render.due_table(items[:10], TODAY, 7, totals=render.bucket_sizes(items)), 100)
    assert "Overdue - 10 of 300" in text and "Due today" not in text
    whole = _print(render.due_table(items[:305], TODAY, 7, totals=render.bucket_sizes(items)), 100)
    assert "Overdue - 300\n" in whole and "Due today - 5 of 10" in whole


def _many(vault_dir: Path, count: int) -> None:
    for n in range(count):
        note = f"---\nname: Person {n:03}\nneeds_reply: true\n---\n"
        (vault_dir / "people" / f"P{n:03}.md").write_text(note, encoding="utf-8")


def test_the_screenful_heading_says_how_many_the_bucket_holds(vault_dir: Path) -> None:
    _many(vault_dir, 80)
    out = on_a_terminal(vault_dir, "due")
    shown = sum("Person 0" in line for line in out.splitlines())
    assert 5 <= shown < 80, out
    assert f"you owe a reply) - {shown} of 80" in out, out
    listed = on_a_terminal(vault_dir, "list")
    assert " of 80 contacts" in listed, listed


def test_limit_heading_says_how_many_the_bucket_holds(vault_dir: Path) -> None:
    _many(vault_dir, 30)
    cut = run_mdnet_process("--today", "2026-12-08", "due", "--limit", "3", cwd=vault_dir)
    assert cut.code == 0, cut
    assert "you owe a reply) - 3 of 30" in cut.out, cut.out
    whole = run_mdnet_process("--today", "2026-12-08", "due", "--all", cwd=vault_dir)
    assert "you owe a reply) - 30\n" in whole.out, whole.out
    listed = run_mdnet_process("list", "--limit", "3", cwd=vault_dir)
    assert listed.out.startswith("3 of 30 contacts\n"), listed.out


def test_a_narrow_terminal_narrows_the_wrapping_column_and_never_cuts_a_date() -> None:
    rows = [("Aaron C. Díaz-Montgomery", "sales, edtech, rust, saas", "2026-09-07", "2026-10-07")]
    columns = [Column("Name"), Column("Tags", wrap=True), Column("Last contact"), Column("Next due")]
    fitted = _print(PlainTable(columns, rows), 60)
    assert {cell_len(line) for line in fitted.splitlines()} == {60}, fitted  # the tags narrowed below 8 cells
    assert "Aaron C. Díaz-Montgomery" in fitted and "2026-09-07" in fitted and "2026-10-07" in fitted
    too_narrow = _print(PlainTable(columns, rows), 30)  # names and dates alone need more: wider, never cut
    assert "Aaron C. Díaz-Montgomery" in too_narrow and "2026-09-07" in too_narrow and "2026-10-07" in too_narrow


# -- issue 18, the last friction item: a new user's pass over `list` and `due` on a big vault ----------

_STYLE = re.compile(r"\x1b\[[0-9;]*m")


def _screen(vault_dir: Path, *args: str, columns: int, lines: int = 30) -> str:
    """What a terminal of ``columns`` x ``lines`` shows, without its styles."""
    return _STYLE.sub("", on_a_terminal(vault_dir, *args, columns=columns, lines=lines))


TAGS = ["cloud", "rust", "consulting", "board", "security", "open-source", "networking/2025", "podcast"]


def _tagged(vault_dir: Path, count: int) -> None:
    for n in range(count):
        tags = ", ".join(TAGS[n % 3 : n % 3 + 3 + n % 4])
        note = (
            f"---\nname: Person {n:03}\ncategory: client\ncadence: 30d\nlast_contact: 2026-11-01\ntags: [{tags}]\n---\n"
        )
        (vault_dir / "people" / f"P{n:03}.md").write_text(note, encoding="utf-8")


def _tag_cells(out: str) -> list[str]:
    header = next(line for line in out.splitlines() if line.startswith("┃ Name"))
    at = [cell.strip() for cell in header.split("┃")].index("Tags")
    return [line.split("│")[at].strip() for line in out.splitlines() if line.startswith("│")]


def test_list_fits_the_screen_counting_wrapped_lines(vault_dir: Path) -> None:
    _tagged(vault_dir, 60)
    for columns in (60, 80, 120):
        out = _screen(vault_dir, "list", columns=columns, lines=24)
        lines = out.splitlines()
        assert len(lines) <= 23, (columns, out)  # rows - 1: a line is left for the prompt
        assert lines[-1].startswith("and ") and lines[-1].endswith("more: --all (or --limit N)"), out
        shown = sum("Person 0" in line for line in lines)
        assert shown >= 4 and lines[0] == f"{shown} of 60 contacts", (columns, out)
        if columns < 120:
            assert len(_tag_cells(out)) > shown, out  # the tags wrapped, and the wrapped lines were counted


def test_list_on_a_terminal_narrower_than_names_and_dates_still_fits_the_screen(vault_dir: Path) -> None:
    """At 40 columns the names and dates alone are wider than the terminal: each table line wraps onto two
    screen lines, which are counted, and the tags, squeezed to a cell, are left out (one row took a screenful
    of one-letter lines; `list` printed 31 lines on a 24-line terminal when newlines were counted)."""
    _tagged(vault_dir, 60)
    out = _screen(vault_dir, "list", columns=40, lines=24)
    taken = sum(max(1, -(-cell_len(line) // 40)) for line in out.splitlines())
    assert taken <= 23, (taken, out)  # rows - 1 screen lines: one is left for the prompt
    assert "Tags" not in out and "more: --all" in out.splitlines()[-1], out
    assert sum("Person 0" in line for line in out.splitlines()) >= 3, out


def test_list_wraps_tags_between_tags(vault_dir: Path) -> None:
    _tagged(vault_dir, 12)
    for columns in (60, 70, 80):
        out = _screen(vault_dir, "list", "--all", columns=columns)
        cells = _tag_cells(out)
        assert not any(cell.startswith(",") for cell in cells), (columns, out)  # no stray comma
        words = {word for cell in cells for word in cell.replace(",", " ").split()}
        assert words <= set(TAGS), (columns, words - set(TAGS), out)  # no tag broken ("consulti" / "ng")


def test_a_tag_wider_than_the_column_is_folded_and_the_others_kept_whole() -> None:
    tags = "cloud, rust, consulting, averyveryverylongtagname"
    columns = [Column("Name"), Column("Tags", wrap=True, separator=", ")]
    text = _print(PlainTable(columns, [("Aaron Esposito", tags)]), 40)
    cells = [line.split("│")[2].strip() for line in text.splitlines() if line.startswith("│")]
    assert {cell_len(line) for line in text.splitlines()} == {40}, text
    assert "consulting," in cells and not any(cell.startswith(",") for cell in cells), cells
    assert "".join(cells).replace(" ", "") == tags.replace(" ", ""), cells  # folded, nothing lost
    narrow = _print(PlainTable(columns, [("Aaron Esposito", "sales, consulting, rust")]), 26)  # tags: 5 cells
    cells = [line.split("│")[2].strip() for line in narrow.splitlines() if line.startswith("│")]
    assert cells == ["sales", "consu", "lting", "rust"], cells  # no lone "," where only the comma did not fit


def test_list_counts_with_a_thousands_separator(vault_dir: Path) -> None:
    for n in range(1000):
        (vault_dir / "people" / f"P{n:04}.md").write_text(f"---\nname: Person {n:04}\n---\n", encoding="utf-8")
    listed = run_mdnet_process("list", "--limit", "3", cwd=vault_dir)
    assert listed.code == 0, listed
    assert listed.out.startswith("3 of 1,000 contacts\n"), listed.out
    whole = run_mdnet_process("list", "--all", cwd=vault_dir)
    assert whole.out.startswith("1,000 contacts\n"), whole.out[:200]


def test_due_chooses_its_columns_once_for_every_bucket(example_vault: Path) -> None:
    for columns in ("80", "100"):
        result = run_mdnet_process("--today", "2026-11-25", "due", cwd=example_vault, env={"COLUMNS": columns})
        assert result.code == 0, result
        headers = [line for line in result.out.splitlines() if line.startswith("┃ Name")]
        assert len(headers) == 4, result.out  # the four buckets of the demo vault on that day
        assert len(set(headers)) == 1, (columns, result.out)  # the same columns, the same widths


def test_the_due_example_of_commands_md_is_the_real_output(example_vault: Path) -> None:
    page = (Path(__file__).parents[2] / "docs" / "commands.md").read_text(encoding="utf-8")
    command = "$ mdnet --vault examples/vault due --category client\n"
    shown = page[page.index(command) + len(command) :].split("```", 1)[0]
    result = run_mdnet_process("--today", "2026-11-25", "due", "--category", "client", cwd=example_vault,
                               env={"COLUMNS": "80"})  # fmt: skip
    assert result.code == 0, result
    assert result.out == shown, result.out


def test_a_line_wider_than_the_terminal_counts_as_the_screen_lines_it_takes() -> None:
    from mdnet.cli.output import screen_lines

    assert screen_lines("x" * 85 + "\n", 40) == 3  # wraps twice
    assert screen_lines("\x1b[1m" + "x" * 40 + "\x1b[0m\n", 40) == 1  # colour codes take no cells
    assert screen_lines("山" * 25 + "\n\n", 40) == 3  # 50 cells: two lines; an empty line is one
