"""Opening hours in Europe/Copenhagen: boundaries, weekdays, DST, closures, periods, and the
shipped pilot schedule (dates and holidays, recomputed here from the rules that define them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from hotline_schemas.hours import (
    OpeningSchedule,
    is_open,
    latest_opening_day,
    load_schedule,
    next_opening_day,
)

CPH = ZoneInfo("Europe/Copenhagen")
DEFAULT = OpeningSchedule()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CPH)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        ("2013-01-07T18:29:59", False),  # Monday
        ("2013-01-07T18:30:00", True),
        ("2013-01-07T21:59:59", True),
        ("2013-01-07T22:00:00", False),
        ("2013-01-06T19:00:00", True),  # Sunday
        ("2013-01-10T21:00:00", True),  # Thursday
        ("2013-01-11T19:00:00", False),  # Friday
        ("2013-01-12T19:00:00", False),  # Saturday
        ("2013-01-07T12:00:00", False),  # Monday noon
    ],
)
def test_default_weekly_hours(wall: str, expected: bool) -> None:
    assert is_open(DEFAULT, local(wall)) is expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Sunday 31 March 2013: CEST (UTC+2) from 02:00 that morning.
        ("2013-03-31T16:29:59", False),
        ("2013-03-31T16:30:00", True),
        ("2013-03-31T19:59:59", True),
        ("2013-03-31T20:00:00", False),
        # Sunday 27 October 2013: back to CET (UTC+1) at 03:00 that morning.
        ("2013-10-27T17:29:59", False),
        ("2013-10-27T17:30:00", True),
        ("2013-10-27T20:59:59", True),
        ("2013-10-27T21:00:00", False),
    ],
)
def test_dst_change_days_use_local_wall_time(instant: str, expected: bool) -> None:
    assert is_open(DEFAULT, utc(instant)) is expected


def test_other_offsets_are_converted_first() -> None:
    # 12:30 in New York (EDT, UTC-4) on Monday 3 June 2013 is 18:30 in Copenhagen.
    assert is_open(DEFAULT, datetime.fromisoformat("2013-06-03T12:30:00-04:00")) is True


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        is_open(DEFAULT, datetime(2013, 1, 7, 19, 0))


def test_closure_date_is_closed_all_day() -> None:
    schedule = OpeningSchedule(closed={date(2012, 12, 25): "1. juledag"})
    assert is_open(schedule, local("2012-12-25T19:00:00")) is False
    assert is_open(schedule, local("2012-12-27T19:00:00")) is True


def test_date_range_overrides_weekly_hours() -> None:
    schedule = OpeningSchedule.model_validate_json(
        """{"periods": [{"from": "2013-06-01", "to": "2013-08-31",
             "weekly": {"monday": [{"start": "19:00", "end": "21:00"}]}}]}"""
    )
    assert is_open(schedule, local("2013-06-03T18:45:00")) is False  # Monday in the period
    assert is_open(schedule, local("2013-06-03T19:00:00")) is True
    assert is_open(schedule, local("2013-08-26T20:59:59")) is True  # last Monday, inclusive
    assert is_open(schedule, local("2013-06-04T19:30:00")) is False  # Tuesday: not in period
    assert is_open(schedule, local("2013-09-02T18:45:00")) is True  # after: default hours


def test_invalid_schedules_fail_fast() -> None:
    with pytest.raises(ValidationError, match="before end"):
        OpeningSchedule.model_validate({"weekly": {"monday": [{"start": "22:00", "end": "18:30"}]}})
    with pytest.raises(ValidationError, match="overlap"):
        OpeningSchedule.model_validate(
            {
                "periods": [
                    {"from": "2013-06-01", "to": "2013-06-30", "weekly": {}},
                    {"from": "2013-06-15", "to": "2013-07-15", "weekly": {}},
                ]
            }
        )
    with pytest.raises(ValidationError, match="time zone"):
        OpeningSchedule(timezone="Europe/Atlantis")
    with pytest.raises(ValidationError):
        OpeningSchedule.model_validate({"weekly": {"funday": []}})


def test_a_file_with_plain_closed_dates_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "schedule.json"
    path.write_text('{"closed": ["2013-01-01"]}', encoding="utf-8")
    loaded = load_schedule(path)
    assert loaded.closed == {date(2013, 1, 1): ""}
    assert loaded.closed_reason(date(2013, 1, 1)) == "closed"
    assert loaded.hours_on(date(2013, 1, 2))[0].start == time(18, 30)
    assert (loaded.first_day, loaded.last_day) == (None, None)


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    lw = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lw) // 451
    month = (h + lw - 7 * m + 114) // 31
    return date(year, month, (h + lw - 7 * m + 114) % 31 + 1)


def _danish_public_holidays(year: int) -> set[date]:
    easter = _easter(year)
    movable = {-3, -2, 0, 1, 26, 39, 49, 50}  # Skærtorsdag ... 2. pinsedag
    fixed = {date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)}
    return fixed | {easter + timedelta(days=n) for n in movable}


def test_the_computus_knows_easter_2013() -> None:
    assert _easter(2013) == date(2013, 3, 31)
    assert _easter(2024) == date(2024, 3, 31)
    assert _easter(2025) == date(2025, 4, 20)


def test_the_shipped_schedule_is_the_pilot_with_its_holidays() -> None:
    pilot = load_schedule(None)
    assert (pilot.first_day, pilot.last_day) == (date(2012, 12, 3), date(2013, 12, 1))
    assert pilot.weekly == DEFAULT.weekly
    opening_weekdays = {
        d.weekday() for d in pilot.opening_days(date(2013, 1, 6), date(2013, 1, 12))
    }
    holidays = {
        day
        for year in (2012, 2013)
        for day in _danish_public_holidays(year)
        if pilot.first_day <= day <= pilot.last_day and day.weekday() in opening_weekdays
    }
    assert set(pilot.closed) == holidays
    assert len(holidays) == 9
    assert pilot.closed[date(2013, 3, 31)] == "Påskedag"
    assert all(pilot.closed.values())


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        ("2012-12-02T19:00:00", False),  # Sunday before the pilot
        ("2012-12-03T19:00:00", True),  # the first evening
        ("2012-12-25T19:00:00", False),  # 1. juledag
        ("2012-12-27T19:00:00", True),
        ("2013-03-31T19:00:00", False),  # Påskedag, the day DST began
        ("2013-04-02T19:00:00", True),
        ("2013-12-01T19:00:00", True),  # the last evening
        ("2013-12-02T19:00:00", False),  # after the pilot
    ],
)
def test_pilot_dates_and_holidays_are_closed(wall: str, expected: bool) -> None:
    assert is_open(load_schedule(None), local(wall)) is expected


def test_closed_reasons_and_the_latest_opening_day() -> None:
    pilot = load_schedule(None)
    assert pilot.closed_reason(date(2013, 5, 9)) == "Kristi himmelfartsdag"
    assert pilot.closed_reason(date(2013, 12, 2)) == "outside the service period"
    assert pilot.closed_reason(date(2013, 3, 29)) is None  # a Friday: never open
    assert pilot.closed_reason(date(2013, 4, 2)) is None  # open
    assert latest_opening_day(pilot, date(2013, 3, 31), 14) == date(2013, 3, 27)
    assert latest_opening_day(pilot, date(2014, 6, 1), 14) == date(2013, 12, 1)  # ended
    # After Easter Sunday: Easter Monday is a holiday, Tuesday 2 April opens.
    assert next_opening_day(pilot, date(2013, 3, 31), 14) == date(2013, 4, 2)
    with pytest.raises(ValueError, match="no opening day"):
        next_opening_day(pilot, date(2013, 12, 1), 14)  # the pilot ended that evening
    with pytest.raises(ValueError, match="no opening day"):
        latest_opening_day(OpeningSchedule(weekly={}), date(2013, 6, 1), 14)


def test_evenings_are_utc_instants_of_the_local_hours() -> None:
    (winter,) = load_schedule(None).evenings(date(2013, 3, 27))
    assert (winter.opens, winter.closes) == (utc("2013-03-27T17:30:00"), utc("2013-03-27T21:00:00"))
    (summer,) = load_schedule(None).evenings(date(2013, 4, 2))
    assert summer.opens == utc("2013-04-02T16:30:00")
    assert load_schedule(None).evenings(date(2013, 3, 31)) == []
