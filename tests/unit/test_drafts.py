"""Sandboxed templates: fields render, missing fields are empty, code and files are refused."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default

import pytest

from mdnet.core.model import Contact
from mdnet.errors import UsageError
from mdnet.features.drafts import Draft, Template, parse_template, render_drafts, review_note, to_eml
from mdnet.note.contact import ParseSettings, parse_note

TODAY = dt.date(2026, 11, 25)


def contact(front: str, log: str = "") -> Contact:
    text = f"---\n{front}---\n# x\n\n## Log\n{log}"
    parsed = parse_note(text, "people/Jane Doe.md", contact_folder=True, settings=ParseSettings())
    assert parsed.contact is not None, parsed.problems
    return parsed.contact


JANE = contact(
    'name: Jane Doe\ncompany: "[[Acme Corp]]"\nemail: [jane@acme.example, jd@home.example]\n'
    "interests: [sailing]\nfollow_up_note: Ask about the Q2 budget\nshoe_size: 38\n",
    "- 2026-11-20 coffee: discussed their cloud migration\n- 2026-10-01 email: older\n",
)


def render(body: str, subject: str = "Hello {{ first_name }}") -> tuple[str, str]:
    drafts = render_drafts(Template("t.md", subject, body), [JANE], TODAY)
    return drafts[0].subject, drafts[0].body


def test_fields_render_and_missing_ones_are_empty() -> None:
    subject, body = render(
        "{{ first_name }} at {{ company }}: {{ last_topic }} / {{ open_question }} / {{ shoe_size }} / "
        "[{{ nickname }}][{{ fields.nope.deeper }}][{{ nickname | upper }}] {{ interests | join(', ') }} {{ email }}"
    )
    assert subject == "Hello Jane"
    assert body == (
        "Jane at Acme Corp: discussed their cloud migration / Ask about the Q2 budget / 38 / [][][] sailing "
        "jane@acme.example"
    )


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
        ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "unsafe"),
        ("{% include '/etc/passwd' %}", "cannot include or import files"),
        ("{% from '/etc/passwd' import x %}", "cannot include or import files"),
        ("{{ name.__len__() }}", "unsafe"),
        ("{{ 'x' * 10000000 }}", "too large"),
        ("{{ 2 ** 100000 }}", "too large"),
        ("{{ range(10**9) | list }}", "Range too big"),
        ("{{ 1 / 0 }}", "division by zero"),
        ("{% for x in %}", "line 1"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "recursion"),
    ],
)
def test_code_and_files_fail_cleanly(source: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        render(source)
    message = str(caught.value)
    assert message.startswith("template t.md")
    assert words.lower() in message.lower()
    assert "\n" not in message


def test_subject_comes_from_front_matter() -> None:
    template = parse_template('---\nsubject: "News for {{ name }}"\n---\nBody {{ name }}\n', "news.md")
    assert template.subject == "News for {{ name }}"
    assert template.body == "Body {{ name }}\n"
    assert parse_template("Just a body\n", "plain.md").subject == "Catching up"


def test_eml_is_an_unsent_message_to_the_first_address() -> None:
    draft = render_drafts(Template("t.md", "Hi {{ first_name }}", "Hello Jane, ça va?\n"), [JANE], TODAY)[0]
    message = message_from_bytes(to_eml(draft), policy=default)
    assert message["To"] == "jane@acme.example"
    assert message["Subject"] == "Hi Jane"
    assert message["X-Unsent"] == "1"
    assert message.get_content() == "Hello Jane, ça va?\r\n"  # RFC 5322 line endings, as mail clients save
    assert b"Content-Transfer-Encoding: 8bit" in to_eml(draft)  # readable in a text editor too


def test_review_note_lists_every_draft() -> None:
    nobody = contact("name: No Mail\n")
    drafts = render_drafts(Template("t.md", "S", "Hi {{ name }}\n"), [JANE, nobody], TODAY)
    note = review_note(drafts, "t", TODAY, {"people/Jane Doe.md": "[[Jane Doe]]"})
    assert note.startswith("# Drafts from t (2026-11-25)")
    assert "## [[Jane Doe]]" in note
    assert "To: jane@acme.example" in note
    assert "(no email in the note)" in note
    assert "Hi No Mail" in note


@pytest.mark.parametrize("path", ["people/a\nb.md", "people/a\rb.md", "people/a\u2028b.md"])
def test_a_note_path_with_a_line_break_stays_one_header(path: str) -> None:
    """The X-Mdnet-Contact header took the path as it was: ValueError from the mail library."""
    data = to_eml(Draft("Ann", path, "x", ("ann@x.example",), "Hi", "Body\n"))
    headers = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert [h for h in headers if h.startswith(b"X-Mdnet-Contact: people/a")]
    assert all(b":" in h for h in headers)
