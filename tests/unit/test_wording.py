"""How counts read in what mdnet writes for people (mdnet.core.wording)."""

from __future__ import annotations

from mdnet.core.wording import counted


def test_one_is_singular_and_more_are_plural() -> None:
    assert (counted(1, "contact"), counted(2, "contact"), counted(0, "note")) == ("1 contact", "2 contacts", "0 notes")


def test_a_count_a_person_reads_separates_its_thousands() -> None:
    assert counted(5000, "contact") == "5,000 contacts"  # as the listings' titles write it
