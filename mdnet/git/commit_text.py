"""Commit messages mdnet writes and the trailers it trusts: one place, pure, no git.

A name, a mail subject or a file name comes from a note someone else may have
written (a shared vault is pulled from a remote). Put into a commit message as it
is, a newline in it adds lines: ``name: "Eve\\nMessage-ID: <real@x>"`` forged a
trailer that made ``mail scan`` skip the real mail. So every piece of text is
flattened to one line here, every message is built here, and the trailers mdnet
acts on are read back here, from a trailer block mdnet wrote and nothing else.

Trust (docs/history.md): a commit's trailers count when its last paragraph is a
strict trailer block (every line ``Key: value``, no continuation line) holding
the marker ``Mdnet: 1`` that every message built here ends with. Commits of mdnet
before the marker count only when their subject is one mdnet wrote for them and
their trailers come in the order mdnet wrote them (a line smuggled in by a name
always lands before the trailers that followed it, and breaks that order).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

SUBJECT_LIMIT = 72
MARKER = ("Mdnet", "1")
# the keys mdnet writes, in the order it writes them; the first five at most once each (the calendar
# scan's two came after the marker: they count only in a block that holds it)
ORDER = (
    "Contact",
    "Interaction",
    "Interaction-Date",
    "Follow-Up",
    "Snooze-Until",
    "Message-ID",
    "LinkedIn-Conversation",
    "Calendar-Event",
    "Calendar-Planned",
    "Amends",  # the commit of a log entry this one rewrote (a daily note's tick, words typed after it)
)
_SINGLE = frozenset(ORDER[1:5])
_TRAILER_LINE = re.compile(r"(?P<key>[A-Za-z0-9][A-Za-z0-9-]*): (?P<value>\S.*)")
# commits made before the marker: their subject says which trailers they could hold (first match wins)
_LEGACY = (
    (re.compile(r"Mail scan: \d+ messages? seen"), frozenset({"Message-ID"})),
    (re.compile(r"Log email with |Log \d+ emails with |Reply owed to |Update [^:]* from mail\Z"),
     frozenset({"Contact", "Interaction", "Interaction-Date", "Message-ID"})),
    (re.compile(r"Log \S+ with |Log email to \d+ contacts?: "),
     frozenset({"Contact", "Interaction", "Interaction-Date"})),
    (re.compile(r"Follow up with |Clear the follow-up with "), frozenset({"Contact", "Follow-Up"})),
    (re.compile(r"Snooze |Unsnooze "), frozenset({"Contact", "Snooze-Until"})),
    (re.compile(r"Update "), frozenset({"Contact"})),
)  # fmt: skip


def flat(text: str) -> str:
    """``text`` on one line: control characters (newline, CR, escape...) and Unicode line and paragraph
    separators become spaces, runs of spaces one, the ends trimmed. git splits a message at ``\\n`` only;
    the rest is flattened too, so that no terminal or tool showing the log sees a second line."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    kept = (" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return " ".join("".join(kept).split())


def subject(text: str) -> str:
    """A commit subject: ``text`` flattened and cut to :data:`SUBJECT_LIMIT` characters with ``…``."""
    line = flat(text)
    return line if len(line) <= SUBJECT_LIMIT else line[: SUBJECT_LIMIT - 1] + "…"


def first_line(text: str, default: str = "") -> str:
    """The first line of git's output that is not blank, trimmed (for a one-line reason), else ``default``."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return default


def message(title: str, body: Iterable[str] = (), trailers: Iterable[tuple[str, str]] = ()) -> str:
    """A whole commit message: subject, body (one flattened line per item), then the trailer block,
    which ends with the :data:`MARKER` that makes its trailers ones mdnet wrote."""
    lines = [flat(line) for line in body]
    block = [f"{key}: {flat(value)}" for key, value in trailers if flat(value)] + [": ".join(MARKER)]
    paragraphs = [subject(title), "\n".join(line for line in lines if line), "\n".join(block)]
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def trusted_trailers(block: str, title: str) -> list[tuple[str, str]] | None:
    """The trailers mdnet wrote, from a commit's trailer block (its last paragraph, as ``%(trailers)``
    gives it) and its subject, in order; None when the commit is not one mdnet wrote."""
    pairs: list[tuple[str, str]] = []
    for line in block.rstrip("\n").split("\n") if block.strip() else ():
        found = _TRAILER_LINE.fullmatch(line.rstrip())
        if found is None:
            return None  # a line of text or a folded value: not a block mdnet wrote
        pairs.append((found["key"], found["value"].strip()))
    if MARKER in pairs:
        return [(key, value) for key, value in pairs if key in ORDER] if pairs.count(MARKER) == 1 else None
    return _legacy(pairs, title)


def _legacy(pairs: Sequence[tuple[str, str]], title: str) -> list[tuple[str, str]] | None:
    """The trailers of a commit mdnet made before the marker, or None (see the module's docstring)."""
    allowed = next((keys for pattern, keys in _LEGACY if pattern.match(title)), None)
    ours = [(key, value) for key, value in pairs if key in ORDER]
    if allowed is None or not ours or any(key not in allowed for key, _ in ours):
        return None
    ranks = [ORDER.index(key) for key, _ in ours]
    if ranks != sorted(ranks) or any(sum(1 for k, _ in ours if k == key) > 1 for key in _SINGLE):
        return None
    return ours
