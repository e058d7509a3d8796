"""The daily note, pure: render mdnet's block, merge it into a note, read the ticks.

mdnet owns only the lines from ``<!-- mdnet:begin -->`` to ``<!-- mdnet:end -->``
(each on a line by itself); every other byte of the note is the user's. Nothing
here reads files or the clock: dates, contacts, the tip and the template text are
passed in. Decisions (documented in docs/daily.md):

- A ticked task (``- [x] [[Jane Doe]] ...``) is logged once. The record of "already
  logged" lives in the note itself: mdnet appends :data:`LOGGED` to the line and
  keeps it, verbatim, under ``### Done`` on every later refresh. The index is a
  cache and may be deleted; the note is not.
- Anything after `` // `` on a ticked line is the user's own words for the log entry
  (``// coffee: talked sailing`` gives kind ``coffee``).
- A block with a line mdnet could not have written (a paragraph, an indented line,
  a ticked task without a link) is refused with the line to fix: the block is
  regenerated on every refresh, so such text would otherwise be lost.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from mdnet.core import naming
from mdnet.core.dateformat import format_date
from mdnet.core.folding import fold
from mdnet.core.model import BUCKETS, Contact, DueItem, Duration
from mdnet.core.wikilinks import is_attachment
from mdnet.note import document
from mdnet.note.conflicts import first_conflict_line
from mdnet.note.document import detect_newline, ends_in_code_block

BEGIN = "<!-- mdnet:begin -->"
END = "<!-- mdnet:end -->"
LOGGED = "✓ logged"
USER_WORDS = " // "
DONE_HEADING = "### Done"
BUCKET_HEADINGS = {
    "reply": "### Immediate follow-up",
    "overdue": "### Overdue",
    "today": "### Due today",
    "upcoming": "### Coming up",
}
NETWORKING_HEADING = "## Networking"
TIP_HEADING = "> [!tip] Tip of the day"
_OWN_HEADINGS = frozenset((NETWORKING_HEADING, DONE_HEADING, *BUCKET_HEADINGS.values()))
EMPTY_DAY = ("_Nobody is due today or in the next {within} days. A good day to write to someone you have not "
             "heard from in a while, or to meet someone new._")  # fmt: skip
MAX_LAST_CHARS = 90
MAX_LOOPS = 5  # open loops listed under a contact's line; more are counted
LOOP_INDENT = "    "
LOOP_PREFIX = LOOP_INDENT + "- open: "

_TASK_RE = re.compile(r"[-*+][ \t]+\[(.)\][ \t]+(.*)$")
_LINK_RE = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]")
# mdnet's own text never holds // after a space (it writes /), so there it starts the user's words,
# with or without a space after it: `// coffee: ...` and `//coffee: ...` alike.
_SLASHES_RE = re.compile(r"(?<= )//+")
_USER_WORDS_RE = re.compile(r" //+ ?")
_KIND_RE = re.compile(r"([A-Za-z][\w-]{0,30}):[ \t]+(.+)$")
_LOGGED_RE = re.compile(r"(?<!\S)" + re.escape(LOGGED) + r"(?!\S)")
_LINE_BREAK_RE = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # what str.splitlines splits on
_EMPTY_DAY_RE = re.compile(re.escape(EMPTY_DAY).replace(re.escape("{within}"), r"\d+"))
# a contact's open loops, under its task line: plain sub-bullets (not tasks: a tick there would close nothing)
_LOOP_RE = re.compile(re.escape(LOOP_PREFIX) + r"\S.*$|" + re.escape(LOOP_INDENT) + r"- and \d+ more open loops?$")


class BlockError(ValueError):
    """The note's mdnet block cannot be merged safely; ``line`` (1-based) says where."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Tick:
    """A ticked task in the block: whom it links to and what to log."""

    line: int  # 1-based, in the whole note
    text: str  # the task line as the user left it, without its line ending
    target: str  # the first wikilink's target (``Jane Doe``, ``people/jane``)
    kind: str | None
    words: str  # the log entry's text
    # the entry the tick logs without the user's words after `` // ``: what a refresh logged when the
    # tick was saved before the words were typed (an editor saving its older buffer brings them later)
    plain: str = ""


@dataclass(frozen=True, slots=True)
class Block:
    """Where the block sits in a note, and what it holds."""

    start: int  # offset of the begin marker's line
    end: int  # offset just after the end marker (its line ending stays outside)
    begin_line: int
    lines: tuple[str, ...]  # the lines strictly between the markers, without endings


# -- finding and checking the block ----------------------------------------


def find_block(text: str) -> Block | None:
    """The block in ``text``, ``None`` when the note has none; :class:`BlockError` when mangled."""
    begins: list[tuple[int, int, int]] = []  # (line number, line start, line end without ending)
    ends: list[tuple[int, int, int]] = []
    offset = 0
    for number, raw in enumerate(document.lines(text), start=1):
        content = raw.rstrip("\r\n")
        stripped = content.strip().lstrip("\ufeff")
        bom = 1 if content.startswith("\ufeff") else 0
        if stripped == BEGIN:
            begins.append((number, offset + bom, offset + len(content)))
        elif stripped == END:
            ends.append((number, offset + bom, offset + len(content)))
        elif ("mdnet:begin" in content or "mdnet:end" in content) and "<!--" in content:
            raise BlockError("an mdnet marker must be on a line by itself; put it on its own line", number)
        offset += len(raw)
    if not begins and not ends:
        return None
    if len(begins) > 1 or len(ends) > 1:
        marks = sorted(begins + ends)
        where = ", ".join(str(n) for n, _, _ in marks)
        raise BlockError(
            f"more than one mdnet marker pair (lines {where}); keep one {BEGIN} ... {END} block", marks[1][0]
        )
    if not ends:
        raise BlockError(f"{BEGIN} has no {END}; add the end marker after the block (or delete the begin marker)",
                         begins[0][0])  # fmt: skip
    if not begins:
        raise BlockError(f"{END} has no {BEGIN} before it; add the begin marker (or delete the end marker)", ends[0][0])
    (begin_line, start, _), (end_line, end_start, end) = begins[0], ends[0]
    if end_line < begin_line:
        raise BlockError(f"{END} comes before {BEGIN}; swap the two marker lines", end_line)
    inner = [line.rstrip("\r\n") for line in document.lines(text[start:end_start])][1:]
    block = Block(start, end, begin_line, tuple(inner))
    _check_lines(block)
    return block


def _check_lines(block: Block) -> None:
    """Refuse lines mdnet did not write: they would be lost when the block is regenerated.

    mdnet writes blank lines, its own headings, the tip (its heading and the one ``>``
    line after it), the empty-day line, task lines that start with a link: unticked
    ones as ``[[link]] — ...`` (never with the user's `` // `` words, which only a tick
    keeps); ticked and logged ones are kept as the user left them; and under a task, its
    contact's open loops (``    - open: ...``).
    """
    conflict = first_conflict_line("\n".join(block.lines))
    if conflict is not None:  # git's, not the user's: say so, not "a line mdnet did not write"
        raise BlockError(
            "unresolved merge conflict in mdnet's block (git's <<<<<<< line); delete the block's lines between "
            f"{BEGIN} and {END} except your ticked tasks, and the refresh writes it again (or run "
            "'mdnet sync --setup' so that the merge driver merges daily notes)",
            block.begin_line + conflict,
        )
    previous = ""
    under_task = False
    for index, line in enumerate(block.lines):
        number = block.begin_line + 1 + index
        stripped = line.rstrip()
        tip = line.startswith(">") and (stripped == TIP_HEADING or previous == TIP_HEADING)
        previous = stripped
        if under_task and _LOOP_RE.fullmatch(stripped):
            continue
        under_task = False
        if not stripped or stripped in _OWN_HEADINGS or tip or _EMPTY_DAY_RE.fullmatch(stripped):
            continue
        task = _TASK_RE.match(line)
        link = _LINK_RE.match(task.group(2)) if task else None
        if task and link and is_attachment(link.group(1)):
            raise BlockError(
                f"[[{link.group(1).strip()}]] is a file, not a person, and a task's first link says whom to log; "
                f"start the task with the person's link, or move it below {END}",
                number,
            )
        if task and link:
            under_task = True  # a ticked one keeps its loops until the refresh moves it under Done
            if task.group(1) in "xX" or is_logged(line):
                continue
            after = task.group(2)[link.end() :]
            if after.startswith(" — ") and _USER_WORDS_RE.search(after):
                raise BlockError(
                    "your words after // are kept only on a ticked task and this line is rewritten on every "
                    f"refresh; tick it ([x]) to log them, or move them below {END}",
                    number,
                )
            if after.startswith(" — "):
                continue
        if task and task.group(1) in "xX" and link is None:
            raise BlockError("a ticked task needs its [[link]] at the start to say whom to log; add it back", number)
        raise BlockError(
            f"this line is not one mdnet wrote and the block is rewritten on every refresh; move it below {END}",
            number,
        )


def find_ticks(block: Block) -> list[Tick]:
    """Ticked tasks (``[x]`` or ``[X]``) in the block that are not logged yet."""
    ticks = []
    for index, line in enumerate(block.lines):
        match = _TASK_RE.match(line)
        if match is None or match.group(1) not in "xX" or is_logged(line):
            continue
        link = _LINK_RE.match(match.group(2))
        if link is None:
            continue
        kind, words = _log_words(match.group(2))
        separators = list(_USER_WORDS_RE.finditer(match.group(2)))
        plain = _log_words(match.group(2)[: separators[-1].start()])[1] if separators else words
        ticks.append(Tick(block.begin_line + 1 + index, line.rstrip(), link.group(1).strip(), kind, words, plain))
    return ticks


def _log_words(task: str) -> tuple[str | None, str]:
    """What to log for a ticked task: the user's words (after `` // ``, or a hand-written
    task's text after the link), else what was due; ``kind:`` in front sets the kind."""
    rest = _LINK_RE.sub("", task, count=1).strip()
    separators = list(_USER_WORDS_RE.finditer(task))
    own = task[separators[-1].end() :].strip() if separators else ""
    if not own and rest and not rest.startswith("—"):
        own = rest.removesuffix(LOGGED).strip()
    if own:
        match = _KIND_RE.match(own)
        return (match.group(1), match.group(2).strip()) if match else (None, own)
    reason = rest.removeprefix("—").strip().split(" · ", 1)[0].strip()
    return None, "followed up from the daily note" + (f" ({reason})" if reason else "")


# -- rendering -------------------------------------------------------------


def render_block(
    items: Sequence[DueItem],
    contacts: Mapping[str, Contact],
    day: dt.date,
    tip: str,
    *,
    within: int,
    done: Sequence[str] = (),
    hide: Collection[str] = (),
    links: Mapping[str, str] | None = None,
    newline: str = "\n",
) -> str:
    """The block from the begin marker to the end marker (no final line ending).

    ``contacts`` maps a note path to its contact; ``done`` holds the task lines to
    keep under ``### Done``; ``hide`` the paths of the contacts they name (handled
    today, so left out of the due sections); ``links`` maps a path to the wikilink to
    write (default ``[[Name]]``).
    """
    lines = [BEGIN, NETWORKING_HEADING, "", TIP_HEADING, f"> {_one_line(tip)}"]
    shown = [i for i in items if i.path not in hide]
    if not shown and not done:
        lines += ["", EMPTY_DAY.format(within=within)]
    for bucket in BUCKETS:
        chosen = [i for i in shown if i.bucket == bucket]
        if chosen:
            lines += ["", BUCKET_HEADINGS[bucket]]
            for item in chosen:
                contact = contacts.get(item.path)
                lines.append(task_line(item, contact, day, within, links))
                lines += loop_lines(contact)
    if done:
        lines += ["", DONE_HEADING, *done]
    lines.append(END)
    return newline.join(lines)


def task_target(line: str) -> str | None:
    """The target of the link a task line starts with (``Jane Doe``, ``people/jane``), if any."""
    match = _TASK_RE.match(line)
    link = _LINK_RE.match(match.group(2)) if match else None
    return link.group(1).strip() if link else None


def task_line(
    item: DueItem, contact: Contact | None, day: dt.date, within: int, links: Mapping[str, str] | None = None
) -> str:
    """``- [ ] [[Jane Doe]] — reason · last: ... · ask about: ...``."""
    # a name on two lines is a check error and never gets here from a vault; for anyone else's
    # contacts, the link is flattened so the task and the block stay one line each
    link = _LINE_BREAK_RE.sub(" ", (links or {}).get(item.path) or f"[[{item.name}]]")
    horizon = Duration(within, "d").add_to(day)  # clamped: the last days of 9999 are days too
    reasons = sorted(item.reasons, key=lambda r: (r.kind != "reply", r.due))
    details = [r.detail for r in reasons if r.due <= horizon] or [r.detail for r in reasons[:1]]
    reason = "; ".join(details)
    if item.bucket == "overdue":
        reason = f"{item.days_overdue} {'day' if item.days_overdue == 1 else 'days'} overdue: {reason}"
    elif item.bucket == "upcoming":
        reason = f"due {format_date(item.due, 'ddd YYYY-MM-DD')}: {reason}"
    parts = [f"- [ ] {link} — {_one_line(reason)}", "last: " + _last_text(contact, day)]
    ask = _ask_about(contact, reason)
    if ask:
        parts.append("ask about: " + ask)
    return " · ".join(parts)


def _last_text(contact: Contact | None, day: dt.date) -> str:
    """The newer of the last log entry and the last mention on or before ``day`` (a log entry on a tie);
    the mention's note without its line, so that editing above it rewrites nothing here."""
    if contact is None:
        return "never"
    entry = contact.last_log
    mention = next((m for m in contact.mentions if m.date <= day), None)  # newest first
    if mention is not None and (entry is None or mention.date > entry.date):
        if contact.last_contact is None or mention.date >= contact.last_contact:
            return _one_line(f"{mention.date.isoformat()} {_shorten(mention.text)} ({mention.path})")
    elif entry is not None and (contact.last_contact is None or entry.date >= contact.last_contact):
        kind = f" {entry.kind}:" if entry.kind else ""
        return _one_line(f"{entry.date.isoformat()}{kind} {_shorten(entry.text)}")
    if contact.last_contact is not None:
        return contact.last_contact.isoformat()
    return "never"


def loop_lines(contact: Contact | None) -> list[str]:
    """The contact's open loops as plain sub-bullets (``    - open: send the deck, due 2026-12-01``),
    without line numbers: a refresh of an unchanged vault rewrites nothing."""
    if contact is None or not contact.open_loops:
        return []
    lines = []
    for loop in contact.open_loops[:MAX_LOOPS]:
        due = f", due {loop.due.isoformat()}" if loop.due is not None else ""
        text = _one_line(f"{_shorten(loop.text)}{due}").replace("<!--", "< !--") or "(a task)"
        lines.append(LOOP_PREFIX + text)
    more = len(contact.open_loops) - MAX_LOOPS
    if more > 0:
        lines.append(f"{LOOP_INDENT}- and {more} more open {'loop' if more == 1 else 'loops'}")
    return lines


def _ask_about(contact: Contact | None, reason: str) -> str:
    if contact is None:
        return ""
    parts = []
    if contact.interests:
        parts.append(", ".join(contact.interests))
    note = contact.follow_up_note
    if note and note not in reason:
        parts.append(note)
    return _one_line("; ".join(parts))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LAST_CHARS else text[: MAX_LAST_CHARS - 1].rstrip() + "…"


def _one_line(text: str) -> str:
    """Text safe inside a task line: one line, no `` // `` (the user's words separator) and no
    logged mark (a line holding it is never logged)."""
    return _LOGGED_RE.sub("logged", _SLASHES_RE.sub("/", " ".join(text.split()))).rstrip()


def mark_logged(line: str) -> str:
    return f"{line.rstrip()} {LOGGED}"


def is_logged(line: str) -> bool:
    """The line holds the mark, at its end or followed by the user's own later words: never log it again."""
    return _LOGGED_RE.search(line) is not None


def carry_forward(block: Block | None, logged: Iterable[int] = ()) -> list[str]:
    """The task lines to keep under ``### Done``, in the order the user sees them.

    Lines already marked stay as they are (ticked or not: unticking does not undo
    history); ticks logged now (their 1-based note line in ``logged``) get the
    mark; ticks not logged (their contact was not found) stay as they are, to be
    tried again on the next refresh. Unticked lines are mdnet's and regenerated.
    """
    if block is None:
        return []
    done_now = set(logged)
    kept = []
    for index, line in enumerate(block.lines):
        match = _TASK_RE.match(line)
        if match is None:
            continue
        number = block.begin_line + 1 + index
        if is_logged(line):
            kept.append(line.rstrip())
        elif match.group(1) in "xX":
            kept.append(mark_logged(line) if number in done_now else line.rstrip())
    return kept


# -- merging ---------------------------------------------------------------


def merge(text: str, block_text: str) -> str:
    """``text`` with its block replaced by ``block_text`` (or ``block_text`` appended).

    Every byte outside the markers stays. ``block_text`` has no final line ending;
    a note without a block gets it at the end, after a blank line.
    """
    block = find_block(text)
    if block is not None:
        return text[: block.start] + block_text + text[block.end :]
    if ends_in_code_block(text):  # the block would be code, its tasks no tasks
        raise BlockError(f"the note ends inside a code block that is never closed; close it (```) first, or put "
                         f"the {BEGIN} and {END} lines where the block should go",
                         len(document.lines(text)))  # fmt: skip
    newline = detect_newline(text)
    if text in ("", "\ufeff"):
        return text + block_text + newline
    if not text.endswith("\n"):
        text += newline
    if text.strip() and not text.endswith(newline * 2):
        text += newline
    return text + block_text + newline


# -- tips and links ------------------------------------------------------


def pick_tip(tips: Sequence[str], day: dt.date) -> str:
    """The tip of the day: the same for everyone on a date, a different one the next day."""
    if not tips:
        return "Write to one person today, for no reason but to ask how they are."
    return tips[day.toordinal() % len(tips)]


def parse_tips(text: str) -> list[str]:
    """One tip a line; blank lines and ``#`` comments are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def unique_links(contacts: Iterable[Contact]) -> dict[str, str]:
    """Path -> the wikilink that resolves in Obsidian for every contact.

    ``[[Jane Doe]]`` when the stem is the name, ``[[jane|Jane Doe]]`` when not, and
    ``[[people/work/jane|Jane Doe]]`` when two notes share the stem ``jane``.
    """
    contacts = list(contacts)
    stems: dict[str, int] = {}
    for contact in contacts:
        stems[fold(contact.stem)] = stems.get(fold(contact.stem), 0) + 1
    links = {}
    for contact in contacts:
        if stems[fold(contact.stem)] > 1:
            links[contact.path] = naming.wikilink(contact, contact.path.removesuffix(".md"))
        else:
            links[contact.path] = naming.wikilink(contact)
    return links
