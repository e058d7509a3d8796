"""The personalised blanket update: one draft per contact from a template. Pure.

Templates are Markdown rendered by Jinja2's sandbox: a template reads the
contact's fields and never runs code or touches files (no loader, so no
``include``/``import``; unsafe attributes and calls raise; a field the contact lacks
renders empty), and it is bounded in time and size while it renders
(:mod:`mdnet.features.template_sandbox`): a template from a shared vault is hostile input.
An optional front matter ``subject:`` is rendered the same way.
Drafts become ``.eml`` messages (:func:`to_eml`) or one Markdown review note
(:func:`review_note`); writing them is the caller's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from mdnet.core.model import Contact, DueItem, escape_line_breaks
from mdnet.core.wikilinks import link_label
from mdnet.core.wording import counted
from mdnet.errors import NoteError, UsageError
from mdnet.features.brief import ask_about
from mdnet.features.template_sandbox import BoundedSandbox, TemplateTooCostly
from mdnet.note import document, frontmatter_yaml

MAX_OUTPUT_CHARS = 200_000
DEFAULT_SUBJECT = "Catching up"


class _Empty(jinja2.ChainableUndefined):
    """A field the contact lacks: renders empty, and so does anything read from it."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Draft:
    name: str
    path: str
    stem: str
    to: tuple[str, ...]
    subject: str
    body: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "to": list(self.to), "subject": self.subject,
                "body": self.body}  # fmt: skip


def parse_template(text: str, name: str) -> Template:
    """A template file's text -> its subject (front matter ``subject:``) and body."""
    doc = document.split(text)
    subject = DEFAULT_SUBJECT
    if doc.front_matter is not None:
        try:
            fields, _lines = frontmatter_yaml.load(doc.front_matter)
        except frontmatter_yaml.YamlProblem as exc:
            raise UsageError(f"template {name}: line {doc.yaml_line + exc.line}: {exc.message}") from None
        if isinstance(fields, dict) and fields.get("subject"):
            subject = str(fields["subject"])
    return Template(name, subject, doc.body.lstrip("\n"))


def context_for(contact: Contact, today: dt.date, due: DueItem | None = None) -> dict[str, Any]:
    """What a template can read about one contact (documented in docs/draft.md)."""
    fields = {k: v for k, v in contact.fields.items() if isinstance(k, str)}
    words = contact.name.split()
    newest = contact.last_log
    topics = ask_about(contact)
    question = contact.follow_up_note or next((t for t in topics if t not in contact.interests), "")
    values: dict[str, Any] = {k: v for k, v in fields.items() if k.isidentifier()}
    values.update(
        name=contact.name,
        first_name=words[0] if words else contact.name,
        last_name=words[-1] if len(words) > 1 else "",
        company=link_label(contact.company) if contact.company else "",
        role=fields.get("role") or "",
        category=contact.category or "",
        email=contact.emails[0] if contact.emails else "",
        emails=list(contact.emails),
        tags=list(contact.tags),
        interests=list(contact.interests),
        last_contact=contact.last_contact.isoformat() if contact.last_contact else "",
        last_topic=newest.text if newest else "",
        last_kind=(newest.kind or "") if newest else "",
        open_question=question,
        ask_about=topics,
        due_reason="; ".join(r.detail for r in due.reasons) if due else "",
        today=today.isoformat(),
        fields=fields,
    )
    return values


def render_drafts(template: Template, contacts: Sequence[Contact], today: dt.date,
                  dues: dict[str, DueItem] | None = None) -> list[Draft]:  # fmt: skip
    """One draft per contact; a template error is one :class:`UsageError` line."""
    env = BoundedSandbox(undefined=_Empty, autoescape=False, keep_trailing_newline=True, loader=None)
    env.globals.pop("lipsum", None)
    subject_template = _compile(env, template.subject, template.name + " (subject)")
    body_template = _compile(env, template.body, template.name)
    drafts = []
    for contact in contacts:
        values = context_for(contact, today, (dues or {}).get(contact.path))
        subject = " ".join(_render(env, subject_template, values, template.name, contact).split())
        body = _render(env, body_template, values, template.name, contact)
        drafts.append(Draft(contact.name, contact.path, contact.stem, contact.emails[:1], subject, body))
    return drafts


def _compile(env: BoundedSandbox, source: str, name: str) -> jinja2.Template:
    try:
        return env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise UsageError(f"template {name}: line {exc.lineno}: {exc.message}") from None
    except RecursionError:
        raise UsageError(f"template {name}: nested too deeply") from None


def _render(env: BoundedSandbox, template: jinja2.Template, values: dict[str, Any], name: str,
            contact: Contact) -> str:  # fmt: skip
    """The template for one contact, its output counted as it is generated: a draft over
    MAX_OUTPUT_CHARS stops there, and the sandbox stops one that works too long or builds too much."""
    env.new_budget()
    pieces: list[str] = []
    size = 0
    try:
        for piece in template.generate(values):
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                raise UsageError(
                    f"template {name}: for {contact.name}: the draft is over {MAX_OUTPUT_CHARS:,} characters"
                )
            pieces.append(piece)
    except TemplateTooCostly as exc:
        raise UsageError(f"template {name}: for {contact.name}: stopped: {exc}") from None
    except SecurityError as exc:
        raise UsageError(f"template {name}: refused (templates only read fields): {exc}") from None
    except TypeError as exc:
        if "no loader" in str(exc):
            raise UsageError(f"template {name}: refused: templates cannot include or import files") from None
        raise UsageError(f"template {name}: for {contact.name}: {exc}") from None
    except (jinja2.TemplateError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise UsageError(f"template {name}: for {contact.name}: {message}") from None
    except MemoryError:  # a limit missed something: still one line, and nothing written
        raise UsageError(f"template {name}: for {contact.name}: stopped: out of memory") from None
    return "".join(pieces)


def to_eml(draft: Draft) -> bytes:
    """An unsent message a mail client opens as a draft (``X-Unsent: 1``)."""
    message = EmailMessage(policy=SMTP)
    if draft.to:
        to = ", ".join(draft.to)
        try:  # the mail library raises ValueError, IndexError or AttributeError on what it cannot parse
            message["To"] = to
        except Exception:
            raise NoteError(f"email {to!r} is not an address a message can hold; fix it in the note "
                            "(nothing was written)", path=draft.path) from None  # fmt: skip
    message["Subject"] = " ".join(draft.subject.split())
    message["X-Unsent"] = "1"
    message["X-Mdnet-Contact"] = " ".join(escape_line_breaks(draft.path).split())
    body = draft.body if draft.body.endswith("\n") else draft.body + "\n"
    readable = all(len(line.encode("utf-8")) < 990 for line in body.splitlines())
    message.set_content(body, cte="8bit" if readable else "quoted-printable")
    return message.as_bytes()


def review_note(drafts: Sequence[Draft], template_name: str, today: dt.date, links: dict[str, str]) -> str:
    """All drafts in one Markdown note to read before sending (``links``: path -> wikilink)."""
    lines = [f"# Drafts from {template_name} ({today.isoformat()})", "",
             f"{counted(len(drafts), 'draft')}. Edit freely; nothing here is sent.",
             ""]  # fmt: skip
    for draft in drafts:
        lines += [f"## {links.get(draft.path, draft.name)}", ""]
        lines.append(f"To: {', '.join(draft.to) if draft.to else '(no email in the note)'}  ")
        lines += [f"Subject: {draft.subject}", "", draft.body.rstrip("\n"), ""]
    return "\n".join(lines)
