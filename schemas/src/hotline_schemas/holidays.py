"""Danish public holidays (helligdage) by rule, and the opening hours after a schedule ends.

The shipped opening schedule (`reference/schedule.json`) lists the holidays of the pilot year
that fell on an opening evening; `reference/SOURCES.md` names the rules they follow. The same
rules, written here once, give the holidays of any later year, so a forecast for the months
after the pilot knows that 25 and 26 December 2013 are closed
(`schemas/tests/test_schemas_holidays.py` checks that the rules reproduce the shipped list).

After the schedule's last day nobody has decided the hours yet: `hours_after` assumes the
pilot's weekly hours go on, closed on the public holidays. That is an assumption for planning
(the pilot report says so where it uses it), not a fact about the permanent service.
"""

from __future__ import annotations

from datetime import date, timedelta

from hotline_schemas.hours import Interval, OpeningSchedule

# Store Bededag was abolished as a public holiday from 2024 (Danish act no. 153 of 2023).
_STORE_BEDEDAG_UNTIL = 2023

# Days after Easter Sunday, with the holiday's Danish name (as in reference/schedule.json).
_MOVABLE: tuple[tuple[int, str], ...] = (
    (-3, "Skærtorsdag"),
    (-2, "Langfredag"),
    (0, "Påskedag"),
    (1, "2. påskedag"),
    (26, "Store bededag"),
    (39, "Kristi himmelfartsdag"),
    (49, "Pinsedag"),
    (50, "2. pinsedag"),
)


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian computus, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def public_holidays(year: int) -> dict[date, str]:
    """The Danish public holidays of a year, date -> Danish name. Grundlovsdag, juleaften and
    nytårsaften are customary half days, not public holidays, and are not listed."""
    easter = easter_sunday(year)
    out = {
        date(year, 1, 1): "Nytårsdag",
        date(year, 12, 25): "1. juledag",
        date(year, 12, 26): "2. juledag",
    }
    for offset, name in _MOVABLE:
        if name == "Store bededag" and year > _STORE_BEDEDAG_UNTIL:
            continue
        out[easter + timedelta(days=offset)] = name
    return dict(sorted(out.items()))


def hours_after(schedule: OpeningSchedule, day: date) -> tuple[Interval, ...]:
    """The opening hours of a date: the schedule's own within its service dates (before its
    first day: none); after its last day, its weekly hours continue, closed on public
    holidays (the planning assumption of this module)."""
    if schedule.last_day is None or day <= schedule.last_day:
        return schedule.hours_on(day)
    if day in public_holidays(day.year):
        return ()
    return schedule.weekly_on(day)


def closed_reason_after(schedule: OpeningSchedule, day: date) -> str | None:
    """Why a date that would open by its weekday is closed (the holiday's name), under the same
    rule as `hours_after`; None when it opens or its weekday never does."""
    if schedule.last_day is None or day <= schedule.last_day:
        return schedule.closed_reason(day)
    if not schedule.weekly_on(day):
        return None
    return public_holidays(day.year).get(day)
