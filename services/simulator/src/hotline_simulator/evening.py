"""The hotline's evening: opening hours, the arrival profile, and arrival times (pure, seeded).

Which dates are open comes from the one opening schedule every service reads
(`HOTLINE_RULES__SCHEDULE_FILE`, `hotline_schemas.hours`): weekly hours, the pilot's first and
last day, holidays. Callers ring on closed days too (holidays, Fridays, Saturdays), fewer of
them, and hear the closed message.

Time inside the simulation is seconds from the evening's opening instant (18:30 local, Europe/
Copenhagen, or the day's first opening time in the schedule); negative before it. An evening
never spans a daylight-saving change (those happen at night), so these offsets are also
wall-clock minutes. The arrival profile is shaped for the pilot's 18:30-22:00 evening.
"""

from __future__ import annotations

import bisect
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline_schemas.hours import OpeningSchedule, is_open, latest_opening_day

TZ = ZoneInfo("Europe/Copenhagen")
OPENS = time(18, 30)
CLOSES = time(22, 0)
CLOSE_S = (CLOSES.hour * 60 + CLOSES.minute - OPENS.hour * 60 - OPENS.minute) * 60.0
# How far back to look for an opening day (from the schedule's last day, if it has ended).
SEARCH_DAYS = 366
# Arrival rate as a share of the peak, at minutes from opening; linear in between. A repeated
# minute is a step: the rate jumps at opening and at closing. People ring a little before the
# line opens and after it closes (they hear the closed message), pile in at opening, peak
# from 19:00 to 20:30 and tail off to 22:00.
PROFILE: tuple[tuple[float, float], ...] = (
    (-30, 0.04),
    (0, 0.15),
    (0, 0.75),
    (30, 1.0),
    (120, 1.0),
    (150, 0.7),
    (180, 0.45),
    (210, 0.25),
    (210, 0.10),
    (270, 0.01),
)
WINDOW_START_S = PROFILE[0][0] * 60.0
WINDOW_END_S = PROFILE[-1][0] * 60.0
# Start of the week is busiest (post and tasks piled up over the weekend); Thursday is calmest.
WEEKDAY_FACTOR = {6: 1.10, 0: 1.15, 1: 1.0, 2: 0.95, 3: 0.80, 4: 0.15, 5: 0.15}
# On a closed day (Friday, Saturday, a holiday) few people try; all hear the closed message.
CLOSED_DAY_FACTOR = 0.15

_KNOT_S = [minute * 60.0 for minute, _ in PROFILE]


def is_opening_day(day: date, schedule: OpeningSchedule) -> bool:
    return bool(schedule.hours_on(day))


def most_recent_opening_day(today: date, schedule: OpeningSchedule) -> date:
    return latest_opening_day(schedule, today, SEARCH_DAYS)


def opening_days_ending(last: date, count: int, schedule: OpeningSchedule) -> list[date]:
    """The `count` consecutive opening days up to `last`, oldest first.

    The run ends at `last` if it is an opening day, else at the latest opening day before it;
    closed days (weekends, holidays, dates outside the service) are skipped.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    days = [most_recent_opening_day(last, schedule)]
    while len(days) < count:
        days.append(most_recent_opening_day(days[-1] - timedelta(days=1), schedule))
    days.reverse()
    return days


def days_covering(last: date, count: int, schedule: OpeningSchedule) -> list[date]:
    """Every date from the first of the `count` opening days up to `last` through `last`
    itself: the opening evenings and the closed days among and after them."""
    first = opening_days_ending(last, count, schedule)[0]
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def opening_instant(day: date, schedule: OpeningSchedule) -> datetime:
    """The evening's opening as an aware datetime in UTC (the simulation's time origin): the
    day's first opening time, or on a closed day the time it would open by its weekday (18:30
    when it never opens on that weekday)."""
    evenings = schedule.evenings(day)
    if evenings:
        return evenings[0].opens
    weekly = schedule.weekly_on(day)
    start = min(i.start for i in weekly) if weekly else OPENS
    return datetime.combine(day, start, tzinfo=schedule.zone).astimezone(UTC)


def at(day_origin: datetime, offset_s: float) -> datetime:
    """The local (Europe/Copenhagen) time `offset_s` seconds after the origin, to the ms."""
    return (day_origin + timedelta(milliseconds=round(offset_s * 1000))).astimezone(TZ)


def within_hours(schedule: OpeningSchedule, origin: datetime, offset_s: float) -> bool:
    """Open at `offset_s` after the origin, by the schedule (as enrich will judge it)."""
    return is_open(schedule, at(origin, offset_s))


def profile_factor(offset_s: float) -> float:
    """Arrival rate at `offset_s` as a share of the peak rate (0 outside the window)."""
    if not WINDOW_START_S <= offset_s < WINDOW_END_S:
        return 0.0
    i = bisect.bisect_right(_KNOT_S, offset_s) - 1
    (t0, f0), (t1, f1) = (_KNOT_S[i], PROFILE[i][1]), (_KNOT_S[i + 1], PROFILE[i + 1][1])
    return f0 + (f1 - f0) * (offset_s - t0) / (t1 - t0)


def arrival_offsets(
    day: date, peak_per_hour: float, rng: random.Random, *, open_day: bool = True
) -> list[float]:
    """Call arrival offsets: a non-homogeneous Poisson process, by thinning a homogeneous one.

    `peak_per_hour` is the peak rate of an average opening evening; the weekday scales it, and
    a closed day (`open_day` false) gets the closed-day share.
    """
    factor = WEEKDAY_FACTOR[day.weekday()] if open_day else CLOSED_DAY_FACTOR
    rate_max = peak_per_hour * factor / 3600.0
    offsets: list[float] = []
    if rate_max <= 0:
        return offsets
    t = WINDOW_START_S
    while True:
        t += rng.expovariate(rate_max)
        if t >= WINDOW_END_S:
            return offsets
        if rng.random() < profile_factor(t):
            offsets.append(t)
