"""Options for a permanent service, each costed in agent-hours (pure functions).

An option is a what-if `Scenario` (opening hours, days, demand, target: see `whatif`) over
the pilot's weekly load profile. Its cost is the agent-hours a week the Erlang staffing of
every half hour needs (rostered: on the phones, plus the shrinkage for breaks and pauses), per
week and per person of the team; beside it the service level it reaches:

- on an average week (the mean calls of each half hour), staffed for that week;
- on a busy week (each half hour at its 90th percentile) with the same staff: what callers
  get when the plan meets a bad week;
- and, for a busy-week plan, the agent-hours that keeps the target on a busy week too.

When an option closes half hours or days the pilot had open (shorter evenings, fewer days), the
callers of those half hours are assumed to come at another open time of the week
(`demand_moves`): the week's calls stay the same and spread over what stays open in
proportion to today's load. That is the cautious assumption for staffing (some of them will
give up instead). More hours borrow their load from the nearest open time (`whatif.apply`).

The service level of a given staff is Erlang A's share of *all* callers of the half hour
answered within the threshold (callers who hang up count against it); a fractional number of
agents (the average on shift) is interpolated linearly between the whole numbers around it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from hotline_capacity import erlang
from hotline_capacity.erlang_a import erlang_a
from hotline_capacity.whatif import (
    TEAM_SIZE,
    IntervalLoad,
    IntervalStaffing,
    Scenario,
    apply,
    staffing_per_interval,
)

__all__ = ["Option", "OptionCost", "cost_option", "service_level_at", "weighted_service_level"]


def _whole(agents: int, calls: float, seconds: float, aht: float, patience: float | None,
           within: float) -> float:  # fmt: skip
    if calls <= 0:
        return 1.0
    if agents <= 0:
        return 0.0
    if patience is None:
        return erlang.service_level(agents, calls * aht / seconds, aht, within)
    return erlang_a(agents, calls / seconds, aht, patience, within).service_level


def service_level_at(
    agents: float,
    calls: float,
    *,
    interval_minutes: float,
    aht_seconds: float,
    answer_within_seconds: float,
    patience_seconds: float | None,
) -> float:
    """Share of a half hour's callers answered within the threshold with `agents` on the phones
    (Erlang A with a patience, else Erlang C); fractional agents interpolated."""
    if agents < 0 or calls < 0:
        raise ValueError("agents and calls must be >= 0")
    seconds = interval_minutes * 60
    low = math.floor(agents)
    share = agents - low
    args = (calls, seconds, aht_seconds, patience_seconds, answer_within_seconds)
    at_low = _whole(low, *args)
    if share == 0:
        return at_low
    return at_low + share * (_whole(low + 1, *args) - at_low)


def weighted_service_level(pairs: Sequence[tuple[float, float]]) -> float | None:
    """(calls, service level) per half hour -> the service level over all those calls."""
    total = math.fsum(calls for calls, _ in pairs)
    if total == 0:
        return None
    return math.fsum(calls * level for calls, level in pairs) / total


@dataclass(frozen=True)
class Option:
    key: str  # a stable id: today, shorter_evenings, ...
    scenario: Scenario
    demand_moves: bool = True  # callers of closed half hours come at other open times


@dataclass(frozen=True)
class OptionCost:
    key: str
    open_hours_per_week: float
    calls_per_week: float  # mean week
    agent_hours_per_week: float  # rostered for an average week
    agent_hours_per_person: float  # the same, shared by the team
    agent_hours_per_week_busy: float  # rostered for a busy (p90) week
    agent_hours_per_person_busy: float
    peak_agents: int  # rostered, average week
    peak_agents_busy: int
    service_level: float | None  # average week, staffed for it
    service_level_busy_week: float | None  # busy week, staffed for an average week
    team_size: int
    staffing: list[IntervalStaffing]

    @property
    def within_team(self) -> bool:
        return self.peak_agents_busy <= self.team_size


def _moved(
    base: Sequence[IntervalLoad], changed: list[IntervalLoad], factor: float
) -> list[IntervalLoad]:
    """Scale the changed profile so its week has the base week's calls times `factor`."""
    want = math.fsum(x.offered_mean for x in base) * factor
    have = math.fsum(x.offered_mean for x in changed)
    if have <= 0 or have >= want:
        return changed
    k = want / have
    return [
        replace(x, offered_mean=x.offered_mean * k, offered_p90=x.offered_p90 * k) for x in changed
    ]


def cost_option(
    profile: Sequence[IntervalLoad],
    option: Option,
    *,
    shrinkage: float,
    max_occupancy: float = 0.85,
    team_size: int = TEAM_SIZE,
    interval_minutes: int = 30,
) -> OptionCost:
    """The option's load, its staffing per half hour, its agent-hours and service levels."""
    if team_size < 1:
        raise ValueError(f"team size must be >= 1, got {team_size}")
    loads = apply(profile, option.scenario)
    if option.demand_moves:
        loads = _moved(profile, loads, option.scenario.demand_factor)
    staffing = staffing_per_interval(
        loads,
        option.scenario,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        interval_minutes=interval_minutes,
    )
    hours = interval_minutes / 60

    def level(calls: float, agents: int, load: IntervalLoad) -> float:
        return service_level_at(
            agents,
            calls,
            interval_minutes=interval_minutes,
            aht_seconds=load.aht_seconds,
            answer_within_seconds=option.scenario.answer_within_seconds,
            patience_seconds=load.patience_seconds,
        )

    mean_week = [(s.load.offered_mean, s.mean.service_level) for s in staffing]
    busy_week = [
        (s.load.offered_p90, level(s.load.offered_p90, s.mean.agents, s.load)) for s in staffing
    ]
    mean_hours = sum(s.mean.rostered_agents for s in staffing) * hours
    busy_hours = sum(s.p90.rostered_agents for s in staffing) * hours
    return OptionCost(
        key=option.key,
        open_hours_per_week=len(staffing) * hours,
        calls_per_week=math.fsum(s.load.offered_mean for s in staffing),
        agent_hours_per_week=mean_hours,
        agent_hours_per_person=mean_hours / team_size,
        agent_hours_per_week_busy=busy_hours,
        agent_hours_per_person_busy=busy_hours / team_size,
        peak_agents=max((s.mean.rostered_agents for s in staffing), default=0),
        peak_agents_busy=max((s.p90.rostered_agents for s in staffing), default=0),
        service_level=weighted_service_level(mean_week),
        service_level_busy_week=weighted_service_level(busy_week),
        team_size=team_size,
        staffing=staffing,
    )
