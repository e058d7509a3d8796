"""Reading a local mailbox for ``mdnet mail scan``: the headers of every message in a Maildir
folder or an mbox file (the standard library's ``mailbox`` and ``email``). A file that is not an
mbox, or a folder that is not a Maildir, is one clear error and nothing is written."""

from __future__ import annotations

import datetime as dt
import email.errors
import email.header
import email.message
import email.utils
import hashlib
import mailbox
import os
import re
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any, Literal

from mdnet.core.model import Duration, printable_line
from mdnet.errors import SourceFileError

ADDRESS_RE = re.compile(r"[^@\s<>]+@[^@\s<>]+")


@dataclass(frozen=True, slots=True)
class Message:
    """What mdnet needs of one email: addresses (lower case), local date-time, subject."""

    message_id: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]
    when: dt.datetime  # aware, in the local time zone
    subject: str
    automatic: bool = False  # a mailing list, an auto-reply, bulk mail

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc

    @property
    def day(self) -> dt.date:
        return self.when.date()


@dataclass(frozen=True, slots=True)
class MailboxRead:
    """The messages of a mailbox and the ones left out (with why)."""

    kind: Literal["maildir", "mbox"]
    messages: tuple[Message, ...]
    skipped: tuple[str, ...]


def read_mailbox(path: Path, today: dt.date) -> MailboxRead:
    """Every message's headers in the Maildir folder or mbox file ``path``.

    A message dated more than a day after ``today`` (a sender's clock years ahead) is
    left out: it would raise ``last_contact`` past today and hide the contact from
    the due list until then.
    """
    latest = Duration(1, "d").add_to(today)  # a clock minutes ahead at midnight; clamped at 9999-12-31
    if path.is_dir():
        if not any((path / sub).is_dir() for sub in ("cur", "new")):
            raise SourceFileError("not a Maildir (it has no cur/ or new/ folder) and not an mbox file", path=str(path))
        box: mailbox.Mailbox[Any] | _MaildirReader = _MaildirReader(path)
        kind: Literal["maildir", "mbox"] = "maildir"
    elif path.is_file():
        _check_mbox(path)
        box = mailbox.mbox(str(path), factory=None, create=False)
        kind = "mbox"
    else:
        raise SourceFileError("no such Maildir folder or mbox file", path=str(path))
    parser = BytesHeaderParser(policy=policy.compat32)  # the fast parser: mdnet reads a few headers
    messages: list[Message] = []
    skipped: list[str] = []
    try:
        keys = sorted(box.keys())
        for key in keys:
            where = f"{path.name}:{key}" if kind == "maildir" else f"{path.name} message {int(key) + 1}"
            try:
                data = box.get_bytes(key)
            except (KeyError, FileNotFoundError):  # a mail client or mbsync expunged it meanwhile
                skipped.append(f"{where}: vanished while the mailbox was read")
                continue
            try:
                parsed = parser.parsebytes(re.split(rb"\r?\n\r?\n", data, maxsplit=1)[0] + b"\n\n")
                message = _message(parsed, data)
            except (ValueError, TypeError, IndexError, LookupError) as exc:
                skipped.append(f"{where}: unreadable headers ({exc})")
                continue
            if isinstance(message, str):
                skipped.append(f"{where}: {message}")
            elif message.day > latest:
                skipped.append(f"{where}: dated {message.day.isoformat()}, after today")
            else:
                messages.append(message)
    except OSError as exc:
        raise SourceFileError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    finally:
        box.close()
    return MailboxRead(kind, tuple(messages), tuple(skipped))


class _MaildirReader:
    """The messages of a Maildir, read only: the files in ``new/`` and ``cur/``, either of which may be missing.

    (``mailbox.Maildir`` needs both, and ``tmp/``: an archive kept in git or a synced
    folder, which drop empty folders, has only ``cur/``.) A message is known by its
    unique name, without the ``:2,FLAGS`` suffix that a mail client changes when it
    marks the message read, so a message renamed meanwhile is found again.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._files: dict[str, Path] = {}

    def _list(self) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for sub in ("new", "cur"):
            folder = self._path / sub
            if folder.is_dir():
                for entry in os.scandir(folder):
                    if not entry.name.startswith(".") and entry.is_file():
                        files[re.split(r"[:!]", entry.name, maxsplit=1)[0]] = Path(entry.path)
        return files

    def keys(self) -> list[str]:
        self._files = self._list()
        return list(self._files)

    def get_bytes(self, key: str) -> bytes:
        """The message's bytes; :class:`KeyError` when it is gone (expunged meanwhile)."""
        try:
            return self._files[key].read_bytes()
        except FileNotFoundError:
            self._files = self._list()  # renamed (new/ to cur/, other flags) or deleted
            return self._files[key].read_bytes()

    def close(self) -> None:
        pass


def _check_mbox(path: Path) -> None:
    """An mbox starts with a ``From `` line; anything else is not one (nothing is guessed)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise SourceFileError(f"cannot read: {exc.strerror}", path=str(path)) from None
    if head and not head.lstrip(b"\r\n").startswith(b"From "):
        raise SourceFileError("not an mbox file: it does not start with a 'From ' line", path=str(path), line=1)
    if b"\x00" in head:
        raise SourceFileError("not an mbox file: it holds binary data", path=str(path))


def _header_values(message: email.message.Message, name: str) -> list[str]:
    """A header's raw values as text; 8-bit bytes (raw UTF-8 in a header) are decoded as UTF-8."""
    values = []
    for value in message.get_all(name, []):
        text = str(value)
        if any("\udc80" <= c <= "\udcff" for c in text):
            text = text.encode("ascii", "surrogateescape").decode("utf-8", "replace")
        values.append(text)
    return values


def _header(message: email.message.Message, name: str) -> str:
    values = _header_values(message, name)
    return values[0] if values else ""


def _addresses(message: email.message.Message, *names: str) -> tuple[str, ...]:
    values: list[str] = []
    for name in names:
        values.extend(_header_values(message, name))
    # a dict keeps the first-seen order and answers "seen?" at once: a list's ``in`` made a
    # message with 300,000 recipients take minutes
    found: dict[str, None] = {}
    for _, address in email.utils.getaddresses(values):
        address = address.strip().casefold()
        if address not in found and ADDRESS_RE.fullmatch(address):
            found[address] = None
    return tuple(found)


def _decoded(raw: str) -> str:
    """An RFC 2047 header (``=?utf-8?q?Ren=C3=A9?=``) as text, on one printable line (no NUL, no escapes)."""
    try:
        text = str(email.header.make_header(email.header.decode_header(raw)))
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        text = raw
    return printable_line(text)


def _message(parsed: email.message.Message, data: bytes) -> Message | str:
    senders = _addresses(parsed, "From")
    if not senders:
        return "no From: address"
    date_header = _header(parsed, "Date")
    try:
        when = email.utils.parsedate_to_datetime(date_header) if date_header.strip() else None
        if when is not None and when.tzinfo is None:  # "-0000": the time is UTC, the zone unknown
            when = when.replace(tzinfo=dt.UTC)
        when = when.astimezone() if when is not None else None  # the local day is the one logged
    except (ValueError, TypeError, IndexError, OverflowError):  # OverflowError: a year past 9999 here
        when = None
    if when is None:
        return "no usable Date: header"
    subject = _decoded(_header(parsed, "Subject"))
    match = re.search(r"<[^<>\s]+>", _header(parsed, "Message-ID"))
    if match:
        message_id = match.group(0)
    else:
        digest = hashlib.sha1(re.split(rb"\r?\n\r?\n", data, maxsplit=1)[0]).hexdigest()[:24]
        message_id = f"<{digest}@mdnet.invalid>"
    automatic = bool(
        _header(parsed, "List-Id")
        or (_header(parsed, "Auto-Submitted").strip().lower() or "no") != "no"
        or _header(parsed, "Precedence").strip().lower() in ("bulk", "list", "junk")
    )
    return Message(
        message_id=message_id,
        sender=senders[0],
        to=_addresses(parsed, "To"),
        cc=_addresses(parsed, "Cc", "Bcc"),
        delivered_to=_addresses(parsed, "Delivered-To", "X-Original-To"),
        when=when,
        subject=subject,
        automatic=automatic,
    )
