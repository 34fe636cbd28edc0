"""From per-evening half-hour counts to a weekly load profile (pure functions).

Input is ``load_intervals_v``: one row per local date and half hour *that had a call*
within opening hours. A half hour of an open evening with no call is a real zero, so
before averaging, every open evening is filled out to every half hour its weekday has
ever been open (the "grid"). An open evening is a local date with at least one call
within hours; a date with no row at all is unknown (closed, holiday, feed outage) and
is left out rather than counted as zero.

Percentiles use linear interpolation between order statistics (numpy's default,
ClickHouse ``quantileExactInclusive``): the p90 of 10 evenings lies between the 9th
and the 10th busiest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from hotline_capacity.local_time import local_instant
from hotline_capacity.whatif import IntervalLoad
from hotline_schemas import kpi

__all__ = [
    "IntervalRow",
    "Patience",
    "SlotFigures",
    "estimate_patience",
    "fill_open_evenings",
    "forecast_history",
    "percentile",
    "pooled_aht",
    "to_interval_loads",
    "totals",
    "weekly_profile",
]


@dataclass(frozen=True)
class IntervalRow:
    """One local date and half hour of calls within opening hours (``load_intervals_v``)."""

    local_date: date
    slot_minute: int  # local minutes after midnight: 1110 = 18:30
    interval_start: datetime  # UTC
    offered: int
    answered: int = 0
    answered_within: int = 0  # within the service-level threshold of the rules
    abandoned: int = 0  # long abandons in the queue (short abandons excluded, as in kpi.py)
    short_abandoned: int = 0
    talked: int = 0
    talk_seconds_sum: float = 0.0
    waited_seconds_sum: float = 0.0  # queue waits of answered, abandoned, left-the-queue calls
    menu_hangups: int = 0  # never queued: in no ratio
    left_queue: int = 0  # queue time-out, key pressed to leave, no agent logged in
    wait_answered_seconds_sum: float = 0.0

    @property
    def weekday(self) -> int:
        """Local weekday, Monday = 0 (``date.weekday()``, as in hotline_capacity)."""
        return self.local_date.weekday()

    @property
    def start(self) -> time:
        return time(self.slot_minute // 60, self.slot_minute % 60)


@dataclass(frozen=True)
class SlotFigures:
    """One half hour of the week, over all the open evenings of its weekday."""

    weekday: int  # Monday = 0
    start: time
    evenings: int
    offered_mean: float
    offered_p90: float
    answered: int
    abandoned: int
    aht_seconds: float | None  # observed mean talk time; None if nobody talked
    abandonment_rate: float | None  # kpi.abandonment_rate
    service_level: float | None  # kpi.service_level: within the threshold of the rules


@dataclass(frozen=True)
class Patience:
    """Mean caller patience, exponential and censored by answers: total waiting / abandons."""

    seconds: float | None  # None without abandons: callers never ran out of patience
    abandons: int
    waited_seconds: float


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 1:
        raise ValueError(f"q must be in [0, 1], got {q}")
    ordered = sorted(values)
    h = (len(ordered) - 1) * q
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def fill_open_evenings(rows: Iterable[IntervalRow]) -> list[IntervalRow]:
    """Every open evening at every half hour its weekday has had a call; zeros where none.

    Sorted by time. A half hour that the local clock skips on a date (spring-forward;
    never in the evening) is left out.
    """
    by_cell: dict[tuple[date, int], IntervalRow] = {}
    for given in rows:
        key = (given.local_date, given.slot_minute)
        if key in by_cell:
            raise ValueError(f"{given.local_date} {given.start:%H:%M} appears twice")
        by_cell[key] = given
    dates: dict[int, set[date]] = defaultdict(set)
    slots: dict[int, set[int]] = defaultdict(set)
    for day, slot in by_cell:
        dates[day.weekday()].add(day)
        slots[day.weekday()].add(slot)
    out = []
    for weekday, days in dates.items():
        for day in days:
            for slot in slots[weekday]:
                row = by_cell.get((day, slot))
                if row is None:
                    start = local_instant(day, time(slot // 60, slot % 60))
                    if start is None:
                        continue
                    row = IntervalRow(day, slot, start, offered=0)
                out.append(row)
    return sorted(out, key=lambda r: r.interval_start)


def weekly_profile(grid: Iterable[IntervalRow]) -> list[SlotFigures]:
    """Per weekday and half hour: offered mean and p90 over the evenings, observed outcomes.

    ``grid`` should come from :func:`fill_open_evenings`, so evenings without a call in
    a half hour count as zero. Sorted by weekday (Monday first) and time.
    """
    cells: dict[tuple[int, time], list[IntervalRow]] = defaultdict(list)
    for row in grid:
        cells[(row.weekday, row.start)].append(row)
    out = []
    for (weekday, start), rows in sorted(cells.items()):
        offered = [float(r.offered) for r in rows]
        answered = sum(r.answered for r in rows)
        abandoned = sum(r.abandoned for r in rows)
        talked = sum(r.talked for r in rows)
        talk = math.fsum(r.talk_seconds_sum for r in rows)
        counts = totals(rows)
        out.append(
            SlotFigures(
                weekday=weekday,
                start=start,
                evenings=len(rows),
                offered_mean=math.fsum(offered) / len(offered),
                offered_p90=percentile(offered, 0.9),
                answered=answered,
                abandoned=abandoned,
                aht_seconds=talk / talked if talked else None,
                abandonment_rate=kpi.abandonment_rate(counts),
                service_level=kpi.service_level(counts),
            )
        )
    return out


def totals(rows: Iterable[IntervalRow]) -> kpi.Counts:
    """The rows summed as the kpi definitions count a window (offered, outcomes, sums)."""
    rows = list(rows)
    return kpi.Counts(
        offered=sum(r.offered for r in rows),
        answered=sum(r.answered for r in rows),
        answered_within=sum(r.answered_within for r in rows),
        abandoned=sum(r.abandoned for r in rows),
        short_abandoned=sum(r.short_abandoned for r in rows),
        wait_answered_sum_s=math.fsum(r.wait_answered_seconds_sum for r in rows),
        talk_sum_s=math.fsum(r.talk_seconds_sum for r in rows),
        talked=sum(r.talked for r in rows),
        menu_hangups=sum(r.menu_hangups for r in rows),
        left_queue=sum(r.left_queue for r in rows),
    )


def pooled_aht(rows: Iterable[IntervalRow]) -> float | None:
    """Mean talk time over every answered call that has one."""
    rows = list(rows)
    talked = sum(r.talked for r in rows)
    return math.fsum(r.talk_seconds_sum for r in rows) / talked if talked else None


def estimate_patience(rows: Iterable[IntervalRow]) -> Patience:
    """Maximum-likelihood mean of an exponential patience from the queue's history.

    An abandoned caller's wait is their patience; an answered caller's wait is a lower
    bound on it (censored), and so is the wait of a caller the queue timed out. For
    exponential patience the estimate is the total time all of them waited divided by the
    number who gave up. Short abandons (misdials, under the short-abandon threshold) and menu
    hang-ups are left out of both, as in the abandonment rate.
    """
    rows = list(rows)
    abandons = sum(r.abandoned for r in rows)
    waited = math.fsum(r.waited_seconds_sum for r in rows)
    return Patience(waited / abandons if abandons and waited > 0 else None, abandons, waited)


def to_interval_loads(
    profile: Sequence[SlotFigures],
    *,
    default_aht_seconds: float,
    wrap_up_seconds: float = 0.0,
    patience_seconds: float | None = None,
) -> list[IntervalLoad]:
    """The profile as staffing input: a half hour's own AHT, or the default where no one
    talked; plus wrap-up time, which the call events do not carry."""
    if default_aht_seconds <= 0:
        raise ValueError(f"default AHT must be > 0, got {default_aht_seconds}")
    if wrap_up_seconds < 0:
        raise ValueError(f"wrap-up seconds must be >= 0, got {wrap_up_seconds}")
    return [
        IntervalLoad(
            weekday=s.weekday,
            start=s.start,
            offered_mean=s.offered_mean,
            offered_p90=s.offered_p90,
            aht_seconds=(s.aht_seconds or default_aht_seconds) + wrap_up_seconds,
            patience_seconds=patience_seconds,
        )
        for s in profile
    ]


def forecast_history(grid: Iterable[IntervalRow]) -> list[tuple[datetime, int]]:
    """(UTC interval start, offered) of every open half hour: the forecaster's input."""
    return [(r.interval_start, r.offered) for r in grid]
