"""The hotline's evening: opening hours, the arrival profile, and arrival times (pure, seeded).

Time inside the simulation is seconds from the evening's opening instant (18:30 local, Europe/
Copenhagen); negative before it. An evening never spans a daylight-saving change (those happen
at night), so these offsets are also wall-clock minutes.
"""

from __future__ import annotations

import bisect
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Copenhagen")
OPENS = time(18, 30)
CLOSES = time(22, 0)
OPEN_WEEKDAYS = frozenset({6, 0, 1, 2, 3})  # Sunday to Thursday (date.weekday())
CLOSE_S = (CLOSES.hour * 60 + CLOSES.minute - OPENS.hour * 60 - OPENS.minute) * 60.0

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
# On a closed day (Friday, Saturday) few people try; all of them hear the closed message.
WEEKDAY_FACTOR = {6: 1.10, 0: 1.15, 1: 1.0, 2: 0.95, 3: 0.80, 4: 0.15, 5: 0.15}

_KNOT_S = [minute * 60.0 for minute, _ in PROFILE]


def is_opening_day(day: date) -> bool:
    return day.weekday() in OPEN_WEEKDAYS


def most_recent_opening_day(today: date) -> date:
    day = today
    while not is_opening_day(day):
        day -= timedelta(days=1)
    return day


def opening_days_ending(last: date, count: int) -> list[date]:
    """The `count` consecutive opening days up to `last`, oldest first.

    The run ends at `last` if it is an opening day, else at the latest opening day before it.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    days = [most_recent_opening_day(last)]
    while len(days) < count:
        days.append(most_recent_opening_day(days[-1] - timedelta(days=1)))
    days.reverse()
    return days


def opening_instant(day: date) -> datetime:
    """The evening's 18:30 as an aware datetime in UTC (the simulation's time origin)."""
    return datetime.combine(day, OPENS, tzinfo=TZ).astimezone(UTC)


def at(day_origin: datetime, offset_s: float) -> datetime:
    """The local (Europe/Copenhagen) time `offset_s` seconds after the origin, to the ms."""
    return (day_origin + timedelta(milliseconds=round(offset_s * 1000))).astimezone(TZ)


def within_hours(day: date, offset_s: float) -> bool:
    return is_opening_day(day) and 0.0 <= offset_s < CLOSE_S


def profile_factor(offset_s: float) -> float:
    """Arrival rate at `offset_s` as a share of the peak rate (0 outside the window)."""
    if not WINDOW_START_S <= offset_s < WINDOW_END_S:
        return 0.0
    i = bisect.bisect_right(_KNOT_S, offset_s) - 1
    (t0, f0), (t1, f1) = (_KNOT_S[i], PROFILE[i][1]), (_KNOT_S[i + 1], PROFILE[i + 1][1])
    return f0 + (f1 - f0) * (offset_s - t0) / (t1 - t0)


def arrival_offsets(day: date, peak_per_hour: float, rng: random.Random) -> list[float]:
    """Call arrival offsets: a non-homogeneous Poisson process, by thinning a homogeneous one.

    `peak_per_hour` is the peak rate of an average opening evening; the weekday scales it.
    """
    rate_max = peak_per_hour * WEEKDAY_FACTOR[day.weekday()] / 3600.0
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
