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

The line merge is a diff3 in pure Python (:mod:`mdnet.merge.diff3`, ``difflib`` matching) rather than a call
to ``git merge-file``: the merge stays a pure function (fast to test with
Hypothesis, no temporary files, no process per merge), and it runs on the
*skeleton* of a note, where a whole front matter key or the whole list of log
entries is a single token, which ``git merge-file`` cannot do. On ordinary edits
the two agree; where lines repeat, difflib may align a conflict region a little
differently than git's xdiff.

Line endings and the byte-order mark are those of ``ours``; lines taken from
``theirs`` are given ``ours``' line ending. The Log's entries merge in :mod:`mdnet.merge.log`,
a list changed on both sides in :mod:`mdnet.merge.lists`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mdnet.merge.diff3 import diff3
from mdnet.merge.lists import bare_line, canon, render_list, union
from mdnet.merge.log import CONFLICT, THEIRS, merge_entries
from mdnet.note import document, edit, frontmatter_yaml

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


# -- the note as tokens ----------------------------------------------------------


def _with_newline(line: str, newline: str) -> str:
    return bare_line(line) + newline if line.endswith("\n") else line


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
                fm_tokens.append(bare_line(lines[index]))
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
            match = _HEADING_RE.match(bare_line(raw))
            if match and match.group(2).strip().casefold() == wanted:
                start, level = index, len(match.group(1))
                break
    if start < 0:
        return [bare_line(x) for x in lines], [[x] for x in lines], []
    end = len(lines)
    for index in range(start + 1, len(lines)):
        if markdown[index].startswith("#"):
            match = _HEADING_RE.match(bare_line(markdown[index]))
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
    tokens = [bare_line(x) for x in before] + [_LOG_TOKEN] + [bare_line(x) for x in after]
    token_lines = [[x] for x in before] + [[]] + [[x] for x in after]
    return tokens, token_lines, entries


def _entry(lines: list[str]) -> tuple[tuple[str, str], tuple[str, ...], list[str]]:
    match = _ENTRY_RE.match(lines[0])
    assert match is not None
    identity = [bare_line(x).rstrip() for x in lines]
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
    keys = [[bare_line(x) for x in lines] for lines in split]
    for chunk in diff3(*keys):
        if chunk[0] == "same":
            out.add(split[1][chunk[1] : chunk[2]])
        elif chunk[0] == "theirs":
            out.add(split[2][chunk[1] : chunk[2]], convert=True)
        else:
            (olo, ohi), (tlo, thi) = chunk[1], chunk[2]
            out.conflict(None, split[1][olo:ohi], split[2][tlo:thi])


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
        later_is_ours = (str(ov), canon(ov)) >= (str(tv), canon(tv))
        return ("take", o_lines, []) if later_is_ours else ("take", t_lines, [])
    if _is_list(ov) and _is_list(tv) and (bv is _MISSING or bv is None or _is_list(bv)):
        items = union(bv if _is_list(bv) else [], ov, tv)
        if canon(items) == canon(ov):
            return ("take", o_lines, [])
        if canon(items) == canon(tv):
            return ("take", t_lines, [])
        if all(isinstance(item, str | int | bool) for item in items):
            return ("take", render_list(key, o_lines, items), [])
    return ("conflict", o_lines, t_lines)


def _form(lines: list[str] | None) -> tuple[str, ...]:
    return tuple(bare_line(x) for x in lines or [])


def _canon_or_missing(value: Any) -> str:
    return "\x00missing" if value is _MISSING else canon(value)


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and _DATE_RE.match(value.strip()) is not None


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _merge_body(b: _Side, o: _Side, t: _Side, out: _Out) -> None:
    if _LOG_TOKEN in b.body_tokens and (_LOG_TOKEN in o.body_tokens) != (_LOG_TOKEN in t.body_tokens):
        # One side removed the Log heading (or renamed it): to that side the entries are lines, to the
        # other a token that hides what it added. Merged line by line, as git does, an entry the other
        # side added meets the removal as a conflict instead of vanishing with the section.
        _merge_lines(b.doc.body, o.doc.body, t.doc.body, out)
        return
    entries = merge_entries(b.entries, o.entries, t.entries)
    log_done = False

    def emit_log() -> None:
        nonlocal log_done
        if not log_done:
            log_done = True
            for origin, lines in entries:
                if origin is CONFLICT:
                    out.conflict(None, lines[0], lines[1])
                else:
                    out.add(lines, convert=origin is THEIRS)

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
