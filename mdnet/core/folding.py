"""Case- and accent-insensitive names: the one rule every lookup, sort and filter uses.

Apart from the parser (mdnet.note.contact) so that commands that only read the index,
such as ``mdnet due``, never import the parser.
"""

from __future__ import annotations

import functools
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
_UNACCENTED = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L",
     "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i"}
)  # fmt: skip


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name, for lookups (``José`` -> ``jose``, ``Søren`` -> ``soren``).

    A name made only of accents and spacing marks (``¯``, which NFKD makes a space and a combining
    macron) would fold to nothing, and nothing names nobody: such a name folds by case alone.

    Cached: the same names and categories are folded again and again in sorting and filtering.
    """
    if text.isascii():
        return text.casefold().strip()
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNACCENTED))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()
    return folded or text.casefold().strip()
