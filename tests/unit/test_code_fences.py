"""A fenced code block is code, not Markdown: a ``## Log`` or a ``# comment`` in it is no heading.

The reader (contact.parse_note), the writer (edit.insert_log_entry) and the merge
driver (merge3) must agree with Obsidian here, or mdnet writes entries into code.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdnet.merge.notes import merge_note
from mdnet.note import document, edit
from mdnet.note.contact import ParseSettings, parse_note

EXAMPLE_FIRST = (
    "---\nname: Jane\n---\n# Jane\n\nHow I keep notes:\n\n"
    "```markdown\n## Log\n- 2020-01-01 an example, not an interaction\n```\n\n"
    "## Log\n- 2026-11-20 coffee: sailing\n"
)
SNIPPET_IN_LOG = (
    "---\nname: Jane\n---\n## Log\n- 2026-11-20 email: sent the install steps\n"
    "~~~sh\n# install\npip install mdnet\n~~~\n- 2026-10-01 call: kickoff\n\n## Notes\nx\n"
)


def log_of(text: str) -> list[tuple[str, str]]:
    parsed = parse_note(text, "people/Jane.md", contact_folder=True, settings=ParseSettings())
    assert parsed.contact is not None
    return [(entry.date.isoformat(), entry.text) for entry in parsed.contact.log]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_log_heading_inside_a_code_block_is_not_the_log(newline: str) -> None:
    text = EXAMPLE_FIRST.replace("\n", newline)
    assert log_of(text) == [("2026-11-20", "sailing")]
    after = edit.insert_log_entry(text, "- 2026-11-25 call")
    assert after == text.replace(
        "## Log" + newline + "- 2026-11-20", "## Log" + newline + "- 2026-11-25 call" + newline + "- 2026-11-20"
    )
    assert log_of(after) == [("2026-11-25", "call"), ("2026-11-20", "sailing")]


def test_a_comment_inside_a_code_block_does_not_end_the_log() -> None:
    assert log_of(SNIPPET_IN_LOG) == [("2026-11-20", "sent the install steps"), ("2026-10-01", "kickoff")]
    after = edit.insert_log_entry(SNIPPET_IN_LOG, "- 2026-09-01 met")
    assert after == SNIPPET_IN_LOG.replace("kickoff\n", "kickoff\n- 2026-09-01 met\n")


@pytest.mark.parametrize("end", ["", "\n", "\nmore code\n", "\n\n"])
def test_an_unclosed_code_block_runs_to_the_end_of_the_note_and_log_says_so(end: str) -> None:
    text = "---\nname: Jane\n---\n# Jane\n\n```\n## Log\n- 2020-01-01 code" + end
    assert log_of(text) == []
    with pytest.raises(ValueError, match="ends inside a code block that is never closed"):
        edit.insert_log_entry(text, "- 2026-11-25 call")  # the entry would be code, not a log entry


def test_the_merge_driver_leaves_a_fenced_example_alone() -> None:
    ours = edit.insert_log_entry(EXAMPLE_FIRST, "- 2026-11-25 call")
    theirs = edit.insert_log_entry(EXAMPLE_FIRST, "- 2026-11-24 email")
    result = merge_note(EXAMPLE_FIRST, ours, theirs)
    assert result.clean
    assert log_of(result.text) == [("2026-11-25", "call"), ("2026-11-24", "email"), ("2026-11-20", "sailing")]
    assert "```markdown\n## Log\n- 2020-01-01 an example, not an interaction\n```\n" in result.text


@given(
    st.lists(st.sampled_from(["```", "~~~~", "  ```py", "## Log", "- 2026-01-01 a", "# x", "", "text\r"]), max_size=12)
)
def test_masking_keeps_every_position_and_line_ending(parts: list[str]) -> None:
    text = "\n".join(parts)
    masked = document.mask_code_blocks(text)
    assert len(masked) == len(text)
    assert [i for i, c in enumerate(masked) if c in "\r\n"] == [i for i, c in enumerate(text) if c in "\r\n"]
