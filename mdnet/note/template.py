"""A new contact's note from the vault's ``templates/contact.md``: its tokens filled in.

``{{date}}`` becomes the day (``YYYY-MM-DD``, safe anywhere in YAML); ``{{name}}``
and ``{{title}}`` become the person's name. Pasted into YAML as it is, a name with
quotes, ``: ``, `` #``, ``,`` or a leading ``-`` (``title: "{{title}}"``,
``aliases: [{{name}}]``) breaks the note or changes what it says. So the front matter
is read with a placeholder where each token is; every top-level value holding one is
written again with the name, quoted as YAML needs (its place, comment, quotes and list
style kept), and any other placeholder (a block scalar, a nested value, a comment) is
filled in the form that reads back as the name there. The body gets the name as it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from mdnet.note import document, edit, frontmatter_yaml

NAME_TOKENS = ("{{name}}", "{{title}}")


def fill(template: str, name: str, day: dt.date) -> str:
    """``template`` with its tokens filled in for ``name`` on ``day``."""
    template = template.replace("{{date}}", day.isoformat())
    doc = document.split(template)
    front = doc.front_matter
    if front is None or not any(token in front for token in NAME_TOKENS):
        return _fill_raw(template, name)
    marker = "mdnetnameplaceholder"
    while marker in template:
        marker += "x"
    marked = front
    for token in NAME_TOKENS:
        marked = marked.replace(token, marker)
    try:
        loaded, key_lines = frontmatter_yaml.load(marked)
    except frontmatter_yaml.YamlProblem:
        return _fill_raw(template, name)  # a broken template: 'mdnet check' reports it
    text = dataclasses.replace(doc, front_matter=marked).text()
    if isinstance(loaded, dict):
        lines = document.lines(marked)
        for key, value in loaded.items():
            line = key_lines.get(key) if isinstance(key, str) else None
            if line is None or line >= len(lines) or _holds_block_scalar(lines[line]):
                continue  # a block scalar takes the name as it is: below
            filled = _top_level_value(value, marker, name)
            if filled is not None:
                try:
                    text = edit.set_field(text, key, filled)
                except ValueError:
                    continue
    return _fill_raw(_fill_rest(text, marker, name, _replaced(loaded, marker, name)), name)


def _holds_block_scalar(line: str) -> bool:
    """Whether ``key: |`` or ``key: >-`` (a literal or folded block) starts on ``line``."""
    _key, colon, rest = line.partition(":")
    return bool(colon) and rest.strip()[:1] in ("|", ">")


def _top_level_value(value: object, marker: str, name: str) -> edit.Value | None:
    """``value`` with the name for the placeholder, when it is text or a list of texts holding one."""
    if isinstance(value, str) and marker in value:
        return value.replace(marker, name)
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and any(marker in v for v in value):
        return [v.replace(marker, name) for v in value]
    return None


def _fill_rest(text: str, marker: str, name: str, expected: object) -> str:
    """``text`` with each placeholder left filled in the first form whose front matter reads as ``expected``."""
    forms: list[Callable[[str], str]] = [
        lambda n: n,  # a comment, a block scalar, a plain name
        lambda n: edit.format_scalar_quoted(n)[1:-1],  # inside "..."
        lambda n: n.replace("'", "''"),  # inside '...'
        edit.format_scalar_quoted,  # a whole plain value that needs quotes
    ]
    while (at := text.find(marker)) >= 0:
        for form in forms:
            candidate = text[:at] + form(name) + text[at + len(marker) :]
            if _reads_as(candidate, marker, name, expected):
                text = candidate
                break
        else:
            text = text[:at] + name + text[at + len(marker) :]
    return text


def _reads_as(text: str, marker: str, name: str, expected: object) -> bool:
    front = document.split(text).front_matter
    try:
        loaded, _lines = frontmatter_yaml.load(front or "")
    except frontmatter_yaml.YamlProblem:
        return False
    return bool(_replaced(loaded, marker, name) == expected)


def _replaced(value: Any, marker: str, name: str) -> Any:
    """``value`` (read YAML) with the name for every placeholder in its texts and keys."""
    if isinstance(value, str):
        return value.replace(marker, name)
    if isinstance(value, list):
        return [_replaced(v, marker, name) for v in value]
    if isinstance(value, dict):
        return {_replaced(k, marker, name): _replaced(v, marker, name) for k, v in value.items()}
    return value


def _fill_raw(text: str, name: str) -> str:
    for token in NAME_TOKENS:
        text = text.replace(token, name)
    return text
