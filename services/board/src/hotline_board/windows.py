"""Which time spans the board shows: pure functions of the schedule and the reference time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline_schemas.hours import OpeningSchedule

LAST_WINDOW = timedelta(minutes=15)
# Calls still queued at closing time are answered or abandoned after it: keep counting them.
AFTER_CLOSE = timedelta(hours=1)
_SEARCH_DAYS = 14


@dataclass(frozen=True)
class Evening:
    opens: datetime
    closes: datetime

    def window_end(self, at: datetime) -> datetime:
        return min(at, self.closes + AFTER_CLOSE)


def latest_evening(schedule: OpeningSchedule, at: datetime) -> Evening | None:
    """The latest opening interval that began at or before `at` (today's, or an earlier one)."""
    local_day = at.astimezone(schedule.zone).date()
    for back in range(_SEARCH_DAYS + 1):
        for evening in reversed(schedule.evenings(local_day - timedelta(days=back))):
            if evening.opens <= at:
                return Evening(opens=evening.opens, closes=evening.closes)
    return None


def unix(t: datetime) -> int:
    return int(t.timestamp())
