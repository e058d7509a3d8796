"""Append items to a front-matter list in place, in the list's own style: a line-level edit.

Apart from :mod:`mdnet.note.edit` (which replaces a value) because appending keeps what is
there: a flow list grows inside its brackets, a block list by lines indented like its
items, with comments and blank lines between items where they are. Imports use it to
add emails, phones, links and aliases without rewriting what the user wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from mdnet.note import document, edit, frontmatter_yaml
from mdnet.note.contact import as_list


def append_list_items(text: str, key: str, items: Sequence[str]) -> str:
    """Append ``items`` to the list ``key``, keeping the list's own style.

    A flow list ``[a, b]`` gets ``, c`` before its ``]``; a block list gets a new
    ``- c`` line after its last item, indented as they are; a single value becomes
    a flow list ``[old, c]`` with ``old`` written as the user wrote it; a missing or
    empty key is set. Whatever the style, the result is checked by reading it back,
    and written as a plain flow list when the careful edit would not read back right.
    """
    if not items:
        return text
    doc = document.split(text)
    current = _load(doc.front_matter) if doc.front_matter is not None else {}
    existing = list(as_list(current.get(key))) if isinstance(current, dict) else []
    expected = [*existing, *items]
    candidate = _append_in_place(doc, key, items)
    if candidate is not None:
        reread = _load(document.split(candidate).front_matter or "")
        if isinstance(reread, dict) and list(as_list(reread.get(key))) == expected:
            return candidate
    return edit.set_field(text, key, expected)


def _load(front_matter: str) -> Any:
    try:
        value, _ = frontmatter_yaml.load(front_matter)
    except frontmatter_yaml.YamlProblem:
        return None
    return value


def _render_item(item: str) -> str:
    return edit.format_value([item])[1:-1]


def _append_in_place(doc: document.Document, key: str, items: Sequence[str]) -> str | None:
    if doc.front_matter is None:
        return None
    lines = document.lines(doc.front_matter)
    pattern = re.compile(r"^(" + re.escape(key) + r"[ \t]*:)(.*?)(\r?\n)?$", re.DOTALL)
    for index, line in enumerate(lines):
        match = pattern.match(line)
        if match is None:
            continue
        rest = match.group(2)
        ending = match.group(3) or ""
        value, comment = _split_comment(rest)
        rendered = ", ".join(_render_item(i) for i in items)
        if value.startswith("[") and value.endswith("]"):
            inner = value[1:-1]
            joined = f"{inner.rstrip()}, {rendered}" if inner.strip() else rendered
            lines[index] = f"{match.group(1)} [{joined.strip()}]{comment}{ending}"
        elif value and value[0] not in "|>{&*!":
            lines[index] = f"{match.group(1)} [{value}, {rendered}]{comment}{ending}"
        elif not value:
            block_end, indent = _block_list_end(lines, index + 1)
            if indent is None:
                return None
            newline = doc.newline
            new_lines = [f"{indent}{_render_item(i)}{newline}" for i in items]
            if not lines[block_end - 1].endswith("\n"):
                lines[block_end - 1] += newline
            lines[block_end:block_end] = new_lines
        else:
            return None
        front = "".join(lines)
        return (document.BOM if doc.bom else "") + doc.opening + front + doc.closing + doc.body
    return None


def _block_list_end(lines: list[str], start: int) -> tuple[int, str | None]:
    """Where the block list starting at ``lines[start]`` ends (after its last item), and its items' prefix.

    Comment lines and blank lines between items belong to the list; an item's
    continuation lines (indented deeper than its dash) too. Comments and blank
    lines after the last item are left where they are, for what follows.
    """
    end, prefix, margin = start, None, -1
    for position in range(start, len(lines)):
        line = lines[position]
        stripped = line.strip()
        item = re.match(r"^(([ \t]*)-[ \t]+)\S", line)
        if item is not None and (prefix is None or len(item.group(2)) == margin):
            prefix, margin = item.group(1), len(item.group(2))
            end = position + 1
        elif not stripped or stripped.startswith("#"):
            continue
        elif prefix is not None and len(line) - len(line.lstrip(" \t")) > margin:
            end = position + 1
        else:
            break
    return end, prefix


def _split_comment(rest: str) -> tuple[str, str]:
    """``' [a, b]  # note'`` -> (``'[a, b]'``, ``'  # note'``), as :func:`mdnet.note.edit.trailing_comment` finds
    comments for every other edit (escaped quotes and ``#`` inside quotes read right)."""
    comment = edit.trailing_comment(rest)
    return rest[: len(rest) - len(comment)].strip(), comment
