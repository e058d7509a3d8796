"""The merge-into-contact engine: fill empty fields, extend lists, never overwrite, keep every other byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdnet.core.model import Contact
from mdnet.interop.import_merge import (
    Change,
    Incoming,
    apply_changes,
    clean_birthday,
    combine,
    match_contact,
    plan_changes,
    plan_import,
)
from mdnet.interop.importing import run_import
from mdnet.note.contact import ParseSettings, parse_note
from mdnet.note.list_edit import append_list_items
from mdnet.vault.facade import Vault

NOTE = """\
---
name: Jane Doe   # as she signs
aliases: [JD]
company: "[[Acme Corp]]"
role:
email: [jane@acme.example]  # work
phone: "+1 480 555 0100"
links:
  - https://jane.example/blog
cadence: 30d
---
# Jane Doe

## Log
- 2026-11-20 coffee: sailing
"""


def contact_of(text: str, path: str = "people/Jane Doe.md") -> Contact:
    parsed = parse_note(text, path, contact_folder=True, settings=ParseSettings())
    assert parsed.contact is not None, parsed.problems
    return parsed.contact


def test_plan_fills_empty_fields_and_never_overwrites() -> None:
    incoming = Incoming(
        "Jane Doe",
        emails=("JANE@acme.example", "jane@home.example"),
        phones=("(480) 555-0100", "+1 602 555 0199"),
        company="Initech",
        role="CTO",
        location="Scottsdale, AZ",
        birthday="1984-06-02",
        links=("https://jane.example/blog/",),
    )
    changes = plan_changes(contact_of(NOTE).fields, incoming)
    assert changes == [
        Change("role", "set", "CTO"),
        Change("location", "set", "Scottsdale, AZ"),
        Change("birthday", "set", "1984-06-02"),
        Change("email", "append", ("jane@home.example",)),
        Change("phone", "append", ("+1 602 555 0199",)),
    ]


def test_a_linkedin_connection_date_is_a_scalar_filled_once() -> None:
    incoming = Incoming("Jane Doe", linkedin_connected="2024-03-12")
    assert plan_changes(contact_of(NOTE).fields, incoming) == [Change("linkedin_connected", "set", "2024-03-12")]
    mine = NOTE.replace("cadence: 30d\n", "cadence: 30d\nlinkedin_connected: 2019-01-01\n")
    assert plan_changes(contact_of(mine).fields, incoming) == []  # the note's date is never replaced
    (combined,) = combine([Incoming("Jane Doe"), incoming, Incoming("Jane Doe", linkedin_connected="2025-01-01")])
    assert combined.linkedin_connected == "2024-03-12"  # the first record that has one wins
    # it is no contact: the effective last contact stays the note's own
    updated = contact_of(apply_changes(NOTE, plan_changes(contact_of(NOTE).fields, incoming)))
    assert updated.fields["linkedin_connected"] == "2024-03-12"
    assert updated.last_contact == contact_of(NOTE).last_contact


def test_apply_changes_edits_only_the_lines_meant_to_change() -> None:
    changes = [
        Change("role", "set", "CTO"),
        Change("email", "append", ("jane@home.example",)),
        Change("phone", "append", ("+1 602 555 0199",)),
        Change("links", "append", ("https://github.com/jane",)),
        Change("birthday", "set", "--06-02"),
    ]
    updated = apply_changes(NOTE, changes)
    assert updated == NOTE.replace("role:\n", "role: CTO\n").replace(
        "email: [jane@acme.example]  # work", "email: [jane@acme.example, jane@home.example]  # work"
    ).replace('phone: "+1 480 555 0100"', 'phone: ["+1 480 555 0100", +1 602 555 0199]').replace(
        "  - https://jane.example/blog\n", "  - https://jane.example/blog\n  - https://github.com/jane\n"
    ).replace("cadence: 30d\n", "cadence: 30d\nbirthday: --06-02\n")
    reread = contact_of(updated)
    assert reread.emails == ("jane@acme.example", "jane@home.example")
    assert reread.fields["phone"] == ["+1 480 555 0100", "+1 602 555 0199"]
    assert reread.birthday == (None, 6, 2)


def test_append_keeps_crlf_and_bom() -> None:
    text = "\ufeff---\r\nname: A\r\nemail:\r\n    - a@x.example\r\n---\r\nbody\r\n"
    updated = append_list_items(text, "email", ["b@x.example"])
    assert updated == "\ufeff---\r\nname: A\r\nemail:\r\n    - a@x.example\r\n    - b@x.example\r\n---\r\nbody\r\n"


def test_append_to_missing_or_empty_list_sets_it() -> None:
    assert append_list_items("---\nname: A\n---\n", "email", ["a@x"]) == "---\nname: A\nemail: [a@x]\n---\n"
    assert append_list_items("---\nemail: []\n---\n", "email", ["a@x"]) == "---\nemail: [a@x]\n---\n"


def test_append_item_needing_quotes_reads_back() -> None:
    updated = append_list_items("---\naliases: [JD]\n---\n", "aliases", ["Doe, Jane", "#1"])
    reread = contact_of(updated)
    assert reread.aliases == ("JD", "Doe, Jane", "#1")


def test_match_by_email_then_name_accent_insensitive() -> None:
    jane = contact_of(NOTE)
    jose = contact_of("---\nname: José Álvarez\n---\n", "people/José Álvarez.md")
    assert match_contact([jane, jose], Incoming("Somebody", emails=("Jane@ACME.example",))).contact == jane
    found = match_contact([jane, jose], Incoming("jose alvarez"))
    assert found.contact == jose
    assert found.by == "name"
    assert match_contact([jane, jose], Incoming("JD")).contact == jane
    assert match_contact([jane, jose], Incoming("Nobody")).contact is None


def test_ambiguous_match_is_skipped_not_guessed() -> None:
    one = contact_of("---\nname: Sam Lee\nemail: [sam@x.example]\n---\n", "people/Sam Lee.md")
    two = contact_of("---\nname: Sam Lee\n---\n", "people/Sam Lee 2.md")
    plans = plan_import([one, two], [Incoming("Sam Lee")])
    assert plans[0].action == "skip"
    assert "people/Sam Lee.md" in plans[0].reason
    assert "people/Sam Lee 2.md" in plans[0].reason
    # an email that points at one of them settles it
    assert plan_import([one, two], [Incoming("Sam Lee", emails=("sam@x.example",))])[0].action == "unchanged"


def test_combine_merges_records_of_the_same_person() -> None:
    records = [
        Incoming("Jane Doe", emails=("jane@a.example",), role="CTO"),
        Incoming("J. Doe", emails=("JANE@a.example", "jd@b.example"), company="Acme"),
        Incoming("jane doe", phones=("+1 480 555 0100",), role="CEO"),
    ]
    (one,) = combine(records)
    assert one.emails == ("jane@a.example", "jd@b.example")
    assert one.role == "CTO"
    assert one.company == "Acme"
    assert one.phones == ("+1 480 555 0100",)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1984-06-02", "1984-06-02"),
        ("19840602", "1984-06-02"),
        ("--0602", "--06-02"),
        ("--06-02", "--06-02"),
        ("1604-06-02", "--06-02"),
        ("1984-06-02T00:00:00Z", "1984-06-02"),
        ("--02-29", "--02-29"),
        ("1985-02-29", None),
        ("June 2", None),
        ("", None),
    ],
)
def test_clean_birthday(raw: str, expected: str | None) -> None:
    assert clean_birthday(raw) == expected


def test_run_import_creates_through_add_template_and_merges(vault_dir: Path) -> None:
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates" / "contact.md").write_text("---\ntype: contact\n---\n# {{name}}\n\n## Log\n")
    (vault_dir / "people" / "Jane Doe.md").write_text(NOTE)
    records = [
        # her known address too: by the name alone a different address would be another Jane
        Incoming("Jane Doe", emails=("JANE@acme.example", "jane@home.example"), role="CTO"),
        Incoming(
            "Bob Baker", emails=("bob@b.example",), phones=("+1 555 0100 200",), company="Globex", birthday="--03-04"
        ),  # fmt: skip
    ]
    with Vault.open(vault_dir) as vault:
        dry = run_import(vault, records, dry_run=True)
        assert [o.action for o in dry] == ["update", "create"]
        assert not (vault_dir / "people" / "Bob Baker.md").exists()
        assert (vault_dir / "people" / "Jane Doe.md").read_text() == NOTE
        done = run_import(vault, records, category="imported")
    assert [o.action for o in done] == ["update", "create"]
    bob = (vault_dir / "people" / "Bob Baker.md").read_text()
    assert bob == (
        '---\ntype: contact\nname: Bob Baker\ncategory: imported\ncompany: "[[Globex]]"\n'
        "email: [bob@b.example]\nbirthday: --03-04\nphone: +1 555 0100 200\ncadence: 90d\n---\n# Bob Baker\n\n## Log\n"
    )
    jane = (vault_dir / "people" / "Jane Doe.md").read_text()
    assert "role: CTO\n" in jane
    assert "email: [jane@acme.example, jane@home.example]  # work\n" in jane
    # a second import of the same data changes nothing
    with Vault.open(vault_dir) as vault:
        again = run_import(vault, records)
    assert [o.action for o in again] == ["unchanged", "unchanged"]
    assert (vault_dir / "people" / "Jane Doe.md").read_text() == jane


def test_control_characters_never_reach_a_note() -> None:
    (one,) = combine([Incoming("Jane\x00 Doe\n", emails=("jane@x.example\r",), role="CTO\x07", aliases=("\x00",))])
    assert one.name == "Jane Doe"
    assert one.emails == ("jane@x.example",)
    assert one.role == "CTO"
    assert one.aliases == ()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # a comment on an item and a comment line between items
            "---\nemail:\n  - a@x.example  # work\n  # old address, still read\n  - b@x.example\nname: X\n---\n",
            "---\nemail:\n  - a@x.example  # work\n  # old address, still read\n  - b@x.example\n"
            "  - new@x.example\nname: X\n---\n",
        ),
        (  # a blank line between items
            "---\nemail:\n  - a@x.example\n\n  - b@x.example\n---\n",
            "---\nemail:\n  - a@x.example\n\n  - b@x.example\n  - new@x.example\n---\n",
        ),
        (  # a comment line after the last item belongs to what follows: the new item goes above it
            "---\nemail:\n- a@x.example\n- b@x.example  # home\n# personal details\nname: X\n---\n",
            "---\nemail:\n- a@x.example\n- b@x.example  # home\n- new@x.example\n# personal details\nname: X\n---\n",
        ),
    ],
)
def test_append_to_a_block_list_keeps_its_comments_and_blank_lines(before: str, after: str) -> None:
    assert append_list_items(before, "email", ["new@x.example"]) == after


def test_records_that_match_one_contact_in_different_ways_make_one_plan(vault_dir: Path) -> None:
    # one card found Jane by name, another (a different name, no shared key) by her email:
    # two plans for one note would have the second fail as "changed since read"
    (vault_dir / "people" / "Jane Doe.md").write_text("---\nname: Jane Doe\nemail: [jane@acme.example]\n---\n")
    vault = Vault.open(vault_dir)
    records = [Incoming("Jane Doe", phones=("+1 555 0100",)),
               Incoming("J. Doe", emails=("jane@acme.example",), phones=("+1 555 0100",), role="CTO")]  # fmt: skip
    (plan,) = plan_import(vault.contacts(), records)
    assert plan.action == "update"
    assert [c.describe() for c in plan.changes] == ["role: CTO", "phone: +1 555 0100"]
    outcomes = run_import(vault, records)
    assert [o.action for o in outcomes] == ["update"]
    assert (vault_dir / "people" / "Jane Doe.md").read_text() == (
        "---\nname: Jane Doe\nemail: [jane@acme.example]\nrole: CTO\nphone: +1 555 0100\n---\n"
    )


def test_a_new_note_gets_each_email_and_phone_once(vault_dir: Path) -> None:
    # Google's "a ::: A" cells and phones written two ways are one item each, as when merging
    records = [Incoming("Ann Lee", emails=("ann@x.example", "ANN@x.example"), phones=("(480) 555-0100",
                        "+1 480 555 0100"), aliases=("Annie", "annie"))]  # fmt: skip
    (outcome,) = run_import(Vault.open(vault_dir), records)
    assert outcome.action == "create"
    text = (vault_dir / "people" / "Ann Lee.md").read_text()
    assert "email: [ann@x.example]\n" in text
    assert "phone: (480) 555-0100\n" in text
    assert "aliases: [Annie]\n" in text


# -- one name, two people --------------------------------------------------
# A name is no proof: two people can share one. A match by name (alias, file name) is trusted only when no
# identity key contradicts it (another LinkedIn profile, or emails with none in common). Otherwise the record
# is another person: a second note ("John Smith 2"), and the plan says why (issue 18 item 5; these tests
# asserted a skip before, which left the second person out of the vault and dropped their company).

JOHN = "---\nname: John Smith\nemail: [john@acme.example]\n---\n# John Smith\n"


def test_a_name_match_with_no_email_in_common_is_a_second_note_and_says_why() -> None:
    john = contact_of(JOHN, "people/John Smith.md")
    (plan,) = plan_import([john], [Incoming("John Smith", emails=("jsmith@other.example",), role="CTO",
                                            source="phone.vcf card 2")])  # fmt: skip
    # was a skip ("matches people/John Smith.md by name but no email in common ..."): now another person
    assert (plan.action, plan.incoming.name, plan.changes) == ("create", "John Smith 2", ())
    assert plan.reason == (
        "a second note: another person than John Smith, as people/John Smith.md has no email in common "
        "(john@acme.example)"
    )
    assert "\n" not in plan.reason
    # the matcher says so too: the contact the name finds is no match
    found = match_contact([john], Incoming("John Smith", emails=("JSMITH@other.example",)))
    assert (found.contact, found.contradicted, found.by) == (None, john, "name")
    # by alias or by file name, it is the same rule
    (by_alias,) = plan_import([contact_of("---\nname: John Smith\naliases: [Johnny]\nemail: [john@acme.example]\n"
                                          "---\n", "people/jsmith.md")],
                              [Incoming("johnny", emails=("johnny@other.example",))])  # fmt: skip
    # was a skip: now a second note, named after the record
    assert (by_alias.action, by_alias.incoming.name) == ("create", "johnny 2")
    assert "people/jsmith.md has no email in common" in by_alias.reason


def test_a_name_match_the_emails_do_not_contradict_still_merges() -> None:
    john = contact_of(JOHN, "people/John Smith.md")
    ann = contact_of("---\nname: Ann Lee\n---\n", "people/Ann Lee.md")
    # no email on the record: the name is all there is, as in most LinkedIn rows
    (plan,) = plan_import([john], [Incoming("John Smith", phones=("+1 555 0100 200",))])
    assert (plan.action, plan.matched_by) == ("update", "name")
    # no email on the note: the record's is added
    (plan,) = plan_import([ann], [Incoming("ann lee", emails=("ann@x.example",))])
    assert plan.action == "update"
    assert [c.describe() for c in plan.changes] == ["email += ann@x.example"]
    # a shared email (case-insensitive) is a match by email, whatever the name's spelling
    (plan,) = plan_import([john], [Incoming("J. Smith", emails=("jsmith@other.example", "JOHN@acme.example"))])
    assert (plan.action, plan.matched_by) == ("update", "email")
    assert [c.describe() for c in plan.changes] == ["email += jsmith@other.example"]


def test_one_import_never_gives_a_note_without_email_the_emails_of_two_people() -> None:
    john = contact_of("---\nname: John Smith\n---\n", "people/John Smith.md")
    first, second = plan_import([john], [Incoming("John Smith", emails=("john@acme.example",)),
                                         Incoming("John Smith", emails=("jsmith@other.example",))])  # fmt: skip
    assert first.action == "update"
    assert [c.describe() for c in first.changes] == ["email += john@acme.example"]
    # was a skip: the second John is another person, a second note
    assert (second.action, second.incoming.name) == ("create", "John Smith 2")
    assert "this import gives people/John Smith.md john@acme.example" in second.reason


def test_records_of_one_import_with_one_name_and_different_emails_stay_apart() -> None:
    records = [
        Incoming("John Smith", emails=("john@acme.example",), role="CTO"),
        Incoming("john smith", emails=("jsmith@other.example",), role="Plumber"),
    ]
    one, two = combine(records)
    assert (one.emails, one.role) == (("john@acme.example",), "CTO")
    assert (two.emails, two.role) == (("jsmith@other.example",), "Plumber")
    # a record without email joins the one person of the import with its name
    (merged,) = combine([records[0], Incoming("John Smith", phones=("+1 555 0100 200",))])
    assert merged.phones == ("+1 555 0100 200",)
    (merged,) = combine([Incoming("John Smith", phones=("+1 555 0100 200",)), records[0]])
    assert (merged.emails, merged.phones) == (("john@acme.example",), ("+1 555 0100 200",))


def test_two_new_people_with_one_name_make_two_notes() -> None:
    records = [
        Incoming("John Smith", emails=("john@acme.example",), source="phone.vcf card 1"),
        Incoming("John Smith", emails=("jsmith@other.example",), source="phone.vcf card 2"),
    ]
    first, second = plan_import([], records)
    assert first.action == "create"
    # was a skip ("same name as John Smith (phone.vcf card 1), which this import creates, ..."): now a note
    assert (second.action, second.incoming.name) == ("create", "John Smith 2")
    assert second.reason == (
        "a second note: another person than John Smith, as John Smith (phone.vcf card 1), which this import "
        "creates, has no email in common (john@acme.example)"
    )


def test_a_record_without_email_between_two_people_of_one_name_is_skipped() -> None:
    # it could be either John: its phone must not go to one of them by the order of the file
    records = [
        Incoming("John Smith", phones=("+1 555 0100 200",), source="phone.vcf card 1"),
        Incoming("John Smith", emails=("john@acme.example",), source="phone.vcf card 2"),
        Incoming("John Smith", emails=("jsmith@other.example",), source="phone.vcf card 3"),
    ]
    for contacts in ([], [contact_of(JOHN, "people/John Smith.md")]):
        plans = plan_import(contacts, records)
        assert [p.incoming.source for p in plans] == ["phone.vcf card 1", "phone.vcf card 2", "phone.vcf card 3"]
        assert plans[0].action == "skip"
        assert plans[0].reason == (
            "cannot tell which John Smith it is: this import has several with no email in common "
            "(john@acme.example, phone.vcf card 2; jsmith@other.example, phone.vcf card 3); "
            "add an email to this one in the source and import again"
        )
        # the third John was skipped before; now he is another person, a second note
        assert [p.action for p in plans[1:]] == (["create", "create"] if not contacts else ["unchanged", "create"])
        assert all(p.incoming.phones == () for p in plans[1:])


def test_records_linked_by_a_shared_email_are_one_person_even_across_groups() -> None:
    # the third record shares an email with each of the first two: all three are one person
    records = [
        Incoming("Ann Lee", emails=("ann@x.example",)),
        Incoming("Ann B. Lee", emails=("ann@y.example",), role="CTO"),
        Incoming("Ann Lee", emails=("ANN@y.example", "ann@x.example")),
    ]
    (one,) = combine(records)
    assert (one.name, one.emails, one.role) == ("Ann Lee", ("ann@x.example", "ann@y.example"), "CTO")
