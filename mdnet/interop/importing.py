"""Carry out an import plan in a vault: new notes through ``Vault.add``, merges through its
:class:`~mdnet.vault.writer.NoteWriter`.

The whole source is read and planned before anything is written, so a bad file
changes nothing. A note that cannot be written (changed on disk meanwhile, a file
name already taken) is reported and the rest go on. Imports do not commit: review
them with ``git diff`` and commit as you like (``add`` does not commit either).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mdnet.errors import MdnetError
from mdnet.interop.import_merge import Incoming, Plan, apply_changes, plan_import
from mdnet.vault.writing import check_cadence

if TYPE_CHECKING:
    from mdnet.vault.ports import ImportingVault

_VERBS = {"create": "created", "update": "updated", "skip": "skipped"}
_DRY_RUN_VERBS = {"create": "would create", "update": "would update", "skip": "would skip"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One person of an import: what was (or, in a dry run, would be) done."""

    action: str  # create, update, unchanged, skip, failed
    name: str
    path: str | None
    details: tuple[str, ...]
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "name": self.name, "path": self.path, "details": list(self.details),
                "source": self.source}  # fmt: skip

    def line(self, dry_run: bool) -> str:
        verbs = _DRY_RUN_VERBS if dry_run else _VERBS
        verb = verbs.get(self.action, self.action)
        where = f" {self.path}" if self.path else ""
        detail = f": {'; '.join(self.details)}" if self.details else ""
        return f"{verb} {self.name}{where}{detail}"


def run_import(
    vault: ImportingVault,
    records: Sequence[Incoming],
    *,
    dry_run: bool = False,
    category: str | None = None,
    cadence: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Merge ``records`` into ``vault`` (or only say what would change, with ``dry_run``).

    ``category`` and ``cadence`` go into the notes this import creates; without ``cadence``
    they get what ``add`` gives (their category's policy, else ``new_contact_cadence``).
    A bad ``cadence`` is refused before anything is read or written. ``progress`` is told
    (records done, records) as they are written.
    """
    check_cadence(cadence)
    plans = plan_import(vault.contacts(), records)
    outcomes = []
    for number, plan in enumerate(plans, 1):
        outcomes.append(carry_out(vault, plan, dry_run, category, cadence, today))
        if progress is not None:
            progress(number, len(plans))
    return outcomes


def carry_out(
    vault: ImportingVault, plan: Plan, dry_run: bool, category: str | None, cadence: str | None, today: dt.date | None
) -> Outcome:
    record = plan.incoming
    if plan.action == "skip":
        return Outcome("skip", record.name or "(no name)", None, (plan.reason,), record.source)
    if plan.action == "unchanged":
        assert plan.contact is not None
        return Outcome("unchanged", plan.contact.name, plan.contact.path, (f"matched by {plan.matched_by}",),
                       record.source)  # fmt: skip
    if plan.action == "update":
        contact = plan.contact
        assert contact is not None
        details = tuple(c.describe() for c in plan.changes)
        if not dry_run:
            try:
                vault.writer.rewrite(contact, lambda text: apply_changes(text, plan.changes), planned=True)
            except MdnetError as exc:
                return Outcome("failed", contact.name, contact.path, (str(exc),), record.source)
        return Outcome("update", contact.name, contact.path, details, record.source)
    company = record.company[2:-2] if record.company and record.company.startswith("[[") else record.company
    groups = [item for item in record.categories if not category or item.casefold() != category.casefold()]
    if category is None and groups:  # CATEGORIES as vdir sync reads it: the category, then the tags
        category, groups = groups[0], groups[1:]
    details = tuple(
        f"{key}: {_shown(value)}"
        for key, value in (
            ("company", company),
            ("role", record.role),
            ("email", record.emails),
            ("category", category if record.categories else None),
            ("tags", tuple(groups)),
            *plan.new_fields,
        )
        if value
    )
    if plan.reason:  # a second note of a name: say why
        details = (plan.reason, *details)
    if dry_run:
        return Outcome("create", record.name, None, details, record.source)
    try:
        path = vault.add(record.name, category=category, cadence=cadence, tags=groups, email=record.emails,
                         company=company, role=record.role, today=today, extra=plan.new_fields, known=())  # fmt: skip
        # known=(): plan_import already checked the name against every contact's name, file
        # name and aliases (add's own rule), and re-reading the vault per note is O(n²)
    except MdnetError as exc:
        return Outcome("failed", record.name, None, (str(exc),), record.source)
    return Outcome("create", record.name, path.relative_to(vault.root).as_posix(), details, record.source)


def _shown(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
