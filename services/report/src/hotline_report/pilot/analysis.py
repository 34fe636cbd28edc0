"""The pilot report's figures from the views' rows (pure: no I/O, no clock).

`analyse` runs the five sections in order; each later one reads the earlier ones' estimates
(the options are costed with section 2's handling time, shrinkage and patience; the forecast is
staffed the same way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from hotline_capacity.whatif import TEAM_SIZE
from hotline_report.pilot.data import PilotData
from hotline_report.pilot.grid import Evening, open_evenings
from hotline_report.pilot.outlook import OutlookSection, outlook
from hotline_report.pilot.permanent import (
    EXTRA_POPULATION,
    GROWTH_SCENARIOS,
    PermanentSection,
    permanent,
)
from hotline_report.pilot.quality import DeadLetters, Quality, quality
from hotline_report.pilot.service import ServiceOptions, ServiceSection, assess
from hotline_report.pilot.summary import Summary, summarise
from hotline_schemas import kpi
from hotline_schemas.hours import OpeningSchedule

__all__ = ["PilotOptions", "PilotResult", "analyse"]

HOLDOUT_WEEKS = 8
FORECAST_WEEKS = 13


@dataclass(frozen=True)
class PilotOptions:
    service: ServiceOptions = field(default_factory=ServiceOptions)
    team_size: int = TEAM_SIZE
    holdout_weeks: int = HOLDOUT_WEEKS
    forecast_weeks: int = FORECAST_WEEKS
    extra_population: int = EXTRA_POPULATION
    growth_scenarios: tuple[float, ...] = GROWTH_SCENARIOS
    agent_hour_cost: float | None = None
    online_task_cost: float | None = None
    # The rule HOTLINE_RULES__SHORT_ABANDON_SECONDS: the document names it where it counts.
    short_abandon_seconds: float = kpi.SHORT_ABANDON_S

    def __post_init__(self) -> None:
        if self.team_size < 1:
            raise ValueError(f"team size must be >= 1, got {self.team_size}")
        if self.holdout_weeks < 1 or self.forecast_weeks < 1:
            raise ValueError("held-back and forecast weeks must be >= 1")
        if self.extra_population < 0:
            raise ValueError("extra population must be >= 0")


@dataclass(frozen=True)
class PilotResult:
    data: PilotData
    options: PilotOptions
    evenings: list[Evening]
    summary: Summary
    service: ServiceSection
    permanent: PermanentSection
    outlook: OutlookSection
    quality: Quality

    @property
    def first_evening(self) -> date | None:
        return self.evenings[0].local_date if self.evenings else None

    @property
    def last_evening(self) -> date | None:
        return self.evenings[-1].local_date if self.evenings else None


def data_weeks(evenings: Sequence[Evening]) -> float:
    """Weeks from the first to the last open evening with data (a whole pilot: 52)."""
    if not evenings:
        return 0.0
    first, last = evenings[0].local_date, evenings[-1].local_date
    first_monday = first.toordinal() - first.weekday()
    last_monday = last.toordinal() - last.weekday()
    return (last_monday - first_monday) / 7 + 1


def analyse(
    data: PilotData,
    options: PilotOptions,
    schedule: OpeningSchedule,
    dead_letters: DeadLetters,
) -> PilotResult:
    evenings = open_evenings(data.days, data.intervals, schedule.hours_on)
    summary = summarise(data, evenings)
    service = assess(evenings, options.service)
    a = service.assumptions
    weeks = data_weeks(evenings)
    section3 = permanent(
        service.profile,
        data.members,
        summary.trend,
        summary.headline,
        summary.topics,
        weeks=weeks,
        shrinkage=a.shrinkage,
        max_occupancy=a.max_occupancy,
        target=a.target,
        answer_within_seconds=a.answer_within_seconds,
        team_size=options.team_size,
        wrap_up_seconds=a.wrap_up_seconds,
        pilot_hours_per_week=service.agent_hours_per_week,
        out_of_scope_calls=sum(d.out_of_scope for d in data.days),
        out_of_scope_answered=sum(d.out_of_scope_answered for d in data.days),
        out_of_scope_talk_seconds=sum(d.out_of_scope_talk_seconds_sum for d in data.days),
        agent_hour_cost=options.agent_hour_cost,
        online_task_cost=options.online_task_cost,
        extra_population=options.extra_population,
        growth_scenarios=options.growth_scenarios,
    )
    section4 = outlook(
        evenings,
        service,
        schedule,
        weeks=options.forecast_weeks,
        holdout_weeks=options.holdout_weeks,
    )
    scheduled = list(schedule.opening_days(data.first, data.last))
    section5 = quality(data.days, evenings, scheduled, dead_letters)
    return PilotResult(data, options, evenings, summary, service, section3, section4, section5)
