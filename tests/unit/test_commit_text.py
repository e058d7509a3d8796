"""commit_text: one-line text, one subject rule, and which trailer blocks mdnet trusts."""

from __future__ import annotations

import pytest

from mdnet.git.commit_text import first_line, flat, message, subject, trusted_trailers


def test_flat_replaces_every_line_break_and_control_character() -> None:
    assert flat(" Eve\nMessage-ID: <x>\r\u2028\u2029\x85\x1b[2J\x00\t b ") == "Eve Message-ID: <x> [2J b"
    assert flat("Jane  Doe") == "Jane Doe"


def test_subject_is_flat_and_cut_to_72_characters() -> None:
    assert subject("a\nb") == "a b"
    cut = subject("x" * 100)
    assert len(cut) == 72 and cut.endswith("…")


def test_first_line() -> None:
    assert first_line("\n  \n fatal: no\nmore") == "fatal: no"
    assert first_line("", "(no message)") == "(no message)"


def test_message_ends_with_a_trailer_block_mdnet_trusts() -> None:
    text = message("Log\nx", ["body\nMessage-ID: <a>"], [("Contact", "Eve\nMessage-ID: <b>")])
    assert text == "Log x\n\nbody Message-ID: <a>\n\nContact: Eve Message-ID: <b>\nMdnet: 1\n"
    title, block = text.splitlines()[0], text.split("\n\n")[-1]
    assert trusted_trailers(block, title) == [("Contact", "Eve Message-ID: <b>")]


@pytest.mark.parametrize(
    ("block", "title"),
    [
        ("Message-ID: <x>\n", "my own commit"),  # a user's commit
        ("Contact: Eve\nMessage-ID: <x>\nMdnet: 1\nMdnet: 1\n", "Log email with Eve"),  # two markers
        ("some text\nMessage-ID: <x>\nMdnet: 1\n", "x"),  # not a trailer block
        ("Message-ID: <x>\n  folded\nMdnet: 1\n", "x"),  # a folded value
        # before the marker: a name's line lands before the trailers mdnet wrote after it
        ("Contact: Eve\nMessage-ID: <x>\nInteraction: email\nMessage-ID: <m>\n", "Log email with Eve: hi"),
        ("Contact: Eve\nInteraction: email\nMessage-ID: <x>\nInteraction: email\n", "Log email with Eve"),
        ("Contact: Eve\nInteraction: email\nMessage-ID: <x>\n", "Update Eve"),  # autocommit: names only
        ("Contact: E\nInteraction: email\nMessage-ID: <x>\nX: from mail\n", "Update E Interaction: from mail"),
    ],
)
def test_untrusted_blocks(block: str, title: str) -> None:
    assert trusted_trailers(block, title) is None


def test_old_mdnet_commits_are_read_in_their_own_order() -> None:
    block = "Contact: Eve\nInteraction: email\nInteraction-Date: 2026-11-17\nMessage-ID: <a>\nMessage-ID: <b>\n"
    assert trusted_trailers(block, "Log 2 emails with Eve") == [
        ("Contact", "Eve"),
        ("Interaction", "email"),
        ("Interaction-Date", "2026-11-17"),
        ("Message-ID", "<a>"),
        ("Message-ID", "<b>"),
    ]
    assert trusted_trailers("Message-ID: <a>\n", "Mail scan: 1 message seen, no note changed") == [
        ("Message-ID", "<a>")
    ]
    assert trusted_trailers("Contact: Eve\nFollow-Up: 2026-12-01\n", "Follow up with Eve on 2026-12-01") == [
        ("Contact", "Eve"),
        ("Follow-Up", "2026-12-01"),
    ]


def test_a_hook_s_trailer_after_mdnet_s_block_is_allowed() -> None:
    block = "Contact: Eve\nMdnet: 1\nSigned-off-by: Me <me@x>\n"
    assert trusted_trailers(block, "Log call with Eve: hi") == [("Contact", "Eve")]
