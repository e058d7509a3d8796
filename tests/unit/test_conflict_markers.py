"""Git's conflict markers in a note: found, and read as the first side with every line kept in place."""

from __future__ import annotations

from mdnet.note.conflicts import conflict_blocks, first_conflict_line, first_side

CONFLICTED = (
    "---\nname: Jane\n<<<<<<< HEAD\nlast_contact: 2026-11-01\n||||||| base\nlast_contact: 2026-10-01\n"
    "=======\nlast_contact: 2026-11-03\n>>>>>>> other\n---\nbody\n"
)


def test_the_first_conflict_is_found_at_its_start_marker() -> None:
    assert first_conflict_line(CONFLICTED) == 3


def test_a_heading_underline_or_a_lone_marker_is_no_conflict() -> None:
    assert first_conflict_line("# Notes\n\nTitle\n=======\n\ntext\n") is None
    assert first_conflict_line("<<<<<<< HEAD\nno middle, no end\n") is None
    assert first_conflict_line("<<<<<<< HEAD\na\n=======\nb\n") is None


def test_the_first_side_keeps_every_line_number() -> None:
    read = first_side(CONFLICTED)
    assert read.count("\n") == CONFLICTED.count("\n")
    assert read.splitlines()[3] == "last_contact: 2026-11-01"
    assert "2026-11-03" not in read
    assert "2026-10-01" not in read
    assert "<<<" not in read
    assert ">>>" not in read


def test_crlf_lines_stay_crlf() -> None:
    read = first_side(CONFLICTED.replace("\n", "\r\n"))
    assert read.count("\r\n") == CONFLICTED.count("\n")


def test_an_edit_outside_the_conflict_leaves_its_blocks_as_they_were() -> None:
    outside = CONFLICTED.replace("name: Jane\n", "name: Jane\nrole: CTO\n")
    assert conflict_blocks(outside) == conflict_blocks(CONFLICTED)
    inside = CONFLICTED.replace("last_contact: 2026-11-01", "last_contact: 2026-12-01")
    assert conflict_blocks(inside) != conflict_blocks(CONFLICTED)
