"""Obsidian wikilinks, ``[[Folder/Target#Heading|label]]``: what one points at and what it shows.

Apart from :mod:`mdnet.note.contact` (the note parser), so that what only shows a link, such
as the due table, does not load the parser.

A link whose target ends in a file extension other than ``.md`` (``[[Deck.pdf]]``,
``[[notes/Q3 plan.canvas]]``) opens a file in Obsidian, not a note: it names no person
and no organisation. :func:`is_attachment` is the one place that says so.
"""

from __future__ import annotations

import re

_WIKILINK_RE = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]")
_EXTENSION_RE = re.compile(r"\.([A-Za-z0-9]+)\Z")
# The file types Obsidian opens or embeds (images, audio, video, PDF, canvas, bases) and the
# office files people attach to a note. Only these: "J. R. Smith" and "St.Louis Group" are names.
ATTACHMENT_EXTENSIONS = frozenset(
    (
        *("png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif", "heic", "tif", "tiff", "ico"),  # images
        *("mp3", "wav", "m4a", "ogg", "flac", "3gp", "webm"),  # audio
        *("mp4", "ogv", "mov", "mkv"),  # video
        *("pdf", "canvas", "base"),
        *("docx", "xlsx", "pptx", "csv", "txt", "zip"),  # what people attach besides
    )
)


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


def is_attachment(target: str) -> bool:
    """Whether a link target (``Deck.pdf``, ``notes/photo.PNG``) names a file that is not a note:
    it ends in a known attachment extension, case-insensitively."""
    match = _EXTENSION_RE.search(target.strip())
    return match is not None and match.group(1).lower() in ATTACHMENT_EXTENSIONS


def links_to_attachment(text: str) -> bool:
    """Whether the first wikilink in ``text`` (``"[[Deck.pdf#page=3|deck]]"``) opens an attachment."""
    target = link_target(text)
    return target is not None and is_attachment(target)
