"""Section 3, options for the permanent service (pure): which options, costed how, and what
the hotline cannot serve.

The options are built from the pilot's own week (its weekdays, opening and closing time) and
figures (populations, the trend), and costed by `hotline_capacity.options` with the estimates
of section 2 (handling time, wrap-up, shrinkage, patience). Scenario inputs that are not data
are named as such in the document: "+100,000 citizens" is a size to think with, the growth
scenarios are what-ifs beside the trend the data shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time

from hotline_capacity.breakeven import BreakEven
from hotline_capacity.options import Option, OptionCost, cost_option
from hotline_capacity.whatif import IntervalLoad, OpeningHours, Scenario
from hotline_report.pilot.data import Member
from hotline_report.pilot.stats import Trend
from hotline_report.pilot.summary import Figures, TopicFigures

__all__ = [
    "EXTRA_POPULATION",
    "GROWTH_SCENARIOS",
    "MOVING_TOPIC",
    "OptionRow",
    "PermanentSection",
    "Unserved",
    "build_options",
    "permanent",
]

EXTRA_POPULATION = 100_000  # a scenario size, not a municipality: more citizens join
GROWTH_SCENARIOS = (0.25, 0.5)
MOVING_TOPIC = "moving"  # the taxonomy's moving registration (flytning)


@dataclass(frozen=True)
class OptionRow:
    key: str
    params: dict[str, str | float] = field(default_factory=dict)
    cost: OptionCost | None = None


@dataclass(frozen=True)
class Unserved:
    """Demand the hotline cannot meet, per week of the range."""

    weeks: float
    out_of_scope_calls: int
    out_of_scope_answered: int
    out_of_scope_agent_hours: float  # talk + wrap-up of the answered ones, whole range
    closed_calls: int

    def per_week(self, value: float) -> float:
        return value / self.weeks if self.weeks else 0.0


@dataclass(frozen=True)
class PermanentSection:
    options: list[OptionRow]
    pilot_hours_per_week: float | None  # observed, logged in during opening hours
    pilot_service_level: float | None
    team_size: int
    weeks: float
    break_even_moving: BreakEven
    break_even_in_scope: BreakEven
    unserved: Unserved


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60 % 24, minutes % 60)


def _span(opens: int, closes: int) -> str:
    return f"{_clock(opens):%H:%M}-{_clock(closes):%H:%M}"


def build_options(
    profile: Sequence[IntervalLoad],
    members: Sequence[Member],
    trend: Trend | None,
    *,
    target: float,
    answer_within_seconds: float,
    extra_population: int = EXTRA_POPULATION,
    growth_scenarios: Sequence[float] = GROWTH_SCENARIOS,
) -> list[tuple[OptionRow, Option]]:
    """The options, in the order the document shows them."""
    if not profile:
        return []
    days = frozenset(x.weekday for x in profile)
    opens = min(_minutes(x.start) for x in profile)
    closes = max(_minutes(x.start) for x in profile) + 30

    def scenario(
        hours: OpeningHours | None = None,
        extra: int = 0,
        base: int | None = None,
        growth: float = 1.0,
    ) -> Scenario:
        return Scenario(
            hours=hours,
            extra_population=extra,
            base_population=base,
            demand_growth=growth,
            service_level_target=target,
            answer_within_seconds=answer_within_seconds,
        )

    def hours(day_set: frozenset[int], start: int, end: int) -> Scenario:
        return scenario(OpeningHours(day_set, _clock(start), _clock(end)))

    out: list[tuple[OptionRow, Option]] = [
        (OptionRow("today", {"hours": _span(opens, closes)}), Option("today", scenario()))
    ]
    if closes - 60 > opens:
        out.append(
            (
                OptionRow("shorter", {"hours": _span(opens, closes - 60)}),
                Option("shorter", hours(days, opens, closes - 60)),
            )
        )
    if opens >= 30:
        out.append(
            (
                OptionRow("longer", {"hours": _span(opens - 30, closes)}),
                Option("longer", hours(days, opens - 30, closes)),
            )
        )
    per_day: dict[int, float] = {}
    for x in profile:
        per_day[x.weekday] = per_day.get(x.weekday, 0.0) + x.offered_mean
    ranked = sorted(days, key=lambda d: (per_day[d], d))
    if len(days) > 1:
        calmest = ranked[0]
        out.append(
            (
                OptionRow("without_calmest_day", {"weekday": calmest}),
                Option("without_calmest_day", hours(days - {calmest}, opens, closes)),
            )
        )
    if len(days) > 3:
        busiest = frozenset(ranked[-3:])
        out.append(
            (
                OptionRow(
                    "three_busiest_days", {"weekdays": ",".join(str(d) for d in sorted(busiest))}
                ),
                Option("three_busiest_days", hours(busiest, opens, closes)),
            )
        )
    population = sum(m.population for m in members)
    if population > 0:
        out.append(
            (
                OptionRow("more_citizens", {"population": extra_population}),
                Option("more_citizens", scenario(extra=extra_population, base=population)),
            )
        )
        by_size = sorted(members, key=lambda m: (m.population, m.code))
        for key, member in (("without_largest", by_size[-1]), ("without_smallest", by_size[0])):
            if len(by_size) < 2:
                break
            factor = (population - member.population) / population
            out.append(
                (
                    OptionRow(key, {"name": member.name, "population": member.population}),
                    Option(key, scenario(growth=factor), demand_moves=False),
                )
            )
    for growth in growth_scenarios:
        key = f"growth_{round(growth * 100)}"
        out.append(
            (
                OptionRow(key, {"growth": growth}),
                Option(key, scenario(growth=1 + growth)),
            )
        )
    if trend is not None:
        factor = trend.factor(1.0)
        out.append(
            (
                OptionRow("trend_year", {"growth": factor - 1}),
                Option("trend_year", scenario(growth=max(0.0, factor))),
            )
        )
    return out


def permanent(
    profile: Sequence[IntervalLoad],
    members: Sequence[Member],
    trend: Trend | None,
    headline: Figures,
    topics: Sequence[TopicFigures],
    *,
    weeks: float,
    shrinkage: float,
    max_occupancy: float,
    target: float,
    answer_within_seconds: float,
    team_size: int,
    wrap_up_seconds: float,
    pilot_hours_per_week: float | None,
    out_of_scope_calls: int,
    out_of_scope_answered: int,
    out_of_scope_talk_seconds: float,
    agent_hour_cost: float | None = None,
    online_task_cost: float | None = None,
    extra_population: int = EXTRA_POPULATION,
    growth_scenarios: Sequence[float] = GROWTH_SCENARIOS,
) -> PermanentSection:
    rows = []
    for row, option in build_options(
        profile,
        members,
        trend,
        target=target,
        answer_within_seconds=answer_within_seconds,
        extra_population=extra_population,
        growth_scenarios=growth_scenarios,
    ):
        cost = cost_option(
            profile, option, shrinkage=shrinkage, max_occupancy=max_occupancy, team_size=team_size
        )
        rows.append(OptionRow(row.key, row.params, cost))
    today = rows[0].cost if rows else None
    hours_today = today.agent_hours_per_week if today else 0.0
    moving = sum(t.answered for t in topics if t.topic == MOVING_TOPIC)
    in_scope = sum(t.answered for t in topics if t.in_scope)

    def per_week(n: float) -> float:
        return n / weeks if weeks else 0.0

    return PermanentSection(
        options=rows,
        pilot_hours_per_week=pilot_hours_per_week,
        pilot_service_level=headline.service_level,
        team_size=team_size,
        weeks=weeks,
        break_even_moving=BreakEven(
            hours_today,
            per_week(moving),
            agent_hour_cost=agent_hour_cost,
            online_task_cost=online_task_cost,
        ),
        break_even_in_scope=BreakEven(
            hours_today,
            per_week(in_scope),
            in_person_multiple=None,
            agent_hour_cost=agent_hour_cost,
            online_task_cost=online_task_cost,
        ),
        unserved=Unserved(
            weeks=weeks,
            out_of_scope_calls=out_of_scope_calls,
            out_of_scope_answered=out_of_scope_answered,
            out_of_scope_agent_hours=(
                out_of_scope_talk_seconds + out_of_scope_answered * wrap_up_seconds
            )
            / 3600,
            closed_calls=headline.closed_calls,
        ),
    )
