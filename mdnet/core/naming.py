"""Names: file names for new contacts, lookups by name, and links that resolve.

Pure functions. A file name made from a person's name can never leave the
contact folder: path separators, ``..``, leading dots and characters that
Windows, macOS or Obsidian refuse in a file name are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mdnet.core.folding import fold
from mdnet.core.model import Contact
from mdnet.errors import AmbiguousName, ContactNotFound

_FORBIDDEN_RE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f\x7f]')
_SLUG_RE = re.compile(r"[^a-z0-9]+")
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{device}{digit}" for device in ("com", "lpt") for digit in "123456789¹²³"]
)
MAX_STEM_BYTES = 120
MAX_CANDIDATES = 10  # near misses an unknown name lists


def file_stem(name: str, mode: str = "title") -> str:
    """The file stem for a new contact: ``Jane Doe`` (title) or ``jane-doe`` (slug)."""
    if mode == "slug":
        stem = _SLUG_RE.sub("-", fold(name)).strip("-")
    else:
        # Leading dots would hide the file, and a leading ~ makes it an editor temporary the scan skips.
        stem = re.sub(r"\s+", " ", _FORBIDDEN_RE.sub(" ", name)).lstrip(". ~").strip()
    stem = _cut(stem)
    if not stem:
        return "contact"
    base, dot, extension = stem.partition(".")
    if base.rstrip(" ").lower() in _RESERVED:  # Windows refuses CON, and CON.txt and aux.md too
        stem = _cut(base + "-contact" + dot + extension)
    return stem


def _cut(stem: str) -> str:
    """``stem`` cut to :data:`MAX_STEM_BYTES` of UTF-8, without the trailing dots and spaces Windows drops."""
    while len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        stem = stem[:-1]
    return stem.rstrip(". ")


def link_label(name: str) -> str:
    """A name as a link's label: ``[``, ``]`` and ``|`` would end the link, so they become ``(``, ``)``, ``/``."""
    return name.replace("[", "(").replace("]", ")").replace("|", "/")


def wikilink(contact: Contact, target: str | None = None) -> str:
    """A link that resolves in Obsidian: ``[[Jane Doe]]``, or ``[[bob-overdue|Bob Baker]]``."""
    target = contact.stem if target is None else target
    label = link_label(contact.name)
    if target == label:
        return f"[[{label}]]"
    return f"[[{target}|{label}]]"


def query_text(query: str) -> str:
    """What a lookup compares: ``[[Jane Doe|JD]]`` and ``people/Jane Doe.md`` both give ``Jane Doe``."""
    text = query.strip()
    if text.startswith("[[") and text.endswith("]]"):
        text = text[2:-2].split("|", 1)[0].split("#", 1)[0]
    if text.lower().endswith(".md"):
        text = text[:-3]
    return text.rsplit("/", 1)[-1]


def whole_name(query: str) -> str | None:
    """The folded query as one name when :func:`query_text` would read a folder or a
    ``.md`` in it (``AC/DC``, a name with a slash, is tried as a name first), else None."""
    whole = fold(query.strip())
    return whole if whole and whole != fold(query_text(query)) else None


def query_folder(query: str) -> str:
    """The folded folder a lookup or a link names: ``people/work`` in ``[[People/Work/jane|Jane]]``, else ``""``."""
    text = query.strip()
    if text.startswith("[[") and text.endswith("]]"):
        text = text[2:-2].split("|", 1)[0].split("#", 1)[0]
    head, slash, _stem = text.strip().rpartition("/")
    return "/".join(fold(part) for part in head.split("/") if part.strip()) if slash else ""


def in_folder(path: str, folder: str) -> bool:
    """Whether the note at ``path`` lies in ``folder`` (folded), or in a folder whose path ends so
    (``work`` for ``people/work/jane.md``), as Obsidian resolves a link with a folder."""
    parent = "/".join(fold(part) for part in path.split("/")[:-1])
    return parent == folder or parent.endswith("/" + folder)


def answers_to(contact: Contact) -> set[str]:
    """The folded names a contact is found by exactly: its name, file stem and aliases."""
    return {fold(contact.name), fold(contact.stem), *(fold(a) for a in contact.aliases)}


def find_contact(contacts: Sequence[Contact], query: str) -> Contact:
    """By name, alias or file stem (case- and accent-insensitive), else by unique name prefix.

    Raises :class:`ContactNotFound` (with near misses) or :class:`AmbiguousName`
    (with every candidate and its path).
    """
    wanted = fold(query_text(query))
    if not wanted:
        raise ContactNotFound(query)
    whole = whole_name(query)
    exact = [c for c in contacts if whole in answers_to(c)] if whole is not None else []
    exact = exact or [c for c in contacts if wanted in answers_to(c)]
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise AmbiguousName(query, [(c.name, c.path) for c in exact])
    words = wanted.split()
    prefixed = [c for c in contacts if _starts_with_words(fold(c.name).split(), words)]
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        raise AmbiguousName(query, [(c.name, c.path) for c in sorted(prefixed, key=lambda c: fold(c.name))])
    raise ContactNotFound(query, _near_misses(contacts, wanted, words))


def _near_misses(contacts: Sequence[Contact], wanted: str, words: list[str]) -> list[tuple[str, str]]:
    """Candidates for an unknown name: names whose later words start so (``ortiz`` finds every
    Ortiz), then names spelled close to it (``Jnae Doe``)."""
    import difflib  # only for the error message

    later = sorted((c for c in contacts if _later_words_start_with(fold(c.name).split(), words)),
                   key=lambda c: (fold(c.name), c.path))  # fmt: skip
    by_name = {fold(c.name): c for c in contacts}
    close = [by_name[n] for n in difflib.get_close_matches(wanted, list(by_name), n=3, cutoff=0.6)]
    found: dict[str, Contact] = {}
    for contact in [*later, *close]:
        found.setdefault(contact.path, contact)
    return [(c.name, c.path) for c in list(found.values())[:MAX_CANDIDATES]]


def _later_words_start_with(name_words: list[str], words: list[str]) -> bool:
    return any(_starts_with_words(name_words[i:], words) for i in range(1, len(name_words)))


def _starts_with_words(name_words: list[str], words: list[str]) -> bool:
    if len(words) > len(name_words):
        return False
    return all(n.startswith(w) for n, w in zip(name_words, words, strict=False))
