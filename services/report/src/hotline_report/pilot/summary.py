"""Section 1, the summary: the pilot's headline figures for the range and month by month, and
the answers to who calls, about what and when (pure: from the typed view rows).

Definitions are kpi.py's, over calls offered within the opening hours: service level =
answered within the threshold / (answered + abandoned + left the queue); average wait = the
mean wait from queue entry of answered calls (ASA); abandonment rate = abandoned (after the
short-abandon threshold) / (answered + abandoned + left the queue). Unique callers are
distinct caller pseudonyms (withheld numbers are calls, never callers).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from hotline_report.pilot.data import DayRow, PilotData, TopicRow
from hotline_report.pilot.grid import Evening
from hotline_report.pilot.stats import (
    Comparison,
    GroupCount,
    RateComparison,
    RateEstimate,
    Trend,
    compare_rates,
    poisson_trend,
    rate,
)
from hotline_schemas import kpi

__all__ = [
    "CountedRow",
    "Figures",
    "MonthFigures",
    "MunicipalityFigures",
    "SlotLoad",
    "Summary",
    "TopicFigures",
    "WeekdayLoad",
    "counts_of",
    "figures_of",
    "summarise",
]


class CountedRow(Protocol):
    """What a day (DayRow) and a half hour (IntervalRow) both count."""

    @property
    def offered(self) -> int: ...
    @property
    def answered(self) -> int: ...
    @property
    def answered_within(self) -> int: ...
    @property
    def abandoned(self) -> int: ...
    @property
    def short_abandoned(self) -> int: ...
    @property
    def menu_hangups(self) -> int: ...
    @property
    def left_queue(self) -> int: ...
    @property
    def talked(self) -> int: ...
    @property
    def talk_seconds_sum(self) -> float: ...
    @property
    def wait_answered_seconds_sum(self) -> float: ...


def counts_of(rows: Iterable[CountedRow]) -> kpi.Counts:
    """The KPI counts of days or half hours added up."""
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


@dataclass(frozen=True)
class Figures:
    """The headline figures of a range of dates."""

    open_evenings: int
    calls: int  # offered within the opening hours
    closed_calls: int  # offered while closed
    callers: int
    counts: kpi.Counts

    @property
    def answered(self) -> int:
        return self.counts.answered

    @property
    def service_level(self) -> float | None:
        return kpi.service_level(self.counts)

    @property
    def average_wait(self) -> float | None:
        return kpi.average_speed_of_answer(self.counts)

    @property
    def abandonment_rate(self) -> float | None:
        return kpi.abandonment_rate(self.counts)

    @property
    def calls_per_evening(self) -> float | None:
        return self.calls / self.open_evenings if self.open_evenings else None


def figures_of(days: Sequence[DayRow], callers: int) -> Figures:
    return Figures(
        open_evenings=sum(1 for d in days if d.offered > 0),
        calls=sum(d.offered for d in days),
        closed_calls=sum(d.closed_calls for d in days),
        callers=callers,
        counts=counts_of(days),
    )


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    figures: Figures


@dataclass(frozen=True)
class MunicipalityFigures:
    code: int
    name: str
    population: int
    calls: RateEstimate  # calls per 1,000 citizens over the range
    callers: RateEstimate  # unique callers per 1,000 citizens
    versus_rest: Comparison | None  # calls: this municipality against the others


@dataclass(frozen=True)
class TopicFigures:
    topic: str
    label_da: str
    label_en: str
    in_scope: bool
    calls: int
    share: float  # of the calls within the opening hours
    answered: int
    talk_seconds_sum: float
    closed_calls: int

    def label(self, lang: str) -> str:
        text = self.label_da if lang == "da" else self.label_en
        return text or self.topic


@dataclass(frozen=True)
class WeekdayLoad:
    weekday: int  # Monday = 0
    evenings: int
    calls: int

    @property
    def per_evening(self) -> float:
        return self.calls / self.evenings if self.evenings else 0.0


@dataclass(frozen=True)
class SlotLoad:
    weekday: int
    slot_minute: int
    evenings: int
    mean: float  # calls per open evening of that weekday in that half hour


@dataclass(frozen=True)
class Summary:
    headline: Figures
    months: list[MonthFigures]
    trend: Trend | None
    municipalities: list[MunicipalityFigures]
    comparison: RateComparison | None  # calls per citizen between the municipalities
    callers_comparison: RateComparison | None  # the same on unique callers
    member_population: int
    attributed_calls: int  # within hours, with a hotline municipality
    topics: list[TopicFigures]
    weekdays: list[WeekdayLoad]
    slots: list[SlotLoad]
    closed_by_weekday_hour: dict[tuple[int, int], int]
    within_by_weekday_hour: dict[tuple[int, int], int]


def _municipalities(
    data: PilotData,
) -> tuple[list[MunicipalityFigures], RateComparison | None, RateComparison | None]:
    calls = {m.code: m.calls for m in data.municipalities}
    members = [m for m in data.members if m.population > 0]
    comparison = callers_comparison = None
    if len(members) >= 2:
        comparison = compare_rates(
            [GroupCount(str(m.code), calls.get(m.code, 0), m.population) for m in members]
        )
        callers_comparison = compare_rates(
            [
                GroupCount(str(m.code), data.callers_by_municipality.get(m.code, 0), m.population)
                for m in members
            ]
        )
    rest = {c.key: c for c in comparison.versus_rest} if comparison else {}
    out = [
        MunicipalityFigures(
            code=m.code,
            name=m.name,
            population=m.population,
            calls=rate(calls.get(m.code, 0), m.population),
            callers=rate(data.callers_by_municipality.get(m.code, 0), m.population),
            versus_rest=rest.get(str(m.code)),
        )
        for m in members
    ]
    out.sort(key=lambda m: (-m.calls.rate, m.code))
    return out, comparison, callers_comparison


def _topics(rows: Sequence[TopicRow], total: int) -> list[TopicFigures]:
    out = [
        TopicFigures(
            topic=t.topic,
            label_da=t.label_da,
            label_en=t.label_en,
            in_scope=t.in_scope,
            calls=t.calls,
            share=t.calls / total if total else 0.0,
            answered=t.answered,
            talk_seconds_sum=t.talk_seconds_sum,
            closed_calls=t.closed_calls,
        )
        for t in rows
    ]
    return sorted(out, key=lambda t: (-t.calls, t.topic))


def summarise(data: PilotData, evenings: Sequence[Evening]) -> Summary:
    by_month: dict[date, list[DayRow]] = defaultdict(list)
    for day in data.days:
        by_month[day.local_date.replace(day=1)].append(day)
    months = [
        MonthFigures(month, figures_of(rows, data.callers_by_month.get(month, 0)))
        for month, rows in sorted(by_month.items())
    ]
    headline = figures_of(data.days, data.callers)
    trend = poisson_trend([(d.local_date, d.offered) for d in data.days if d.offered > 0])
    municipalities, comparison, callers_comparison = _municipalities(data)
    weekday_calls: dict[int, list[int]] = defaultdict(list)
    slot_calls: dict[tuple[int, int], list[int]] = defaultdict(list)
    for evening in evenings:
        weekday_calls[evening.weekday].append(sum(c.offered for c in evening.cells))
        for cell in evening.cells:
            slot_calls[(evening.weekday, cell.slot_minute)].append(cell.offered)
    # A half hour of a weekday counts over all that weekday's open evenings (zero if closed
    # then on some of them: rare, and then it really had no calls).
    evenings_of = {w: len(v) for w, v in weekday_calls.items()}
    slots = [
        SlotLoad(w, s, evenings_of[w], sum(v) / evenings_of[w])
        for (w, s), v in sorted(slot_calls.items())
    ]
    weekdays = [WeekdayLoad(w, len(v), sum(v)) for w, v in sorted(weekday_calls.items())]
    closed: dict[tuple[int, int], int] = defaultdict(int)
    within: dict[tuple[int, int], int] = defaultdict(int)
    for h in data.hours:
        (within if h.within_hours else closed)[(h.weekday, h.hour)] += h.calls
    return Summary(
        headline=headline,
        months=months,
        trend=trend,
        municipalities=municipalities,
        comparison=comparison,
        callers_comparison=callers_comparison,
        member_population=sum(m.population for m in data.members),
        attributed_calls=sum(m.calls for m in data.municipalities),
        topics=_topics(data.topics, headline.calls),
        weekdays=weekdays,
        slots=slots,
        closed_by_weekday_hour=dict(closed),
        within_by_weekday_hour=dict(within),
    )
