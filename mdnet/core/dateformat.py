"""Dates as Obsidian writes them: moment.js formats and daily-note template tokens. Pure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import cast

from mdnet.core.model import Duration, DurationUnit

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TOKEN_RE = re.compile(
    r"\[([^\]]*)\]|YYYY|YY|Q|MMMM|MMM|MM|M|DDDD|DDD|Do|DD|D|dddd|ddd|dd|d|E|GGGG|gggg|WW|W|ww|w|HH|H|hh|h|mm|m|ss|s|A|a"
)


def format_date(when: dt.date | dt.datetime, pattern: str) -> str:
    """``when`` in a moment.js format as Obsidian writes it (English names)."""
    moment = when if isinstance(when, dt.datetime) else dt.datetime.combine(when, dt.time())

    def token(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1)
        return _token_value(match.group(0), moment)

    return _TOKEN_RE.sub(token, pattern)


def _token_value(name: str, m: dt.datetime) -> str:
    iso_year, iso_week, iso_day = m.isocalendar()
    hour12 = m.hour % 12 or 12
    values = {
        "YYYY": f"{m.year:04d}", "YY": f"{m.year % 100:02d}", "Q": str((m.month - 1) // 3 + 1),
        "MMMM": _MONTHS[m.month - 1], "MMM": _MONTHS[m.month - 1][:3], "MM": f"{m.month:02d}", "M": str(m.month),
        "DDDD": f"{m.timetuple().tm_yday:03d}", "DDD": str(m.timetuple().tm_yday), "Do": _ordinal(m.day),
        "DD": f"{m.day:02d}", "D": str(m.day), "dddd": _DAYS[m.weekday()], "ddd": _DAYS[m.weekday()][:3],
        "dd": _DAYS[m.weekday()][:2], "d": str((m.weekday() + 1) % 7), "E": str(iso_day),
        "GGGG": f"{iso_year:04d}", "gggg": f"{iso_year:04d}", "WW": f"{iso_week:02d}", "W": str(iso_week),
        "ww": f"{iso_week:02d}", "w": str(iso_week), "HH": f"{m.hour:02d}", "H": str(m.hour),
        "hh": f"{hour12:02d}", "h": str(hour12), "mm": f"{m.minute:02d}", "m": str(m.minute),
        "ss": f"{m.second:02d}", "s": str(m.second), "A": "AM" if m.hour < 12 else "PM",
        "a": "am" if m.hour < 12 else "pm",
    }  # fmt: skip
    return values[name]


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


_TEMPLATE_RE = re.compile(r"{{\s*(date|time|title)\s*(?:([+-]\d+)\s*([dwmy]))?\s*(?::(.*?))?\s*}}", re.IGNORECASE)


def fill_template(template: str, day: dt.date, now: dt.datetime, *, title: str, date_format: str) -> str:
    """Obsidian's daily-note tokens: ``{{date}}``, ``{{date:FORMAT}}``, ``{{date+1d:FORMAT}}``,
    ``{{time}}``, ``{{time:FORMAT}}`` and ``{{title}}``. ``{{date}}`` is the note's date in
    the daily-note format; ``{{time}}`` is the time of creation (``HH:mm``)."""

    def token(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name == "title":
            return title
        moment = dt.datetime.combine(day, now.time()) if name == "date" else now
        if match.group(2):
            shift = Duration(int(match.group(2)), cast(DurationUnit, match.group(3).lower()))
            moment = dt.datetime.combine(shift.add_to(moment.date()), moment.time())
        default = date_format if name == "date" else "HH:mm"
        return format_date(moment, match.group(4) or default)

    return _TEMPLATE_RE.sub(token, template)


def daily_date_reader(folder: str, date_format: str) -> Callable[[str], dt.date | None]:
    """A function from a vault-relative path to the day whose daily note it is, else None:
    the path must be ``folder/<date in date_format>.md`` exactly (checked by writing the date back)."""
    prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
    pattern = re.compile(_format_regex(date_format) + r"\.md", re.IGNORECASE)
    # Formats of fixed-width numbers and literals alone (YYYY-MM-DD, the default): a name the pattern
    # matches with a real date is the date written back, so the costly check is left out.
    exact = _only_fixed(date_format)

    def daily_date(path: str) -> dt.date | None:
        if not path.startswith(prefix):
            return None
        match = pattern.fullmatch(path[len(prefix) :])
        if match is None:
            return None
        parts = match.groupdict()
        if not parts.get("Y") or not (parts.get("M") or parts.get("N")) or not parts.get("D"):
            return None
        month = int(parts["M"]) if parts.get("M") else _MONTH_NAMES.index(parts["N"][:3].title()) + 1
        try:
            day = dt.date(int(parts["Y"]), month, int(parts["D"]))
        except ValueError:
            return None
        if exact:
            return day
        return day if format_date(day, date_format) + ".md" == path[len(prefix) :] else None

    return daily_date


_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_FORMAT_TOKEN_RE = re.compile(r"\[([^\]]*)\]|YYYY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|dd|[A-Za-z]+")
_FORMAT_PARTS = {
    "YYYY": r"(?P<Y>\d{4})", "MMMM": r"(?P<N>[A-Za-z]+)", "MMM": r"(?P<N>[A-Za-z]{3})", "MM": r"(?P<M>\d\d)",
    "M": r"(?P<M>\d{1,2})", "Do": r"(?P<D>\d{1,2})(?:st|nd|rd|th)", "DD": r"(?P<D>\d\d)", "D": r"(?P<D>\d{1,2})",
}  # fmt: skip


def _only_fixed(date_format: str) -> bool:
    """Whether ``date_format`` holds no token but ``YYYY``, ``MM``, ``DD`` and ``[literal]`` text."""
    return all(m.group(0) in ("YYYY", "MM", "DD") or m.group(1) is not None
               for m in _FORMAT_TOKEN_RE.finditer(date_format))  # fmt: skip


def _format_regex(date_format: str) -> str:
    """A regex for names in a moment.js format; tokens it cannot read match loosely (checked after)."""
    out: list[str] = []
    position = 0
    seen: set[str] = set()
    for match in _FORMAT_TOKEN_RE.finditer(date_format):
        out.append(re.escape(date_format[position : match.start()]))
        token = match.group(0)
        part = _FORMAT_PARTS.get(token)
        if match.group(1) is not None:
            out.append(re.escape(match.group(1)))
        elif part is not None and part[4] not in seen:
            seen.add(part[4])
            out.append(part)
        else:
            out.append(r"[^/]+?")
        position = match.end()
    out.append(re.escape(date_format[position:]))
    return "".join(out)
