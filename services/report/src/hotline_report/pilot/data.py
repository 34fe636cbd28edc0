"""The pilot report's reads: one SELECT per question, over the pilot views of migrations
0016-0018, limited to the report's date range, and their rows as typed records.

Every figure in the document starts here: the views count and sum, these queries add up the
dates of the range (`WHERE local_date BETWEEN ...`, inclusive), and the Python modules only
divide, test and model. The SQL names plain columns and standard aggregates, so it runs
unchanged on ClickHouse 18.16 and on current releases.
"""

# ruff: noqa: S608 - a SQL builder: only identifier-checked names and ISO dates are spliced in.

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

__all__ = [
    "QUERIES",
    "CallerCount",
    "DayRow",
    "HourRow",
    "IntervalRow",
    "Member",
    "MunicipalityCalls",
    "PilotData",
    "TopicRow",
    "load",
    "sql",
]

Rows = Sequence[Sequence[Any]]
RunQuery = Callable[[str, str], Rows]

_RANGE = "local_date BETWEEN toDate('{first}') AND toDate('{last}')"


@dataclass(frozen=True)
class DayRow:
    """One local date of `pilot_days_v` (see the migration for each column)."""

    local_date: date
    calls: int
    offered: int
    answered: int
    answered_within: int
    abandoned: int
    short_abandoned: int
    menu_hangups: int
    left_queue: int
    no_agent: int
    talked: int
    talk_seconds_sum: float
    wait_answered_seconds_sum: float
    waited_seconds_sum: float
    out_of_scope: int
    out_of_scope_answered: int
    out_of_scope_talk_seconds_sum: float
    closed_calls: int
    withheld: int
    no_postcode: int
    unknown_postcode: int
    outside_catchment: int
    catchment: int
    imported: int
    live: int


@dataclass(frozen=True)
class HourRow:
    weekday: int  # Monday = 0
    hour: int  # local
    within_hours: bool
    calls: int
    dates: int  # distinct local dates with these calls


@dataclass(frozen=True)
class Member:
    code: int
    name: str
    population: int
    population_date: date
    source: str


@dataclass(frozen=True)
class MunicipalityCalls:
    code: int
    calls: int
    answered: int


@dataclass(frozen=True)
class TopicRow:
    topic: str
    label_da: str
    label_en: str
    in_scope: bool
    calls: int  # within the opening hours
    answered: int
    talked: int
    talk_seconds_sum: float
    closed_calls: int


@dataclass(frozen=True)
class IntervalRow:
    """One local date and half hour of `pilot_intervals_v`: calls within hours and agents."""

    local_date: date
    slot_minute: int  # local minutes after midnight: 1110 = 18:30
    offered: int
    queued: int  # offered less menu hang-ups: the calls that reached the queue
    answered: int
    answered_within: int
    abandoned: int
    short_abandoned: int
    menu_hangups: int
    left_queue: int
    talked: int
    talk_seconds_sum: float
    wait_answered_seconds_sum: float
    waited_seconds_sum: float
    agents_logged_in: int
    logged_in_seconds: float
    paused_seconds: float
    wrap_up_seconds: float
    on_call_seconds: float
    available_seconds: float


@dataclass(frozen=True)
class CallerCount:
    key: str  # "" for the whole range, a month's first day, or a municipality code ("" = none)
    callers: int


def _columns(cls: type) -> str:
    return ", ".join(
        f.name if f.name != "slot_minute" else "local_slot_minute" for f in fields(cls)
    )


QUERIES: dict[str, str] = {
    "days": (
        f"SELECT {_columns(DayRow)} FROM {{db}}.pilot_days_v WHERE {_RANGE} ORDER BY local_date"
    ),
    "hours": (
        "SELECT local_weekday, local_hour, within_hours, sum(calls), uniqExact(local_date) "
        f"FROM {{db}}.pilot_hours_v WHERE {_RANGE} "
        "GROUP BY local_weekday, local_hour, within_hours "
        "ORDER BY local_weekday, local_hour, within_hours"
    ),
    "members": (
        "SELECT municipality_code, municipality_name, population, population_date, source "
        "FROM {db}.pilot_members_v ORDER BY municipality_code"
    ),
    "municipalities": (
        "SELECT municipality_code, sum(calls), sum(answered) "
        f"FROM {{db}}.pilot_municipality_days_v WHERE {_RANGE} "
        "GROUP BY municipality_code ORDER BY municipality_code"
    ),
    "topics": (
        "SELECT topic, any(label_da), any(label_en), any(in_scope), sum(calls), sum(answered), "
        "sum(talked), sum(talk_seconds_sum), sum(closed_calls) "
        f"FROM {{db}}.pilot_topic_days_v WHERE {_RANGE} GROUP BY topic ORDER BY topic"
    ),
    "intervals": (
        f"SELECT {_columns(IntervalRow)} FROM {{db}}.pilot_intervals_v WHERE {_RANGE} "
        "ORDER BY local_date, local_slot_minute"
    ),
    "callers": f"SELECT '', uniqExact(caller_key) FROM {{db}}.pilot_callers_v WHERE {_RANGE}",
    "callers_by_month": (
        "SELECT toString(local_month), uniqExact(caller_key) "
        f"FROM {{db}}.pilot_callers_v WHERE {_RANGE} GROUP BY local_month ORDER BY local_month"
    ),
    "callers_by_municipality": (
        "SELECT ifNull(toString(municipality_code), ''), uniqExact(caller_key) "
        f"FROM {{db}}.pilot_callers_v WHERE {_RANGE} "
        "GROUP BY municipality_code ORDER BY municipality_code"
    ),
}


def sql(name: str, database: str, first: date, last: date) -> str:
    """The read `name` for the dates first..last (inclusive) in `database`."""
    if not database.isidentifier():
        raise ValueError(f"not a plain database name: {database!r}")
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    # Only identifier-checked names and ISO dates go into the text.
    return QUERIES[name].format(db=database, first=first.isoformat(), last=last.isoformat())


@dataclass(frozen=True)
class PilotData:
    first: date
    last: date
    days: list[DayRow]
    hours: list[HourRow]
    members: list[Member]
    municipalities: list[MunicipalityCalls]
    topics: list[TopicRow]
    intervals: list[IntervalRow]
    callers: int
    callers_by_month: dict[date, int]
    callers_by_municipality: dict[int | None, int]


def _day(value: Any) -> date:
    # clickhouse-driver gives datetime.date; chdb's JSON gives 'YYYY-MM-DD'.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _typed(cls: type, row: Sequence[Any]) -> Any:
    values: list[object] = []
    for f, value in zip(fields(cls), row, strict=True):
        kind = f.type if isinstance(f.type, str) else f.type.__name__
        if kind == "date":
            values.append(_day(value))
        elif kind == "int":
            values.append(int(value))
        elif kind == "float":
            values.append(float(value))
        elif kind == "bool":
            values.append(bool(int(value)))
        else:
            values.append(str(value))
    return cls(*values)


def load(run: RunQuery, database: str, first: date, last: date) -> PilotData:
    """Every read through `run` (name, SQL) -> rows, typed."""
    rows = {name: run(name, sql(name, database, first, last)) for name in QUERIES}
    return PilotData(
        first=first,
        last=last,
        days=[_typed(DayRow, r) for r in rows["days"]],
        hours=[
            HourRow(int(wd) - 1, int(h), bool(int(w)), int(c), int(d))
            for wd, h, w, c, d in rows["hours"]
        ],
        members=[_typed(Member, r) for r in rows["members"]],
        municipalities=[_typed(MunicipalityCalls, r) for r in rows["municipalities"]],
        topics=[_typed(TopicRow, r) for r in rows["topics"]],
        intervals=[_typed(IntervalRow, r) for r in rows["intervals"]],
        callers=sum(int(n) for _, n in rows["callers"]),
        callers_by_month={_day(m): int(n) for m, n in rows["callers_by_month"]},
        callers_by_municipality={
            (int(k) if str(k) else None): int(n) for k, n in rows["callers_by_municipality"]
        },
    )
