"""vCard (3.0 and 4.0, and 2.1 as phones export it) <-> contacts, with the vobject library.

Reading is strict about structure and lenient about content: a file that is not
UTF-8, a card that is never closed or a line vobject cannot parse is one clear
error for the whole import (nothing is written); fields mdnet has no place for
(photos, sounds, keys, ``X-`` extensions) are skipped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mdnet.core.folding import fold
from mdnet.core.model import Contact
from mdnet.core.wikilinks import link_label
from mdnet.errors import SourceFileError
from mdnet.interop.import_merge import Incoming, clean_birthday, linkedin_profile
from mdnet.note.contact import STATUSES, as_list

VCARD_SUFFIXES = (".vcf", ".vcard")
# A fixed namespace: a contact's UID is derived from its note's path, so an export
# is the same every time and a re-import into an address book updates, not duplicates.
UID_NAMESPACE = uuid.UUID("6f1d0c1e-7a52-4cf5-9d7a-2f4b3c8e9a10")


def decode_source(data: bytes, display: str, encoding: str = "utf-8") -> str:
    """``data`` as text; a byte-order mark is dropped, UTF-16 is recognised by its mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"\xef\xbb\xbf") and encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceFileError(
            f"not {encoding} text (byte 0x{data[exc.start]:02x}); re-export as UTF-8 or pass --encoding",
            path=display,
            line=line,
        ) from None
    except LookupError:
        raise SourceFileError(f"unknown encoding {encoding!r}", path=display) from None


def vcard_files(path: Path) -> list[Path]:
    """``path`` itself, or every ``*.vcf`` / ``*.vcard`` under the folder ``path``, sorted."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in VCARD_SUFFIXES and p.is_file())
        if not found:
            raise SourceFileError("no .vcf or .vcard files in this folder", path=str(path))
        return found
    if not path.is_file():
        raise SourceFileError("no such file or folder", path=str(path))
    return [path]


def read_vcards(path: Path, encoding: str = "utf-8") -> list[Incoming]:
    """Every card in the file or folder ``path``; raises :class:`SourceFileError` on a bad file."""
    records: list[Incoming] = []
    for file in vcard_files(path):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise SourceFileError(f"cannot read: {exc.strerror}", path=str(file)) from None
        records.extend(parse_vcards(decode_source(data, str(file), encoding), str(file)))
    return records


def parse_vcards(text: str, display: str = "<vcard>") -> list[Incoming]:
    """The cards in ``text`` as :class:`Incoming` records."""
    import vobject

    text = _plain_text(text.replace("\r\n", "\n"), display)
    records: list[Incoming] = []
    try:
        for number, component in enumerate(vobject.readComponents(text), start=1):
            if component.name != "VCARD":
                raise SourceFileError(f"expected BEGIN:VCARD, found BEGIN:{component.name}", path=display)
            records.append(_incoming(component, f"{display} card {number}"))
    except vobject.base.ParseError as exc:
        line = getattr(exc, "lineNumber", None)
        message = str(getattr(exc, "message", "") or exc)
        message = re.sub(r"^At line \d+: ", "", message)
        raise SourceFileError(f"not a valid vCard: {message}", path=display, line=line) from None
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise SourceFileError(f"not a valid vCard: {exc}", path=display) from None
    except RecursionError:  # cards nested in cards, 50,000 deep: vobject reads them recursively
        raise SourceFileError("not a valid vCard: components nested too deeply", path=display) from None
    if not records:
        raise SourceFileError("no vCard in this file (expected BEGIN:VCARD ... END:VCARD)", path=display)
    return records


# Properties mdnet reads: their quoted-printable or base64 values are decoded here, as text.
_READ_PROPERTIES = frozenset(("FN", "N", "ORG", "TITLE", "ROLE", "ADR", "NICKNAME", "EMAIL", "TEL", "URL", "BDAY"))
# Pictures, sounds and keys: mdnet has no place for them.
_MEDIA_PROPERTIES = frozenset(("PHOTO", "LOGO", "SOUND", "KEY"))
# Single-valued text, where a bare comma is part of the value.
_TEXT_PROPERTIES = frozenset(("FN", "TITLE", "ROLE", "NICKNAME", "EMAIL", "TEL", "URL", "BDAY"))
# The longest content line (unfolded) of a property mdnet reads: names, titles and addresses
# are short, and vobject's text decoding is slow enough that 8 MiB would take seconds.
MAX_LINE_CHARS = 64 * 1024
_UNESCAPED_COMMA_RE = re.compile(r"(?<!\\),")


def _plain_text(text: str, display: str) -> str:
    """``text`` with its content lines unfolded, and the values mdnet reads as plain, escaped text.

    In one pass over the lines: folded lines are joined, and so are the soft line
    breaks (``=`` at a line's end) of quoted-printable values, which vobject does
    not join; a quoted-printable or base64 (``ENCODING=b``) value of a property mdnet
    reads is decoded with its ``CHARSET`` (UTF-8 when none), since vobject keeps
    base64 text as bytes and reads a comma in a decoded value as a separator; and
    the bare commas many exporters leave in single-valued text (``FN:Doe, Jane``,
    ``TITLE:VP, Operations``) are escaped, where vobject would keep only the part
    before the first one.
    """
    lines: list[tuple[int, str]] = []  # (first line number, unfolded content line)
    pieces: list[str] = []  # the content line being unfolded, joined once when it ends
    first = 0
    head = _Head()
    for number, line in enumerate(text.split("\n"), start=1):
        if pieces and head.soft_break(pieces):
            pieces[-1] = pieces[-1][:-1]
            pieces.append(line)
        elif pieces and line[:1] in (" ", "\t"):
            pieces.append(line[1:])
        else:
            if pieces:
                lines.append((first, "".join(pieces)))
            pieces, first, head = [line], number, _Head()
        head.feed(pieces[-1])
    if pieces:
        lines.append((first, "".join(pieces)))
    plain = (_plain_line(line, number, display) for number, line in lines)
    return "\n".join(line for line in plain if line is not None)


class _Head:
    """The name and parameters of a content line being unfolded, read piece by piece.

    Unfolding joins every piece once and scans each piece's characters at most once, so
    a value folded over a million lines (a photo) costs linear time; joining the line again
    and looking for its ``:`` after every piece was quadratic (a 4 MiB photo took 76 s).
    """

    __slots__ = ("encoding", "found", "quoted", "scanned")

    def __init__(self) -> None:
        self.quoted = False
        self.found = False  # the ``:`` that ends the name and parameters has been seen
        self.encoding: str | None = None
        self.scanned: list[str] = []

    def feed(self, piece: str) -> None:
        if self.found:
            return
        for index, char in enumerate(piece):
            if char == '"':
                self.quoted = not self.quoted
            elif char == ":" and not self.quoted:
                self.found = True
                self.encoding = _parameters("".join(self.scanned) + piece[:index])[1]
                self.scanned = []
                return
        self.scanned.append(piece)

    def soft_break(self, pieces: list[str]) -> bool:
        """Whether the line so far ends in a quoted-printable soft line break (``=``)."""
        if self.encoding != "QUOTED-PRINTABLE":
            return False
        while len(pieces) > 1 and not pieces[-1]:
            pieces.pop()  # an empty continuation adds nothing; the ``=`` is in the piece before
        return pieces[-1].endswith("=")


def _parameters(head: str) -> tuple[list[str], str | None, str | None]:
    """A content line's name and parameters split on ``;`` (quotes respected); its encoding and charset."""
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head) or [head]
    encoding = charset = None
    for part in parts[1:]:
        upper = part.strip().upper()
        if upper in ("QUOTED-PRINTABLE", "ENCODING=QUOTED-PRINTABLE"):
            encoding = "QUOTED-PRINTABLE"
        elif upper in ("BASE64", "ENCODING=B", "ENCODING=BASE64"):
            encoding = "BASE64"
        elif upper.startswith("CHARSET="):
            charset = part.strip()[len("CHARSET=") :].strip('"')
    return parts, encoding, charset


def _plain_line(line: str, number: int, display: str) -> str | None:
    """The content line as vobject should read it; ``None`` for the media mdnet skips."""
    split = _value_start(line)
    if split is None:
        return line
    head, value = line[: split - 1], line[split:]
    parts, encoding, charset = _parameters(head)
    name = parts[0].rsplit(".", 1)[-1].strip().upper()
    if name in _MEDIA_PROPERTIES:
        return None  # never read; vobject would decode it, and a cut-off photo would stop the import
    if name not in _READ_PROPERTIES:
        # never read either; vobject decodes text a character at a time (~1 s a MiB), so a
        # long one (an 8 MiB NOTE) is dropped rather than decoded for nothing
        return line if len(line) <= MAX_LINE_CHARS or name in ("BEGIN", "END", "VERSION") else None
    if len(line) > MAX_LINE_CHARS:
        raise SourceFileError(f"not a valid vCard: {name} is over {MAX_LINE_CHARS:,} characters", path=display,
                              line=number)  # fmt: skip
    if encoding is not None:
        value = _decode_value(value, encoding, charset, name, number, display)
        kept = [p for p in parts[1:] if p.strip().upper() not in ("QUOTED-PRINTABLE", "BASE64")
                and not p.strip().upper().startswith(("ENCODING=", "CHARSET="))]  # fmt: skip
        head = ";".join([parts[0], *kept])
    if name == "NICKNAME":  # a list: one line per nickname, so that "Doe\, Jane" stays one
        return "\n".join(f"{head}:{item}" for item in _UNESCAPED_COMMA_RE.split(value) if item.strip())
    if name in _TEXT_PROPERTIES:
        value = _UNESCAPED_COMMA_RE.sub(r"\\,", value)
    return f"{head}:{value}"


def _decode_value(value: str, encoding: str, charset: str | None, name: str, number: int, display: str) -> str:
    """A quoted-printable or base64 value as text, its line breaks written ``\\n``."""
    import base64
    import binascii
    import quopri

    def bad(why: str) -> SourceFileError:
        return SourceFileError(f"not a valid vCard: {name}: {why}", path=display, line=number)

    try:
        if encoding == "BASE64":
            data = base64.b64decode("".join(value.split()), validate=True)
        else:
            data = quopri.decodestring(value.encode("utf-8"))
    except (binascii.Error, ValueError):
        raise bad("bad base64") from None
    try:
        text = data.decode(charset or "utf-8")
    except LookupError:
        raise bad(f"unknown charset {charset!r}") from None
    except UnicodeDecodeError:
        raise bad(f"not {charset or 'UTF-8'} text (give the card's CHARSET)") from None
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _value_start(line: str) -> int | None:
    """The index just after the ``:`` that ends a content line's name and parameters."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index + 1
    return None


def _values(component: Any, name: str) -> list[Any]:
    return [line.value for line in component.contents.get(name, [])]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value if str(v).strip())
    return " ".join(str(value).split())


def _incoming(card: Any, source: str) -> Incoming:
    name = next((_text(v) for v in _values(card, "fn") if _text(v)), "")
    if not name or "," in name:  # "Doe, Jane" is a sort order, not a name: use N's parts
        for n in _values(card, "n"):
            parts = [getattr(n, "prefix", ""), getattr(n, "given", ""), getattr(n, "additional", ""),
                     getattr(n, "family", ""), getattr(n, "suffix", "")]  # fmt: skip
            from_parts = " ".join(_text(p) for p in parts if _text(p))
            if from_parts:
                name = from_parts
                break
    emails = tuple(_text(v).removeprefix("mailto:") for v in _values(card, "email") if _text(v))
    phones = tuple(_text(v).removeprefix("tel:") for v in _values(card, "tel") if _text(v))
    orgs = [v if isinstance(v, list) else [v] for v in _values(card, "org")]
    # ORG's first component is the organisation's name, where a comma is part of the name
    # ("Acme, Inc."), escaped or not; vobject splits the component on it all the same
    company = next((_text(",".join(map(str, o[0])) if isinstance(o[0], list) else o[0]) for o in orgs
                    if o and _text(o[0])), None)  # fmt: skip
    role = next((_text(v) for v in [*_values(card, "title"), *_values(card, "role")] if _text(v)), None)
    location = None
    for address in _values(card, "adr"):
        parts = [_text(getattr(address, "city", "")), _text(getattr(address, "region", ""))]
        if any(parts):
            location = ", ".join(p for p in parts if p)
            break
    birthday = next((clean_birthday(_text(v)) for v in _values(card, "bday") if clean_birthday(_text(v))), None)
    links = tuple(_text(v) for v in _values(card, "url") if _text(v))
    aliases: list[str] = []
    for value in _values(card, "nickname"):  # one a line: _plain_text split the comma-separated list
        aliases.extend(_text(v) for v in (value if isinstance(value, list) else [value]) if _text(v))
    categories: list[str] = []
    for value in _values(card, "categories"):
        categories.extend(_text(v) for v in (value if isinstance(value, list) else [value]) if _text(v))
    status = next((_text(v).lower() for v in _values(card, "x-mdnet-status") if _text(v)), None)
    if not name:
        name = company or (emails[0] if emails else "")
    return Incoming(name=name, emails=emails, phones=phones, company=company, role=role, location=location,
                    birthday=birthday, links=links, linkedin=linkedin_profile(links), aliases=tuple(aliases),
                    categories=tuple(categories),
                    status=status if status in STATUSES else None, source=source)  # fmt: skip


# -- export ----------------------------------------------------------------


def contact_uid(contact: Contact) -> str:
    """A stable UID: the note's ``uid:`` field (``vdir sync`` writes one), else one derived from its path,
    the same on every export."""
    given = contact.fields.get("uid")
    if isinstance(given, str) and given.strip():
        return given.strip()
    return f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, contact.path)}"


def export_vcards(contacts: Iterable[Contact]) -> str:
    """vCard 3.0 for every contact, sorted by path; the same vault gives the same bytes."""
    return "".join(_card(contact) for contact in sorted(contacts, key=lambda c: c.path))


def _card(contact: Contact) -> str:
    import vobject

    card = vobject.vCard()
    card.add("uid").value = contact_uid(contact)
    card.add("fn").value = contact.name
    words = contact.name.split()
    family = words[-1] if len(words) > 1 else ""
    given = " ".join(words[:-1]) if len(words) > 1 else contact.name
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if contact.aliases:  # a list of text: commas between nicknames, escaped inside one
        line = card.add("nickname")
        line.value = ",".join(_escape_text(alias) for alias in contact.aliases)
        line.encoded = True
    for email in contact.emails:
        line = card.add("email")
        line.value = email
        line.type_param = "INTERNET"
    for phone in _field_list(contact.fields, "phone", "phones"):
        card.add("tel").value = phone
    if contact.company:
        card.add("org").value = [link_label(contact.company)]
    role = contact.fields.get("role")
    if isinstance(role, str) and role.strip():
        card.add("title").value = role.strip()
    location = contact.fields.get("location")
    if isinstance(location, str) and location.strip():
        card.add("adr").value = vobject.vcard.Address(city=location.strip())
    if contact.birthday is not None:
        year, month, day = contact.birthday
        line = card.add("bday")
        if year is None:
            line.value = f"1604-{month:02d}-{day:02d}"
            line.params["X-APPLE-OMIT-YEAR"] = ["1604"]
        else:
            line.value = f"{year:04d}-{month:02d}-{day:02d}"
    for link in _field_list(contact.fields, "links", "link"):
        card.add("url").value = link
    categories: list[str] = []
    seen: set[str] = set()
    for value in (contact.category, *contact.tags):
        if value and fold(value) not in seen:  # a category that is also a tag is one group
            seen.add(fold(value))
            categories.append(value)
    if categories:
        card.add("categories").value = categories
    if contact.status != "active":  # the default is not written; an address book keeps X- properties
        card.add("x-mdnet-status").value = contact.status
    return str(card.serialize())


def _escape_text(value: str) -> str:
    """A vCard text value (RFC 6350 3.4): backslash, comma, semicolon and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\n", "\\n")


def _field_list(fields: dict[str, Any], *keys: str) -> Sequence[str]:
    for key in keys:
        if key in fields:
            return as_list(fields[key])
    return ()
