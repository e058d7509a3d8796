"""Golden-file tests for line-level edits: only the lines meant to change do.

Every golden note in ``golden/edit/`` is tried as written (LF), with CRLF line
endings, and with a byte-order mark and CRLF: the edits must keep all three.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet.note import document, edit, frontmatter_yaml
from tests.conftest import examples

GOLDEN = Path(__file__).parent / "golden" / "edit"
VARIANTS = ("lf", "crlf", "bom-crlf", "bom-lf")


def golden(name: str, variant: str = "lf") -> str:
    text = (GOLDEN / name).read_text(encoding="utf-8")
    assert "\r" not in text
    assert not text.startswith(document.BOM)
    if "crlf" in variant:
        text = text.replace("\n", "\r\n")
    if variant.startswith("bom"):
        text = document.BOM + text
    return text


def newline_of(variant: str) -> str:
    return "\r\n" if "crlf" in variant else "\n"


def changed_lines(before: str, after: str) -> list[tuple[str, list[str], list[str]]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [(tag, old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def front_matter(text: str) -> dict[str, Any]:
    doc = document.split(text)
    assert doc.front_matter is not None
    loaded, _ = frontmatter_yaml.load(doc.front_matter)
    assert isinstance(loaded, dict)
    return loaded


def assert_kept_envelope(before: str, after: str) -> None:
    """BOM, line endings and the body are the note's own."""
    assert after.startswith(document.BOM) == before.startswith(document.BOM)
    assert document.split(after).body == document.split(before).body
    if "\r\n" in before:
        assert after.count("\n") == after.count("\r\n")


ONE_LINE_CHANGES = [
    ("comments.md", "last_contact", "2026-11-25", "last_contact: 2026-11-25  # the coffee"),
    ("comments.md", "name", "Jane Q. Doe", "name: Jane Q. Doe   # full name, as she signs"),
    ("comments.md", "needs_reply", False, "needs_reply: false # she asked about pricing"),
    ("comments.md", "follow_up", "2027-05-25", "follow_up: 2027-05-25     # nothing planned yet"),
    ("comments.md", "cadence", "90d", "cadence: 90d"),
    ("odd_indent.md", "category", "vendor", "'category' :  vendor"),
    ("odd_indent.md", "cadence", "monthly", '"cadence":   monthly'),
    ("odd_indent.md", "last_contact", "2026-11-25", "last_contact:   2026-11-25"),
    ("odd_indent.md", "status", "dormant", "status: dormant"),
    ("flow_lists.md", "tags", ["cloud", "phoenix", "sailing"], "tags: [cloud, phoenix, sailing]   # from the chamber"),
    ("flow_lists.md", "email", ["jane@new.example"], "email: [jane@new.example]"),
    ("flow_lists.md", "last_contact", "2026-11-25", "last_contact: 2026-11-25"),
    ("block_scalars.md", "last_contact", "2026-11-25", "last_contact: 2026-11-25"),
    ("block_scalars.md", "status", "archived", "status: archived"),
    ("quoted.md", "last_contact", "2026-11-25", "last_contact: '2026-11-25' # single-quoted date"),
    ("quoted.md", "follow_up", "2027-06-01", 'follow_up: "2027-06-01"  # double-quoted'),
    ("quoted.md", "follow_up_note", 'It\'s "fine"', 'follow_up_note: "It\'s \\"fine\\""  # a hash inside quotes'),
    ("quoted.md", "name", "Jane O'Doe", "name: 'Jane O''Doe'"),
    ("quoted.md", "phone", "+1 480 555 0199", 'phone: "+1 480 555 0199"'),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("name", "key", "value", "expected"), ONE_LINE_CHANGES)
def test_one_field_change_is_a_one_line_diff(name: str, key: str, value: Any, expected: str, variant: str) -> None:
    before = golden(name, variant)
    after = edit.set_field(before, key, value)
    newline = newline_of(variant)
    [(tag, old, new)] = changed_lines(before, after)
    assert tag == "replace"
    assert len(old) == 1
    assert new == [expected + newline]
    assert front_matter(after)[key] == value
    assert_kept_envelope(before, after)


SAME_VALUES = [
    ("comments.md", "last_contact", "2026-10-21"),
    ("comments.md", "name", "Jane Doe"),
    ("comments.md", "needs_reply", True),
    ("comments.md", "cadence", "30d"),
    ("odd_indent.md", "category", "client"),
    ("odd_indent.md", "aliases", ["Jane", "JD"]),
    ("odd_indent.md", "interests", ["sailing", "jazz"]),
    ("odd_indent.md", "last_contact", "2026-10-21"),
    ("flow_lists.md", "tags", ["cloud", "phoenix"]),
    ("flow_lists.md", "email", ["jane@acme.example"]),
    ("block_scalars.md", "status", "active"),
    ("quoted.md", "name", "Jane Doe"),
    ("quoted.md", "last_contact", "2026-10-21"),
    ("quoted.md", "follow_up", "2027-05-25"),
    ("quoted.md", "follow_up_note", "Not hiring # yet"),
    ("quoted.md", "company", "[[Acme Corp]]"),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("name", "key", "value"), SAME_VALUES)
def test_setting_the_same_value_gives_identical_bytes(name: str, key: str, value: Any, variant: str) -> None:
    before = golden(name, variant)
    assert edit.set_field(before, key, value) == before


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.md")))
def test_split_and_join_is_byte_exact(name: str, variant: str) -> None:
    text = golden(name, variant)
    assert document.split(text).text() == text
    assert edit.clear_field(text, "no_such_key") == text
    assert edit.remove_field(text, "no_such_key") == text


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.md")))
def test_a_missing_key_is_one_line_added_at_the_end_of_the_block(name: str, variant: str) -> None:
    before = golden(name, variant)
    after = edit.set_field(before, "snooze_until", "2026-12-10")
    [(tag, old, new)] = changed_lines(before, after)
    assert (tag, old, new) == ("insert", [], ["snooze_until: 2026-12-10" + newline_of(variant)])
    closing = after.splitlines(keepends=True).index("---" + newline_of(variant), 1)
    assert after.splitlines()[closing - 1] == "snooze_until: 2026-12-10"
    assert front_matter(after)["snooze_until"] == "2026-12-10"
    assert_kept_envelope(before, after)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_block_list_stays_a_block_list_with_its_indentation(variant: str) -> None:
    before = golden("odd_indent.md", variant)
    after = edit.set_field(before, "aliases", ["Jane", "J.D.", "[[Jane Doe]]"])
    nl = newline_of(variant)
    [(tag, old, new)] = changed_lines(before, after)
    assert tag == "replace"
    assert old == ["    - JD" + nl]
    assert new == ["    - J.D." + nl, '    - "[[Jane Doe]]"' + nl]
    assert front_matter(after)["aliases"] == ["Jane", "J.D.", "[[Jane Doe]]"]
    # a block list at the key's own indentation keeps that style too
    after = edit.set_field(before, "interests", ["sailing"])
    [(tag, old, new)] = changed_lines(before, after)
    assert (tag, old, new) == ("delete", ["- jazz" + nl], [])


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_block_scalar_with_a_blank_line_is_replaced_whole(variant: str) -> None:
    before = golden("block_scalars.md", variant)
    nl = newline_of(variant)
    after = edit.set_field(before, "bio", "Short now.")
    [(tag, old, new)] = changed_lines(before, after)
    assert tag == "replace"
    assert old == ["bio: |" + nl, "  Quoted in CIO Weekly." + nl, nl, "  Sails on weekends." + nl]
    assert new == ["bio: Short now." + nl]
    fields = front_matter(after)
    assert fields["bio"] == "Short now."
    assert fields["summary"] == "folded text over two lines"
    # a plain scalar continued on an indented line is one value too
    after = edit.set_field(before, "follow_up_note", "Call in May")
    [(tag, old, new)] = changed_lines(before, after)
    assert old == ["follow_up_note: Ask about the" + nl, "  migration in Q2" + nl]
    assert new == ["follow_up_note: Call in May" + nl]


@pytest.mark.parametrize("variant", VARIANTS)
def test_clear_keeps_the_key_and_its_comment(variant: str) -> None:
    before = golden("comments.md", variant)
    after = edit.clear_field(before, "needs_reply")
    [(tag, old, new)] = changed_lines(before, after)
    assert new == ["needs_reply: # she asked about pricing" + newline_of(variant)]
    assert front_matter(after)["needs_reply"] is None
    assert edit.clear_field(before, "follow_up") == before  # already empty
    assert edit.clear_field(before, "snooze_until") == before  # absent: not added


@pytest.mark.parametrize("variant", VARIANTS)
def test_remove_deletes_exactly_the_key_and_its_block(variant: str) -> None:
    before = golden("odd_indent.md", variant)
    nl = newline_of(variant)
    after = edit.remove_field(before, "aliases")
    assert changed_lines(before, after) == [("delete", ["aliases:" + nl, "    - Jane" + nl, "    - JD" + nl], [])]
    after = edit.remove_field(golden("block_scalars.md", variant), "bio")
    assert "bio" not in front_matter(after)
    assert front_matter(after)["summary"] == "folded text over two lines"


def test_a_key_like_line_in_the_body_is_never_touched() -> None:
    before = golden("odd_indent.md")
    after = edit.set_field(before, "last_contact", "2026-11-25")
    assert after.endswith("last_contact: 1999-01-01\n")
    assert after.count("2026-11-25") == 1


def test_a_key_is_matched_whole_not_by_prefix() -> None:
    text = "---\nfollow_up_note: keep\nfollow_up: 2026-01-01\n---\n"
    after = edit.set_field(text, "follow_up", "2027-01-01")
    assert after == "---\nfollow_up_note: keep\nfollow_up: 2027-01-01\n---\n"


def test_an_indented_root_mapping_gets_new_keys_at_its_own_indentation() -> None:
    text = "---\n  name: Jane\n  last_contact: 2026-10-21\n---\n"
    after = edit.set_field(text, "follow_up", "2027-01-01")
    assert after == "---\n  name: Jane\n  last_contact: 2026-10-21\n  follow_up: 2027-01-01\n---\n"
    assert edit.set_field(text, "last_contact", "2026-11-25") == text.replace("2026-10-21", "2026-11-25")


@pytest.mark.parametrize("bom", ["", document.BOM])
def test_a_note_without_front_matter_gets_a_block_on_top(bom: str) -> None:
    before = bom + "# Jane\r\n\r\nbody\r\n"
    after = edit.set_field(before, "last_contact", "2026-11-25")
    assert after == bom + "---\r\nlast_contact: 2026-11-25\r\n---\r\n# Jane\r\n\r\nbody\r\n"


def test_an_unclosed_fence_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="never closed"):
        edit.set_field("---\nname: Jane\n# no closing fence\n", "last_contact", "2026-11-25")


@pytest.mark.parametrize(
    "value",
    ["yes", "NO", "null", "~", "true", "2026-11-25 10:00", "- dash", "a: b", "#hash", " padded ", "'quote", "[x]", ""],
)
def test_values_that_yaml_would_misread_are_quoted_and_read_back(value: str) -> None:
    after = edit.set_field("---\nname: Jane\n---\n", "note", value)
    assert front_matter(after)["note"] == value


# -- the Log ----------------------------------------------------------------

LOG_CASES = [
    (  # newest first: a new entry goes on top
        "---\nname: J\n---\n# J\n\n## Log\n- 2026-11-20 coffee: a\n- 2026-10-21 email: b\n",
        ("2026-11-25", "new", "call"),
        "---\nname: J\n---\n# J\n\n## Log\n- 2026-11-25 call: new\n- 2026-11-20 coffee: a\n- 2026-10-21 email: b\n",
    ),
    (  # a back-dated entry lands in date order
        "## Log\n- 2026-11-20 coffee: a\n- 2026-10-21 email: b\n",
        ("2026-11-01", "back", None),
        "## Log\n- 2026-11-20 coffee: a\n- 2026-11-01 back\n- 2026-10-21 email: b\n",
    ),
    (  # older than every entry: after the last one (and its continuation line), before the next section
        "## Log\n- 2026-11-20 coffee: a\n  more about a\n\n## Other\ntext\n",
        ("2026-01-01", "old", None),
        "## Log\n- 2026-11-20 coffee: a\n  more about a\n- 2026-01-01 old\n\n## Other\ntext\n",
    ),
    (  # the same day: the new entry is the newer one
        "## Log\n- 2026-11-20 coffee: a\n",
        ("2026-11-20", "second", None),
        "## Log\n- 2026-11-20 second\n- 2026-11-20 coffee: a\n",
    ),
    (  # no heading: created at the end of the body, after a blank line
        "---\nname: J\n---\n# J\n\nSome text",
        ("2026-11-25", "first", None),
        "---\nname: J\n---\n# J\n\nSome text\n\n## Log\n- 2026-11-25 first\n",
    ),
    (  # no body at all
        "---\nname: J\n---\n",
        ("2026-11-25", "first", None),
        "---\nname: J\n---\n## Log\n- 2026-11-25 first\n",
    ),
    (  # an empty Log section followed by another section
        "# J\n\n## Log\n\n## Notes\nx\n",
        ("2026-11-25", "first", None),
        "# J\n\n## Log\n- 2026-11-25 first\n\n## Notes\nx\n",
    ),
    (  # the heading is the last line, without a line ending
        "# J\n\n## Log",
        ("2026-11-25", "first", None),
        "# J\n\n## Log\n- 2026-11-25 first\n",
    ),
    (  # an intro paragraph under the heading stays above the list
        "## Log\nWhat we talked about.\n\n- 2026-11-20 a\n",
        ("2026-11-25", "new", None),
        "## Log\nWhat we talked about.\n\n- 2026-11-25 new\n- 2026-11-20 a\n",
    ),
    (  # a deeper Log heading ends at the next heading of its level or above
        "## People\n### Log\n- 2026-11-20 a\n## Next\n- 2026-01-01 not the log\n",
        ("2025-01-01", "oldest", None),
        "## People\n### Log\n- 2026-11-20 a\n- 2025-01-01 oldest\n## Next\n- 2026-01-01 not the log\n",
    ),
]


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize(("before", "entry", "expected"), LOG_CASES)
def test_insert_log_entry(before: str, entry: tuple[str, str, str | None], expected: str, crlf: bool) -> None:
    if crlf:
        before, expected = before.replace("\n", "\r\n"), expected.replace("\n", "\r\n")
    day, text, kind = entry
    assert edit.insert_log_entry(before, edit.format_log_entry(day, text, kind)) == expected


def test_insert_log_entry_keeps_bom_front_matter_and_timed_order() -> None:
    before = document.BOM + "---\r\nname: J  # c\r\n---\r\n## Log\r\n- 2026-11-20 10:00 a\r\n- 2026-11-20 09:00 b\r\n"
    entry = edit.format_log_entry("2026-11-20", "c", None, "09:30")
    after = edit.insert_log_entry(before, entry)
    assert after == before.replace("- 2026-11-20 09:00 b", "- 2026-11-20 09:30 c\r\n- 2026-11-20 09:00 b")


def test_insert_log_entry_uses_the_configured_heading_case_insensitively() -> None:
    before = "# J\n\n## Interactions ##\n- 2026-11-20 a\n"
    after = edit.insert_log_entry(before, "- 2026-11-25 b", heading="interactions")
    assert after == "# J\n\n## Interactions ##\n- 2026-11-25 b\n- 2026-11-20 a\n"


def test_format_log_entry_is_one_line() -> None:
    assert edit.format_log_entry("2026-11-25", "coffee,\n  talked\tsailing", "coffee") == (
        "- 2026-11-25 coffee: coffee, talked sailing"
    )
    assert edit.format_log_entry("2026-11-25", "x", None, "09:05") == "- 2026-11-25 09:05 x"
    with pytest.raises(ValueError, match="not a log entry"):
        edit.insert_log_entry("## Log\n", "no date here")


# -- properties ---------------------------------------------------------------

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff"), max_size=30
)
_VALUES = st.one_of(_TEXT, st.booleans(), st.lists(_TEXT.filter(lambda s: s.strip() == s and s != ""), max_size=4))


@settings(max_examples=examples(150), deadline=None)
@given(
    name=st.sampled_from(sorted(p.name for p in GOLDEN.glob("*.md"))),
    variant=st.sampled_from(VARIANTS),
    key=st.sampled_from(["name", "last_contact", "tags", "aliases", "follow_up_note", "status", "bio", "new_key"]),
    value=_VALUES,
)
def test_set_field_changes_that_key_only(name: str, variant: str, key: str, value: Any) -> None:
    before = golden(name, variant)
    after = edit.set_field(before, key, value)
    old_fields, new_fields = front_matter(before), front_matter(after)
    assert new_fields[key] == value
    assert {k: v for k, v in new_fields.items() if k != key} == {k: v for k, v in old_fields.items() if k != key}
    assert list(new_fields)[: len(old_fields)] == list(old_fields) or key not in old_fields
    assert_kept_envelope(before, after)
    assert edit.set_field(after, key, value) == after  # setting it again changes nothing
