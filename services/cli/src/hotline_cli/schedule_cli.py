"""`hotline schedule`: the opening schedule every service reads (HOTLINE_RULES__SCHEDULE_FILE),
day by day, so an operator sees what enrich, the board and the report will treat as open."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from typing import TextIO

from hotline_cli.settings import Settings
from hotline_schemas.hours import OpeningSchedule, latest_opening_day, next_opening_day

# `last-open` looks this far back (from the schedule's last day, if it has ended), `next-open`
# this far ahead.
SEARCH_DAYS = 366


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "schedule",
        help="show the opening schedule day by day, or the opening day before or after a date",
        description=(
            "days: one line per date from --from to --to (open hours, or closed and why). "
            "last-open DATE: the latest opening day on or before DATE; next-open DATE: the "
            "first opening day after DATE (for scripts)."
        ),
    )
    parser.add_argument("action", choices=["days", "last-open", "next-open"])
    parser.add_argument(
        "date", nargs="?", type=date.fromisoformat, help="last-open, next-open: the date"
    )
    parser.add_argument("--from", dest="first", type=date.fromisoformat, help="days: first date")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, help="days: last date")
    parser.set_defaults(func=run)


def describe(schedule: OpeningSchedule, day: date) -> str:
    hours = schedule.hours_on(day)
    if hours:
        spans = ", ".join(f"{i.start:%H:%M}-{i.end:%H:%M}" for i in hours)
        return f"{day.isoformat()} {day:%a} open {spans}"
    reason = schedule.closed_reason(day)
    return f"{day.isoformat()} {day:%a} closed" + (f" ({reason})" if reason else "")


def write_days(schedule: OpeningSchedule, first: date, last: date, out: TextIO) -> None:
    day = first
    while day <= last:
        out.write(describe(schedule, day) + "\n")
        day += timedelta(days=1)


def run(args: argparse.Namespace) -> int:
    schedule = Settings().rules.schedule()
    if args.action in {"last-open", "next-open"}:
        if args.date is None:
            sys.stderr.write(f"{args.action} needs a date, e.g. 2013-03-31\n")
            return 2
        find = latest_opening_day if args.action == "last-open" else next_opening_day
        try:
            found = find(schedule, args.date, SEARCH_DAYS)
        except ValueError as exc:
            sys.stderr.write(f"{exc}\n")
            return 1
        sys.stdout.write(found.isoformat() + "\n")
        return 0
    first = args.first or schedule.first_day or date.today()
    last = args.last or first + timedelta(days=13)
    if last < first:
        sys.stderr.write("--to is before --from\n")
        return 2
    write_days(schedule, first, last, sys.stdout)
    return 0
