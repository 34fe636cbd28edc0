"""Options costed in agent-hours, the service level of a given staff, and the break-even."""

from __future__ import annotations

import math
from datetime import time

import pytest

from hotline_capacity.breakeven import BreakEven
from hotline_capacity.erlang_a import erlang_a
from hotline_capacity.options import Option, cost_option, service_level_at
from hotline_capacity.staffing import required_agents
from hotline_capacity.whatif import IntervalLoad, OpeningHours, Scenario

EVENING = [
    time(18, 30),
    time(19, 0),
    time(19, 30),
    time(20, 0),
    time(20, 30),
    time(21, 0),
    time(21, 30),
]
CALLS = [8.0, 14.0, 14.0, 13.0, 10.0, 6.0, 3.0]
DAYS = (6, 0, 1, 2, 3)  # Sunday to Thursday


def _profile() -> list[IntervalLoad]:
    return [
        IntervalLoad(day, at, calls, calls * 1.4, aht_seconds=340.0, patience_seconds=150.0)
        for day in DAYS
        for at, calls in zip(EVENING, CALLS, strict=True)
    ]


def test_service_level_of_a_whole_staff_is_erlang_a_and_fractions_interpolate() -> None:
    args = {
        "interval_minutes": 30,
        "aht_seconds": 300.0,
        "answer_within_seconds": 20.0,
        "patience_seconds": 150.0,
    }
    three = erlang_a(3, 10 / 1800, 300.0, 150.0, 20.0).service_level
    four = erlang_a(4, 10 / 1800, 300.0, 150.0, 20.0).service_level
    assert service_level_at(3, 10, **args) == pytest.approx(three)
    assert service_level_at(3.25, 10, **args) == pytest.approx(three + 0.25 * (four - three))
    assert service_level_at(0, 10, **args) == 0.0
    assert service_level_at(0.5, 10, **args) == pytest.approx(
        0.5 * erlang_a(1, 10 / 1800, 300.0, 150.0, 20.0).service_level
    )
    assert service_level_at(2, 0, **args) == 1.0
    # Without a patience: Erlang C.
    assert service_level_at(4, 10, **{**args, "patience_seconds": None}) < four


def test_todays_hours_cost_the_sum_of_each_half_hours_rostered_staff() -> None:
    profile = _profile()
    today = cost_option(profile, Option("today", Scenario()), shrinkage=0.12, team_size=19)
    expected_hours = 0.0
    for load in profile:
        need = required_agents(
            calls=load.offered_mean, interval_minutes=30, aht_seconds=load.aht_seconds,
            answer_within_seconds=20.0, target_service_level=0.8, max_occupancy=0.85,
            shrinkage=0.12, patience_seconds=load.patience_seconds,
        )  # fmt: skip
        expected_hours += need.rostered_agents * 0.5
    assert today.agent_hours_per_week == pytest.approx(expected_hours)
    assert today.agent_hours_per_person == pytest.approx(expected_hours / 19)
    assert today.open_hours_per_week == pytest.approx(5 * 3.5)
    assert today.calls_per_week == pytest.approx(5 * sum(CALLS))
    assert today.service_level is not None
    assert today.service_level >= 0.8
    # A busy week with an average week's staff falls short; staffing for it costs more.
    assert today.service_level_busy_week is not None
    assert today.service_level_busy_week < today.service_level
    assert today.agent_hours_per_week_busy > today.agent_hours_per_week
    assert today.within_team


def test_shorter_evenings_keep_the_weeks_callers_and_growth_costs_more() -> None:
    profile = _profile()
    today = cost_option(profile, Option("today", Scenario()), shrinkage=0.1)
    shorter = cost_option(
        profile,
        Option("shorter", Scenario(hours=OpeningHours(frozenset(DAYS), time(18, 30), time(21, 0)))),
        shrinkage=0.1,
    )
    assert shorter.open_hours_per_week == pytest.approx(5 * 2.5)
    assert shorter.calls_per_week == pytest.approx(today.calls_per_week)  # callers come earlier
    lost = cost_option(
        profile,
        Option(
            "shorter, callers lost",
            Scenario(hours=OpeningHours(frozenset(DAYS), time(18, 30), time(21, 0))),
            demand_moves=False,
        ),
        shrinkage=0.1,
    )
    assert lost.calls_per_week == pytest.approx(5 * sum(CALLS[:5]))
    grown = cost_option(profile, Option("growth", Scenario(demand_growth=1.25)), shrinkage=0.1)
    assert grown.calls_per_week == pytest.approx(1.25 * today.calls_per_week)
    assert grown.agent_hours_per_week > today.agent_hours_per_week
    fewer_days = cost_option(
        profile,
        Option(
            "Mon-Thu",
            Scenario(hours=OpeningHours(frozenset({0, 1, 2, 3}), time(18, 30), time(22, 0))),
        ),
        shrinkage=0.1,
    )
    assert fewer_days.open_hours_per_week == pytest.approx(4 * 3.5)
    assert fewer_days.calls_per_week == pytest.approx(today.calls_per_week)
    assert fewer_days.peak_agents >= today.peak_agents


def test_break_even_is_a_formula_of_the_stated_inputs() -> None:
    unknown = BreakEven(agent_hours_per_week=87.5, answered_calls_per_week=350.0)
    assert unknown.hours_per_call == pytest.approx(0.25)
    assert unknown.coefficient == pytest.approx(0.25 / 29)
    assert unknown.share_needed is None  # no agent-hour or online cost given: no figure
    known = BreakEven(87.5, 350.0, agent_hour_cost=400.0, online_task_cost=20.0)
    # p* = H w / (N (k - 1) c) = 87.5 * 400 / (350 * 29 * 20)
    assert known.share_needed == pytest.approx(87.5 * 400 / (350 * 29 * 20))
    assert BreakEven(10.0, 0.0).coefficient is None
    assert BreakEven(10.0, 5.0, in_person_multiple=None).coefficient is None
    with pytest.raises(ValueError, match="multiple"):
        BreakEven(10.0, 5.0, in_person_multiple=1.0)
    assert math.isclose(BreakEven(0.0, 5.0).coefficient or 0.0, 0.0)
