"""The load report's figures from the views' rows (pure: no I/O, no clock).

Staffing is per half hour of the week, for the mean evening and for a busy one (p90),
by Erlang C, or Erlang A when a caller patience is known (estimated from the history
unless given). It is compared with the 19-person team: the rostered agents an interval
needs against the whole team, the most that could ever be on shift at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hotline_capacity.forecast import BacktestResult, ForecastPoint, backtest, forecast_next_week
from hotline_capacity.local_time import slot_key, week_monday
from hotline_capacity.staffing import StaffingResult, required_agents
from hotline_capacity.whatif import (
    TEAM_SIZE,
    IntervalLoad,
    IntervalStaffing,
    Scenario,
    StaffingSummary,
    apply,
    staffing_per_interval,
    summarize,
)
from hotline_report.agents import AgentSlot, compare
from hotline_report.profile import (
    IntervalRow,
    Patience,
    SlotFigures,
    estimate_patience,
    fill_open_evenings,
    forecast_history,
    pooled_aht,
    to_interval_loads,
    weekly_profile,
)
from hotline_report.queries import LoadData
from hotline_schemas import kpi

__all__ = ["Forecast", "ReportOptions", "ReportResult", "ScenarioResult", "analyse"]

BACKTEST_WEEKS = 4


@dataclass(frozen=True)
class ReportOptions:
    max_occupancy: float = 0.85
    shrinkage: float = 0.0
    wrap_up_seconds: float = 0.0
    # None: estimate from the history; 0: Erlang C (callers never hang up); > 0: this mean.
    patience_seconds: float | None = None
    default_aht_seconds: float = 300.0  # where the history has no talk time at all
    team_size: int = TEAM_SIZE
    # The business rules (HOTLINE_RULES__SERVICE_LEVEL_*): today's staffing target.
    service_level_target: float = kpi.SERVICE_LEVEL_TARGET
    answer_within_seconds: float = kpi.SERVICE_LEVEL_S
    scenario: Scenario | None = None  # None: no what-if section
    scenario_label: str = ""

    def __post_init__(self) -> None:
        if self.patience_seconds is not None and self.patience_seconds < 0:
            raise ValueError(f"patience must be >= 0 seconds, got {self.patience_seconds}")
        if self.team_size < 1:
            raise ValueError(f"team size must be >= 1, got {self.team_size}")


@dataclass(frozen=True)
class ScenarioResult:
    label: str
    scenario: Scenario
    staffing: list[IntervalStaffing]
    summary: StaffingSummary


@dataclass(frozen=True)
class Forecast:
    week_start: date  # local Monday
    points: list[ForecastPoint]
    staffing: list[StaffingResult]  # one per point, for its mean offered calls
    backtest: BacktestResult | None
    note: str  # why there is no back-test, or ""


@dataclass(frozen=True)
class ReportResult:
    data: LoadData
    options: ReportOptions
    first_date: date | None
    last_date: date | None
    open_evenings: int
    profile: list[SlotFigures]
    aht_seconds: float  # pooled observed talk time, or the default
    aht_observed: bool
    patience: Patience  # as estimated from the history
    patience_used: float | None  # None: Erlang C
    loads: list[IntervalLoad]
    baseline: ScenarioResult
    whatif: ScenarioResult | None
    forecast: Forecast | None
    agents: list[AgentSlot]  # the model next to the agents on shift, per half hour


def _patience_used(options: ReportOptions, estimated: Patience) -> float | None:
    if options.patience_seconds is None:
        return estimated.seconds
    return options.patience_seconds or None


def _forecast(
    grid: list[IntervalRow],
    loads: list[IntervalLoad],
    options: ReportOptions,
    scenario: Scenario,
) -> Forecast | None:
    history = forecast_history(grid)
    if not history:
        return None
    week_start = week_monday(max(start for start, _ in history)) + timedelta(days=7)
    points = forecast_next_week(history, week_start)
    by_slot = {load.key: load for load in loads}
    staffing = []
    for point in points:
        load = by_slot[slot_key(point.interval_start)]
        staffing.append(
            required_agents(
                calls=point.offered_mean,
                interval_minutes=30,
                aht_seconds=load.aht_seconds,
                answer_within_seconds=scenario.answer_within_seconds,
                target_service_level=scenario.service_level_target,
                max_occupancy=options.max_occupancy,
                shrinkage=options.shrinkage,
                patience_seconds=load.patience_seconds,
            )
        )
    weeks = len({week_monday(start) for start, _ in history})
    result: BacktestResult | None = None
    note = ""
    if weeks < 2:
        note = f"no back-test: it needs at least 2 weeks of history, there is {weeks}"
    else:
        try:
            result = backtest(history, weeks=min(BACKTEST_WEEKS, weeks - 1))
        except ValueError as exc:  # e.g. no slot seen in two consecutive weeks
            note = f"no back-test: {exc}"
    return Forecast(week_start, points, staffing, result, note)


def _run(
    label: str,
    loads: list[IntervalLoad],
    scenario: Scenario,
    options: ReportOptions,
) -> ScenarioResult:
    staffing = staffing_per_interval(
        loads, scenario, max_occupancy=options.max_occupancy, shrinkage=options.shrinkage
    )
    return ScenarioResult(label, scenario, staffing, summarize(staffing, options.team_size))


def analyse(data: LoadData, options: ReportOptions) -> ReportResult:
    grid = fill_open_evenings(data.intervals)
    profile = weekly_profile(grid)
    observed_aht = pooled_aht(data.intervals)
    aht = observed_aht or options.default_aht_seconds
    patience = estimate_patience(data.intervals)
    used = _patience_used(options, patience)
    loads = to_interval_loads(
        profile,
        default_aht_seconds=aht,
        wrap_up_seconds=options.wrap_up_seconds,
        patience_seconds=used,
    )
    # The baseline keeps today's hours, demand and the rules' target; a what-if changes them.
    base_scenario = Scenario(
        service_level_target=options.service_level_target,
        answer_within_seconds=options.answer_within_seconds,
    )
    baseline = _run("today", loads, base_scenario, options)
    whatif = None
    if options.scenario is not None and loads:
        label = options.scenario_label or "what-if"
        whatif = _run(label, apply(loads, options.scenario), options.scenario, options)
    dates = sorted({row.local_date for row in data.intervals})
    agents = compare(
        data.agent_intervals, dates, baseline.staffing, profile, options.service_level_target
    )
    return ReportResult(
        data=data,
        options=options,
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        open_evenings=len(dates),
        profile=profile,
        aht_seconds=aht,
        aht_observed=observed_aht is not None,
        patience=patience,
        patience_used=used,
        loads=loads,
        baseline=baseline,
        whatif=whatif,
        forecast=_forecast(grid, loads, options, base_scenario) if loads else None,
        agents=agents,
    )
