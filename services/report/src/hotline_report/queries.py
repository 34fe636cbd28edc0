"""The report's reads: one SELECT per catchment-load view (migration 0006), and their rows
as typed records.

The SQL selects plain columns from the views, so it runs unchanged on ClickHouse 18.16 and
on current releases; the views carry the logic. Timestamps come back as Unix seconds and
are made UTC-aware here, whatever the server's or client's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hotline_report.agents import AgentEvening, AgentIntervalRow
from hotline_report.profile import IntervalRow

__all__ = [
    "QUERIES",
    "CallerFigures",
    "ClosedDemand",
    "LoadData",
    "MunicipalityLoad",
    "OriginShare",
    "TopicShare",
    "load",
    "sql",
]

Rows = Sequence[Sequence[Any]]
# (name of the read, its SQL) -> rows; the caller decides how to run it (progress, chdb, ...)
RunQuery = Callable[[str, str], Rows]

QUERIES: dict[str, str] = {
    "municipalities": (
        "SELECT municipality_code, municipality_name, population, population_date, source, "
        "calls, open_evenings, calls_per_1000_per_evening FROM {db}.load_by_municipality_v "
        "ORDER BY calls_per_1000_per_evening DESC, municipality_code"
    ),
    "origin": (
        "SELECT origin, calls, calls_within_hours, share FROM {db}.load_by_origin_v "
        "ORDER BY calls DESC, origin"
    ),
    "while_closed": (
        "SELECT local_weekday, local_hour, calls, dates FROM {db}.load_while_closed_v "
        "ORDER BY local_weekday, local_hour"
    ),
    "topic_mix": (
        "SELECT area, topic, calls, share_of_area FROM {db}.load_topic_mix_v "
        "ORDER BY area, calls DESC, topic"
    ),
    "intervals": (
        "SELECT local_date, local_slot_minute, toUInt32(interval_start), offered, answered, "
        "answered_within, abandoned, short_abandoned, talked, talk_seconds_sum, "
        "waited_seconds_sum, menu_hangups, left_queue, wait_answered_seconds_sum "
        "FROM {db}.load_intervals_v ORDER BY local_date, local_slot_minute"
    ),
    "callers_municipality": (
        "SELECT municipality_code, municipality_name, calls, calls_withheld, callers, "
        "repeat_calls, repeat_callers, called_again, repeat_caller_days "
        "FROM {db}.callers_by_municipality_v ORDER BY calls DESC, municipality_name"
    ),
    "agent_intervals": (
        "SELECT local_date, local_slot_minute, logged_in_seconds, paused_seconds, "
        "wrap_up_seconds, on_call_seconds, available_seconds FROM {db}.agent_intervals_30m_v "
        "ORDER BY local_date, local_slot_minute"
    ),
    "agent_evenings": (
        "SELECT local_date, agents_logged_in, agent_hours, paused_hours, occupancy "
        "FROM {db}.agent_evenings_v ORDER BY local_date"
    ),
    "callers_topic": (
        "SELECT topic, label_en, calls, calls_withheld, callers, repeat_calls, repeat_callers, "
        "called_again, repeat_caller_days FROM {db}.callers_by_topic_v ORDER BY calls DESC, topic"
    ),
}


def sql(name: str, database: str) -> str:
    if not database.isidentifier():
        raise ValueError(f"not a plain database name: {database!r}")
    return QUERIES[name].format(db=database)


@dataclass(frozen=True)
class MunicipalityLoad:
    code: int
    name: str
    population: int
    population_date: date
    source: str
    calls: int  # offered within opening hours, whole history
    open_evenings: int
    calls_per_1000_per_evening: float


@dataclass(frozen=True)
class OriginShare:
    origin: str  # catchment, outside_catchment, unknown_postcode, no_postcode
    calls: int
    calls_within_hours: int
    share: float  # of all offered calls


@dataclass(frozen=True)
class ClosedDemand:
    weekday: int  # local, Monday = 0
    hour: int  # local
    calls: int
    dates: int  # distinct local dates these calls came on


@dataclass(frozen=True)
class TopicShare:
    area: str  # a hotline municipality's name, or an origin
    topic: str
    calls: int
    share_of_area: float


@dataclass(frozen=True)
class CallerFigures:
    """Unique and repeat callers of one area or topic (calls within opening hours)."""

    key: str  # a municipality's name ("unknown" when NULL), or a topic id
    label: str
    calls: int
    calls_withheld: int  # number withheld: a call, never a caller
    callers: int  # unique caller pseudonyms
    repeat_calls: int  # same caller within the window before
    repeat_callers: int
    called_again: int  # the caller called again within the window after
    repeat_caller_days: int

    @property
    def repeat_share(self) -> float | None:
        known = self.calls - self.calls_withheld
        return self.repeat_calls / known if known else None

    @property
    def resolution_proxy(self) -> float | None:
        """Share of a known caller's calls not followed by another within the window."""
        known = self.calls - self.calls_withheld
        return 1 - self.called_again / known if known else None


@dataclass(frozen=True)
class LoadData:
    municipalities: list[MunicipalityLoad]
    origin: list[OriginShare]
    while_closed: list[ClosedDemand]
    topic_mix: list[TopicShare]
    intervals: list[IntervalRow]
    callers_by_municipality: list[CallerFigures]
    callers_by_topic: list[CallerFigures]
    agent_intervals: list[AgentIntervalRow]
    agent_evenings: list[AgentEvening]

    @property
    def member_population(self) -> int:
        return sum(m.population for m in self.municipalities)

    @property
    def calls(self) -> int:
        return sum(o.calls for o in self.origin)


def _day(value: Any) -> date:
    # clickhouse-driver gives datetime.date; chdb's JSON gives 'YYYY-MM-DD'.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _callers(rows: Rows, by_topic: bool) -> list[CallerFigures]:
    out = []
    for key, label, calls, withheld, callers, repeats, repeaters, again, days in rows:
        name = str(key) if by_topic else ("unknown" if key is None else str(label))
        out.append(
            CallerFigures(
                name,
                str(label or name),
                int(calls),
                int(withheld),
                int(callers),
                int(repeats),
                int(repeaters),
                int(again),
                int(days),
            )
        )
    return out


def load(run: RunQuery, database: str) -> LoadData:
    """Run every read through ``run`` and type the rows."""
    rows = {name: run(name, sql(name, database)) for name in QUERIES}
    return LoadData(
        municipalities=[
            MunicipalityLoad(int(c), str(n), int(p), _day(d), str(s), int(k), int(e), float(r))
            for c, n, p, d, s, k, e, r in rows["municipalities"]
        ],
        origin=[OriginShare(str(o), int(c), int(w), float(s)) for o, c, w, s in rows["origin"]],
        while_closed=[
            ClosedDemand(int(wd) - 1, int(h), int(c), int(d))
            for wd, h, c, d in rows["while_closed"]
        ],
        topic_mix=[
            TopicShare(str(a), str(t), int(c), float(s)) for a, t, c, s in rows["topic_mix"]
        ],
        intervals=[
            IntervalRow(
                local_date=_day(day),
                slot_minute=int(slot),
                interval_start=datetime.fromtimestamp(int(start), UTC),
                offered=int(offered),
                answered=int(answered),
                answered_within=int(within),
                abandoned=int(abandoned),
                short_abandoned=int(short),
                talked=int(talked),
                talk_seconds_sum=float(talk),
                waited_seconds_sum=float(waited),
                menu_hangups=int(menu),
                left_queue=int(left),
                wait_answered_seconds_sum=float(wait_answered),
            )
            for (
                day,
                slot,
                start,
                offered,
                answered,
                within,
                abandoned,
                short,
                talked,
                talk,
                waited,
                menu,
                left,
                wait_answered,
            ) in rows["intervals"]
        ],
        callers_by_municipality=_callers(rows["callers_municipality"], by_topic=False),
        callers_by_topic=_callers(rows["callers_topic"], by_topic=True),
        agent_intervals=[
            AgentIntervalRow(_day(d), int(m), *(float(x) for x in rest))
            for d, m, *rest in rows["agent_intervals"]
        ],
        agent_evenings=[
            AgentEvening(_day(d), int(n), float(h), float(p), None if o is None else float(o))
            for d, n, h, p, o in rows["agent_evenings"]
        ],
    )
