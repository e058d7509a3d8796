"""Line-level edits of notes a human wrote oddly: the edit still changes only its own lines.

Each test here is a note that once lost or corrupted bytes when mdnet edited it.
"""

from __future__ import annotations

import pytest

from mdnet.note import document, edit, frontmatter_yaml

# Characters that str.splitlines() treats as line breaks but YAML 1.2 and Markdown do not.
NOT_LINE_BREAKS = ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e"]


def front_matter(text: str) -> dict[str, object]:
    loaded, _ = frontmatter_yaml.load(document.split(text).front_matter or "")
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize("char", NOT_LINE_BREAKS)
def test_a_value_holding_a_unicode_line_separator_is_replaced_whole(char: str) -> None:
    before = f"---\nfollow_up_note: pasted{char}from the web\nfollow_up: 2026-12-01\n---\n# Jane\n"
    after = edit.set_field(before, "follow_up_note", "ask again")
    assert after == "---\nfollow_up_note: ask again\nfollow_up: 2026-12-01\n---\n# Jane\n"


@pytest.mark.parametrize("char", NOT_LINE_BREAKS)
def test_a_log_entry_holding_a_unicode_line_separator_is_not_cut_in_two(char: str) -> None:
    before = f"---\nname: Jane\n---\n## Log\n- 2026-11-20 coffee: sailing{char}and jazz\n"
    after = edit.insert_log_entry(before, "- 2026-10-01 older")
    assert after == before + "- 2026-10-01 older\n"


@pytest.mark.parametrize("char", NOT_LINE_BREAKS)
def test_removing_a_key_whose_value_holds_a_unicode_line_separator_removes_all_of_it(char: str) -> None:
    before = f"---\nsnooze_until: one{char}two\nname: Jane\n---\n"
    assert edit.remove_field(before, "snooze_until") == "---\nname: Jane\n---\n"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_comment_line_inside_a_block_list_does_not_end_the_list(newline: str) -> None:
    before = "---\nemail:\n  - jane@acme.example\n# the old one:\n  - jane@old.example\nname: Jane\n---\n"
    before = before.replace("\n", newline)
    after = edit.set_field(before, "email", ["jane@acme.example"])
    assert front_matter(after) == {"email": ["jane@acme.example"], "name": "Jane"}
    assert after == "---\nemail:\n  - jane@acme.example\nname: Jane\n---\n".replace("\n", newline)


def test_removing_a_key_whose_nested_mapping_holds_a_comment_line_leaves_valid_yaml() -> None:
    before = "---\naddress:\n  city: Phoenix\n# moved in 2025\n  state: AZ\nname: Jane\n---\n"
    after = edit.remove_field(before, "address")
    assert after == "---\nname: Jane\n---\n"


def test_a_comment_line_after_a_block_list_stays_with_the_next_key() -> None:
    before = "---\ntags:\n  - a\n# the follow-up:\nfollow_up: 2026-01-01\n---\n"
    after = edit.set_field(before, "tags", ["b"])
    assert after == "---\ntags:\n  - b\n# the follow-up:\nfollow_up: 2026-01-01\n---\n"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_log_added_after_a_closing_fence_without_a_line_ending_starts_on_its_own_line(newline: str) -> None:
    before = "---\nname: Jane\n---".replace("\n", newline)  # what Obsidian writes for a note of properties only
    after = edit.insert_log_entry(before, "- 2026-11-25 coffee")
    assert after == "---\nname: Jane\n---\n## Log\n- 2026-11-25 coffee\n".replace("\n", newline)
    assert document.split(after).front_matter == "name: Jane" + newline


@pytest.mark.parametrize("old", ["x", '"x"', "'x'"])
@pytest.mark.parametrize(
    "value", ["bell\x07here", "del\x7fhere", "nul\x00here", "cr\rhere", "nel\x85here", "ls\u2028here", "c1\x9bhere"]
)
def test_a_value_with_characters_yaml_cannot_hold_bare_is_escaped_and_reads_back(old: str, value: str) -> None:
    after = edit.set_field(f"---\nnote: {old}\nname: Jane\n---\n", "note", value)
    assert front_matter(after) == {"note": value, "name": "Jane"}
    assert edit.set_field("---\nname: Jane\n---\n", "tags", [value, "b"]).count("\n") == 4
    assert front_matter(edit.set_field("---\nname: Jane\n---\n", "tags", [value, "b"]))["tags"] == [value, "b"]


def test_an_anchored_value_keeps_its_anchor() -> None:
    before = "---\nlast_contact: &met 2026-01-01  # first coffee\ntags: &t\n  - a\n---\n"
    after = edit.set_field(edit.set_field(before, "last_contact", "2026-11-25"), "tags", ["b"])
    assert after == "---\nlast_contact: &met 2026-11-25  # first coffee\ntags: &t\n  - b\n---\n"


@pytest.mark.parametrize(
    "before",
    [
        "---\nlast_contact: &met 2026-01-01\nfirst_met: *met\n---\n",
        "---\nfirst_met: 2020-01-01\nlast_contact: &met '2026-01-01'\nmet: [*met]\n---\n",
    ],
)
def test_a_value_that_an_alias_refers_to_is_not_changed_under_it(before: str) -> None:
    with pytest.raises(ValueError, match=r"anchored as &met.*\*met refers to it"):
        edit.set_field(before, "last_contact", "2026-11-25")
    with pytest.raises(ValueError, match=r"anchored as &met"):
        edit.remove_field(before, "last_contact")


@pytest.mark.parametrize(
    ("before", "key", "value", "expected"),
    [
        ("tags: [a,\nb]\nname: X\n", "tags", ["c"], "tags: [c]\nname: X\n"),
        ('note: "first\ncontinued"\nname: X\n', "note", "new", 'note: "new"\nname: X\n'),
        ("note: 'it''s\nlong'\nname: X\n", "note", "new", "note: 'new'\nname: X\n"),
        ("m: {a: 1,\nb: 2}  # c\nname: X\n", "m", "v", "m: v  # c\nname: X\n"),
    ],
)
def test_a_flow_or_quoted_value_over_several_lines_is_replaced_whole(
    before: str, key: str, value: edit.Value, expected: str
) -> None:
    assert edit.set_field(f"---\n{before}---\n", key, value) == f"---\n{expected}---\n"
    assert edit.remove_field(f"---\n{before}---\n", key) == "---\nname: X\n---\n"


def test_an_edit_that_would_break_the_yaml_is_refused() -> None:
    before = "---\n? last_contact\n: 2026-01-01\nname: X\n---\n"  # a complex key: valid, and beyond line edits
    assert front_matter(before)["last_contact"] == "2026-01-01"
    with pytest.raises(ValueError, match="would leave the front matter unreadable; nothing was written"):
        edit.set_field(before, "last_contact", "2026-11-25")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize(
    ("line", "value", "expected"),
    [
        ("last_contact: 2026-01-01   ", "2026-11-25", "last_contact: 2026-11-25   "),
        ("last_contact: '2026-01-01'\t", "2026-11-25", "last_contact: '2026-11-25'\t"),
        ("needs_reply: true  ", False, "needs_reply: false  "),
        ("needs_reply: true  ", None, "needs_reply:  "),
        ("last_contact:\t2026-01-01\t# tab comment", "2026-11-25", "last_contact:\t2026-11-25\t# tab comment"),
    ],
)
def test_trailing_whitespace_and_tabs_on_an_edited_line_survive(
    newline: str, line: str, value: edit.Value, expected: str
) -> None:
    before = f"---{newline}name: Jane   {newline}{line}{newline}---   {newline}body   {newline}"
    assert edit.set_field(before, line.split(":")[0], value) == before.replace(line, expected)


@pytest.mark.parametrize("op", ["set", "clear", "remove"])
def test_a_key_like_line_inside_another_value_is_not_the_key(op: str) -> None:
    before = '---\nbio: "Notes:\nlast_contact: 2020-01-01"\nlast_contact: 2026-01-01\n---\n'
    assert front_matter(before) == {"bio": "Notes: last_contact: 2020-01-01", "last_contact": "2026-01-01"}
    if op == "set":
        after = edit.set_field(before, "last_contact", "2026-11-25")
        assert after == before.replace("2026-01-01", "2026-11-25")
    elif op == "clear":
        assert edit.clear_field(before, "last_contact") == before.replace(" 2026-01-01", "")
    else:
        assert edit.remove_field(before, "last_contact") == before.replace("last_contact: 2026-01-01\n", "")


@pytest.mark.parametrize(
    ("entry", "expected_log"),
    [
        ("- 2026-11-25 new", "## Log\r\n- 2026-11-25 new\r\n- 2026-01-01 a\r\n"),
        ("- 2025-11-25 old", "## Log\r\n- 2026-01-01 a\r\n- 2025-11-25 old\r\n"),
    ],
)
def test_a_log_entry_takes_the_line_ending_of_the_body_it_joins(entry: str, expected_log: str) -> None:
    before = "---\nname: J\n---\n# J\r\n\r\n## Log\r\n- 2026-01-01 a\r\n"  # LF front matter, CRLF body
    assert edit.insert_log_entry(before, entry) == "---\nname: J\n---\n# J\r\n\r\n" + expected_log
    new_heading = edit.insert_log_entry("---\nname: J\n---\n# J\r\n\r\nbody\r\n", entry)
    assert new_heading == "---\nname: J\n---\n# J\r\n\r\nbody\r\n\r\n## Log\r\n" + entry + "\r\n"


@pytest.mark.parametrize(
    ("line", "new", "expected"),
    [
        ('name: "Ann \\"AJ\\" #1"\n', "Bo", 'name: "Bo"\n'),
        ('name: "Ann \\"AJ\\" #1"  # keep\n', "Bo", 'name: "Bo"  # keep\n'),
        ("name: 'it''s #1'\n", "Bo", "name: 'Bo'\n"),
        ('tags: ["a\\" #b", c]\n', ["x"], "tags: [x]\n"),
        ('tags: ["a\\" #b", c]  # keep\n', ["x"], "tags: [x]  # keep\n"),
    ],
)
def test_a_quoted_value_holding_quote_space_hash_is_no_comment(line: str, new: object, expected: str) -> None:
    """`"Ann \\"AJ\\" #1"` ends at its last quote: the ` #1"` inside it is not a comment to keep."""
    assert edit.set_field(f"---\n{line}---\n", "name" if line.startswith("name") else "tags", new) == (
        f"---\n{expected}---\n"
    )
