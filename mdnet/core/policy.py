"""Cadence policy by category: the ``[cadence]`` table of ``mdnet.toml``. Pure.

```toml
[cadence]
client = "30d"            # ideal 30 days; losing touch past twice that (60d)
recruiter = "90d..120d"   # ideal 90 days; losing touch past 120 days
family = "never"          # no cadence for the category
```

Each value is a *window*: an ideal interval (the contact is due when it has
passed) and a maximum (past it the user is "losing touch"). Without an explicit
maximum the maximum is twice the ideal. Which cadence applies to a contact, in
order: the contact's own ``cadence`` field (always wins), the policy of its
category, the vault's ``default_cadence``. A contact's own cadence keeps the
tolerance of its category's window (``30d..45d`` is 1.5 times the ideal, so a
contact with ``cadence: 60d`` in that category is losing touch past 90 days).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mdnet.core.durations import DurationError, parse_duration
from mdnet.core.folding import fold
from mdnet.core.model import Contact, DueFacts, Duration, Record

_set = object.__setattr__  # how a record's __init__ fills a slot (mdnet.core.model.Record)

DEFAULT_TOLERANCE = 2.0


class Window(Record):
    """An ideal keep-in-touch interval and the maximum before touch is being lost. A plain record, not a
    dataclass, as those of :mod:`mdnet.core.model`: every ``mdnet`` command imports this module."""

    __slots__ = ("ideal", "maximum")
    ideal: Duration
    maximum: Duration

    def __init__(self, ideal: Duration, maximum: Duration) -> None:
        _set(self, "ideal", ideal)
        _set(self, "maximum", maximum)

    @property
    def tolerance(self) -> float:
        return self.maximum.approx_days() / self.ideal.approx_days()

    def __str__(self) -> str:
        return f"{self.ideal}..{self.maximum}"


class CadencePolicy(Record):
    """Windows by folded category name; ``None`` for a category whose cadence is ``never``. A plain record."""

    __slots__ = ("windows",)
    windows: dict[str, Window | None]

    def __init__(self, windows: dict[str, Window | None] | None = None) -> None:
        _set(self, "windows", {} if windows is None else windows)

    def category_window(self, category: str | None) -> tuple[bool, Window | None]:
        """``(found, window)`` for a category: whether the policy names it, and its window."""
        if not self.windows:
            return False, None
        key = fold(category or "")
        if key and key in self.windows:
            return True, self.windows[key]
        return False, None

    def window_for(self, contact: Contact | DueFacts, default_cadence: Duration | None) -> Window | None:
        """The window that applies to ``contact``: its own cadence, its category's, the default."""
        found, category_window = self.category_window(contact.category) if self.windows else (False, None)
        tolerance = category_window.tolerance if category_window is not None else DEFAULT_TOLERANCE
        if contact.cadence_set:
            if contact.cadence is None:  # cadence: never
                return None
            return _window(contact.cadence, tolerance)
        if found:
            return category_window
        if default_cadence is None:
            return None
        return _window(default_cadence, DEFAULT_TOLERANCE)


_WINDOWS: dict[tuple[int, str, float], Window] = {}


def _window(ideal: Duration, tolerance: float) -> Window:
    """``Window(ideal, ideal scaled by tolerance)``, made once per pair: a due list asks for the same few
    cadences thousands of times. Keyed by plain values, which hash faster than a Duration."""
    key = (ideal.count, ideal.unit, tolerance)
    window = _WINDOWS.get(key)
    if window is None:
        if len(_WINDOWS) > 4096:
            _WINDOWS.clear()
        window = _WINDOWS[key] = Window(ideal, scaled(ideal, tolerance))
    return window


EMPTY_POLICY = CadencePolicy()


def scaled(duration: Duration, factor: float) -> Duration:
    """``duration`` times ``factor``: exact in its own unit when whole, else in days."""
    count = duration.count * factor
    if abs(count - round(count)) < 1e-9:
        return Duration(round(count), duration.unit)
    return Duration(round(duration.approx_days() * factor), "d")


def parse_window(text: str) -> Window | None:
    """``"30d"`` or ``"30d..45d"`` -> a Window; ``"never"`` -> None. Raises ValueError."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError('must be a duration such as "30d" or a window such as "30d..45d"')
    ideal_text, dots, maximum_text = text.partition("..")
    try:
        ideal = parse_duration(ideal_text.strip())
    except DurationError as exc:
        raise ValueError(str(exc)) from None
    if ideal is None:
        if dots:
            raise ValueError("'never' has no maximum")
        return None
    if ideal.count <= 0:
        raise ValueError(f"the ideal {ideal} must be longer than zero")
    if not dots:
        return Window(ideal, scaled(ideal, DEFAULT_TOLERANCE))
    try:
        maximum = parse_duration(maximum_text.strip())
    except DurationError as exc:
        raise ValueError(f"maximum: {exc}") from None
    if maximum is None:
        raise ValueError("the maximum cannot be 'never'")
    if maximum.approx_days() < ideal.approx_days():
        raise ValueError(f"the maximum {maximum} is shorter than the ideal {ideal}")
    return Window(ideal, maximum)


def parse_policy(raw: Any) -> tuple[CadencePolicy, list[str]]:
    """The ``[cadence]`` table -> a policy and every problem found (``cadence.client: ...``)."""
    if not isinstance(raw, dict):
        return EMPTY_POLICY, ['cadence must be a table: [cadence] then lines such as client = "30d"']
    problems: list[str] = []
    windows: dict[str, Window | None] = {}
    names: dict[str, str] = {}  # folded key -> the first spelling
    for category, value in raw.items():
        key = fold(str(category))
        if not key:
            problems.append("cadence: a category name cannot be empty")
            continue
        if key in names:
            problems.append(f"cadence.{category}: the same category as {names[key]!r} (names match case- and "
                            "accent-insensitively); keep one")  # fmt: skip
            continue
        names[key] = str(category)
        if not isinstance(value, str):
            problems.append(f'cadence.{category}: must be a string such as "30d" or "30d..45d"')
            continue
        try:
            windows[key] = parse_window(value)
        except ValueError as exc:
            problems.append(f"cadence.{category}: {exc}")
    return CadencePolicy(windows), problems


def cadence_ratio(last_contact: dt.date | None, window: Window | None, today: dt.date) -> float | None:
    """Time since the last contact as a multiple of the ideal (``2.3`` = 2.3 times the cadence)."""
    if last_contact is None or window is None:
        return None
    return round(max(0, (today - last_contact).days) / window.ideal.approx_days(), 1)


def losing_touch(last_contact: dt.date | None, window: Window | None, today: dt.date) -> bool:
    """Past the maximum: the last contact plus the maximum is before ``today``."""
    if last_contact is None or window is None:
        return False
    return window.maximum.add_to(last_contact) < today
