"""Command-line spelling of a what-if :class:`~hotline_capacity.whatif.Scenario`.

``add_scenario_arguments`` adds the options to a parser (e.g. ``hotline
load-report``); ``parse_scenario`` turns the parsed strings into a Scenario and
raises ValueError with a message naming the option and the accepted form::

    --hours "Sun-Thu 18:00-22:00"   --add-day Fri   --extra-population 50000
    --growth 1.1                     --target 0.8/20  --donor-factor 0.9

Day ranges wrap around the week ("Sun-Thu" is Sunday to Thursday); lists are
comma-separated ("Sun,Tue-Wed"). Day names are English three-letter abbreviations.
"""

from __future__ import annotations

import argparse
import math
import re
from datetime import time

from hotline_capacity.local_time import WEEKDAYS
from hotline_capacity.whatif import OpeningHours, Scenario

__all__ = [
    "add_scenario_arguments",
    "parse_days",
    "parse_hours",
    "parse_scenario",
    "parse_target",
]

_HOURS = re.compile(r"^\s*(?P<days>\S+)\s+(?P<opens>\d{1,2}:\d{2})-(?P<closes>\d{1,2}:\d{2})\s*$")
_DAY_FORM = 'day names like "Sun-Thu", "Fri" or "Sun,Tue-Wed"'


def _day(name: str) -> int:
    lowered = [d.lower() for d in WEEKDAYS]
    try:
        return lowered.index(name.strip().lower())
    except ValueError:
        raise ValueError(
            f"unknown day {name.strip()!r}: use one of {', '.join(WEEKDAYS)}"
        ) from None


def parse_days(text: str) -> frozenset[int]:
    """'Sun-Thu' -> {6, 0, 1, 2, 3}; 'Fri' -> {4}; 'Sun,Tue-Wed' -> {6, 1, 2}."""
    days: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            raise ValueError(f"empty day in {text!r}: expected {_DAY_FORM}")
        first, sep, last = part.partition("-")
        start = _day(first)
        end = _day(last) if sep else start
        days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    return frozenset(days)


def _clock(text: str) -> time:
    hour, minute = (int(x) for x in text.split(":"))
    if hour == 24 and minute == 0:
        return time(0, 0)  # midnight at the end of the day
    if not (0 <= hour <= 23 and minute in (0, 30)):
        raise ValueError(f"time {text!r} must be HH:00 or HH:30 between 00:00 and 24:00")
    return time(hour, minute)


def parse_hours(text: str) -> OpeningHours:
    """'Sun-Thu 18:00-22:00' -> OpeningHours."""
    match = _HOURS.match(text)
    if match is None:
        raise ValueError(
            f'--hours {text!r}: expected "DAYS HH:MM-HH:MM", e.g. "Sun-Thu 18:00-22:00"'
        )
    try:
        return OpeningHours(
            parse_days(match["days"]), _clock(match["opens"]), _clock(match["closes"])
        )
    except ValueError as exc:
        raise ValueError(f"--hours {text!r}: {exc}") from None


def parse_target(text: str) -> tuple[float, float]:
    """'0.8/20' -> (0.8, 20.0): service level and answer-within seconds. '80%/20' also works."""
    level_text, sep, within_text = text.partition("/")
    try:
        if not sep:
            raise ValueError("missing '/'")
        percent = level_text.strip().endswith("%")
        level = float(level_text.strip().rstrip("%")) / (100 if percent else 1)
        within = float(within_text)
    except ValueError:
        raise ValueError(
            f'--target {text!r}: expected "LEVEL/SECONDS", e.g. "0.8/20" (80% within 20 s)'
        ) from None
    if not (0 < level < 1 and math.isfinite(within) and within >= 0):
        raise ValueError(f"--target {text!r}: level must be between 0 and 1, seconds >= 0")
    return level, within


def _number(option: str, text: str, *, integer: bool = False) -> float:
    try:
        value = int(text.replace("_", "")) if integer else float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ValueError(f"{option} {text!r}: expected {kind}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{option} {text!r}: must be a finite number >= 0")
    return value


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    """Scenario options as plain strings; :func:`parse_scenario` checks them."""
    group = parser.add_argument_group("what-if scenario")
    group.add_argument("--hours", help='replace the opening hours, e.g. "Sun-Thu 18:00-22:00"')
    group.add_argument(
        "--add-day", action="append", default=[], help="open another day, e.g. Fri (repeatable)"
    )
    group.add_argument("--donor-factor", default="1.0", help="load of new intervals vs donors")
    group.add_argument("--extra-population", default="0", help="citizens of joining municipalities")
    group.add_argument("--growth", default="1.0", help="demand multiplier, e.g. 1.1")
    group.add_argument("--target", default="0.8/20", help="service level / seconds, e.g. 0.8/20")


def parse_scenario(args: argparse.Namespace, base_population: int | None = None) -> Scenario:
    """Scenario from the options of :func:`add_scenario_arguments`; ValueError if malformed.

    ``base_population`` (the member municipalities' population) is needed only
    with a nonzero ``--extra-population``.
    """
    add_days: set[int] = set()
    for text in args.add_day:
        try:
            add_days |= parse_days(text)
        except ValueError as exc:
            raise ValueError(f"--add-day {text!r}: {exc}") from None
    level, within = parse_target(args.target)
    extra = int(_number("--extra-population", args.extra_population, integer=True))
    try:
        return Scenario(
            hours=None if args.hours is None else parse_hours(args.hours),
            add_days=frozenset(add_days),
            donor_factor=_number("--donor-factor", args.donor_factor),
            extra_population=extra,
            base_population=base_population,
            demand_growth=_number("--growth", args.growth),
            service_level_target=level,
            answer_within_seconds=within,
        )
    except ValueError as exc:
        if "base population" in str(exc):
            raise ValueError(
                f"--extra-population {extra}: {exc} (pass the municipalities' population)"
            ) from None
        raise
