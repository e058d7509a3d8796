"""YAML 1.2 front matter to Python values, fast for the plain YAML people write.

Parsing YAML is the cost of indexing a vault, and a general YAML library spends
~100-1000 us a note. Almost every note is a flat mapping of ``key: scalar``,
``key: [flow, list]`` and ``key:`` + ``- item`` lines, which this module reads in a
few microseconds. Anything else (nesting, block scalars, anchors, escapes, tags,
multi-line scalars) makes the fast path give up (return ``None``), and the whole
block is read by ruamel.yaml instead, in its YAML 1.2 safe mode. The two paths must
agree exactly; tests compare them on generated vaults and with Hypothesis.

Semantics (YAML 1.2 core schema, as Obsidian reads front matter): ``NO``/``yes``
are strings; ``true``/``false``, ``null``/``~``/empty, ints and floats are typed;
timestamps stay the strings the user wrote (mdnet validates dates itself, with
line numbers). Values are made JSON-able: the index stores them as JSON.
"""

from __future__ import annotations

import math
import re
from typing import Any

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUES = frozenset(("true", "True", "TRUE"))
_FALSES = frozenset(("false", "False", "FALSE"))
_ODD_KEYS = _NULLS | _TRUES | _FALSES  # keys that YAML reads as null or a boolean
_KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_.\- ]*?) *:(?: +(.*))?$")
_ITEM_RE = re.compile(r"( *)- +(.*)$")
_INT_RE = re.compile(r"[-+]?[0-9]+$")
_DATE_PREFIX_RE = re.compile(r"\d{4}-\d")
_MONTHDAY_RE = re.compile(r"--\d\d-\d\d$")
_UNIT_WORDS_RE = re.compile(r"[1-9]\d* ?[A-Za-z]+(?: [A-Za-z]+)*$")
_PLAIN_SPECIAL_START = frozenset("[]{}&*!|>'\"%@`#,?:-")
_RESOLVER_START = frozenset("0123456789+-.=<")
_FLOW_SPECIAL_RE = re.compile(r"[#,\[\]{}]")
# Characters the fast path leaves to the full parser: those Python's str.strip() takes for
# spaces and YAML does not (or, for the tab, only in some places), so that strip() here
# means what it means to YAML; a CR that does not end a line (a line break to YAML); and
# the characters YAML does not accept at all (ruamel reports them). One character class, the CR in it tested
# after (not followed by LF): a search for "[...]|\r(?!\n)" tried every position of every note's front matter.
_ODD_CHAR_RE = re.compile(
    r"[\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    r"\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff](?!(?<=\r)\n)"
)
# The plain text people write most ("Vienna", "Engineering Manager"): it starts with none
# of YAML's indicators, a digit or a sign, and holds no ``#`` or ``:``. Such a scalar is
# the text itself, right-stripped, unless it is one of the null and boolean words;
# _scalar and _flow_list take these shortcuts and agree with their long ways.
_SAFE_FIRST = r"[^\s\[\]{}&*!|>'\"%@`#,?:\-0-9+.=<~]"
_PLAIN_TEXT_RE = re.compile(_SAFE_FIRST + r"[^#:\r\n]*")
_SAFE_ITEM = _SAFE_FIRST + r"[^#:,\[\]{}\r\n]*"
_PLAIN_FLOW_LIST_RE = re.compile(r"\[ *(?:" + _SAFE_ITEM + r"(?:, *" + _SAFE_ITEM + r")*)?\]")
_WORDS: dict[str, Any] = {
    **dict.fromkeys(("null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}


class YamlProblem(ValueError):
    """Malformed YAML, with a 0-based line and column inside the front matter."""

    def __init__(self, message: str, line: int, column: int, first_line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.first_line = first_line  # for a duplicate key: where the key first appears


class _GiveUp(Exception):
    """The fast path cannot read this block exactly; use the full parser."""


def load(text: str) -> tuple[Any, dict[str, int]]:
    """Parse a front matter block: (value, {top-level key: 0-based line}).

    Raises :class:`YamlProblem` for malformed YAML or a duplicate key.
    """
    try:
        return _load_fast(text)
    except _GiveUp:
        return load_full(text)


def load_fast_or_none(text: str) -> tuple[Any, dict[str, int]] | None:
    """The fast path alone (for tests that prove it equals the full parser)."""
    try:
        return _load_fast(text)
    except _GiveUp:
        return None


def _load_fast(text: str) -> tuple[dict[str, Any], dict[str, int]]:
    result: dict[str, Any] = {}
    lines: dict[str, int] = {}
    list_key: str | None = None  # key whose value may still turn into a block list
    list_indent = -1
    if _ODD_CHAR_RE.search(text):
        raise _GiveUp
    if "\r" in text:  # every CR ends a line here (CRLF): the line break's
        text = text.replace("\r\n", "\n")
    all_lines = text.split("\n")
    count = len(all_lines)
    number = 0
    while number < count:
        line = all_lines[number]
        number += 1
        first = line[:1]
        if first == "#":
            continue
        if first == " " or first == "-" or not first:
            stripped = line.strip()
            if not stripped or stripped[0] == "#":
                continue
            if list_key is None:
                raise _GiveUp
            match = _ITEM_RE.match(line)
            if match is None:
                if list_indent != -1 or first != " ":
                    raise _GiveUp
                # `key:` then an indented `sub: value` block: a nested mapping
                result[list_key], number = _block_mapping(all_lines, number - 1, len(line) - len(line.lstrip(" ")))
                list_key = None
                continue
            indent = len(match.group(1))
            if list_indent == -1:
                list_indent = indent
                result[list_key] = []
            elif indent != list_indent:
                raise _GiveUp
            result[list_key].append(_scalar(match.group(2), flow=False))
            continue
        match = _KEY_RE.match(line)
        if match is None:
            raise _GiveUp
        key, rest = match.groups()  # the key never ends in a space, the rest never starts with one
        if key in _ODD_KEYS:
            raise _GiveUp
        if key in result:
            raise YamlProblem(f"duplicate key {key!r}", number - 1, 0, first_line=lines[key])
        lines[key] = number - 1
        list_key, list_indent = None, -1
        if not rest or rest[0] == "#":
            result[key] = None
            list_key = key
        elif rest[0] == "[":
            result[key] = _flow_list(rest)
        elif rest[0] == "{":
            result[key] = _flow_mapping(rest)
        elif rest[0] == "|":
            result[key], number = _literal_block(rest, all_lines, number)
        else:
            result[key] = _scalar(rest, flow=False)
    return result, lines


def _next_content(all_lines: list[str], number: int) -> tuple[int, str] | None:
    """The next line that is neither blank nor a comment: (its index, the line without CR)."""
    while number < len(all_lines):
        line = all_lines[number]
        if line.endswith("\r"):
            line = line[:-1]
        stripped = line.strip()
        if stripped and stripped[0] != "#":
            return number, line
        number += 1
    return None


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_mapping(all_lines: list[str], number: int, indent: int) -> tuple[dict[str, Any], int]:
    """A nested block mapping at ``indent`` (plain keys; scalar, flow or nested values)."""
    result: dict[str, Any] = {}
    while (found := _next_content(all_lines, number)) is not None:
        index, line = found
        line_indent = _indent_of(line)
        if line_indent < indent:
            break
        if line_indent > indent or line[indent:].startswith(("- ", "-\r")) or line[indent:] == "-":
            raise _GiveUp
        match = _KEY_RE.match(line, indent)
        if match is None:
            raise _GiveUp
        key, rest = match.group(1), match.group(2)
        if key in _NULLS or key in _TRUES or key in _FALSES or key in result:
            raise _GiveUp  # odd keys and duplicates: the full parser decides (and reports)
        number = index + 1
        if rest is None or not rest.strip() or rest.lstrip()[0] == "#":
            child = _next_content(all_lines, number)
            if child is None:
                result[key] = None
                continue
            child_indent = _indent_of(child[1])
            is_item = child[1][child_indent:].startswith("- ")
            if is_item and child_indent >= indent:
                result[key], number = _block_list(all_lines, number, child_indent)
            elif child_indent > indent:
                result[key], number = _block_mapping(all_lines, number, child_indent)
            else:
                result[key] = None
        elif rest[0] == "[":
            result[key] = _flow_list(rest)
        elif rest[0] == "{":
            result[key] = _flow_mapping(rest)
        elif rest[0] in "|>":
            raise _GiveUp
        else:
            result[key] = _scalar(rest, flow=False)
    return result, number


def _block_list(all_lines: list[str], number: int, indent: int) -> tuple[list[Any], int]:
    """``- item`` lines at ``indent`` holding scalars (nested content gives up)."""
    items: list[Any] = []
    while (found := _next_content(all_lines, number)) is not None:
        index, line = found
        line_indent = _indent_of(line)
        if line_indent < indent or (line_indent == indent and not line[indent:].startswith("- ")):
            break
        if line_indent > indent:
            raise _GiveUp
        match = _ITEM_RE.match(line)
        if match is None:
            raise _GiveUp
        items.append(_scalar(match.group(2), flow=False))
        number = index + 1
    return items, number


def _literal_block(header: str, all_lines: list[str], number: int) -> tuple[str, int]:
    """A ``|`` or ``|-`` block scalar under a top-level key: (its value, the next line to read)."""
    chomp = header[1:].rstrip()
    if chomp not in ("", "-"):
        raise _GiveUp  # keep (+), indentation indicators and comments: the full parser
    content: list[str] = []
    indent = 0
    while number < len(all_lines):
        line = all_lines[number]
        if line.endswith("\r"):
            line = line[:-1]
        if not line.strip():
            if indent == 0 and line:
                raise _GiveUp  # leading lines of spaces decide nothing here; let the full parser
            content.append(line)
            number += 1
            continue
        line_indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            if line_indent == 0:
                break
            indent = line_indent
        elif line_indent < indent:
            break
        content.append(line)
        number += 1
    if indent == 0:
        raise _GiveUp
    while content and not content[-1].strip():
        content.pop()
    value = "\n".join(item[indent:] if len(item) > indent else "" for item in content)
    return (value if chomp == "-" else value + "\n"), number


def _flow_mapping(text: str) -> dict[str, Any]:
    """A one-line ``{key: value, other: "x"}`` of plain keys and scalars; anything else gives up."""
    end = text.rfind("}")
    if end == -1:
        raise _GiveUp
    _only_comment_after(text[end + 1 :])
    inner = text[1:end]
    if any(c in inner for c in "{}[]'\"#"):
        raise _GiveUp
    mapping: dict[str, Any] = {}
    if not inner.strip():
        return mapping
    for item in inner.split(","):
        key, separator, value = item.partition(": ")
        key = key.strip()
        if not separator or not key or not _KEY_RE.match(key + ":") or key in mapping:
            raise _GiveUp
        if key in _NULLS or key in _TRUES or key in _FALSES:
            raise _GiveUp
        mapping[key] = _scalar(value.strip(), flow=True)
    return mapping


def _scalar(text: str, *, flow: bool) -> Any:
    """One scalar (plain or quoted) followed by nothing but an optional comment."""
    if not flow and _PLAIN_TEXT_RE.fullmatch(text):
        value = text.rstrip()
        return _WORDS.get(value, value)
    if not text.strip():
        raise _GiveUp
    first = text[0]
    if first == '"':
        end = _quoted_end(text, 0)
        _only_comment_after(text[end + 1 :])
        inner = text[1:end]
        return _unescape(inner) if "\\" in inner else inner
    if first == "'":
        pieces: list[str] = []
        position = 1
        while True:
            end = text.find("'", position)
            if end == -1:
                raise _GiveUp
            pieces.append(text[position:end])
            if text.startswith("'", end + 1):
                pieces.append("'")
                position = end + 2
                continue
            _only_comment_after(text[end + 1 :])
            return "".join(pieces)
    if first in _PLAIN_SPECIAL_START and not (first == "-" and len(text) > 1 and text[1] not in " ,[]{}"):
        raise _GiveUp
    comment = text.find(" #")
    value = (text[:comment] if comment != -1 else text).rstrip()
    if value.endswith(":") or ": " in value or (flow and _FLOW_SPECIAL_RE.search(text)):
        raise _GiveUp
    return _resolve_plain(value)


def _only_comment_after(rest: str) -> None:
    stripped = rest.strip()
    if stripped and (stripped[0] != "#" or not rest[0].isspace()):
        raise _GiveUp


def _resolve_plain(value: str) -> Any:
    if value in _NULLS:
        return None
    if value in _TRUES:
        return True
    if value in _FALSES:
        return False
    if value[0] not in _RESOLVER_START:
        return value
    if _DATE_PREFIX_RE.match(value) or _MONTHDAY_RE.match(value):
        return value  # a date, a date-time or other text: never a number in YAML 1.2
    if _INT_RE.match(value):
        return int(value)
    if _UNIT_WORDS_RE.match(value):
        return value
    return _resolve_with_ruamel(value)


_RESOLVER: Any = None
_STRING_TAGS = frozenset(("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"))


def _resolve_with_ruamel(value: str) -> Any:
    """Ask ruamel's own YAML 1.2 resolver about odd plain scalars (``+1 480 ...``).

    Timestamps count as strings: the full parser keeps them as written too.
    """
    global _RESOLVER
    from ruamel.yaml.nodes import ScalarNode

    if _RESOLVER is None:
        from ruamel.yaml.resolver import VersionedResolver

        _RESOLVER = VersionedResolver(version=(1, 2))
    tag = _RESOLVER.resolve(ScalarNode, value, (True, False))
    if str(tag) in _STRING_TAGS:
        return value
    raise _GiveUp


def _flow_list(text: str) -> list[Any]:
    """A one-line ``[a, "b", 'c']``; nesting, mappings or a trailing comma give up."""
    if _PLAIN_FLOW_LIST_RE.fullmatch(text):
        inner = text[1:-1]
        if not inner.strip(" "):
            return []
        return [_WORDS.get(value, value) for value in (item.strip() for item in inner.split(","))]
    items: list[Any] = []
    position = 1
    length = len(text)
    while True:
        while position < length and text[position] == " ":
            position += 1
        if position >= length:
            raise _GiveUp
        if text[position] == "]" and not items:
            _only_comment_after(text[position + 1 :])
            return items
        char = text[position]
        if char in "\"'":
            end = _quoted_end(text, position)
            items.append(_scalar(text[position : end + 1], flow=True))
            position = end + 1
        else:
            end = position
            while end < length and text[end] not in ",]":
                end += 1
            piece = text[position:end].rstrip()
            if not piece:
                raise _GiveUp
            items.append(_scalar(piece, flow=True))
            position = end
        while position < length and text[position] == " ":
            position += 1
        if position >= length:
            raise _GiveUp
        if text[position] == "]":
            _only_comment_after(text[position + 1 :])
            return items
        if text[position] != ",":
            raise _GiveUp
        position += 1
        rest = text[position:].lstrip(" ")
        if rest.startswith("]"):
            raise _GiveUp  # a trailing comma: leave it to the full parser


def _quoted_end(text: str, start: int) -> int:
    """Index of the quote that closes the one at ``start`` (``''`` and ``\\"`` skipped)."""
    quote = text[start]
    position = start + 1
    while True:
        end = text.find(quote, position)
        if end == -1:
            raise _GiveUp
        if quote == "'" and text.startswith("'", end + 1):
            position = end + 2
            continue
        if quote == '"':
            backslashes = len(text[position:end]) - len(text[position:end].rstrip("\\"))
            if backslashes % 2:
                position = end + 1
                continue
        return end


_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}  # fmt: skip
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}


def _unescape(inner: str) -> str:
    """YAML 1.2 double-quoted escapes (``\\"``, ``\\n``, ``\\u00e9`` ...); anything odd gives up."""
    out: list[str] = []
    position = 0
    while True:
        slash = inner.find("\\", position)
        if slash == -1:
            out.append(inner[position:])
            return "".join(out)
        out.append(inner[position:slash])
        code = inner[slash + 1 : slash + 2]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            position = slash + 2
        elif code in _HEX_LENGTHS:
            digits = inner[slash + 2 : slash + 2 + _HEX_LENGTHS[code]]
            if len(digits) != _HEX_LENGTHS[code] or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _GiveUp
            value = int(digits, 16)
            if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise _GiveUp
            out.append(chr(value))
            position = slash + 2 + len(digits)
        else:
            raise _GiveUp


# a ``#word`` right after ``[``, ``{`` or ``,`` in a flow list: meant as a tag, read as a comment
_HASH_IN_FLOW = re.compile(r"[\[{,][ \t]*(#[^\s,\]}]+)")


def load_full(text: str) -> tuple[Any, dict[str, int]]:
    """Exact YAML 1.2 (ruamel.yaml, safe), timestamps kept as strings.

    Aliases are measured before anything is built from them: see :func:`_check_expansion`.
    """
    loader = _full_loader()
    # Without aliases, nodes + scalar characters stay under twice the text's length; with
    # them, a few hundred bytes can stand for gigabytes ("billion laughs", or one long
    # string aliased thousands of times). Three times the text, and 100,000 for short notes.
    loader.constructor.mdnet_expansion_limit = 3 * len(text) + _EXPANSION_FLOOR if "*" in text else None
    try:
        value = loader.load(text)
    except _ExpandsTooFar as exc:
        raise YamlProblem(
            f"YAML aliases expand too far (over {exc.limit:,} nodes and characters)", exc.line, 0
        ) from None
    except RecursionError:
        line = next((n for n, line in enumerate(text.split("\n")) if "[" * 20 in line or "{" * 20 in line), 0)
        raise YamlProblem("malformed YAML: nested too deeply", line, 0) from None
    except Exception as exc:  # ruamel raises many unrelated classes for bad input
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc).splitlines()[0]
        if type(exc).__name__ == "DuplicateKeyError":
            problem = "duplicate key: " + str(getattr(exc, "problem", "") or "").strip()
        line = mark.line if mark is not None else 0
        column = mark.column if mark is not None else 0
        hashed = _HASH_IN_FLOW.search(text)
        if hashed is not None and "duplicate key" not in problem:  # `tags: [#mentor, work]`: the rest is a comment
            line = text.count("\n", 0, hashed.start(1))
            column = hashed.start(1) - (text.rfind("\n", 0, hashed.start(1)) + 1)
            problem += (f"; '{hashed.group(1)}' starts a YAML comment, which hides the rest of the line: "
                        f"quote it (\"{hashed.group(1)}\") or leave the # out")  # fmt: skip
        raise YamlProblem(f"malformed YAML: {problem}", line, column) from None
    try:
        return _jsonable(value), _top_level_key_lines(text)
    except RecursionError:  # deep nesting the composer took and the conversion did not
        raise YamlProblem("malformed YAML: nested too deeply", 0, 0) from None


_EXPANSION_FLOOR = 100_000


class _ExpandsTooFar(Exception):
    """The document, its aliases written out, is over its budget."""

    def __init__(self, limit: int, line: int) -> None:
        super().__init__(limit, line)
        self.limit = limit
        self.line = line


def _check_expansion(node: Any, limit: int) -> None:
    """Count the document as if every alias were written out: each node, plus each scalar's
    characters; raise :class:`_ExpandsTooFar` (with the line of the top-level entry that
    crosses the limit) as soon as the count passes ``limit``.

    Iterative and stopping at the limit, so the count costs at most ``limit`` steps, and a
    recursive alias (``&a [*a]``) is simply too large. Merge keys (``<<: *a``) are counted
    as the copies ruamel's constructor makes of them.
    """
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    size = 0
    entries = node.value if isinstance(node, MappingNode) else [(node, node)]
    for key, value in entries:
        stack = [key, value]
        while stack:
            item = stack.pop()
            size += 1
            if isinstance(item, ScalarNode):
                size += len(item.value)
            elif isinstance(item, MappingNode):
                for child_key, child_value in item.value:
                    stack += (child_key, child_value)
            else:
                stack += item.value
            if size > limit:
                raise _ExpandsTooFar(limit, key.start_mark.line)


_LOADER: Any = None


def _full_loader() -> Any:
    global _LOADER
    if _LOADER is None:
        from ruamel.yaml import YAML
        from ruamel.yaml.constructor import SafeConstructor

        class _Constructor(SafeConstructor):
            """Safe YAML 1.2 that keeps timestamps as the text the user wrote, and measures
            aliases before it builds anything from them."""

            mdnet_expansion_limit: int | None = None

            def get_single_data(self) -> Any:
                node = self.composer.get_single_node()
                if node is None:
                    return None
                if self.mdnet_expansion_limit is not None:
                    _check_expansion(node, self.mdnet_expansion_limit)
                return self.construct_document(node)

        _Constructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)
        yaml = YAML(typ="safe", pure=True)
        yaml.Constructor = _Constructor
        yaml.version = (1, 2)
        _LOADER = yaml
    return _LOADER


_TOP_KEY_RE = re.compile(r"""^(?:"([^"]+)"|'([^']+)'|([^\s#'"\-?:][^:]*?))\s*:(?:\s|$)""")


def _top_level_key_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n")):
        match = _TOP_KEY_RE.match(line)
        if match:
            key = next(g for g in match.groups() if g is not None)
            lines.setdefault(key, number)
    return lines


def _jsonable(value: Any) -> Any:
    """Make any YAML value JSON-able: keys to strings, sets to lists, bytes to text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)
