"""Splitting a note never loses a byte; front matter only ever starts on line 1."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdnet.note import document

CASES = {
    "plain": ("---\nname: Jane\n---\n# Jane\n", "name: Jane\n", "# Jane\n"),
    "crlf": ("---\r\nname: Jane\r\n---\r\nBody\r\n", "name: Jane\r\n", "Body\r\n"),
    "bom": ("\ufeff---\nname: Jane\n---\nBody", "name: Jane\n", "Body"),
    "no front matter": ("# Jane\n\nText\n", None, "# Jane\n\nText\n"),
    "empty front matter": ("---\n---\nBody\n", "", "Body\n"),
    "dots close": ("---\nname: Jane\n...\nBody\n", "name: Jane\n", "Body\n"),
    "rule in body": ("---\na: 1\n---\nx\n\n---\n\ny\n", "a: 1\n", "x\n\n---\n\ny\n"),
    "rule not on line 1": ("\n---\na: 1\n---\n", None, "\n---\na: 1\n---\n"),
    "closing at end without newline": ("---\na: 1\n---", "a: 1\n", ""),
    "fence with trailing spaces": ("---  \na: 1\n---\t\nB\n", "a: 1\n", "B\n"),
    "not a fence": ("----\na: 1\n---\n", None, "----\na: 1\n---\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_split_known_cases(name: str) -> None:
    text, front_matter, body = CASES[name]
    doc = document.split(text)
    assert doc.front_matter == front_matter
    assert doc.body == body
    assert doc.text() == text


def test_unclosed_fence_is_body_and_flagged() -> None:
    doc = document.split("---\nname: Jane\nno closing fence\n")
    assert doc.front_matter is None
    assert doc.unclosed
    assert doc.body == "---\nname: Jane\nno closing fence\n"


def test_newline_style_and_body_line() -> None:
    doc = document.split("---\r\na: 1\r\nb: 2\r\n---\r\nBody\r\n")
    assert doc.newline == "\r\n"
    assert doc.body_line == 5
    assert document.split("Body only\n").body_line == 1


def test_decode_reports_line_and_column_of_bad_byte() -> None:
    with pytest.raises(document.DecodeProblem) as info:
        document.decode(b"---\nname: J\xe9\n---\n")
    assert (info.value.line, info.value.column) == (2, 8)
    assert "UTF-8" in info.value.message


note_lines = st.sampled_from(["---", "...", "name: Jane", "", "# Title", "- 2026-01-01 x", "---  ", "text"])


@given(
    bom=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
    lines=st.lists(note_lines | st.text(max_size=12), max_size=12),
    final_newline=st.booleans(),
)
def test_split_join_is_identity(bom: bool, newline: str, lines: list[str], final_newline: bool) -> None:
    text = ("\ufeff" if bom else "") + newline.join(lines) + (newline if final_newline else "")
    doc = document.split(text)
    assert doc.text() == text
    if doc.front_matter is not None:
        assert text.lstrip("\ufeff").startswith("---")


@given(st.text(max_size=200))
def test_split_join_identity_on_any_text(text: str) -> None:
    assert document.split(text).text() == text


# The closing fence as document.split found it until session 6: the first line from the front matter's first
# on that starts with --- or ..., then only blanks (a look-behind for the line's start, searched from there).
_REFERENCE_CLOSE = re.compile(r"(?:---|\.\.\.)(?<![^\n]...)[ \t]*(?:\r?\n|$)", re.MULTILINE)


@given(
    opening=st.sampled_from(["---\n", "---\r\n", "---  \n", "--- \t\r\n"]),
    rest=st.lists(
        st.sampled_from(["-", ".", "\n", "\r", " ", "\t", "x", ":", "---", "...", "\n---", "\n...", "\r\n"]),
        max_size=30,
    ).map("".join),
)
def test_the_closing_fence_is_the_one_the_reference_pattern_finds(opening: str, rest: str) -> None:
    text = opening + rest
    found = _REFERENCE_CLOSE.search(text, len(opening))
    doc = document.split(text)
    if found is None:
        assert doc.front_matter is None and doc.unclosed
    else:
        assert (doc.front_matter, doc.closing, doc.body) == (rest[: found.start() - len(opening)], found.group(0),
                                                             text[found.end() :])  # fmt: skip
