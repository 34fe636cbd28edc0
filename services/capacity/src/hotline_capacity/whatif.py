"""What-if scenarios over a weekly load profile, and the staffing they call for.

A profile is one :class:`IntervalLoad` per open half hour of a week (local weekday
and HH:MM). :func:`apply` changes it in this order:

1. Opening hours. ``hours`` replaces the schedule: intervals outside it are dropped.
   ``add_days`` opens more days, at every time of day the schedule then has. An
   interval the profile lacks gets a *donor* load: the average, over the days of the
   given profile open at that local time, of their loads, times ``donor_factor`` (default
   1.0). A time no day has (opening earlier than ever before) borrows from the
   nearest time that some day has, the earlier one on a tie. Offered calls are
   averaged plainly; AHT and patience are averaged weighted by offered calls.
2. Demand. Offered mean and p90 are multiplied by ``demand_growth`` and by
   ``(base_population + extra_population) / base_population`` (more municipalities
   joining at today's calls per citizen). Scaling the p90 assumes the spread grows
   in proportion, which overstates it a little for Poisson-like counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import time, timedelta

from hotline_capacity.local_time import INTERVAL, WEEKDAYS, SlotKey
from hotline_capacity.staffing import StaffingResult, required_agents

__all__ = [
    "TEAM_SIZE",
    "IntervalLoad",
    "IntervalStaffing",
    "OpeningHours",
    "Scenario",
    "StaffingSummary",
    "apply",
    "staffing_per_interval",
    "summarize",
]

TEAM_SIZE = 19


@dataclass(frozen=True)
class IntervalLoad:
    weekday: int  # local, Monday = 0
    start: time  # local start of the half hour
    offered_mean: float
    offered_p90: float
    aht_seconds: float
    patience_seconds: float | None = None

    @property
    def key(self) -> SlotKey:
        return self.weekday, self.start


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


@dataclass(frozen=True)
class OpeningHours:
    """Open ``days`` from ``opens`` until ``closes`` (the last interval starts 30 min before)."""

    days: frozenset[int]
    opens: time
    closes: time  # time(0, 0) means midnight at the end of the day

    def __post_init__(self) -> None:
        if not self.days or not all(0 <= d <= 6 for d in self.days):
            raise ValueError(f"days must be weekdays 0-6 (Monday = 0), got {sorted(self.days)}")
        close = _minutes(self.closes) or 24 * 60
        if any(_minutes(t) % 30 or t.second or t.microsecond for t in (self.opens, self.closes)):
            raise ValueError("opening and closing times must be on :00 or :30")
        if _minutes(self.opens) >= close:
            raise ValueError(
                f"opening {self.opens:%H:%M} is not before closing {self.closes:%H:%M}"
            )

    def times(self) -> list[time]:
        close = _minutes(self.closes) or 24 * 60
        step = INTERVAL // timedelta(minutes=1)
        return [time(m // 60, m % 60) for m in range(_minutes(self.opens), close, step)]


@dataclass(frozen=True)
class Scenario:
    hours: OpeningHours | None = None
    add_days: frozenset[int] = field(default_factory=frozenset)
    donor_factor: float = 1.0
    extra_population: int = 0
    base_population: int | None = None  # e.g. 615,419 from the municipalities dimension
    demand_growth: float = 1.0
    service_level_target: float = 0.8
    answer_within_seconds: float = 20.0

    def __post_init__(self) -> None:
        if not all(0 <= d <= 6 for d in self.add_days):
            raise ValueError(f"add_days must be weekdays 0-6, got {sorted(self.add_days)}")
        if self.donor_factor < 0 or self.demand_growth < 0:
            raise ValueError("donor factor and demand growth must be >= 0")
        if self.extra_population < 0:
            raise ValueError(f"extra population must be >= 0, got {self.extra_population}")
        if self.extra_population and not self.base_population:
            raise ValueError("extra population needs a base population > 0 to scale from")
        if self.base_population is not None and self.base_population <= 0:
            raise ValueError(f"base population must be > 0, got {self.base_population}")

    @property
    def demand_factor(self) -> float:
        base = self.base_population or 1
        return self.demand_growth * (base + self.extra_population) / base


def _weighted(values: Sequence[float | None], weights: Sequence[float]) -> float | None:
    pairs = [(v, w) for v, w in zip(values, weights, strict=True) if v is not None]
    if not pairs:
        return None
    total = math.fsum(w for _, w in pairs)
    if total == 0:
        return math.fsum(v for v, _ in pairs) / len(pairs)
    return math.fsum(v * w for v, w in pairs) / total


def _donor(profile: Sequence[IntervalLoad], at: time, weekday: int, factor: float) -> IntervalLoad:
    times = {load.start for load in profile}
    source = at
    if source not in times:
        source = min(times, key=lambda t: (abs(_minutes(t) - _minutes(at)), _minutes(t)))
    donors = [load for load in profile if load.start == source]
    weights = [d.offered_mean for d in donors]
    aht = _weighted([d.aht_seconds for d in donors], weights)
    assert aht is not None  # donors is never empty: ``source`` is one of their times
    return IntervalLoad(
        weekday=weekday,
        start=at,
        offered_mean=factor * math.fsum(weights) / len(donors),
        offered_p90=factor * math.fsum(d.offered_p90 for d in donors) / len(donors),
        aht_seconds=aht,
        patience_seconds=_weighted([d.patience_seconds for d in donors], weights),
    )


def apply(profile: Sequence[IntervalLoad], scenario: Scenario) -> list[IntervalLoad]:
    """The profile under the scenario, sorted by weekday and time."""
    if not profile:
        raise ValueError("the load profile is empty")
    by_key = {load.key: load for load in profile}
    if len(by_key) != len(profile):
        raise ValueError("the load profile lists an interval twice")
    if scenario.hours is None:
        keys = set(by_key)
    else:
        keys = {(d, t) for d in scenario.hours.days for t in scenario.hours.times()}
    all_times = sorted({t for _, t in keys})
    keys |= {(d, t) for d in scenario.add_days for t in all_times}
    out = []
    for weekday, at in sorted(keys):
        load = by_key.get((weekday, at))
        if load is None:
            load = _donor(profile, at, weekday, scenario.donor_factor)
        factor = scenario.demand_factor
        out.append(
            replace(
                load, offered_mean=load.offered_mean * factor, offered_p90=load.offered_p90 * factor
            )
        )
    return out


@dataclass(frozen=True)
class IntervalStaffing:
    load: IntervalLoad
    mean: StaffingResult  # for the mean offered calls
    p90: StaffingResult  # for the 90th percentile: a busy week


@dataclass(frozen=True)
class StaffingSummary:
    team_size: int
    peak_rostered_mean: int
    peak_rostered_p90: int
    agent_hours_mean: float  # rostered agent-hours per week
    agent_hours_p90: float
    over_team_mean: tuple[SlotKey, ...]  # intervals needing more than the team
    over_team_p90: tuple[SlotKey, ...]

    def describe(self) -> str:
        def label(keys: tuple[SlotKey, ...]) -> str:
            return ", ".join(f"{WEEKDAYS[d]} {t:%H:%M}" for d, t in keys) or "none"

        return (
            f"Peak {self.peak_rostered_mean} rostered agents (p90 week: {self.peak_rostered_p90})"
            f" against a team of {self.team_size}; {self.agent_hours_mean:g} agent-hours a week"
            f" (p90: {self.agent_hours_p90:g}). Over the team: {label(self.over_team_mean)}"
            f" (p90: {label(self.over_team_p90)})."
        )


def staffing_per_interval(
    profile: Sequence[IntervalLoad],
    scenario: Scenario,
    *,
    max_occupancy: float = 0.85,
    shrinkage: float = 0.0,
    interval_minutes: int = 30,
) -> list[IntervalStaffing]:
    """Erlang C per interval, or Erlang A where the interval has a patience."""

    def need(calls: float, load: IntervalLoad) -> StaffingResult:
        return required_agents(
            calls=calls,
            interval_minutes=interval_minutes,
            aht_seconds=load.aht_seconds,
            answer_within_seconds=scenario.answer_within_seconds,
            target_service_level=scenario.service_level_target,
            max_occupancy=max_occupancy,
            shrinkage=shrinkage,
            patience_seconds=load.patience_seconds,
        )

    return [
        IntervalStaffing(load, need(load.offered_mean, load), need(load.offered_p90, load))
        for load in profile
    ]


def summarize(
    staffing: Sequence[IntervalStaffing], team_size: int = TEAM_SIZE, interval_minutes: int = 30
) -> StaffingSummary:
    hours = interval_minutes / 60
    mean = [s.mean.rostered_agents for s in staffing]
    p90 = [s.p90.rostered_agents for s in staffing]
    return StaffingSummary(
        team_size=team_size,
        peak_rostered_mean=max(mean, default=0),
        peak_rostered_p90=max(p90, default=0),
        agent_hours_mean=sum(mean) * hours,
        agent_hours_p90=sum(p90) * hours,
        over_team_mean=tuple(s.load.key for s in staffing if s.mean.rostered_agents > team_size),
        over_team_p90=tuple(s.load.key for s in staffing if s.p90.rostered_agents > team_size),
    )
