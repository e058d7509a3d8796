"""A front matter list changed on both sides of a merge: the union of the items, in the key's own style.

Apart from :mod:`mdnet.merge.notes` (which decides when a list key merges this way) because rendering
a list back as the user wrote it, block or flow, quoted only where YAML needs it, is its own job.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mdnet.note import edit, frontmatter_yaml


def canon(value: Any) -> str:
    """A value as one comparable string (lists and dates compare by what YAML read, not how it was written)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def bare_line(line: str) -> str:
    """``line`` without its line ending."""
    return line.rstrip("\r\n")


def union(base: list[Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Items both sides kept (in base order), then those either side added (in a side-independent order).

    An item one side removed stays removed; an item both added appears once.
    """
    b, o, t = ({canon(x) for x in items} for items in (base, ours, theirs))
    result: list[Any] = []
    seen: set[str] = set()

    def push(item: Any) -> None:
        key = canon(item)
        if key not in seen:
            seen.add(key)
            result.append(item)

    for item in base:
        if canon(item) in o and canon(item) in t:
            push(item)
    added_o = [x for x in ours if canon(x) not in b]
    added_t = [x for x in theirs if canon(x) not in b]
    first, second = sorted([added_o, added_t], key=lambda items: [canon(x) for x in items])
    for item in [*first, *second]:
        push(item)
    return result


_BLOCK_ITEM_RE = re.compile(r"([ \t]*)-[ \t]")


def render_list(key: str, lines: list[str], items: list[Any]) -> list[str]:
    """``key`` with ``items``, in the style of ours' lines for it (block or flow list)."""
    if not lines:
        return [f"{key}: {edit.format_value([str(x) for x in items])}\n"]
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    head = bare_line(lines[0])
    name, rest = head.split(":", 1)
    item_lines = [x for x in lines[1:] if _BLOCK_ITEM_RE.match(x)]
    if not rest.strip() or rest.strip().startswith("#"):
        indent = _BLOCK_ITEM_RE.match(item_lines[0]).group(1) if item_lines else "  "  # type: ignore[union-attr]
        rendered = [f"{indent}- {edit.format_scalar(x)}{newline}" for x in items]
        for index, item in enumerate(items):
            text = rendered[index]
            if not _reads_as(text.strip()[2:], item):
                rendered[index] = f"{indent}- {edit.format_scalar_quoted(str(item))}{newline}"
        return [head + newline, *rendered]
    comment = re.search(r"\][ \t]*(#.*)$", rest)
    tail = ("  " + comment.group(1)) if comment else ""
    return [f"{name}: {edit.format_value([x if isinstance(x, str) else str(x) for x in items])}{tail}{newline}"]


def _reads_as(text: str, item: Any) -> bool:
    try:
        loaded, _ = frontmatter_yaml.load(f"k:\n  - {text}\n")
    except frontmatter_yaml.YamlProblem:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == [item]
