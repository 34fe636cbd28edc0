"""Tonight against the forecast: offered calls per half hour of this evening so far, beside
the mean of the same half hour on the last `FORECAST_EVENINGS` opening evenings of the same
weekday (by the opening schedule, so holidays are skipped) that have calls.

A half hour is counted from the evening's opening (18:30, 19:00, ... local), so daylight saving
changes nothing. Evenings with no call at all (before the data begins, a feed outage) are left
out of the mean rather than counted as zero. The forecast is this simple on purpose: the shift
sees "busier or quieter than a usual Monday", and the load report's model forecast is for
planning the week.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline_schemas.hours import Evening, OpeningSchedule

FORECAST_EVENINGS = 4
SLOT = timedelta(minutes=30)
_SEARCH_WEEKS = 26


@dataclass(frozen=True)
class TrendPoint:
    start: datetime  # UTC start of the half hour tonight
    offered: int | None  # None: the half hour has not begun
    forecast: float | None  # None: no earlier evening to compare with


def earlier_evenings(schedule: OpeningSchedule, tonight: Evening, count: int) -> list[Evening]:
    """Up to `count` earlier opening evenings of the same weekday, latest first."""
    out: list[Evening] = []
    for weeks in range(1, _SEARCH_WEEKS + 1):
        evenings = schedule.evenings(tonight.local_date - timedelta(weeks=weeks))
        if evenings:
            out.append(evenings[0])
        if len(out) == count:
            break
    return out


def slot_starts(evening: Evening) -> list[datetime]:
    starts = []
    start = evening.opens
    while start < evening.closes:
        starts.append(start)
        start += SLOT
    return starts


def points(
    tonight: Evening,
    at: datetime,
    offered: Iterable[tuple[datetime, int]],
    earlier: Sequence[Evening],
) -> list[TrendPoint]:
    """`offered`: (UTC half-hour start, calls offered) of tonight and the earlier evenings."""
    counts: dict[datetime, int] = defaultdict(int)
    for start, calls in offered:
        counts[start] += calls
    seen = [e for e in earlier if any(counts.get(s, 0) for s in slot_starts(e))]
    out = []
    for n, start in enumerate(slot_starts(tonight)):
        history = [counts.get(slot_starts(e)[n], 0) for e in seen if n < len(slot_starts(e))]
        out.append(
            TrendPoint(
                start=start,
                offered=counts.get(start, 0) if start <= at else None,
                forecast=sum(history) / len(history) if history else None,
            )
        )
    return out
