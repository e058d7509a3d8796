"""Three-way merge of a contact note: what the git merge driver does (pure).

``merge_note(base, ours, theirs)`` returns the merged text and the real conflicts.
It understands the two parts of a note that two devices edit at the same time:

* **Front matter, key by key.** A key changed on one side takes that side; a key
  changed the same way on both sides is taken once; ``last_contact`` (a fact that only
  moves forward) takes the later date; a list changed on both sides takes the union in
  order (an item one side removed stays removed); anything else changed differently
  on both sides is a real conflict, written with ordinary conflict markers around that
  key's lines alone. Keys are never re-dumped: each key's own lines are copied from
  the side that wins (or, for a list union, written in that key's own style), so
  comments, quoting, key order (that of ``ours``) and line endings survive.
* **The Log section, entry by entry:** the union of both sides' entries, newest first,
  each once. An entry that one side deleted or edited (and the other left alone)
  stays deleted or edited, as in any three-way merge; an entry added on either side
  is never lost.
* **Everything else, line by line**, as ``git merge-file`` merges text: a change on
  one side is taken, the same change on both sides is taken once, and different
  changes to the same lines are a conflict.

The line merge is a diff3 in pure Python (``difflib`` matching) rather than a call
to ``git merge-file``: the merge stays a pure function (fast to test with
Hypothesis, no temporary files, no process per merge), and it runs on the
*skeleton* of a note, where a whole front matter key or the whole list of log
entries is a single token, which ``git merge-file`` cannot do. On ordinary edits
the two agree; where lines repeat, difflib may align a conflict region a little
differently than git's xdiff.

Line endings and the byte-order mark are those of ``ours``; lines taken from
``theirs`` are given ``ours``' line ending.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from mdnet import document, edit, frontmatter_yaml

MARKER_SIZE = 7
#: Keys that record a fact that only moves forward: when both sides changed them, the later date wins.
FORWARD_DATE_KEYS = frozenset({"last_contact"})

_KEY_TOKEN = "\x00key:"
_LOG_TOKEN = "\x00log"
_DATE_RE = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?)?$")
_HEADING_RE = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t#]*$")
_ENTRY_RE = re.compile(r"[-*+][ \t]+(?:\[.\][ \t]+)?(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d))?")
_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Conflict:
    """A real conflict left in the merged text: the key (None outside front matter) and its marker line."""

    key: str | None
    line: int
    entry: str | None = None  # the date of the log entry the conflict is around (found by conflict_keys)

    def describe(self) -> str:
        what = f"key {self.key!r}" if self.key else f"log entry of {self.entry}" if self.entry else "text"
        return f"{what} (line {self.line})"


@dataclass(frozen=True, slots=True)
class MergeResult:
    text: str
    conflicts: tuple[Conflict, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts


# -- diff3 ---------------------------------------------------------------------

# A merged chunk: ("same", ours_lo, ours_hi) lines kept from ours; ("theirs", lo, hi) lines of theirs;
# ("conflict", (ours_lo, ours_hi), (theirs_lo, theirs_hi)).
Chunk = tuple[Any, ...]


def diff3(base: Sequence[Hashable], ours: Sequence[Hashable], theirs: Sequence[Hashable]) -> list[Chunk]:
    """Merge three sequences of comparable tokens into chunks (the classic diff3 walk).

    Stable tokens are those of ``base`` matched in both sides; between two stable
    tokens, a region changed on one side takes that side, the same change on both
    sides is taken once, and different changes are a conflict (trimmed of the lines
    both sides share at its start and end, as git's "zealous" merge does).
    """
    ours_at = _matches(base, ours)
    theirs_at = _matches(base, theirs)
    chunks: list[Chunk] = []
    i = io = it = 0
    while True:
        j = i
        while j < len(base) and not (j in ours_at and j in theirs_at):
            j += 1
        jo, jt = (ours_at[j], theirs_at[j]) if j < len(base) else (len(ours), len(theirs))
        o_part, t_part, b_part = ours[io:jo], theirs[it:jt], base[i:j]
        if o_part or t_part or b_part:
            if list(o_part) == list(t_part) or list(t_part) == list(b_part):
                chunks.append(("same", io, jo))
            elif list(o_part) == list(b_part):
                chunks.append(("theirs", it, jt))
            else:
                chunks.extend(_trimmed_conflict(ours, theirs, io, jo, it, jt))
        if j >= len(base):
            break
        chunks.append(("same", jo, jo + 1))
        i, io, it = j + 1, jo + 1, jt + 1
    return chunks


def _matches(base: Sequence[Hashable], other: Sequence[Hashable]) -> dict[int, int]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    found: dict[int, int] = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            found[a + k] = b + k
    return found


def _trimmed_conflict(
    ours: Sequence[Hashable], theirs: Sequence[Hashable], io: int, jo: int, it: int, jt: int
) -> list[Chunk]:
    head = 0
    while io + head < jo and it + head < jt and ours[io + head] == theirs[it + head]:
        head += 1
    tail = 0
    while jo - tail > io + head and jt - tail > it + head and ours[jo - tail - 1] == theirs[jt - tail - 1]:
        tail += 1
    chunks: list[Chunk] = []
    if head:
        chunks.append(("same", io, io + head))
    chunks.append(("conflict", (io + head, jo - tail), (it + head, jt - tail)))
    if tail:
        chunks.append(("same", jo - tail, jo))
    return chunks


# -- the note as tokens ----------------------------------------------------------


def _bare(line: str) -> str:
    return line.rstrip("\r\n")


def _with_newline(line: str, newline: str) -> str:
    return _bare(line) + newline if line.endswith("\n") else line


@dataclass
class _Side:
    """One version of the note, cut into tokens: a front matter key's block or a log is one token."""

    doc: document.Document
    values: dict[str, Any]
    fm_tokens: list[str]
    fm_lines: list[list[str]]
    body_tokens: list[str]
    body_lines: list[list[str]]
    entries: list[tuple[tuple[str, str], tuple[str, ...], list[str]]]  # (sort key, identity, lines)

    def key_lines(self, key: str) -> list[str] | None:
        token = _KEY_TOKEN + key
        for index, name in enumerate(self.fm_tokens):
            if name == token:
                return self.fm_lines[index]
        return None


class _Unmergeable(Exception):
    """Front matter that cannot be read key by key: merge the whole text line by line."""


def _side(text: str, log_heading: str) -> _Side:
    doc = document.split(text)
    values: dict[str, Any] = {}
    fm_tokens: list[str] = []
    fm_lines: list[list[str]] = []
    if doc.unclosed:
        raise _Unmergeable
    if doc.front_matter is not None:
        try:
            loaded, key_lines = frontmatter_yaml.load(doc.front_matter)
        except frontmatter_yaml.YamlProblem:
            raise _Unmergeable from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict) or set(loaded) != set(key_lines):
            raise _Unmergeable
        values = loaded
        lines = document.lines(doc.front_matter)
        starts = {line: key for key, line in key_lines.items()}
        index = 0
        while index < len(lines):
            if index in starts:
                key_line = lines[index]
                end = edit.value_span(lines, index, key_line[: len(key_line) - len(key_line.lstrip(" \t"))])
                fm_tokens.append(_KEY_TOKEN + starts[index])
                fm_lines.append(lines[index:end])
                index = end
            else:
                fm_tokens.append(_bare(lines[index]))
                fm_lines.append([lines[index]])
                index += 1
    body_tokens, body_lines, entries = _body_tokens(doc.body, log_heading)
    return _Side(doc, values, fm_tokens, fm_lines, body_tokens, body_lines, entries)


def _body_tokens(
    body: str, heading: str
) -> tuple[list[str], list[list[str]], list[tuple[tuple[str, str], tuple[str, ...], list[str]]]]:
    lines = document.lines(body)
    markdown = document.lines(document.mask_code_blocks(body))  # the same lines, code blocks blanked
    wanted = heading.strip().casefold()
    start = level = -1
    for index, raw in enumerate(markdown):
        if raw.startswith("#"):
            match = _HEADING_RE.match(_bare(raw))
            if match and match.group(2).strip().casefold() == wanted:
                start, level = index, len(match.group(1))
                break
    if start < 0:
        return [_bare(x) for x in lines], [[x] for x in lines], []
    end = len(lines)
    for index in range(start + 1, len(lines)):
        if markdown[index].startswith("#"):
            match = _HEADING_RE.match(_bare(markdown[index]))
            if match and len(match.group(1)) <= level:
                end = index
                break
    first = next((k for k in range(start + 1, end) if _ENTRY_RE.match(markdown[k])), None)
    entries: list[tuple[tuple[str, str], tuple[str, ...], list[str]]] = []
    if first is None:
        region_start = region_end = start + 1
    else:
        region_start = first
        region_end = end
        while region_end > region_start + 1 and not lines[region_end - 1].strip():
            region_end -= 1
        current: list[str] = []
        for index in range(region_start, region_end):
            if _ENTRY_RE.match(markdown[index]) and current:
                entries.append(_entry(current))
                current = []
            current.append(lines[index])
        entries.append(_entry(current))
    before, after = lines[:region_start], lines[region_end:]
    tokens = [_bare(x) for x in before] + [_LOG_TOKEN] + [_bare(x) for x in after]
    token_lines = [[x] for x in before] + [[]] + [[x] for x in after]
    return tokens, token_lines, entries


def _entry(lines: list[str]) -> tuple[tuple[str, str], tuple[str, ...], list[str]]:
    match = _ENTRY_RE.match(lines[0])
    assert match is not None
    identity = [_bare(x).rstrip() for x in lines]
    while len(identity) > 1 and not identity[-1]:
        identity.pop()
    return (match.group(1), match.group(2) or ""), tuple(identity), lines


# -- the merge -------------------------------------------------------------------


class _Out:
    """The merged lines, in ours' line ending, with the conflicts found so far."""

    def __init__(self, newline: str, labels: tuple[str, str], first_line: int) -> None:
        self.lines: list[str] = []
        self.newline = newline
        self.labels = labels
        self.first_line = first_line
        self.conflicts: list[Conflict] = []

    def add(self, lines: Sequence[str], convert: bool = False) -> None:
        for line in lines:
            if self.lines and not self.lines[-1].endswith("\n"):
                self.lines[-1] += self.newline
            self.lines.append(_with_newline(line, self.newline) if convert else line)

    def conflict(self, key: str | None, ours: Sequence[str], theirs: Sequence[str]) -> None:
        self.conflicts.append(Conflict(key, self.first_line + len(self.lines)))
        self.add(["<" * MARKER_SIZE + " " + self.labels[0] + self.newline])
        self.add(ours, convert=True)
        self.add(["=" * MARKER_SIZE + self.newline])
        self.add(theirs, convert=True)
        self.add([">" * MARKER_SIZE + " " + self.labels[1] + self.newline])

    def text(self) -> str:
        return "".join(self.lines)


def merge_note(
    base: str, ours: str, theirs: str, *, log_heading: str = "Log", labels: tuple[str, str] = ("ours", "theirs")
) -> MergeResult:
    """Merge two versions of a note that share ``base``: (merged text, real conflicts)."""
    if ours == theirs or theirs == base:
        return MergeResult(ours, ())
    if ours == base:
        return MergeResult(theirs, ())
    try:
        sides = [_side(text, log_heading) for text in (base, ours, theirs)]
    except _Unmergeable:
        return merge_text(base, ours, theirs, labels=labels)
    b, o, t = sides
    template = o.doc if o.doc.front_matter is not None else t.doc
    newline = o.doc.newline
    prefix = ("\ufeff" if o.doc.bom else "") + template.opening
    fm_text, fm_conflicts = "", []
    if template.front_matter is not None:
        out = _Out(newline, labels, 2)
        _merge_front_matter(b, o, t, out)
        fm_text, fm_conflicts = out.text(), out.conflicts
        if fm_text and not fm_text.endswith("\n"):
            fm_text += newline
        closing = template.closing
        if not closing.endswith("\n"):
            closing = closing.rstrip("\r\n") + newline
    else:
        closing = ""
    head = prefix + fm_text + closing
    body_start = head.count("\n") + 1
    out = _Out(newline, labels, body_start)
    _merge_body(b, o, t, out)
    return MergeResult(head + out.text(), tuple(fm_conflicts + out.conflicts))


def merge_text(base: str, ours: str, theirs: str, *, labels: tuple[str, str] = ("ours", "theirs")) -> MergeResult:
    """A plain line-by-line three-way merge (what ``git merge-file`` does)."""
    out = _Out(document.detect_newline(ours), labels, 1)
    _merge_lines(base, ours, theirs, out)
    return MergeResult(out.text(), tuple(out.conflicts))


def _merge_lines(base: str, ours: str, theirs: str, out: _Out) -> None:
    split = [document.lines(x) for x in (base, ours, theirs)]
    keys = [[_bare(x) for x in lines] for lines in split]
    for chunk in diff3(*keys):
        if chunk[0] == "same":
            out.add(split[1][chunk[1] : chunk[2]])
        elif chunk[0] == "theirs":
            out.add(split[2][chunk[1] : chunk[2]], convert=True)
        else:
            (olo, ohi), (tlo, thi) = chunk[1], chunk[2]
            out.conflict(None, split[1][olo:ohi], split[2][tlo:thi])


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _merge_front_matter(b: _Side, o: _Side, t: _Side, out: _Out) -> None:
    resolved: dict[str, tuple[str, list[str], list[str]]] = {}
    for key in [*o.values, *(k for k in t.values if k not in o.values)]:
        resolved[key] = _resolve_key(key, b, o, t, out.newline)
    for key in b.values:
        if key not in resolved:
            resolved[key] = ("drop", [], [])  # removed on both sides

    def skeleton_conflict(ours_part: list[str], theirs_part: list[str], base_part: list[str]) -> list[str] | None:
        """Both sides added or moved keys at one place: keep each key (canonical order); else None."""
        if any(not tok.startswith(_KEY_TOKEN) and tok.strip() for tok in (*ours_part, *theirs_part)):
            return None
        first, second = sorted([ours_part, theirs_part])
        merged: list[str] = []
        for tok in [*first, *second]:
            if tok in base_part and not (tok in ours_part and tok in theirs_part):
                continue  # one side removed or moved it away
            if tok.startswith(_KEY_TOKEN) and tok in merged:
                continue
            merged.append(tok)
        return merged

    emitted: set[str] = set()

    def emit_token(token: str, side: _Side, index: int) -> None:
        if token.startswith(_KEY_TOKEN):
            key = token[len(_KEY_TOKEN) :]
            if key in emitted:
                return
            emitted.add(key)
            how, lines, other = resolved.get(key, ("drop", [], []))
            if how == "conflict":
                out.conflict(key, lines, other)
            else:
                out.add(lines)
        else:
            out.add(side.fm_lines[index], convert=side is not o)

    for chunk in diff3(b.fm_tokens, o.fm_tokens, t.fm_tokens):
        if chunk[0] == "same":
            for index in range(chunk[1], chunk[2]):
                emit_token(o.fm_tokens[index], o, index)
        elif chunk[0] == "theirs":
            for index in range(chunk[1], chunk[2]):
                emit_token(t.fm_tokens[index], t, index)
        else:
            (olo, ohi), (tlo, thi) = chunk[1], chunk[2]
            ours_part, theirs_part = o.fm_tokens[olo:ohi], t.fm_tokens[tlo:thi]
            merged = skeleton_conflict(ours_part, theirs_part, [x for x in b.fm_tokens if x in ours_part + theirs_part])
            if merged is None:
                out.conflict(None, _expand(o, olo, ohi), _expand(t, tlo, thi))
                emitted.update(tok[len(_KEY_TOKEN) :] for tok in ours_part + theirs_part if tok.startswith(_KEY_TOKEN))
                continue
            for token in merged:
                side, index = (
                    (o, olo + ours_part.index(token)) if token in ours_part else (t, tlo + theirs_part.index(token))
                )
                emit_token(token, side, index)
    for key in resolved:  # a key one side deleted and the other changed: keep it visible
        if key not in emitted and resolved[key][0] != "drop":
            emit_token(_KEY_TOKEN + key, o, -1)


def _expand(side: _Side, lo: int, hi: int) -> list[str]:
    lines: list[str] = []
    for index in range(lo, hi):
        lines.extend(side.fm_lines[index])
    return lines


def _resolve_key(key: str, b: _Side, o: _Side, t: _Side, newline: str) -> tuple[str, list[str], list[str]]:
    """How one key merges: ("take", lines, []), ("drop", [], []) or ("conflict", ours lines, theirs lines).

    Lines taken from theirs are given ours' line ending here.
    """
    bv, ov, tv = (s.values.get(key, _MISSING) for s in (b, o, t))
    o_lines = o.key_lines(key) or []
    t_lines = [_with_newline(x, newline) for x in t.key_lines(key) or []]

    def take(value: Any, side_lines: list[str]) -> tuple[str, list[str], list[str]]:
        return ("drop", [], []) if value is _MISSING else ("take", side_lines, [])

    same = _canon_or_missing
    b_form, o_form, t_form = (_form(s.key_lines(key)) for s in (b, o, t))
    # The exact lines first, so a change of form alone (quoting, flow or block list) merges like text ...
    if (same(tv), t_form) in ((same(ov), o_form), (same(bv), b_form)):
        return take(ov, o_lines)
    if (same(ov), o_form) == (same(bv), b_form):
        return take(tv, t_lines)
    # ... then the values: a side that only changed the form gives way to one that changed the value.
    if same(ov) == same(tv) or same(tv) == same(bv):
        return take(ov, o_lines)
    if same(ov) == same(bv):
        return take(tv, t_lines)
    if key in FORWARD_DATE_KEYS and _is_date(ov) and _is_date(tv):
        later_is_ours = (str(ov), _canon(ov)) >= (str(tv), _canon(tv))
        return ("take", o_lines, []) if later_is_ours else ("take", t_lines, [])
    if _is_list(ov) and _is_list(tv) and (bv is _MISSING or bv is None or _is_list(bv)):
        union = _union(bv if _is_list(bv) else [], ov, tv)
        if _canon(union) == _canon(ov):
            return ("take", o_lines, [])
        if _canon(union) == _canon(tv):
            return ("take", t_lines, [])
        if all(isinstance(item, str | int | bool) for item in union):
            return ("take", _render_list(key, o_lines, union), [])
    return ("conflict", o_lines, t_lines)


def _form(lines: list[str] | None) -> tuple[str, ...]:
    return tuple(_bare(x) for x in lines or [])


def _canon_or_missing(value: Any) -> str:
    return "\x00missing" if value is _MISSING else _canon(value)


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and _DATE_RE.match(value.strip()) is not None


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _union(base: list[Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Items both sides kept (in base order), then those either side added (in a side-independent order).

    An item one side removed stays removed; an item both added appears once.
    """
    b, o, t = ({_canon(x) for x in items} for items in (base, ours, theirs))
    result: list[Any] = []
    seen: set[str] = set()

    def push(item: Any) -> None:
        key = _canon(item)
        if key not in seen:
            seen.add(key)
            result.append(item)

    for item in base:
        if _canon(item) in o and _canon(item) in t:
            push(item)
    added_o = [x for x in ours if _canon(x) not in b]
    added_t = [x for x in theirs if _canon(x) not in b]
    first, second = sorted([added_o, added_t], key=lambda items: [_canon(x) for x in items])
    for item in [*first, *second]:
        push(item)
    return result


_BLOCK_ITEM_RE = re.compile(r"([ \t]*)-[ \t]")


def _render_list(key: str, lines: list[str], items: list[Any]) -> list[str]:
    """``key`` with ``items``, in the style of ours' lines for it (block or flow list)."""
    if not lines:
        return [f"{key}: {edit.format_value([str(x) for x in items])}\n"]
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    head = _bare(lines[0])
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


def _merge_body(b: _Side, o: _Side, t: _Side, out: _Out) -> None:
    if _LOG_TOKEN in b.body_tokens and (_LOG_TOKEN in o.body_tokens) != (_LOG_TOKEN in t.body_tokens):
        # One side removed the Log heading (or renamed it): to that side the entries are lines, to the
        # other a token that hides what it added. Merged line by line, as git does, an entry the other
        # side added meets the removal as a conflict instead of vanishing with the section.
        _merge_lines(b.doc.body, o.doc.body, t.doc.body, out)
        return
    entries = _merge_entries(b.entries, o.entries, t.entries)
    log_done = False

    def emit_log() -> None:
        nonlocal log_done
        if not log_done:
            log_done = True
            for origin, lines in entries:
                if origin is _CONFLICT:
                    out.conflict(None, lines[0], lines[1])
                else:
                    out.add(lines, convert=origin is _THEIRS)

    def emit(side: _Side, index: int) -> None:
        if side.body_tokens[index] == _LOG_TOKEN:
            emit_log()
        else:
            out.add(side.body_lines[index], convert=side is not o)

    for chunk in diff3(b.body_tokens, o.body_tokens, t.body_tokens):
        if chunk[0] == "same":
            for index in range(chunk[1], chunk[2]):
                emit(o, index)
        elif chunk[0] == "theirs":
            for index in range(chunk[1], chunk[2]):
                emit(t, index)
        else:
            (olo, ohi), (tlo, thi) = chunk[1], chunk[2]
            ours_lines = [x for k in range(olo, ohi) for x in o.body_lines[k]]
            theirs_lines = [x for k in range(tlo, thi) for x in t.body_lines[k]]
            if _LOG_TOKEN in o.body_tokens[olo:ohi] + t.body_tokens[tlo:thi]:
                # The log moved differently on both sides: keep every entry, once, after the conflict.
                out.conflict(None, ours_lines, theirs_lines)
                emit_log()
            else:
                out.conflict(None, ours_lines, theirs_lines)


Entries = list[tuple[tuple[str, str], tuple[str, ...], list[str]]]


def _merge_entries(base: Entries, ours: Entries, theirs: Entries) -> list[tuple[Any, Any]]:
    """Log entries of both sides, newest first, each once; deletions and edits of one side are kept.

    Returns (origin side marker, lines): the origin is ``None`` for lines from ours, else "theirs";
    one entry edited differently on both sides is a real conflict, (``_CONFLICT``, (ours' lines,
    theirs' lines)), never both versions as if they were two interactions.
    An entry written twice (two calls on one day, in the same words) is two entries: each
    copy is told apart by its number among its equals, so both survive.
    """
    b_ids = [e[1] for e in base]
    o_ids = [e[1] for e in ours]
    t_ids = [e[1] for e in theirs]
    if t_ids in (b_ids, o_ids):
        return [(_OURS, e[2]) for e in ours]
    if o_ids == b_ids:
        return [(_THEIRS, e[2]) for e in theirs]
    base, ours, theirs = _numbered(base), _numbered(ours), _numbered(theirs)
    b_ids = [e[1] for e in base]
    o_ids = [e[1] for e in ours]
    t_ids = [e[1] for e in theirs]
    dropped = {x for x in b_ids if x not in o_ids or x not in t_ids}
    left = [e for e in ours if e[1] not in dropped]
    right = [e for e in theirs if e[1] not in dropped]
    left_ids, right_ids = {e[1] for e in left}, {e[1] for e in right}
    clashes = _clashing_edits(base, ours, theirs)
    clash_of = {x: n for n, (o_group, t_group) in enumerate(clashes) for x in (*o_group, *t_group)}
    lines_of = {e[1]: e[2] for e in theirs} | {e[1]: e[2] for e in ours}
    merged: list[tuple[Any, Any]] = []
    seen: set[tuple[str, ...]] = set()
    i = j = 0
    while i < len(left) or j < len(right):
        if i < len(left) and left[i][1] in seen:
            i += 1
            continue
        if j < len(right) and right[j][1] in seen:
            j += 1
            continue
        if j >= len(right):
            take_left = True
        elif i >= len(left):
            take_left = False
        else:
            a, c = left[i], right[j]
            if a[1] == c[1] or a[0] > c[0]:
                take_left = True
            elif c[0] > a[0]:
                take_left = False
            else:  # same date: a new entry goes before the ones both sides have; else a fixed order
                a_shared, c_shared = a[1] in right_ids, c[1] in left_ids
                take_left = (not a_shared and c_shared) or (a_shared == c_shared and a[1] <= c[1])
        entry = left[i] if take_left else right[j]
        seen.add(entry[1])
        if entry[1] in clash_of:  # the place of an entry both sides edited: both edits, as a conflict
            o_group, t_group = clashes[clash_of[entry[1]]]
            seen.update((*o_group, *t_group))
            ours_lines = [x for e in o_group for x in lines_of[e]]
            merged.append((_CONFLICT, (ours_lines, [x for e in t_group for x in lines_of[e]])))
        else:
            merged.append((_OURS if take_left else _THEIRS, entry[2]))
        if take_left:
            i += 1
        else:
            j += 1
    return merged


def _clashing_edits(base: Entries, ours: Entries, theirs: Entries) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Base entries both sides replaced, each differently, by entries of the same day: (ours', theirs')."""
    ours_edits, theirs_edits = _edits(base, ours), _edits(base, theirs)
    kept = {e[1] for e in ours} | {e[1] for e in theirs}
    clashes: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
    for entry in base:
        mine, yours = ours_edits.get(entry[1]), theirs_edits.get(entry[1])
        if mine and yours and set(mine) != set(yours) and entry[1] not in kept and (mine, yours) not in clashes:
            clashes.append((mine, yours))
    return clashes


def _edits(base: Entries, side: Entries) -> dict[tuple[str, ...], tuple[Any, ...]]:
    """Base entries that ``side`` replaced (difflib's "replace") with entries of the same day: what with."""
    found: dict[tuple[str, ...], tuple[Any, ...]] = {}
    matcher = difflib.SequenceMatcher(None, [e[1] for e in base], [e[1] for e in side], autojunk=False)
    for tag, b_lo, b_hi, s_lo, s_hi in matcher.get_opcodes():
        if tag != "replace":
            continue
        for entry in base[b_lo:b_hi]:
            same_day = tuple(e[1] for e in side[s_lo:s_hi] if e[0][0] == entry[0][0])
            if same_day:
                found[entry[1]] = same_day
    return found


def _numbered(entries: Entries) -> Entries:
    """The entries with the n-th copy of an identical entry made distinct (``\x00n`` appended)."""
    count: dict[tuple[str, ...], int] = {}
    numbered: Entries = []
    for key, identity, lines in entries:
        copy = count.get(identity, 0)
        count[identity] = copy + 1
        numbered.append((key, (*identity, f"\x00{copy}") if copy else identity, lines))
    return numbered


_OURS: Any = None
_THEIRS: Any = "theirs"
_CONFLICT: Any = "conflict"


def conflict_keys(text: str) -> list[Conflict]:
    """The conflicts marked in a file: the key of each (the first ``key:`` line inside it, if any)."""
    found: list[Conflict] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("<" * MARKER_SIZE + " ") or line == "<" * MARKER_SIZE:
            key = entry = None
            for inner in lines[number:]:
                if inner.startswith("=" * MARKER_SIZE):
                    break
                match = re.match(r"""["']?([A-Za-z_][\w.\- ]*?)["']?[ \t]*:""", inner)
                if match and not inner.startswith(("#", "-", " ")):
                    key = match.group(1)
                    break
                dated = _ENTRY_RE.match(inner)  # a log entry, as the merge reads one
                if dated:
                    entry = dated.group(1)
                    break
            found.append(Conflict(key, number, entry))
    return found


__all__ = ["Conflict", "MergeResult", "conflict_keys", "diff3", "merge_note", "merge_text"]
