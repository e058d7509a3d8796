"""Durations as people write them, and calendar arithmetic that clamps to the month's end."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdnet.core.durations import DurationError, parse_date, parse_date_time, parse_duration, parse_when
from mdnet.core.model import Duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", Duration(30, "d")),
        ("2w", Duration(2, "w")),
        ("3m", Duration(3, "m")),
        ("1y", Duration(1, "y")),
        ("30 days", Duration(30, "d")),
        ("1 month", Duration(1, "m")),
        ("2 Weeks", Duration(2, "w")),
        ("weekly", Duration(1, "w")),
        ("biweekly", Duration(2, "w")),
        ("monthly", Duration(1, "m")),
        ("quarterly", Duration(3, "m")),
        ("yearly", Duration(1, "y")),
        ("never", None),
        ("Never", None),
    ],
)
def test_parse_duration(text: str, expected: Duration | None) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "30", "0d", "30x", "soon", "d30", "1.5m"])
def test_bad_durations_say_what_is_accepted(text: str) -> None:
    with pytest.raises(DurationError, match="never|zero"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        ("2026-01-31", Duration(1, "m"), "2026-02-28"),
        ("2028-01-31", Duration(1, "m"), "2028-02-29"),
        ("2026-03-31", Duration(1, "m"), "2026-04-30"),
        ("2026-08-31", Duration(3, "m"), "2026-11-30"),
        ("2026-11-30", Duration(3, "m"), "2027-02-28"),
        ("2028-02-29", Duration(1, "y"), "2029-02-28"),
        ("2026-12-15", Duration(1, "m"), "2027-01-15"),
        ("2026-10-21", Duration(30, "d"), "2026-11-20"),
        ("2026-11-05", Duration(2, "w"), "2026-11-19"),
    ],
)
def test_calendar_arithmetic(start: str, duration: Duration, expected: str) -> None:
    assert duration.add_to(dt.date.fromisoformat(start)) == dt.date.fromisoformat(expected)


def test_parse_date_accepts_date_times_and_rejects_impossible_days() -> None:
    assert parse_date("2026-11-11T10:00") == dt.date(2026, 11, 11)
    assert parse_date("2026-11-11 10:00:30") == dt.date(2026, 11, 11)
    with pytest.raises(ValueError, match="not a date"):
        parse_date("2026-02-30")
    with pytest.raises(ValueError, match="not a date"):
        parse_date("11/25/2026")


def test_parse_when_is_a_date_or_a_duration_from_today() -> None:
    today = dt.date(2026, 11, 25)
    assert parse_when("6m", today) == dt.date(2027, 5, 25)
    assert parse_when("2026-12-01", today) == dt.date(2026, 12, 1)
    with pytest.raises(ValueError, match="date or a duration"):
        parse_when("later", today)


@given(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.integers(min_value=-200, max_value=200),
    st.sampled_from(["m", "y"]),
)
def test_month_arithmetic_clamps_to_the_last_day_as_the_calendar_says(day: dt.date, count: int, unit: str) -> None:
    import calendar

    months = day.year * 12 + day.month - 1 + (count if unit == "m" else 12 * count)
    year, month = divmod(months, 12)
    result = Duration(count, unit).add_to(day)  # type: ignore[arg-type]
    if year > dt.MAXYEAR:
        assert result == dt.date.max
    elif year < dt.MINYEAR:
        assert result == dt.date.min
    else:
        assert result == dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@pytest.mark.parametrize("text", ["2026-11-25T25:00", "2026-11-25T10:60", "2026-11-25 10:30:99", "2026-11-25T24:00"])
def test_parse_date_rejects_impossible_times(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "day", "time"),
    [
        ("2026-11-25", dt.date(2026, 11, 25), None),
        (" 2026-11-25T10:30 ", dt.date(2026, 11, 25), dt.time(10, 30)),
        ("2026-11-25 10:30:15", dt.date(2026, 11, 25), dt.time(10, 30, 15)),
    ],
)
def test_one_reader_gives_the_day_and_the_time(text: str, day: dt.date, time: dt.time | None) -> None:
    assert parse_date_time(text) == (day, time)
    assert parse_date(text) == day  # the front matter's reader keeps the day of the same text


@pytest.mark.parametrize("text", ["2026-11-25T25:00", "2026-11-25T10:61", "2026-02-30", "2026-11-25T10", "25.11.2026"])
def test_the_day_and_time_reader_refuses_what_does_not_exist(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date_time(text)


@pytest.mark.parametrize(("count", "unit"), [(1, "x"), (1, "M"), ("1", "m"), (True, "d"), (1.5, "w")])
def test_a_duration_a_script_builds_wrong_is_a_usage_error_not_a_silent_year(count: object, unit: object) -> None:
    from mdnet import UsageError

    with pytest.raises(UsageError):
        Duration(count, unit)  # type: ignore[arg-type]
