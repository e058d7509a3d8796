"""``mdnet draft``: render a template per contact, write the drafts, and log them in one commit.

The IO side of :mod:`mdnet.features.drafts` (which renders, purely), as :mod:`mdnet.vault.daily`
is to :mod:`mdnet.features.daily_block`: it reads the template, writes ``.eml`` files or one review
note (never overwriting), and with ``--log`` records every draft through
:meth:`Vault.log` and commits them together.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mdnet.core import naming
from mdnet.core.model import Contact, DueItem, Duration
from mdnet.core.wording import counted
from mdnet.errors import MdnetError, UsageError
from mdnet.features.drafts import Draft, parse_template, render_drafts, review_note, to_eml
from mdnet.git import commands as history
from mdnet.git import commit_text
from mdnet.note.document import DecodeProblem, decode
from mdnet.store import files
from mdnet.vault.arguments import resolve_today
from mdnet.vault.writer import root_if_inside

if TYPE_CHECKING:
    from mdnet.vault.ports import DraftingVault


@dataclass(frozen=True, slots=True)
class DraftResult:
    """What ``draft`` did: the drafts, the files written and, with ``--log``, the one commit."""

    drafts: tuple[Draft, ...]
    written: tuple[str, ...]
    logged: tuple[str, ...] = ()
    commit: str | None = None
    not_committed_because: str | None = None
    problems: tuple[str, ...] = ()
    commit_failed: bool = False  # git refused the commit (busy, a stale index.lock): exit 1 (not in as_dict)

    def as_dict(self) -> dict[str, object]:
        return {"drafts": [d.as_dict() for d in self.drafts], "written": list(self.written),
                "logged": list(self.logged), "commit": self.commit,
                "not_committed_because": self.not_committed_because, "problems": list(self.problems)}  # fmt: skip


def make_drafts(
    vault: DraftingVault,
    template: str | os.PathLike[str],
    *,
    category: str | None = None,
    tag: str | None = None,
    due: bool = False,
    out: str | os.PathLike[str] | None = None,
    fmt: str = "eml",
    log: bool = False,
    today: dt.date | str | None = None,
) -> DraftResult:
    """One draft per matching contact from ``template``: ``.eml`` files or one Markdown review note.

    Nothing is overwritten. With ``log``, each draft is logged as an email sent to its
    contact and all of them are committed together, in one commit.
    """
    day = resolve_today(today)
    if fmt not in ("eml", "md"):
        raise UsageError(f"bad format {fmt!r}: eml or md")
    source = _template_file(vault, template)
    try:
        root = root_if_inside(vault.root, source)  # in the vault: really there; one the user named elsewhere: read
        text = decode(files.read_bytes(source, 0) if root is None else files.read_inside(root, source, 0, str(source)))
    except (OSError, DecodeProblem, MdnetError) as exc:
        raise UsageError(f"cannot read template {source}: {exc}") from None
    parsed = parse_template(text, source.name)
    contacts = [c for c in vault.contacts(category, tag) if c.status != "archived"]
    dues: dict[str, DueItem] = {}
    if due:
        # the reasons `mdnet due` shows: those dated within the window (a birthday next month is not why)
        horizon = Duration(vault.config.upcoming_days, "d").add_to(day)
        dues = {i.path: i.replace(reasons=tuple(r for r in i.reasons if r.due <= horizon) or i.reasons[:1])
                for i in vault.due(today=day)}  # fmt: skip
        contacts = [c for c in contacts if c.path in dues]
    drafts = render_drafts(parsed, contacts, day, dues)
    written = _write_drafts(vault, drafts, source.stem, day, out, fmt)
    result = DraftResult(tuple(drafts), tuple(written))
    if log and drafts:
        result = _log_drafts(vault, result, day, source.name)
    return result


def _template_file(vault: DraftingVault, template: str | os.PathLike[str]) -> Path:
    given = Path(template).expanduser()
    candidates = [given, vault.root / "templates" / given, vault.root / "templates" / f"{given}.md"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise UsageError(f"no template {str(template)!r} (looked in the working folder and {vault.root / 'templates'})")


def _write_drafts(vault: DraftingVault, drafts: Sequence[Draft], stem: str, day: dt.date,
                  out: str | os.PathLike[str] | None, fmt: str) -> list[str]:  # fmt: skip
    if not drafts:
        return []
    default = vault.root / "drafts" / (f"{day} {stem}" if fmt == "eml" else f"{day} {stem}.md")
    target = default if out is None else Path(out).expanduser()
    outputs: list[tuple[Path, bytes]] = []
    if fmt == "md":
        if target.is_dir():
            target = target / default.name
        links = {d.path: naming.wikilink(c) for d in drafts for c in [_contact_at(vault, d.path)] if c}
        outputs.append((target, review_note(drafts, stem, day, links).encode("utf-8")))
    else:
        used: set[str] = set()
        for draft in drafts:
            name = naming.file_stem(draft.stem)
            unique, number = name, 2
            while unique.casefold() in used:
                unique, number = f"{name} {number}", number + 1
            used.add(unique.casefold())
            outputs.append((target / f"{unique}.eml", to_eml(draft)))
    existing = [path for path, _data in outputs if path.exists()]
    if existing:
        raise UsageError(f"{existing[0]} already exists; nothing was written (choose another --out)")
    for path, data in outputs:
        vault.writer.create(path, data, str(path))  # drafts/ linked elsewhere: refused
    return [str(path) for path, _data in outputs]


def _contact_at(vault: DraftingVault, path: str) -> Contact | None:
    return vault.indexed().contact(path)


def _log_drafts(vault: DraftingVault, result: DraftResult, day: dt.date, template_name: str) -> DraftResult:
    logged: list[str] = []
    problems: list[str] = []
    for draft in result.drafts:
        if not draft.to:  # its .eml has no To: line: nothing was sent to them, so nothing to log
            problems.append(f"{draft.path}: no email address in the note; not logged")
            continue
        try:
            if vault.get(draft.path).path != draft.path:
                problems.append(f"{draft.path}: its file name also names another contact; not logged")
                continue
            vault.log(draft.path, f"sent: {draft.subject}", kind="email", commit=False, today=day)
            logged.append(draft.path)
        except MdnetError as exc:
            problems.append(f"{draft.path}: not logged: {exc}")
    names = {d.path: d.name for d in result.drafts}
    subjects = {d.subject for d in result.drafts if d.path in logged}
    # one subject for all, or the template's: the first person's own subject would read as everyone's
    about = subjects.pop() if len(subjects) == 1 else f"drafts from {template_name}"
    title = f"Log email to {counted(len(logged), 'contact')}: {about}"
    # names and subjects come from notes: commit_text flattens them, so none adds a trailer line
    trailers = [
        *(("Contact", names[p]) for p in logged),
        ("Interaction", "email"),
        ("Interaction-Date", day.isoformat()),
    ]
    outcome = history.commit_paths(vault.root, logged, commit_text.message(title, (), trailers))
    return DraftResult(result.drafts, result.written, tuple(logged), outcome.commit, outcome.reason,
                       tuple(problems), outcome.failed)  # fmt: skip
