"""Opening hours: is the hotline open at a given instant, and when are its evenings?

The schedule is configuration: one JSON file (`HOTLINE_RULES__SCHEDULE_FILE`) read by every
service, so enrich's `within_hours`, the board's "open now", the simulator's callers and the
report's open evenings agree. The default file ships with the reference data
(`reference/schedule.json`): the pilot's weekly hours, its first and last day and the public
holidays it was closed on (sources in `reference/SOURCES.md`).

Hours are wall-clock times in the schedule's time zone (Europe/Copenhagen): an instant is
converted to local time first, so daylight-saving changes need no special case. Start is
inclusive, end exclusive; intervals do not cross midnight. A date inside a `periods` entry uses
that period's weekly hours instead of the default ones (a weekday missing there is closed); a
date in `closed` is closed all day (a list of dates, or dates mapped to a reason such as the
holiday's name); dates before `first_day` or after `last_day` are closed.

Example file::

    {"weekly": {"sunday": [{"start": "18:30", "end": "22:00"}]},
     "first_day": "2012-12-03", "last_day": "2013-12-01",
     "periods": [{"from": "2013-07-01", "to": "2013-07-31", "weekly": {}}],
     "closed": {"2012-12-25": "1. juledag"}}
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hotline_schemas import paths

DEFAULT_SCHEDULE_FILE = paths.REFERENCE_DIR / "schedule.json"


def known_zone(value: str) -> str:
    """`value` if it names an IANA time zone this machine knows; a validation error if not."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class Weekday(StrEnum):
    # Order matters: the index is datetime.weekday().
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


WEEKDAYS = tuple(Weekday)


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Interval(_Config):
    start: time
    end: time

    @model_validator(mode="after")
    def _start_before_end(self) -> Self:
        if not self.start < self.end:
            raise ValueError(f"start {self.start} must be before end {self.end} (same day)")
        return self


WeeklyHours = dict[Weekday, tuple[Interval, ...]]


class Period(_Config):
    """Other weekly hours for the dates from `from` to `to`, both inclusive."""

    from_: date = Field(alias="from")
    to: date
    weekly: WeeklyHours

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.to < self.from_:
            raise ValueError(f"period ends ({self.to}) before it starts ({self.from_})")
        return self


_EVENING = (Interval(start=time(18, 30), end=time(22, 0)),)
PRESS_RELEASE_WEEKLY: WeeklyHours = {
    Weekday.SUNDAY: _EVENING,
    Weekday.MONDAY: _EVENING,
    Weekday.TUESDAY: _EVENING,
    Weekday.WEDNESDAY: _EVENING,
    Weekday.THURSDAY: _EVENING,
}


@dataclass(frozen=True)
class Evening:
    """One opening interval of one local date, as UTC instants."""

    local_date: date
    opens: datetime
    closes: datetime


class OpeningSchedule(_Config):
    """Without a file: the press release's Sunday-Thursday 18:30-22:00, no closures, no end.

    The shipped default file (`load_schedule(None)`) adds the pilot's dates and holidays.
    """

    timezone: str = "Europe/Copenhagen"
    weekly: WeeklyHours = Field(default_factory=lambda: dict(PRESS_RELEASE_WEEKLY))
    first_day: date | None = None
    last_day: date | None = None
    periods: tuple[Period, ...] = ()
    # Closed dates with the reason ("" when the file lists bare dates).
    closed: dict[date, str] = Field(default_factory=dict)
    source: str = Field(default="", description="Where the dates come from (free text).")

    @field_validator("closed", mode="before")
    @classmethod
    def _dates_or_reasons(cls, value: Any) -> Any:
        # A plain list of dates stays valid (the format before reasons were added).
        if isinstance(value, list | tuple | set | frozenset):
            return dict.fromkeys(value, "")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        # Overlaps would need a precedence rule nobody can see in the file: reject them.
        ordered = sorted(self.periods, key=lambda p: p.from_)
        for before, after in pairwise(ordered):
            if after.from_ <= before.to:
                raise ValueError(f"periods overlap: {before.from_}..{before.to} and {after.from_}")
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValueError(f"last_day {self.last_day} is before first_day {self.first_day}")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def in_service(self, day: date) -> bool:
        """Within first_day..last_day (either may be open-ended)."""
        return (self.first_day is None or day >= self.first_day) and (
            self.last_day is None or day <= self.last_day
        )

    def weekly_on(self, day: date) -> tuple[Interval, ...]:
        """The weekly hours that apply to a date, before closures and the service dates."""
        weekly = self.weekly
        for period in self.periods:
            if period.from_ <= day <= period.to:
                weekly = period.weekly
                break
        return weekly.get(WEEKDAYS[day.weekday()], ())

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        """The opening intervals of one local date."""
        if day in self.closed or not self.in_service(day):
            return ()
        return self.weekly_on(day)

    def closed_reason(self, day: date) -> str | None:
        """Why a date that would be open by its weekday is closed; None if it is not."""
        if not self.weekly_on(day):
            return None
        if day in self.closed:
            return self.closed[day] or "closed"
        if not self.in_service(day):
            return "outside the service period"
        return None

    def evenings(self, day: date) -> list[Evening]:
        """The opening intervals of a local date as UTC instants, earliest first."""
        zone = self.zone
        return [
            Evening(
                day,
                datetime.combine(day, i.start, zone).astimezone(UTC),
                datetime.combine(day, i.end, zone).astimezone(UTC),
            )
            for i in sorted(self.hours_on(day), key=lambda i: i.start)
        ]

    def opening_days(self, first: date, last: date) -> Iterator[date]:
        """Local dates from `first` to `last` (inclusive) with opening hours."""
        day = first
        while day <= last:
            if self.hours_on(day):
                yield day
            day += timedelta(days=1)


def is_open(schedule: OpeningSchedule, instant: datetime) -> bool:
    """Whether `instant` (timezone-aware) falls within the opening hours."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: an offset is required")
    local = instant.astimezone(schedule.zone)
    wall = local.time()
    return any(i.start <= wall < i.end for i in schedule.hours_on(local.date()))


def latest_opening_day(schedule: OpeningSchedule, on_or_before: date, search_days: int) -> date:
    """The latest date with opening hours at or before `on_or_before` (at most the schedule's
    last day); ValueError when none lies within `search_days` before that."""
    start = on_or_before
    if schedule.last_day is not None and schedule.last_day < start:
        start = schedule.last_day
    for back in range(search_days + 1):
        day = start - timedelta(days=back)
        if schedule.hours_on(day):
            return day
    raise ValueError(f"no opening day in the {search_days} days up to {start}")


def next_opening_day(schedule: OpeningSchedule, after: date, search_days: int) -> date:
    """The first date with opening hours after `after`; ValueError when none lies within
    `search_days` (e.g. the schedule has ended)."""
    for ahead in range(1, search_days + 1):
        day = after + timedelta(days=ahead)
        if schedule.hours_on(day):
            return day
    raise ValueError(f"no opening day in the {search_days} days after {after}")


def load_schedule(path: Path | None) -> OpeningSchedule:
    """The schedule from a JSON file, or the shipped default (the pilot's) when None."""
    return OpeningSchedule.model_validate_json((path or DEFAULT_SCHEDULE_FILE).read_bytes())
