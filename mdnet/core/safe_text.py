"""Text made safe to print on a terminal: no control character or escape sequence survives.

Names, file names, field values and log text come from the vault, and a vault can come from
someone else (``mdnet sync`` pulls it). A terminal acts on what it is sent: ``ESC ] 0 ;``
retitles the window, ``ESC ] 8 ;`` makes a hyperlink whose target the reader never sees,
``ESC [ 2 J`` clears the screen, a carriage return or a backspace overwrites what was printed,
a C1 control (U+0080-U+009F) starts the same sequences in one character, and a bidi override
shows text in another order than it is. So every character of that kind is replaced before
it is printed, with one visible character in its place:

- C0 controls (U+0000-U+001F) and DEL become their Unicode "control pictures" (``ESC`` is
  ``␛``, ``BEL`` is ``␇``, a lone ``CR`` is ``␍``): the reader sees that something was there
  and what it was, and no sequence can start, since its introducer is gone.
- C1 controls, bidi embeddings, overrides and isolates, and the other invisible format
  characters that reorder text become ``�`` (they have no picture).

One character for one keeps a name recognisable, a table's columns aligned and rich's spans
in place. A line break and a tab are kept (output for people has lines); a ``CR`` is kept only
before a ``LF`` (a CRLF note printed by ``daily --print``). JSON is not printed through this
(:func:`json_safe` keeps its values exact). Pure: no IO.
"""

from __future__ import annotations

import re

__all__ = ["json_safe", "printable", "printable_line"]

REPLACEMENT = "\ufffd"
# Bidi embeddings and overrides (U+202A-202E), isolates (U+2066-2069), marks (U+200E, U+200F,
# U+061C) and the line and paragraph separators: each changes how the text around it is shown.
_FORMAT = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_FORMAT}]")
_UNSAFE_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT}]")
# What json.dumps(ensure_ascii=False) leaves raw inside a string: it escapes only U+0000-U+001F.
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{_FORMAT}]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else REPLACEMENT


def printable(text: str) -> str:
    """``text`` with every control character and bidi control replaced by one visible character;
    line breaks and tabs kept, so a table or a multi-line message still reads as it did."""
    return _UNSAFE.sub(_picture, text)


def printable_line(text: str) -> str:
    """``text`` on one line: as :func:`printable`, and a line break or a tab is a picture too,
    so a name can never start a line of its own (a forged ``mdnet: error:`` line)."""
    return _UNSAFE_IN_LINE.sub(_picture, text)


def json_safe(text: str) -> str:
    """A JSON document with the characters a terminal acts on written as ``\\uXXXX``.

    ``json.dumps(..., ensure_ascii=False)`` escapes U+0000-U+001F itself but leaves DEL, the C1
    controls and bidi controls raw. Outside strings JSON is ASCII, so every such character is
    inside a string, where ``\\uXXXX`` is the same value: the document decodes to exactly what
    it held, and prints as plain ASCII escapes.
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
