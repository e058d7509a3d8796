"""The arguments every vault method takes, checked and turned into values: the day, a window, a name, paths.

The one place mdnet reads the date (:func:`resolve_today`). Kept apart from the facade so that its
services (history, relations, writing, daily, drafts) use them without importing the facade.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable

from mdnet.core.durations import DurationError, parse_date, parse_duration, parse_when
from mdnet.errors import UsageError


def resolve_today(value: dt.date | str | None = None) -> dt.date:
    """``value``, else ``$MDNET_TODAY``, else the clock: the one place mdnet reads the date."""
    if isinstance(value, dt.datetime):  # datetime.now(): a datetime is a date, and its day is meant
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is not None and not isinstance(value, str):
        raise UsageError(f"today must be a date or YYYY-MM-DD text, not {type(value).__name__}")
    text = value if value is not None else os.environ.get("MDNET_TODAY") or None
    if text is None:
        return dt.date.today()
    try:
        return parse_date(text)
    except ValueError as exc:
        source = "today" if value is not None else "$MDNET_TODAY"  # set in a shell long ago, maybe
        raise UsageError(f"bad date for {source}: {exc}") from None


def days_within(within: str | int | None, today: dt.date, default: int) -> int:
    """``--within`` as a number of days from ``today`` (``1m`` from 31 Jan is 28 or 29 days)."""
    if within is None:
        return default
    if isinstance(within, bool) or not isinstance(within, (int, str)):
        raise UsageError(f"within must be a duration such as '7d' or a number of days, not {type(within).__name__}")
    if isinstance(within, int):
        if within < 0:
            raise UsageError(f"within must be 0 days or more, not {within}")
        return within
    if re.fullmatch(r"\s*0+\s*(?:d|w|m|y|days?|weeks?|months?|years?)?\s*", within.lower()):
        return 0  # "0d" or "0": today only (a zero cadence is refused, a zero window is not)
    try:
        duration = parse_duration(within)
    except DurationError:
        raise UsageError(f"bad --within {within!r}: expected a duration such as 0d, 7d, 2w or 1m") from None
    if duration is None:
        raise UsageError("bad --within: 'never' is not a window")
    return (duration.add_to(today) - today).days


def since_date(value: dt.date | str, today: dt.date) -> dt.date:
    """``--since``: a date, or a duration counted back from ``today`` (``6m`` = six months ago)."""
    if isinstance(value, dt.date):
        return value
    try:
        return parse_when(value, today, back=True)
    except ValueError as exc:
        raise UsageError(f"bad --since: {exc}") from None


def check_paths(paths: object) -> None:
    """A list (or other iterable) of paths, or None; a number is bad usage, not a TypeError."""
    if paths is None:
        return
    if isinstance(paths, (str, bytes)) or not isinstance(paths, Iterable):
        raise UsageError(f"paths must be a path or a list of paths, not {type(paths).__name__}")


def path_text(given: object) -> str:
    if isinstance(given, os.PathLike):
        given = os.fspath(given)
    if not isinstance(given, str):
        raise UsageError(f"a path must be text or a path, not {type(given).__name__}")
    return given


def check_text(label: str, value: object) -> None:
    if not isinstance(value, str):
        raise UsageError(f"{label} must be text, not {type(value).__name__}")


def check_name(value: object, label: str = "name", wanted: str = "a contact's name, alias or file name") -> None:
    """An empty or blank name is bad usage (exit 2), not a name that finds nobody (exit 1): ``who ""``
    read as a company named "" and said the user knows nobody there."""
    check_text(label, value)
    if isinstance(value, str) and not value.strip():
        raise UsageError(f"the {label} is empty: give {wanted}")


def check_filters(category: object, tag: object) -> None:
    for label, value in (("category", category), ("tag", tag)):
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{label} must be text, not {type(value).__name__}")


def check_text_or_none(label: str, value: object, expected: str = "text") -> None:
    """A script's argument of the wrong type is bad usage (exit 2), never an AttributeError from deep inside."""
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{label} must be {expected} or None, not {type(value).__name__}")


def wanted_paths(paths: object) -> list[str] | None:
    """``Vault.refresh``'s paths as vault-relative text (one path may be a string), or None for all of them."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    check_paths(paths)  # None, or an iterable that is no string
    if not isinstance(paths, Iterable):
        return None
    return [path_text(given) for given in paths]
