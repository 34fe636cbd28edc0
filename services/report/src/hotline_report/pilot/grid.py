"""Which evenings and half hours were open, with zeros where nobody called (pure).

An open evening is a local date with at least one call offered within the opening hours (as
every catchment view counts it: a date without a call is unknown, not zero). Its open half
hours are those of the opening schedule for that date, plus any half hour with calls within
the hours the schedule does not list (imported history under other hours): a half hour with
no row in `pilot_intervals_v` then had no call and counts as zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from hotline_report.pilot.data import DayRow, IntervalRow
from hotline_schemas.hours import Interval

__all__ = [
    "HALF_HOUR_S",
    "Evening",
    "monday_of",
    "open_evenings",
    "slot_label",
    "slots_of",
    "weeks_between",
]

HALF_HOUR_S = 1800.0


def slots_of(intervals: Iterable[Interval]) -> list[int]:
    """Local start minutes of every half hour within the opening intervals."""
    out: list[int] = []
    for interval in intervals:
        start = interval.start.hour * 60 + interval.start.minute
        end = interval.end.hour * 60 + interval.end.minute
        # A half hour open for part of its length counts as open.
        first = start - start % 30
        out.extend(range(first, end, 30))
    return sorted(set(out))


def slot_label(minute: int) -> str:
    return time(minute // 60, minute % 60).strftime("%H:%M")


def _empty(day: date, slot: int) -> IntervalRow:
    """An open half hour nobody called in and no agent was logged in for."""
    return IntervalRow(
        day, slot, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.0, 0.0
    )


@dataclass(frozen=True)
class Evening:
    local_date: date
    cells: list[IntervalRow]  # every open half hour, zeros filled, by time
    has_agent_events: bool  # some agent was logged in on this local date
    agent_rows: list[IntervalRow]  # every half hour of the date with agent time (open or not)

    @property
    def weekday(self) -> int:
        return self.local_date.weekday()


def open_evenings(
    days: Sequence[DayRow],
    intervals: Sequence[IntervalRow],
    hours_on: Callable[[date], Sequence[Interval]],
) -> list[Evening]:
    """Every open evening of the range with its open half hours."""
    open_dates = sorted(d.local_date for d in days if d.offered > 0)
    by_date: dict[date, dict[int, IntervalRow]] = {}
    for row in intervals:
        by_date.setdefault(row.local_date, {})[row.slot_minute] = row
    out = []
    for day in open_dates:
        rows = by_date.get(day, {})
        slots = set(slots_of(hours_on(day))) | {s for s, r in rows.items() if r.offered > 0}
        cells = [rows.get(s) or _empty(day, s) for s in sorted(slots)]
        agent_rows = [r for r in rows.values() if r.logged_in_seconds > 0]
        out.append(
            Evening(day, cells, bool(agent_rows), sorted(agent_rows, key=lambda r: r.slot_minute))
        )
    return out


def weeks_between(first: date, last: date) -> float:
    """Calendar weeks from first to last inclusive (a whole pilot year: 52)."""
    return ((last - first).days + 1) / 7


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
