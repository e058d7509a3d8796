"""Parsing of the dates and durations people write in notes and on the command line.

Durations: ``30d``, ``2w``, ``3m``, ``1y`` (and ``30 d``), Dataview's ``30 days`` /
``2 weeks`` / ``1 month`` / ``1 year``, and the words ``daily``, ``weekly``,
``biweekly``, ``fortnightly``, ``monthly``, ``bimonthly``, ``quarterly``,
``semiannually``, ``yearly`` / ``annually``. ``never`` means "no cadence".
"""

from __future__ import annotations

import datetime as dt
import re

from mdnet.core.model import Duration, DurationUnit

_WORDS: dict[str, Duration] = {
    "daily": Duration(1, "d"),
    "weekly": Duration(1, "w"),
    "biweekly": Duration(2, "w"),
    "fortnightly": Duration(2, "w"),
    "monthly": Duration(1, "m"),
    "bimonthly": Duration(2, "m"),
    "quarterly": Duration(3, "m"),
    "semiannually": Duration(6, "m"),
    "semiannual": Duration(6, "m"),
    "yearly": Duration(1, "y"),
    "annually": Duration(1, "y"),
    "annual": Duration(1, "y"),
}
_UNITS: dict[str, DurationUnit] = {
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
    "m": "m", "mo": "m", "mos": "m", "month": "m", "months": "m",
    "y": "y", "yr": "y", "yrs": "y", "year": "y", "years": "y",
}  # fmt: skip
_DURATION_RE = re.compile(r"^\s*(\d{1,5})\s*([a-z]+)\s*$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$")


class DurationError(ValueError):
    """Not a duration; the message says what forms are accepted."""


NEVER = "never"
DURATION_FORMS = "Nd, Nw, Nm, Ny, '30 days', weekly, biweekly, monthly, quarterly, yearly or never"


def parse_duration(text: str) -> Duration | None:
    """Parse a cadence; ``None`` for ``never``. Raises :class:`DurationError`."""
    lowered = text.strip().lower()
    if lowered in (NEVER, "none", "no", "off"):
        return None
    if lowered in _WORDS:
        return _WORDS[lowered]
    match = _DURATION_RE.match(lowered)
    if match and match.group(2) in _UNITS:
        count = int(match.group(1))
        if count == 0:
            raise DurationError(f"a cadence of zero is not a cadence: {text!r} (use 'never')")
        return Duration(count, _UNITS[match.group(2)])
    raise DurationError(f"not a duration: {text!r} (expected {DURATION_FORMS})")


def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]`` (the day is kept; the time must exist)."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.replace("-", "").isdigit() and text.isascii():
        try:  # the common case, ~20x faster than the regexes below
            return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            pass  # fall through for the precise message
    return parse_date_time(text)[0]


def parse_date_time(text: str) -> tuple[dt.date, dt.time | None]:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM-DD[T ]HH:MM[:SS]`` into the day and the time, if one is given.

    The one reader of both forms: front-matter dates keep the day, ``log --date`` the time too.
    """
    stripped = text.strip()
    match = _DATE_RE.match(stripped) or _DATETIME_RE.match(stripped)
    if not match:
        raise ValueError(f"not a date: {text!r} (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
    year, month, day = (int(g) for g in match.groups()[:3])
    try:
        time = None
        if len(match.groups()) > 3:  # a date-time: the time must be one too (25:61 is not)
            time = dt.time(int(match.group(4)), int(match.group(5)), int(match.group(6) or 0))
        return dt.date(year, month, day), time
    except ValueError as exc:
        raise ValueError(f"not a date: {text!r} ({exc})") from None


def parse_when(text: str, today: dt.date, *, back: bool = False) -> dt.date:
    """A date, or a duration counted from ``today``: ``6m`` is six months from today,
    or six months ago with ``back`` (for ``--since``)."""
    try:
        return parse_date(text)
    except ValueError:
        pass
    try:
        duration = parse_duration(text)
    except DurationError:
        raise ValueError(f"not a date or a duration: {text!r} (expected YYYY-MM-DD or e.g. 2w, 6m)") from None
    if duration is None:
        raise ValueError(f"not a date or a duration: {text!r} ('never' is not a time)")
    return Duration(-duration.count if back else duration.count, duration.unit).add_to(today)
