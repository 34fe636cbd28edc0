"""The Danish public holidays by rule reproduce the shipped schedule's closed dates, and after
the schedule ends its weekly hours go on, closed on those holidays."""

from __future__ import annotations

from datetime import date, time, timedelta

from hotline_schemas.holidays import (
    closed_reason_after,
    easter_sunday,
    hours_after,
    public_holidays,
)
from hotline_schemas.hours import load_schedule


def test_easter_by_the_computus() -> None:
    assert easter_sunday(2013) == date(2013, 3, 31)
    assert easter_sunday(2014) == date(2014, 4, 20)
    assert easter_sunday(2019) == date(2019, 4, 21)
    assert easter_sunday(2025) == date(2025, 4, 20)


def test_holidays_of_2014_and_store_bededag_abolished_from_2024() -> None:
    holidays = public_holidays(2014)
    assert holidays[date(2014, 4, 17)] == "Skærtorsdag"
    assert holidays[date(2014, 5, 16)] == "Store bededag"
    assert holidays[date(2014, 6, 9)] == "2. pinsedag"
    assert len(holidays) == 11
    assert "Store bededag" not in public_holidays(2024).values()
    assert date(2014, 12, 24) not in holidays  # juleaften is a custom, not a holiday
    assert date(2014, 6, 5) not in holidays  # nor is Grundlovsdag


def test_the_rules_give_exactly_the_shipped_schedules_closed_evenings() -> None:
    schedule = load_schedule(None)
    assert schedule.first_day is not None
    assert schedule.last_day is not None
    expected: dict[date, str] = {}
    day = schedule.first_day
    while day <= schedule.last_day:
        name = public_holidays(day.year).get(day)
        if name is not None and schedule.weekly_on(day):
            expected[day] = name
        day += timedelta(days=1)
    assert schedule.closed == expected


def test_after_the_pilot_its_weekly_hours_go_on_closed_on_holidays() -> None:
    schedule = load_schedule(None)
    # Monday 2 December 2013, the day after the pilot: open as the pilot was.
    (evening,) = hours_after(schedule, date(2013, 12, 2))
    assert (evening.start, evening.end) == (time(18, 30), time(22, 0))
    # Christmas 2013 falls on Wednesday and Thursday: closed, with the holiday's name.
    assert hours_after(schedule, date(2013, 12, 25)) == ()
    assert closed_reason_after(schedule, date(2013, 12, 26)) == "2. juledag"
    assert hours_after(schedule, date(2013, 12, 27)) == ()  # a Friday: never open
    assert closed_reason_after(schedule, date(2013, 12, 27)) is None
    # Within the pilot the schedule itself decides (Easter Monday 2013 closed).
    assert hours_after(schedule, date(2013, 4, 1)) == ()
    assert closed_reason_after(schedule, date(2013, 4, 1)) == "2. påskedag"
    assert hours_after(schedule, date(2012, 12, 2)) == ()  # before the first day
