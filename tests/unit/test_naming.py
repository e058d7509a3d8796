"""File names that never leave the contact folder; lookups by name, alias, stem or prefix."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mdnet.core.model import Contact
from mdnet.core.naming import file_stem, find_contact, wikilink
from mdnet.errors import AmbiguousName, ContactNotFound
from mdnet.store.files import is_note_name


def person(name: str, stem: str | None = None, aliases: tuple[str, ...] = ()) -> Contact:
    stem = stem or name
    return Contact(path=f"people/{stem}.md", name=name, stem=stem, fields={}, aliases=aliases)


PEOPLE = [
    person("Jane Doe", aliases=("JD",)),
    person("Bob Baker", stem="bob-overdue"),
    person("Bob Smith"),
    person("José Álvarez"),
    person("Jane Roe"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Jane Doe", "Jane Doe"),
        ("jane doe", "Jane Doe"),
        ("jd", "Jane Doe"),
        ("bob-overdue", "Bob Baker"),
        ("jose alvarez", "José Álvarez"),
        ("JOSÉ", "José Álvarez"),
        ("bob ba", "Bob Baker"),
        ("[[bob-overdue|Bob Baker]]", "Bob Baker"),
        ("people/Jane Doe.md", "Jane Doe"),
    ],
)
def test_find_contact(query: str, expected: str) -> None:
    assert find_contact(PEOPLE, query).name == expected


def test_ambiguous_prefix_lists_every_candidate_with_its_path() -> None:
    with pytest.raises(AmbiguousName) as info:
        find_contact(PEOPLE, "bob")
    assert info.value.candidates == [("Bob Baker", "people/bob-overdue.md"), ("Bob Smith", "people/Bob Smith.md")]
    assert "people/bob-overdue.md" in str(info.value)


def test_same_exact_name_twice_is_ambiguous() -> None:
    twins = [person("Jane Doe"), Contact(path="work/Jane Doe.md", name="Jane Doe", stem="Jane Doe", fields={})]
    with pytest.raises(AmbiguousName):
        find_contact(twins, "jane doe")


def test_unknown_name_suggests_near_misses() -> None:
    assert find_contact(PEOPLE, "Jane Do").name == "Jane Doe"  # word prefixes of Jane Doe only
    with pytest.raises(ContactNotFound) as info:
        find_contact(PEOPLE, "Jnae Doe")
    assert ("Jane Doe", "people/Jane Doe.md") in info.value.candidates
    assert info.value.exit_code == 1


def test_wikilinks_resolve_in_obsidian() -> None:
    assert wikilink(PEOPLE[0]) == "[[Jane Doe]]"
    assert wikilink(PEOPLE[1]) == "[[bob-overdue|Bob Baker]]"


@pytest.mark.parametrize(
    ("name", "title", "slug"),
    [
        ("Jane Doe", "Jane Doe", "jane-doe"),
        ("José Álvarez", "José Álvarez", "jose-alvarez"),
        ("../../etc/passwd", "etc passwd", "etc-passwd"),
        ("a/b\\c:d", "a b c d", "a-b-c-d"),
        ("...", "contact", "contact"),
        ("CON", "CON-contact", "con-contact"),
        ('Dr. "Who" [PhD]', "Dr. Who PhD", "dr-who-phd"),
    ],
)
def test_file_stems(name: str, title: str, slug: str) -> None:
    assert file_stem(name) == title
    assert file_stem(name, "slug") == slug


@given(st.text(min_size=1, max_size=300))
@example("aux." + "x" * 200)
def test_a_file_stem_can_never_leave_its_folder(name: str) -> None:
    for mode in ("title", "slug"):
        stem = file_stem(name, mode)
        assert stem
        assert "/" not in stem and "\\" not in stem and "\x00" not in stem
        assert not stem.startswith(".")
        assert stem not in (".", "..")
        assert len(stem.encode("utf-8")) <= 120


@given(st.text(min_size=1, max_size=300))
@example("~Tilde Jones")
@example(". ~.~x")
def test_a_new_contacts_file_is_one_that_the_scan_reads(name: str) -> None:
    for mode in ("title", "slug"):
        assert is_note_name(file_stem(name, mode) + ".md"), name  # '~x.md' is an editor temporary: never read


def test_a_name_starting_with_a_tilde_gets_a_file_the_scan_reads() -> None:
    assert file_stem("~Tilde Jones") == "Tilde Jones"


def test_an_unknown_name_that_is_a_later_word_of_names_suggests_each_of_them() -> None:
    """`mdnet show ortiz` with Luis and Teresa Ortiz: both are candidates (spec: an unknown name
    lists the candidates). The close-spelling match alone found Luis but not Teresa (her name is
    longer), and found no candidate at all for `doe`."""
    family = [*PEOPLE, person("Luis Ortiz"), person("Teresa Ortiz")]
    with pytest.raises(ContactNotFound) as info:
        find_contact(family, "ortiz")
    assert info.value.candidates[:2] == [
        ("Luis Ortiz", "people/Luis Ortiz.md"),
        ("Teresa Ortiz", "people/Teresa Ortiz.md"),
    ]
    with pytest.raises(ContactNotFound) as info:
        find_contact(PEOPLE, "doe")
    assert ("Jane Doe", "people/Jane Doe.md") in info.value.candidates
    with pytest.raises(ContactNotFound) as info:
        find_contact(PEOPLE, "alvar")
    assert info.value.candidates[0] == ("José Álvarez", "people/José Álvarez.md")
