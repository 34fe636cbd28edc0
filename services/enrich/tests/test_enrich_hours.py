"""Opening hours in Europe/Copenhagen: boundaries, weekdays, DST, closures and periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from hotline_enrich.hours import OpeningSchedule, is_open, load_schedule

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
    schedule = OpeningSchedule(closed=frozenset({date(2012, 12, 25)}))
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


def test_load_schedule_default_and_file(tmp_path: object) -> None:
    from pathlib import Path

    assert load_schedule(None) == DEFAULT
    path = Path(str(tmp_path)) / "schedule.json"
    path.write_text('{"closed": ["2013-01-01"]}', encoding="utf-8")
    loaded = load_schedule(path)
    assert loaded.closed == frozenset({date(2013, 1, 1)})
    assert loaded.hours_on(date(2013, 1, 2))[0].start == time(18, 30)
