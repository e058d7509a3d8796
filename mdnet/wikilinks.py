"""Obsidian wikilinks, ``[[Folder/Target#Heading|label]]``: what one points at and what it shows.

Apart from :mod:`mdnet.contact` (the note parser), so that what only shows a link, such
as the due table, does not load the parser.
"""

from __future__ import annotations

import re

_WIKILINK_RE = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]")


def link_target(text: str) -> str | None:
    """The target of the first wikilink in ``text`` (folder and heading removed), if any."""
    match = _WIKILINK_RE.search(text)
    if match is None:
        return None
    return match.group(1).strip().rsplit("/", 1)[-1]


def link_label(text: str) -> str:
    """What a wikilink shows: its label, else its target; plain text is returned as it is."""
    match = _WIKILINK_RE.search(text)
    if match is None:
        return text
    return (match.group(2) or match.group(1).rsplit("/", 1)[-1]).strip()
