"""The three-way merge of contact notes: golden cases and Hypothesis properties."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdnet.merge.diff3 import diff3
from mdnet.merge.notes import conflict_keys, merge_note, merge_text
from mdnet.note import document, edit, frontmatter_yaml
from mdnet.note.contact import ParseSettings, parse_note
from tests.conftest import examples

BASE = """\
---
name: Jane Doe   # as she writes it
tags: [cloud]
role: IT Manager
cadence: 30d  # monthly
last_contact: 2026-10-21
---
# Jane Doe

Met at the chamber breakfast.

## Log
- 2026-10-21 email: sent quarterly update
"""


def _log(text: str, day: str, what: str) -> str:
    return edit.insert_log_entry(text, edit.format_log_entry(day, what))


def test_the_everyday_case_merges_key_by_key_and_entry_by_entry() -> None:
    ours = edit.set_field(_log(BASE, "2026-11-20", "coffee A"), "last_contact", "2026-11-20")
    ours = edit.set_field(ours, "cadence", "60d")
    theirs = edit.set_field(_log(BASE, "2026-11-22", "call B"), "last_contact", "2026-11-22")
    theirs = edit.set_field(theirs, "tags", ["cloud", "phoenix"])
    expected = """\
---
name: Jane Doe   # as she writes it
tags: [cloud, phoenix]
role: IT Manager
cadence: 60d  # monthly
last_contact: 2026-11-22
---
# Jane Doe

Met at the chamber breakfast.

## Log
- 2026-11-22 call B
- 2026-11-20 coffee A
- 2026-10-21 email: sent quarterly update
"""
    for result in (merge_note(BASE, ours, theirs), merge_note(BASE, theirs, ours)):
        assert result.clean
        assert result.text == expected


def test_a_key_changed_differently_on_both_sides_is_a_conflict_around_that_key_alone() -> None:
    ours = _log(edit.set_field(BASE, "role", "CIO"), "2026-11-20", "coffee A")
    theirs = _log(edit.set_field(BASE, "role", "CTO"), "2026-11-22", "call B")
    result = merge_note(BASE, ours, theirs)
    assert [(c.key, c.line) for c in result.conflicts] == [("role", 4)]
    assert "tags: [cloud]\n<<<<<<< ours\nrole: CIO\n=======\nrole: CTO\n>>>>>>> theirs\ncadence: 30d" in result.text
    assert "- 2026-11-22 call B\n- 2026-11-20 coffee A\n" in result.text
    assert [(c.key, c.line) for c in conflict_keys(result.text)] == [("role", 4)]


def test_crlf_bom_comments_and_key_order_of_ours_survive() -> None:
    base = "\ufeff" + BASE.replace("\n", "\r\n")
    ours = edit.set_field(base, "role", "CIO")
    theirs = _log(base, "2026-11-22", "call B").replace("tags: [cloud]\r\n", "# a comment\r\ntags: [cloud]\r\n")
    theirs = edit.set_field(theirs, "snooze_until", "2026-12-01")
    result = merge_note(base, ours, theirs)
    assert result.clean
    assert result.text.startswith("\ufeff---\r\n")
    assert "\n" not in result.text.replace("\r\n", "")
    assert "# a comment\r\ntags: [cloud]\r\nrole: CIO\r\ncadence: 30d  # monthly\r\n" in result.text
    assert "snooze_until: 2026-12-01\r\n---\r\n" in result.text
    assert "## Log\r\n- 2026-11-22 call B\r\n- 2026-10-21" in result.text


def test_lines_from_theirs_take_the_line_ending_of_ours() -> None:
    ours = edit.set_field(BASE.replace("\n", "\r\n"), "role", "CIO")
    theirs = _log(BASE, "2026-11-22", "call B")
    result = merge_note(BASE.replace("\n", "\r\n"), ours, theirs.replace("\n", "\n"))
    assert "- 2026-11-22 call B\r\n" in result.text


def test_last_contact_takes_the_later_date_in_either_order() -> None:
    early, late = edit.set_field(BASE, "last_contact", "2026-11-01"), edit.set_field(BASE, "last_contact", "2026-11-30")
    assert "last_contact: 2026-11-30\n" in merge_note(BASE, early, late).text
    assert "last_contact: 2026-11-30\n" in merge_note(BASE, late, early).text


def test_planned_dates_changed_on_both_sides_conflict_but_one_side_wins_alone() -> None:
    one = edit.set_field(BASE, "follow_up", "2027-05-25")
    other = edit.set_field(BASE, "follow_up", "2027-02-25")
    assert [c.key for c in merge_note(BASE, one, other).conflicts] == ["follow_up"]
    assert merge_note(BASE, one, edit.set_field(BASE, "role", "CIO")).clean


def test_a_list_changed_on_both_sides_takes_the_union_and_keeps_removals() -> None:
    base = edit.set_field(BASE, "tags", ["cloud", "old", "sdwan"])
    ours = edit.set_field(base, "tags", ["cloud", "sdwan", "phoenix"])  # removed old, added phoenix
    theirs = edit.set_field(base, "tags", ["cloud", "old", "sdwan", "golf"])
    for result in (merge_note(base, ours, theirs), merge_note(base, theirs, ours)):
        assert result.clean
        assert "tags: [cloud, sdwan, golf, phoenix]\n" in result.text


def test_a_block_list_keeps_its_style_in_a_union() -> None:
    base = BASE.replace("tags: [cloud]\n", "tags:\n    - cloud   # first\n")
    ours = base.replace("    - cloud   # first\n", "    - cloud   # first\n    - a\n")
    theirs = base.replace("    - cloud   # first\n", "    - cloud   # first\n    - b\n")
    result = merge_note(base, ours, theirs)
    assert result.clean
    assert "tags:\n    - cloud\n    - a\n    - b\nrole:" in result.text


def test_keys_added_at_the_end_on_both_sides_are_both_kept() -> None:
    ours = edit.set_field(BASE, "follow_up", "2027-01-01")
    theirs = edit.set_field(BASE, "snooze_until", "2026-12-10")
    first, second = merge_note(BASE, ours, theirs), merge_note(BASE, theirs, ours)
    assert first.clean
    assert first.text == second.text
    assert "follow_up: 2027-01-01\nsnooze_until: 2026-12-10\n---\n" in first.text


def test_removed_on_one_side_and_changed_on_the_other_is_a_conflict() -> None:
    ours = edit.remove_field(BASE, "role")
    theirs = edit.set_field(BASE, "role", "CTO")
    result = merge_note(BASE, ours, theirs)
    assert [c.key for c in result.conflicts] == ["role"]
    assert "<<<<<<< ours\n=======\nrole: CTO\n>>>>>>> theirs\n" in result.text
    assert merge_note(BASE, ours, edit.set_field(BASE, "cadence", "2w")).text.count("role") == 0


def test_a_log_entry_edited_on_one_side_stays_edited_and_new_ones_are_kept() -> None:
    ours = BASE.replace("sent quarterly update", "sent the quarterly update")
    theirs = _log(BASE, "2026-11-22", "call B")
    result = merge_note(BASE, ours, theirs)
    assert result.clean
    assert "- 2026-11-22 call B\n- 2026-10-21 email: sent the quarterly update\n" in result.text
    assert "sent quarterly update" not in result.text


def test_the_same_entry_logged_on_both_sides_appears_once() -> None:
    ours = _log(_log(BASE, "2026-11-22", "same"), "2026-11-23", "mine")
    theirs = _log(_log(BASE, "2026-11-22", "same"), "2026-11-21", "yours")
    result = merge_note(BASE, ours, theirs)
    assert result.text.count("2026-11-22 same") == 1
    assert "- 2026-11-23 mine\n- 2026-11-22 same\n- 2026-11-21 yours\n- 2026-10-21" in result.text


def test_body_text_merges_like_git_merge_file() -> None:
    base = BASE.replace("Met at the chamber breakfast.\n", "one\ntwo\nthree\nfour\nfive\n")
    ours = base.replace("one\n", "ONE\n")
    theirs = base.replace("five\n", "FIVE\n")
    assert "ONE\ntwo\nthree\nfour\nFIVE\n" in merge_note(base, ours, theirs).text
    clash = merge_note(base, base.replace("three", "3"), base.replace("three", "III"))
    assert [(c.key, c.line) for c in clash.conflicts] == [(None, 12)]
    assert "<<<<<<< ours\n3\n=======\nIII\n>>>>>>> theirs\n" in clash.text


def test_malformed_front_matter_falls_back_to_a_line_merge() -> None:
    base = BASE.replace("role: IT Manager", "role: [unclosed")
    ours = base.replace("cadence: 30d", "cadence: 60d")
    theirs = base + "more\n"
    result = merge_note(base, ours, theirs)
    assert result.clean
    assert "cadence: 60d" in result.text
    assert result.text.endswith("more\n")


def test_a_note_added_on_both_sides_merges_against_an_empty_base() -> None:
    ours = _log(BASE, "2026-11-22", "mine")
    theirs = edit.set_field(_log(BASE, "2026-11-21", "yours"), "role", "IT Manager")
    result = merge_note("", ours, theirs)
    assert result.clean
    assert "- 2026-11-22 mine\n- 2026-11-21 yours\n- 2026-10-21" in result.text


def test_diff3_chunks() -> None:
    assert diff3("abc", "abc", "abc") == [("same", 0, 1), ("same", 1, 2), ("same", 2, 3)]
    assert ("theirs", 1, 2) in diff3("abc", "abc", "aXc")
    assert ("conflict", (1, 2), (1, 2)) in diff3("abc", "aYc", "aXc")


# -- properties ------------------------------------------------------------------

KEYS = ["role", "company", "cadence", "follow_up", "snooze_until", "location", "status", "tags", "aliases"]
WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "CIO", "NO", "yes", "a: b", "x # y", "[[Acme]]"])
DATES = st.dates(min_value=__import__("datetime").date(2025, 1, 1), max_value=__import__("datetime").date(2027, 12, 31))


def _value(key: str) -> st.SearchStrategy[edit.Value]:
    if key in ("tags", "aliases"):
        return st.lists(st.sampled_from(["cloud", "phoenix", "golf", "sdwan", "jazz"]), unique=True, max_size=4)
    if key in ("follow_up", "snooze_until"):
        return DATES.map(lambda d: d.isoformat())
    if key == "cadence":
        return st.sampled_from(["30d", "2w", "quarterly", "90d"])
    return WORDS


@st.composite
def notes(draw: st.DrawFn) -> str:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=6))
    front = ["name: Jane Doe  # display name"]
    for key in keys:
        value = draw(_value(key))
        if isinstance(value, list) and value and draw(st.booleans()):
            front.append(f"{key}:")
            front.extend(f"  - {item}" for item in value)
        else:
            front.append(f"{key}: {edit.format_value(value)}".rstrip())
        if draw(st.booleans()):
            front.append("# a comment line")
    paragraph = [f"line {i} of the notes" for i in range(draw(st.integers(3, 8)))]
    entries = draw(st.lists(st.tuples(DATES, st.sampled_from(["coffee", "call", "lunch"])), max_size=4, unique=True))
    entries.sort(reverse=True)
    log = [f"- {d.isoformat()} {k}: talked {i}" for i, (d, k) in enumerate(entries)]
    lines = ["---", *front, "---", "# Jane Doe", "", *paragraph, "", "## Log", *log]
    if draw(st.booleans()):
        lines += ["", "## After", "tail"]
    return ("\ufeff" if bom else "") + newline.join(lines) + newline


Op = tuple[str, object, object]


def _apply(text: str, ops: list[Op]) -> str:
    for kind, a, b in ops:
        if kind == "set":
            text = edit.set_field(text, str(a), b)  # type: ignore[arg-type]
        elif kind == "remove":
            text = edit.remove_field(text, str(a))
        elif kind == "log":
            text = edit.insert_log_entry(text, str(a))
        elif kind == "line":
            text = text.replace(f"line {a} of the notes", f"line {a} was {b}")
        elif kind == "unlog":
            lines = text.splitlines(keepends=True)
            text = "".join(x for x in lines if not x.startswith(f"- {a}"))
    return text


@st.composite
def ops_for(draw: st.DrawFn, keys: list[str], lines: list[int], tag: str) -> list[Op]:
    ops: list[Op] = []
    for key in draw(st.lists(st.sampled_from(keys), unique=True, max_size=3)) if keys else []:
        if draw(st.integers(0, 4)) == 0:
            ops.append(("remove", key, None))
        else:
            ops.append(("set", key, draw(_value(key))))
    for index in draw(st.lists(st.sampled_from(lines), unique=True, max_size=2)) if lines else []:
        ops.append(("line", index, tag))
    for n, (day, kind) in enumerate(draw(st.lists(st.tuples(DATES, st.sampled_from(["coffee", "email"])), max_size=3))):
        ops.append(("log", f"- {day.isoformat()} {kind}: {tag} {n}", None))
    return ops


def _entries(text: str) -> list[str]:
    return [x.rstrip("\r\n") for x in text.splitlines() if x.startswith("- 20")]


def _parses(text: str) -> None:
    doc = document.split(text)
    assert doc.front_matter is not None
    loaded, _ = frontmatter_yaml.load(doc.front_matter)
    assert isinstance(loaded, dict)
    parsed = parse_note(text, "people/x.md", contact_folder=True, settings=ParseSettings())
    assert not [p for p in parsed.problems if p.severity == "error"], parsed.problems


PROPERTY = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(note=notes(), data=st.data())
def test_merging_a_file_with_itself_changes_nothing(note: str, data: st.DataObject) -> None:
    assert merge_note(note, note, note).text == note
    edited = _apply(note, data.draw(ops_for(KEYS, list(range(3)), "x")))
    assert merge_note(note, edited, edited).text == edited
    assert merge_note(note, edited, note).text == edited
    assert merge_note(note, note, edited).text == edited


@PROPERTY
@given(note=notes(), data=st.data())
def test_disjoint_edits_merge_cleanly_in_either_order_and_agree(note: str, data: st.DataObject) -> None:
    split = data.draw(st.integers(0, len(KEYS)))
    shuffled = data.draw(st.permutations(KEYS))
    ours = _apply(note, data.draw(ops_for(shuffled[:split], [0, 4, 8], "ours")))
    theirs = _apply(note, data.draw(ops_for(shuffled[split:], [2, 6], "theirs")))
    first, second = merge_note(note, ours, theirs), merge_note(note, theirs, ours)
    assert first.clean, first.text
    assert second.clean
    assert first.text == second.text
    _parses(first.text)
    merged_values, _ = frontmatter_yaml.load(document.split(first.text).front_matter or "")
    for side in (ours, theirs):  # each side's own changes are in the result
        side_values, _ = frontmatter_yaml.load(document.split(side).front_matter or "")
        base_values, _ = frontmatter_yaml.load(document.split(note).front_matter or "")
        for key in set(side_values) | set(base_values):
            if side_values.get(key, "<none>") != base_values.get(key, "<none>"):
                assert merged_values.get(key, "<none>") == side_values.get(key, "<none>"), key


@PROPERTY
@given(note=notes(), data=st.data())
def test_no_log_entry_is_ever_lost_and_the_result_parses(note: str, data: st.DataObject) -> None:
    base_entries = _entries(note)
    ours_ops = data.draw(ops_for(KEYS, list(range(3)), "ours"))
    theirs_ops = data.draw(ops_for(KEYS, list(range(3)), "theirs"))
    if base_entries and data.draw(st.booleans()):
        ours_ops.append(("unlog", base_entries[0][2:12], None))
    ours, theirs = _apply(note, ours_ops), _apply(note, theirs_ops)
    one_way, other_way = merge_note(note, ours, theirs), merge_note(note, theirs, ours)
    assert one_way.clean == other_way.clean
    if one_way.clean:  # a rebase swaps ours and theirs: the union rules must not care
        assert one_way.text == other_way.text
    for first, second in ((ours, theirs), (theirs, ours)):
        result = merge_note(note, first, second)
        merged = _entries(result.text)
        expected = [e for e in _entries(first) + _entries(second) if e not in base_entries]
        expected += [e for e in base_entries if e in _entries(first) and e in _entries(second)]
        assert sorted(set(merged)) == sorted(set(expected))
        assert len(merged) == len(set(merged))
        dates = [e[2:12] for e in merged]
        assert dates == sorted(dates, reverse=True)
        if result.clean:
            _parses(result.text)
        else:
            assert all(c.key is not None or c.line > 0 for c in result.conflicts)


@settings(max_examples=examples(40), deadline=None)
@given(data=st.data())
def test_plain_text_merges_agree_with_git_merge_file_when_git_merges_cleanly(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = [f"line {i}\n" for i in range(data.draw(st.integers(1, 12)))]

    def edited(tag: str) -> list[str]:
        lines = list(base)
        for index in sorted(data.draw(st.lists(st.integers(0, len(base) - 1), unique=True, max_size=3)), reverse=True):
            choice = data.draw(st.integers(0, 2))
            if choice == 0:
                lines[index] = f"{tag} changed {index}\n"
            elif choice == 1:
                lines.insert(index, f"{tag} added {index}\n")
            else:
                del lines[index]
        return lines

    ours, theirs = "".join(edited("ours")), "".join(edited("theirs"))
    folder = tmp_path_factory.mktemp("mf")
    for name, text in (("base", "".join(base)), ("ours", ours), ("theirs", theirs)):
        (folder / name).write_text(text, encoding="utf-8")
    git = subprocess.run(
        ["git", "merge-file", "-p", str(folder / "ours"), str(folder / "base"), str(folder / "theirs")],
        capture_output=True,
        text=True,
        check=False,
    )
    ours_result = merge_text("".join(base), ours, theirs)
    if git.returncode == 0:
        assert ours_result.clean
        assert ours_result.text == git.stdout


def test_driver_carries_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    from mdnet.git.sync import run_driver

    base = BASE.encode() + b"caf\xe9\n"
    ours = base.replace(b"cadence: 30d", b"cadence: 60d")
    theirs = base.replace(b"role: IT Manager", b"role: CIO")
    paths = []
    for name, data in (("O", base), ("A", ours), ("B", theirs)):
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    result = run_driver(*paths)
    assert result.clean
    assert (tmp_path / "A").read_bytes() == ours.replace(b"role: IT Manager", b"role: CIO")


def test_a_block_scalar_with_a_blank_line_is_one_key() -> None:
    """The key's lines come from edit.value_span, which keeps a `|` block's inner blank line."""
    base = "---\nname: J\nnotes: |\n  a\n\n  b\nrole: x\n---\n# J\n"
    ours = base.replace("  a\n", "  A\n")
    both = merge_note(base, ours, base.replace("  b\n", "  B\n"), log_heading="Log")
    assert [c.key for c in both.conflicts] == ["notes"]
    assert "<<<<<<< ours\nnotes: |\n  A\n\n  b\n=======\nnotes: |\n  a\n\n  B\n>>>>>>> theirs\nrole: x\n" in both.text
    disjoint = merge_note(base, ours, base.replace("role: x", "role: y"), log_heading="Log")
    assert disjoint.conflicts == ()
    assert disjoint.text == ours.replace("role: x", "role: y")


def test_entries_that_repeat_are_kept_as_often_as_both_sides_keep_them() -> None:
    # Two calls on one day with the same words are two interactions, not one written twice.
    base = _log(_log(BASE, "2026-11-20", "call: hi"), "2026-11-20", "call: hi")
    ours, theirs = _log(base, "2026-11-25", "coffee A"), _log(base, "2026-11-24", "lunch B")
    for result in (merge_note(base, ours, theirs), merge_note(base, theirs, ours)):
        assert result.clean
        assert "- 2026-11-25 coffee A\n- 2026-11-24 lunch B\n- 2026-11-20 call: hi\n- 2026-11-20 call: hi\n" in (
            result.text
        )
    twice = _log(_log(BASE, "2026-11-22", "call"), "2026-11-22", "call")
    result = merge_note(BASE, twice, _log(BASE, "2026-11-21", "lunch B"))
    assert "- 2026-11-22 call\n- 2026-11-22 call\n- 2026-11-21 lunch B\n" in result.text
    # one side deletes one of the two: one stays
    once = base.replace("- 2026-11-20 call: hi\n", "", 1)
    assert merge_note(base, once, theirs).text.count("2026-11-20 call: hi") == 1


def test_a_log_section_removed_or_renamed_on_one_side_never_drops_the_other_sides_new_entries() -> None:
    theirs = _log(BASE, "2026-11-24", "lunch NEW")
    removed = BASE.replace("\n## Log\n- 2026-10-21 email: sent quarterly update\n", "")
    renamed = BASE.replace("## Log", "## Interactions")
    for ours in (removed, renamed):
        for result in (merge_note(BASE, ours, theirs), merge_note(BASE, theirs, ours)):
            assert "lunch NEW" in result.text
            assert not result.clean  # ours' change and theirs' entry cannot both stand: the user decides
    # nothing added on the other side: the removal or the new heading is simply taken
    assert merge_note(BASE, removed, edit.set_field(BASE, "role", "CIO")).text == edit.set_field(removed, "role", "CIO")
    assert "## Interactions\n- 2026-10-21" in merge_note(BASE, renamed, edit.set_field(BASE, "role", "CIO")).text


def test_one_entry_edited_differently_on_both_sides_is_a_conflict_not_two_interactions() -> None:
    base = _log(BASE, "2026-11-20", "call: budget")
    ours = base.replace("- 2026-11-20 call: budget\n", "- 2026-11-20 call: budget for Q1\n")
    theirs = _log(base.replace("- 2026-11-20 call: budget\n", "- 2026-11-20 call: budget, and hiring\n"),
                  "2026-11-24", "lunch B")  # fmt: skip
    for first, second in ((ours, theirs), (theirs, ours)):
        result = merge_note(base, first, second)
        assert [c.key for c in result.conflicts] == [None]
        line = result.text.splitlines().index("<<<<<<< ours") + 1
        assert result.text.count("budget for Q1") == 1
        assert result.text.count("budget, and hiring") == 1
        assert "- 2026-11-24 lunch B\n<<<<<<< ours\n" in result.text
        assert "- 2026-10-21 email: sent quarterly update\n" in result.text
        # what `mdnet sync` says of it: the entry, not 'text (line 14)'
        assert [c.describe() for c in conflict_keys(result.text)] == [f"log entry of 2026-11-20 (line {line})"]
    # edited the same way on both sides: taken once; edited on one side only: that edit
    assert merge_note(base, ours, ours).text == ours
    assert (
        "- 2026-11-24 lunch B\n- 2026-11-20 call: budget for Q1\n- 2026-10-21"
        in merge_note(base, ours, _log(base, "2026-11-24", "lunch B")).text
    )


@pytest.mark.parametrize("entry", ["- 2026-11-20 call", "* 2026-11-20 call", "-\t2026-11-20 call", "- [x] 2026-11-20"])
def test_a_conflict_is_named_by_its_log_entry_in_every_form_the_merge_reads_as_one(entry: str) -> None:
    """conflict_keys read entries with a twin of the merge's own pattern that knew '- ' alone."""
    text = f"---\nname: Ann\n---\n## Log\n<<<<<<< ours\n{entry}: a\n=======\n{entry}: b\n>>>>>>> theirs\n"
    assert [c.describe() for c in conflict_keys(text)] == ["log entry of 2026-11-20 (line 5)"]
