"""Relationships and network health: brief, path, who, stats (docs/brief.md, docs/path.md, docs/who.md,
docs/stats.md); a service of :class:`mdnet.vault.facade.Vault`.

The work itself is in :mod:`mdnet.features.brief`, :mod:`mdnet.features.network` and
:mod:`mdnet.features.stats`, imported when used so that ``mdnet due`` never pays for them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from mdnet.core.model import Contact
from mdnet.errors import AmbiguousName, MdnetError, UsageError
from mdnet.store import files
from mdnet.store.index import heals
from mdnet.store.session import IndexSession
from mdnet.vault.arguments import check_name, resolve_today, since_date
from mdnet.vault.queries import Queries

if TYPE_CHECKING:
    from mdnet.features.brief import Brief
    from mdnet.features.network import Network, PathResult, Person, WhoResult
    from mdnet.features.stats import Stats


class Relations:
    """Questions about the network, over the queries' fresh index."""

    def __init__(self, session: IndexSession, queries: Queries) -> None:
        self.session = session
        self.queries = queries

    def network(self, today: dt.date | str | None = None) -> Network:
        """Questions about who is connected to whom, over the (fresh) index."""
        from mdnet.features.network import Network

        return Network(self.session.fresh(), resolve_today(today))

    def note_body(self, contact: Contact) -> str:
        """The note's text after its front matter ("" when it cannot be read now)."""
        from mdnet.note.document import DecodeProblem, decode, split

        try:
            data = files.read_note(str(self.session.root), contact.path, self.session.config.max_note_bytes)
            return split(decode(data)).body
        except (OSError, DecodeProblem, files.TooLarge, MdnetError):  # MdnetError: a link out of the vault
            return ""

    @heals
    def brief(self, name: str | Contact, today: dt.date | str | None = None) -> Brief:
        """Everything to know before meeting ``name``: see :mod:`mdnet.features.brief`."""
        from mdnet.features.brief import Mutual, build_brief

        day = resolve_today(today)
        contact = self.queries.get(name)
        network = self.network(day)
        mutual = [
            Mutual(person.name, person.path, via, network.strength(person))
            for person, via in network.neighbours(network.person_of(contact)).values()
            if person.path is not None
        ]
        item = self.session.config.due_rules.item_for(contact, day)
        return build_brief(contact, self.note_body(contact), mutual, item, day)

    @heals
    def path(
        self,
        target: str | None,
        *,
        via: str | None = None,
        company: str | None = None,
        today: dt.date | str | None = None,
        limit: int = 5,
    ) -> PathResult:
        """Warm paths from the user to ``target`` (a contact or a name in links) or anyone at ``company``."""
        from mdnet.features.network import PathResult, members_at, org_keys

        for label, value in (("--via name", via), ("--company name", company)):
            if value is not None:
                check_name(value, label, "a name" if label == "--via name" else "a company's name")
        network = self.network(today)
        skip: list[str] = []
        if company is not None:
            if target is not None:
                raise UsageError("give a person or --company, not both")
            targets = [network.person_of(c) for c, _relation in members_at(network, company)]
            label, skip = company, org_keys(network, company)
        elif target is None:
            raise UsageError("whom? give a name, or --company X")
        else:
            person = self._person(network, target)
            targets, label = [person], person.name
        via_person = None if via is None else self._person(network, via)
        return PathResult(label, tuple(network.paths(targets, via=via_person, limit=limit, skip_orgs=skip)))

    def _person(self, network: Network, text: str) -> Person:
        from mdnet.features.network import find_person

        found = find_person(network, text)
        if isinstance(found, list):
            raise AmbiguousName(text, [(c.name, c.path) for c in found])
        if found is not None:
            return found
        return network.person_of(self.queries.get(text))  # prefixes, near misses and their errors

    @heals
    def who(self, query: str, *, kind: str | None = None, today: dt.date | str | None = None) -> WhoResult:
        """Whom the user knows at a company (current or past) or with a tag, directly and one hop away."""
        from mdnet.features.network import members_at, org_keys, who

        if kind not in (None, "company", "tag"):
            raise UsageError(f"bad kind {kind!r}: company or tag")
        wanted = {None: "a company's name, or a #tag", "company": "a company's name", "tag": "a tag"}[kind]
        check_name(query, kind or "company or tag", wanted)
        network = self.network(today)
        members: list[tuple[Contact, str]] = []
        chosen = kind
        skip: list[str] = []
        if kind in (None, "company") and not query.startswith("#"):
            members = members_at(network, query)
            chosen, skip = "company", org_keys(network, query)
        if not members and kind in (None, "tag"):
            tagged = self.queries.contacts(tag=query)
            if tagged or kind == "tag":
                members = [(c, "tagged " + query.lstrip("#")) for c in tagged]
                chosen = "tag"
        return who(network, query, chosen or "company", members, skip if chosen == "company" else ())

    @heals
    def stats(
        self,
        since: dt.date | str | None = None,
        today: dt.date | str | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> Stats:
        """The network's health from ``since`` (a date, or a duration back from today) to today; ``progress``
        is told (stage, done, total) as the contacts are read and counted."""
        from mdnet.features.stats import compute

        day = resolve_today(today)
        start = since_date(since, day) if since is not None else None
        rules = self.session.config.due_rules
        if progress is not None:
            progress("reading contacts", 0, 1)
        contacts = self.queries.contacts()
        counting = None
        if progress is not None:
            progress("reading contacts", 1, 1)
            counting = functools.partial(progress, "counting interactions")
        return compute(contacts, day, start, rules.policy, rules.default_cadence, progress=counting)
