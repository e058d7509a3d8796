"""How a count reads in what mdnet writes for people: ``1 contact``, ``2 contacts``.

Its own small module, free of rich and of every record, so that the pure parts (mail, drafts)
and the printing parts (render, the CLI) word counts by one rule.
"""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """``1 contact``, ``2 contacts``, ``5,000 contacts``: every count a person reads says it so (thousands
    separated, as the listings' titles and "and 1,436 more" lines write them)."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"
