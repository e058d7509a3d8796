"""Line-level edits of a note's front matter: change only the bytes meant to change.

A whole-document YAML re-dump reorders keys, drops comments and changes quoting;
these functions instead replace, insert or remove the lines of one key and leave
every other byte alone (BOM, CRLF, comments, blank lines, the body).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mdnet.note import document, frontmatter_yaml

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
    return format_scalar_quoted(value)


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
    """``value`` double-quoted, escaped so that it reads back exactly, on one line."""
    if _NEEDS_ESCAPE_RE.search(value) is None:
        return f'"{value}"'
    return '"' + _NEEDS_ESCAPE_RE.sub(_escape, value) + '"'


# What a double-quoted YAML scalar cannot hold as it is: its quote and escape characters,
# line breaks (a reader folds \r, \x85, U+2028 and U+2029 as it folds \n), and what YAML
# does not count as printable (C0 and C1 controls, DEL, U+FFFE, U+FFFF).
_NEEDS_ESCAPE_RE = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    escaped = _ESCAPES.get(char)
    if escaped is not None:
        return escaped
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _key_pattern(key: str, indent: str = "") -> re.Pattern[str]:
    quoted = re.escape(key) + r'|"' + re.escape(key) + r'"|\'' + re.escape(key) + r"'"
    return re.compile("^" + re.escape(indent) + r"(?:" + quoted + r")[ \t]*:(?=[ \t\r\n]|$)")


def _find_key(lines: list[str], key: str, indent: str) -> tuple[int, int, int] | None:
    """Where top-level ``key`` is: its first line, the index after its value, the end of its ``key:``.

    The search steps over every other key's whole value, so that a line inside a value
    that looks like the key (``note: "call me\nlast_contact: never"``) is never taken for it.
    """
    pattern = _key_pattern(key, indent)
    index = 0
    while index < len(lines):
        line = lines[index]
        match = pattern.match(line)
        if match:
            return index, value_span(lines, index, indent), match.end()
        content = line.strip()
        if content and not content.startswith("#") and len(line) - len(line.lstrip(" \t")) == len(indent):
            index = value_span(lines, index, indent)  # another key: on past its value
        else:
            index += 1
    return None


def _root_indent(lines: list[str]) -> str:
    """The indentation of the top-level keys (almost always none; YAML allows any)."""
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return line[: len(line) - len(line.lstrip(" \t"))]
    return ""


def value_span(lines: list[str], start: int, indent: str = "") -> int:
    """Index after the last line belonging to the key on ``lines[start]`` (its block, if any).

    A line belongs to the key when it is indented deeper than the keys, or is a
    ``- item`` at the keys' own indentation (YAML allows block lists there). Blank
    lines and comment lines inside a block (a ``|`` scalar with an empty line, a
    ``# note`` at column 0 between two list items) belong to it; those after the
    block do not.
    """
    depth = len(indent)
    last = _flow_end(lines, start)
    end = last + 1
    while end < len(lines):
        line = lines[end].rstrip("\r\n")
        own = len(line) - len(line.lstrip(" \t"))
        rest = line[own:]
        if not line.strip() or (rest.startswith("#") and own <= depth):
            end += 1
            continue
        if own > depth or (own == depth and (rest.startswith("- ") or rest == "-")):
            last = end
            end += 1
            continue
        break
    return last + 1


_KEY_COLON_RE = re.compile(
    r"""[ \t]*(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"?:-][^:\r\n]*?)[ \t]*:(?=[ \t\r\n]|$)"""
)
_VALUE_START_RE = re.compile(r"[ \t]*(?:[&!][^ \t\r\n]*[ \t]+)*")


def _flow_end(lines: list[str], start: int) -> int:
    """The line where the value of the key on ``lines[start]`` closes, when it is a quoted
    scalar or a flow collection that runs over several lines (YAML lets them go on at
    any indentation); ``start`` itself otherwise, or when it never closes."""
    key = _KEY_COLON_RE.match(lines[start])
    if key is None:
        return start
    value_start = _VALUE_START_RE.match(lines[start], key.end())  # past any anchor or tag
    position = value_start.end() if value_start else key.end()
    opener = lines[start][position : position + 1]
    if opener not in ("'", '"', "[", "{"):
        return start
    quote, depth, previous = "", 0, "["
    for index in range(start, len(lines)):
        line = lines[index]
        while position < len(line):
            char = line[position]
            if quote:
                escaped = (quote == '"' and char == "\\") or (
                    quote == char == "'" and line[position + 1 : position + 2] == "'"
                )
                if escaped:  # \" in double quotes, '' in single quotes: the next character is text
                    position += 1
                elif char == quote:
                    quote = ""
                    if depth == 0:
                        return index
            elif char in "'\"" and previous in "[{,:":
                quote = char
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    return index
            elif char == "#" and line[position - 1 : position] in (" ", "\t", ""):
                break
            if not quote and not char.isspace():
                previous = char
            position += 1
        position = 0
    return start


def trailing_comment(rest: str) -> str:
    """The ``  # comment`` after a one-line value, kept when the value changes."""
    stripped = rest.strip()
    if stripped.startswith("#"):
        return rest if rest[:1] in " \t" else " " + stripped
    if stripped[:1] in ('"', "'", "[", "{"):
        end = _flow_value_end(rest)
        match = re.fullmatch(r"([ \t]+#.*)", rest[end:]) if end is not None else None
        return match.group(1) if match else ""
    if not stripped or stripped[0] in "|>":
        match = re.search(r"[\"'\]}|>+-]([ \t]+#.*)$", rest)
        return match.group(1) if match else ""
    match = re.search(r"([ \t]+#.*)$", rest)
    return match.group(1) if match else ""


def _flow_value_end(rest: str) -> int | None:
    """Where the quoted or bracketed value that starts ``rest`` ends (after its closing
    character), reading escapes and nested quotes; None when it does not end on this line."""
    depth, quote, at = 0, "", 0
    while at < len(rest):
        char = rest[at]
        if quote == '"' and char == "\\":
            at += 2
            continue
        if quote:
            if char == quote and quote == "'" and rest[at + 1 : at + 2] == "'":
                at += 2
                continue
            if char == quote:
                quote = ""
                if depth == 0:
                    return at + 1
        elif char in "\"'" and (depth == 0 or rest[at - 1 : at] in ("[", "{", ",", " ", "\t", ":")):
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}" and depth:
            depth -= 1
            if depth == 0:
                return at + 1
        elif depth == 0 and char not in " \t":
            return None  # not a quoted or bracketed value after all
        at += 1
    return None


def _format_like(old: str, value: Value) -> str:
    """``value`` rendered in the style of the value it replaces (its quotes kept)."""
    if isinstance(value, str) and "\n" not in value:
        if old.startswith("'") and _NEEDS_ESCAPE_RE.search(value.replace('"', "").replace("\\", "")) is None:
            return "'" + value.replace("'", "''") + "'"
        if old.startswith('"'):
            return format_scalar_quoted(value)
    return format_value(value)


def _block_items(block: list[str]) -> str | None:
    """The indentation of a block list's ``-`` items under ``block[0]``, or None if not one."""
    for line in block[1:]:
        if line.strip():
            stripped = line.lstrip(" \t")
            return line[: len(line) - len(stripped)] if stripped.startswith("-") else None
    return None


def set_field(text: str, key: str, value: Value) -> str:
    """``text`` with front matter key ``key`` set to ``value`` (added at the end if missing).

    An existing key keeps its spelling, the spacing after its colon, its trailing
    comment, its quote style, and its list style (a block list stays a block list);
    only its value changes. A missing key is added as the last line of the block.
    Raises ValueError rather than return front matter that no longer reads.
    """
    return _still_readable(text, _set_field(text, key, value))


def _set_field(text: str, key: str, value: Value) -> str:
    doc = document.split(text)
    newline = doc.newline
    if doc.front_matter is None:
        if doc.unclosed:
            raise ValueError("the front matter fence on line 1 is never closed; close it with '---' first")
        rendered = format_value(value)
        new_line = f"{key}: {rendered}" if rendered else f"{key}:"
        block = f"---{newline}{new_line}{newline}---{newline}"
        return (document.BOM if doc.bom else "") + block + doc.body
    lines = document.lines(doc.front_matter)
    indent = _root_indent(lines)
    found = _find_key(lines, key, indent)
    if found is not None:
        index, end, key_end = found
        _refuse_aliased(lines, index, end, key)
        lines[index:end] = _replacement(lines[index:end], key_end, value, newline)
        return _rejoin(doc, "".join(lines))
    rendered = format_value(value)
    new_line = f"{indent}{key}: {rendered}" if rendered else f"{indent}{key}:"
    front = doc.front_matter
    if front and not front.endswith("\n"):
        front += newline
    return _rejoin(doc, front + new_line + newline)


def _replacement(block: list[str], key_end: int, value: Value, newline: str) -> list[str]:
    """The new line(s) for the key whose lines are ``block`` (its ``key:`` ends at ``key_end``)."""
    body = block[0].rstrip("\r\n")
    ending = block[0][len(body) :] or newline
    head, rest = body[:key_end], body[key_end:]
    comment = trailing_comment(rest) or rest[len(rest.rstrip(" \t")) :]  # a comment, else trailing blanks
    old = rest[: len(rest) - len(comment)].strip()
    separator = rest[: len(rest) - len(rest.lstrip(" \t"))] if old else " "
    anchor = _ANCHOR_RE.match(old)
    if anchor:  # '&name value': the anchor stays (nothing refers to it: _refuse_aliased saw to that)
        old = old[anchor.end() :].lstrip(" \t")
        head, separator = head + separator + anchor.group(0), " "
    if len(block) > 1 and old[:1] in ("'", '"', "[", "{"):  # a value over several lines: its comment ends the last
        closing = re.search(r"[\"'\]}]([ \t]+#.*)$", block[-1].rstrip("\r\n"))
        comment = closing.group(1) if closing else ""
    if len(block) > 1 and value and not isinstance(value, str | bool | int):
        item_indent = _block_items(block)
        if item_indent is not None:
            items = [f"{item_indent}- {format_value([item])[1:-1]}{ending}" for item in value]
            return [head + comment + ending, *items]
    rendered = _format_like(old, value)
    if not rendered:
        return [head + comment + ending]
    return [head + separator + rendered + comment + ending]


_ANCHOR_RE = re.compile(r"&[^ \t\r\n\[\]{},]+")
_ANCHOR_IN_RE = re.compile(r"(?:^|(?<=[ \t\[{,:-]))&([^ \t\r\n\[\]{},]+)", re.MULTILINE)


def _refuse_aliased(lines: list[str], start: int, end: int, key: str) -> None:
    """Raise ValueError when a value in ``lines[start:end]`` is anchored and an alias elsewhere refers to it.

    Changing or removing it would change what the alias reads (or leave it undefined,
    which makes the whole front matter unreadable); only the user can say which they meant.
    """
    block = "".join(lines[start:end])
    if "&" not in block:
        return
    others = "".join(lines[:start] + lines[end:])
    for name in _ANCHOR_IN_RE.findall(block):
        if re.search(r"(?:^|(?<=[ \t\[{,:-]))\*" + re.escape(name) + r"(?=[ \t\r\n\]},]|$)", others, re.MULTILINE):
            raise ValueError(
                f"{key!r} is anchored as &{name} and *{name} refers to it elsewhere in the front matter; "
                "change it by hand (nothing was written)"
            )


def clear_field(text: str, key: str) -> str:
    """``text`` with the value of ``key`` emptied (``key:``, its comment kept); unchanged if absent."""
    doc = document.split(text)
    if doc.front_matter is None:
        return text
    lines = document.lines(doc.front_matter)
    if _find_key(lines, key, _root_indent(lines)) is None:
        return text
    return set_field(text, key, None)


def remove_field(text: str, key: str) -> str:
    """``text`` without front matter key ``key`` (and its block); unchanged if absent."""
    return _still_readable(text, _remove_field(text, key))


def _still_readable(before: str, after: str) -> str:
    """``after``, unless its front matter is malformed where ``before``'s read well.

    The line edits above know YAML's usual shapes; a shape they do not know (a
    complex ``? key``, say) must cost the user an error message, never the note.
    """
    if after == before:
        return after
    new = document.split(after).front_matter
    if new is None or _reads(new):
        return after
    old = document.split(before).front_matter
    if old is not None and not _reads(old):
        return after  # it did not read before either: the edit made it no worse
    raise ValueError("the change would leave the front matter unreadable; nothing was written (edit it by hand)")


def _reads(front_matter: str) -> bool:
    try:
        frontmatter_yaml.load(front_matter)
    except frontmatter_yaml.YamlProblem:
        return False
    return True


def _remove_field(text: str, key: str) -> str:
    doc = document.split(text)
    if doc.front_matter is None:
        return text
    lines = document.lines(doc.front_matter)
    found = _find_key(lines, key, _root_indent(lines))
    if found is None:
        return text
    index, end, _key_end = found
    _refuse_aliased(lines, index, end, key)
    del lines[index:end]
    return _rejoin(doc, "".join(lines))


def _rejoin(doc: document.Document, front_matter: str) -> str:
    return (document.BOM if doc.bom else "") + doc.opening + front_matter + doc.closing + doc.body


_HEADING_RE = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t#]*$")
_DATED_ITEM_RE = re.compile(r"[-*+][ \t]+(?:\[.\][ \t]+)?(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d))?")


def format_log_entry(day: str, text: str, kind: str | None = None, time: str | None = None) -> str:
    """``- YYYY-MM-DD[ HH:MM] [kind:] text`` on one line (newlines in ``text`` become spaces)."""
    one_line = " ".join(text.split())
    prefix = f"- {day}" + (f" {time}" if time else "")
    return f"{prefix} {kind}: {one_line}" if kind else f"{prefix} {one_line}"


def insert_log_entry(text: str, entry: str, heading: str = "Log") -> str:
    """``text`` with ``entry`` added under the ``## Log`` heading, newest first.

    The entry goes before the first dated entry that is not newer than it (so a
    back-dated entry lands in order); the heading is created at the end of the body
    when missing. Only the new line (and, when the heading is new, the heading) is
    added: every other byte stays.
    """
    doc = document.split(text)
    newline = document.detect_newline(doc.body) if "\n" in doc.body else doc.newline  # the body's own
    lines = document.lines(doc.body)
    markdown = document.lines(document.mask_code_blocks(doc.body))  # the same lines, code blocks blanked
    key = _entry_key(entry)
    start, level = _find_heading(markdown, heading)
    if start is None:
        if document.ends_in_code_block(doc.body):
            raise ValueError("the note ends inside a code block that is never closed; close it (```) first")
        body = doc.body
        if body and not body.endswith("\n"):
            body += newline
        if body.strip():
            body += newline
        body += f"## {heading}{newline}{entry}{newline}"
        return _rejoin_body(doc, body)
    position = start + 1
    insert_at: int | None = None
    last_item = None
    for index in range(start + 1, len(lines)):
        line = markdown[index].rstrip("\r\n")
        heading_match = _HEADING_RE.match(line) if line.startswith("#") else None
        if heading_match and len(heading_match.group(1)) <= level:
            break
        match = _DATED_ITEM_RE.match(line)
        if match:
            # Newest first; an entry with no time is the newest of its day (it was just logged).
            existing = (match.group(1), match.group(2) or "") if key[1] else (match.group(1), "")
            if insert_at is None and existing <= key:
                insert_at = index
            last_item = index
        elif line[:1] in ("-", "*", "+") and last_item is None and insert_at is None:
            insert_at = index
    if insert_at is None:
        if last_item is not None:
            insert_at = last_item + 1
            while insert_at < len(lines) and lines[insert_at][:1] in (" ", "\t") and lines[insert_at].strip():
                insert_at += 1  # after the last entry's indented continuation lines
        else:
            insert_at = position
            while insert_at < len(lines) and not lines[insert_at].strip() and insert_at + 1 < len(lines):
                next_line = lines[insert_at + 1]
                if next_line.startswith("#"):
                    break
                insert_at += 1
    if insert_at > 0 and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += newline
    lines.insert(insert_at, entry + newline)
    return _rejoin_body(doc, "".join(lines))


def _entry_key(entry: str) -> tuple[str, str]:
    match = _DATED_ITEM_RE.match(entry)
    if match is None:
        raise ValueError(f"not a log entry: {entry!r}")
    return match.group(1), match.group(2) or ""


def _find_heading(lines: list[str], heading: str) -> tuple[int | None, int]:
    wanted = heading.strip().casefold()
    for index, raw in enumerate(lines):
        if raw.startswith("#"):
            match = _HEADING_RE.match(raw.rstrip("\r\n"))
            if match and match.group(2).strip().casefold() == wanted:
                return index, len(match.group(1))
    return None, 0


def _rejoin_body(doc: document.Document, body: str) -> str:
    closing = doc.closing
    if body and closing and not closing.endswith("\n"):  # '---' was the note's last line: the body starts below it
        closing += doc.newline
    return (document.BOM if doc.bom else "") + doc.opening + (doc.front_matter or "") + closing + body
