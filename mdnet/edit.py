"""Line-level edits of a note's front matter: change only the bytes meant to change.

A whole-document YAML re-dump reorders keys, drops comments and changes quoting;
these functions instead replace, insert or remove the lines of one key and leave
every other byte alone (BOM, CRLF, comments, blank lines, the body).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mdnet import document, frontmatter_yaml

Value = str | bool | int | None | Sequence[str]

_PLAIN_SAFE_RE = re.compile(r"[A-Za-z0-9_./@+()-][^\n]*")


def format_scalar(value: str | bool | int | None) -> str:
    """A YAML 1.2 scalar that reads back as exactly ``value``: plain when safe, else quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _PLAIN_SAFE_RE.fullmatch(value) and value == value.strip() and _reads_back(value, value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _reads_back(text: str, expected: object) -> bool:
    try:
        loaded, _ = frontmatter_yaml.load(f"k: {text}\n")
    except frontmatter_yaml.YamlProblem:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == expected


def format_value(value: Value) -> str:
    """A value as it follows ``key:``: a scalar, or a flow list ``[a, "b c"]``."""
    if value is None or isinstance(value, str | bool | int):
        return format_scalar(value)
    items = []
    for item in value:
        rendered = format_scalar(item)
        if not rendered.startswith('"') and any(c in rendered for c in ",[]{}#"):
            rendered = format_scalar_quoted(item)
        items.append(rendered)
    return "[" + ", ".join(items) + "]"


def format_scalar_quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(r"^(?:" + re.escape(key) + r'|"' + re.escape(key) + r'"|\'' + re.escape(key) + r"')[ \t]*:")


def _value_span(lines: list[str], start: int) -> int:
    """Index after the last line belonging to the key on ``lines[start]`` (its block, if any)."""
    end = start + 1
    while end < len(lines):
        line = lines[end].rstrip("\r\n")
        if line and (line[0] in " \t" or line.startswith("- ") or line == "-"):
            end += 1
            continue
        break
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _trailing_comment(rest: str) -> str:
    """The ``  # comment`` after a one-line value, kept when the value changes."""
    stripped = rest.strip()
    if not stripped or stripped[0] in "\"'[{|>":
        match = re.search(r"[\"'\]}]([ \t]+#.*)$", rest)
        return match.group(1) if match else ""
    match = re.search(r"([ \t]+#.*)$", rest)
    return match.group(1) if match else ""


def set_field(text: str, key: str, value: Value) -> str:
    """``text`` with front matter key ``key`` set to ``value`` (added at the end if missing)."""
    doc = document.split(text)
    newline = doc.newline
    rendered = format_value(value)
    new_line = f"{key}: {rendered}" if rendered else f"{key}:"
    if doc.front_matter is None:
        if doc.unclosed:
            raise ValueError("the front matter fence on line 1 is never closed; close it with '---' first")
        block = f"---{newline}{new_line}{newline}---{newline}"
        return (document.BOM if doc.bom else "") + block + doc.body
    lines = doc.front_matter.splitlines(keepends=True)
    pattern = _key_pattern(key)
    for index, line in enumerate(lines):
        if pattern.match(line):
            end = _value_span(lines, index)
            ending = line[len(line.rstrip("\r\n")) :] or newline
            rest = line.rstrip("\r\n").split(":", 1)[1]
            comment = _trailing_comment(rest) if end == index + 1 else ""
            lines[index:end] = [new_line + comment + ending]
            return _rejoin(doc, "".join(lines))
    front = doc.front_matter
    if front and not front.endswith("\n"):
        front += newline
    return _rejoin(doc, front + new_line + newline)


def remove_field(text: str, key: str) -> str:
    """``text`` without front matter key ``key`` (and its block); unchanged if absent."""
    doc = document.split(text)
    if doc.front_matter is None:
        return text
    lines = doc.front_matter.splitlines(keepends=True)
    pattern = _key_pattern(key)
    for index, line in enumerate(lines):
        if pattern.match(line):
            del lines[index : _value_span(lines, index)]
            return _rejoin(doc, "".join(lines))
    return text


def _rejoin(doc: document.Document, front_matter: str) -> str:
    return (document.BOM if doc.bom else "") + doc.opening + front_matter + doc.closing + doc.body
