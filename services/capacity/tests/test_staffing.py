"""Properties of the staffing search and the exact shrinkage rounding."""

from __future__ import annotations

import itertools
import math
import time
from decimal import Decimal
from fractions import Fraction

import pytest

from hotline_capacity import erlang
from hotline_capacity.erlang_a import erlang_a
from hotline_capacity.staffing import Number, offered_load, required_agents, rostered

BASE: dict[str, Number] = {
    "interval_minutes": 30,
    "aht_seconds": 300,
    "answer_within_seconds": 20,
    "target_service_level": 0.8,
    "max_occupancy": 0.85,
    "shrinkage": 0,
}


@pytest.mark.parametrize("a", [0.5, 10.0, 47.3, 250.0])
def test_erlang_c_service_level_rises_with_agents(a: float) -> None:
    levels = [erlang.service_level(n, a, 300, 20) for n in range(1, int(a) + 40)]
    assert all(lo <= hi for lo, hi in itertools.pairwise(levels))
    assert levels[-1] > 0.99


@pytest.mark.parametrize("patience", [30.0, 180.0, 1200.0])
def test_erlang_a_service_level_rises_and_occupancy_falls_with_agents(patience: float) -> None:
    figures = [erlang_a(n, 60 / 1800, 300, patience, 20) for n in range(1, 30)]
    levels = [f.service_level for f in figures]
    occupancies = [f.occupancy for f in figures]
    assert all(lo < hi for lo, hi in itertools.pairwise(levels))
    assert all(lo > hi for lo, hi in itertools.pairwise(occupancies))


@pytest.mark.parametrize("patience", [None, 180, 45])
@pytest.mark.parametrize("calls", [1, 7, 60, 144, 400])
def test_result_is_the_smallest_meeting_the_target(calls: int, patience: int | None) -> None:
    res = required_agents(calls, 30, 300, 20, 0.8, 1, 0, patience)  # no occupancy cap
    assert res.service_level >= 0.8
    if res.agents > 1:
        load = calls * 300 / 1800
        if patience is None:
            assert erlang.service_level(res.agents - 1, load, 300, 20) < 0.8
        else:
            assert erlang_a(res.agents - 1, calls / 1800, 300, patience, 20).service_level < 0.8


def test_occupancy_cap_raises_erlang_c_staffing_exactly() -> None:
    # 126 calls x 300 s / 1800 s = 21 Erlang; 21 / 0.7 is exactly 30, while the float
    # quotient is just above 30 and a float ceiling would say 31.
    assert math.ceil((126 * 300 / 1800) / 0.7) == 31
    res = required_agents(126, 30, 300, 20, 0.8, 0.7, 0)
    assert erlang.service_level(29, 21.0, 300, 20) >= 0.8  # the cap, not the SL, binds
    assert res.agents == 30
    assert res.occupancy == pytest.approx(0.7)


@pytest.mark.parametrize("cap", [0.5, 0.6, 0.75, 0.85, 0.95, 1.0])
@pytest.mark.parametrize("patience", [None, 180, 20])
def test_occupancy_cap_is_respected_and_tight(cap: float, patience: int | None) -> None:
    res = required_agents(60, 30, 300, 20, 0.8, cap, 0, patience)
    uncapped = required_agents(60, 30, 300, 20, 0.8, 1, 0, patience)
    assert res.occupancy <= cap
    assert res.agents >= uncapped.agents
    if res.agents > uncapped.agents:  # raised for the cap: one fewer would break it
        if patience is None:
            assert erlang.occupancy(res.agents - 1, 10.0) > cap
        else:
            assert erlang_a(res.agents - 1, 60 / 1800, 300, patience, 20).occupancy > cap


@pytest.mark.parametrize(
    ("agents", "shrinkage", "expected"),
    [
        (7, "0.3", 10),  # 7 / 0.7 = 10 exactly
        (21, "0.3", 30),  # float: 21 / (1 - 0.3) = 30.000000000000004 -> 31
        (9, "0.55", 20),  # float gives 21
        (17, "0.32", 25),  # float gives 26
        (8, "0.68", 25),  # float gives 26
        (17, "0.15", 20),
        (10, "0.2", 13),  # 12.5 rounds up
        (14, "0.3", 20),
        (13, "0.35", 20),
        (1, "0", 1),
        (0, "0.3", 0),
        (3, "0.999", 3000),
    ],
)
def test_shrinkage_rounding_is_exact(agents: int, shrinkage: str, expected: int) -> None:
    assert rostered(agents, Decimal(shrinkage)) == expected
    assert rostered(agents, float(shrinkage)) == expected  # floats are read as typed
    assert rostered(agents, Fraction(shrinkage)) == expected


def test_float_rounding_would_over_count() -> None:
    # The reason for Fraction: these are the cases a float ceiling gets wrong.
    assert math.ceil(21 / (1 - 0.3)) == 31
    assert math.ceil(9 / (1 - 0.55)) == 21


def test_shrinkage_flows_into_result() -> None:
    res = required_agents(60, 30, 300, 20, 0.8, 0.85, Decimal("0.3"))
    assert res.agents == 14
    assert res.rostered_agents == 20


@pytest.mark.parametrize("patience", [None, 180])
def test_hundreds_of_agents_are_fast_and_finite(patience: int | None) -> None:
    start = time.perf_counter()
    res = required_agents(5000, 30, 300, 20, 0.8, 0.85, 0.3, patience)
    elapsed = time.perf_counter() - start
    load = float(offered_load(5000, 30, 300))
    assert load == pytest.approx(833.33, abs=0.01)
    assert res.agents >= math.ceil(load / 0.85)  # the cap binds at this size
    assert res.rostered_agents == math.ceil(Fraction(res.agents) / Fraction(7, 10))
    for value in res.as_dict().values():
        assert math.isfinite(value)
    assert res.service_level >= 0.8
    assert elapsed < 2.0


def test_zero_calls_need_no_agents() -> None:
    res = required_agents(0, 30, 300, 20, 0.8, 0.85, 0.3)
    assert (res.agents, res.rostered_agents, res.service_level) == (0, 0, 1.0)
    assert "abandonment_probability" not in res.as_dict()
    with_patience = required_agents(0, 30, 300, 20, 0.8, 0.85, 0.3, 180)
    assert with_patience.as_dict()["abandonment_probability"] == 0.0


def test_keys() -> None:
    keys = {
        "agents",
        "rostered_agents",
        "service_level",
        "occupancy",
        "waiting_probability",
        "average_speed_of_answer_seconds",
    }
    assert set(required_agents(60, **BASE).as_dict()) == keys
    assert set(required_agents(60, **BASE, patience_seconds=180).as_dict()) == keys | {
        "abandonment_probability"
    }


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"calls": -1}, "calls must be >= 0"),
        ({"interval_minutes": 0}, "interval minutes must be > 0"),
        ({"aht_seconds": -300}, "AHT seconds must be > 0"),
        ({"answer_within_seconds": -1}, "answer-within seconds must be >= 0"),
        ({"target_service_level": 1}, "target service level must be > 0 and < 1"),
        ({"target_service_level": 0}, "target service level must be > 0 and < 1"),
        ({"max_occupancy": 0}, "max occupancy must be > 0 and <= 1"),
        ({"max_occupancy": 1.2}, "max occupancy must be > 0 and <= 1"),
        ({"shrinkage": 1}, "shrinkage must be >= 0 and < 1"),
        ({"shrinkage": -0.1}, "shrinkage must be >= 0 and < 1"),
        ({"patience_seconds": 0}, "patience seconds must be > 0"),
        ({"calls": math.nan}, "calls must be a finite number"),
        ({"aht_seconds": Decimal("Infinity")}, "must be a finite number"),
    ],
)
def test_bad_inputs_raise_clear_errors(override: dict[str, Number], message: str) -> None:
    kwargs: dict[str, Number] = {"calls": 60, **BASE, **override}
    with pytest.raises(ValueError, match=message):
        required_agents(**kwargs)
