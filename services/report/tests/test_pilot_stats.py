"""The pilot report's statistics against published values, hand computations and simulated
data with a known answer."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from hotline_report.pilot.stats import (
    GroupCount,
    compare_rates,
    exact_rate_test,
    garwood,
    holm,
    homogeneity,
    poisson_trend,
    rate,
)


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [
        # Garwood's exact 95 % limits, as tabulated (e.g. Ulm 1990, Table 1).
        (0, 0.0, 3.689),
        (1, 0.0253, 5.572),
        (2, 0.2422, 7.225),
        (10, 4.795, 18.390),
        (100, 81.364, 121.627),
    ],
)
def test_garwood_limits_match_the_tables(count: int, low: float, high: float) -> None:
    got = garwood(count)
    assert got[0] == pytest.approx(low, abs=5e-4)
    assert got[1] == pytest.approx(high, abs=5e-4)


def test_a_rate_per_1000_citizens_scales_the_count_interval() -> None:
    odder = rate(100, 21800)
    assert odder.rate == pytest.approx(100 * 1000 / 21800)
    assert odder.low == pytest.approx(garwood(100)[0] * 1000 / 21800)
    assert odder.high == pytest.approx(garwood(100)[1] * 1000 / 21800)
    assert odder.low < odder.rate < odder.high
    # A small count gets a wide, asymmetric interval that never goes below zero.
    few = rate(3, 21800)
    assert few.low > 0
    assert few.high - few.rate > few.rate - few.low
    with pytest.raises(ValueError, match="exposure"):
        rate(1, 0)


def test_homogeneity_by_hand() -> None:
    # Populations 1:1:2, 40 calls: expected 10, 10, 20; observed 14, 6, 20.
    result = homogeneity([14, 6, 20], [1000, 1000, 2000])
    assert result.statistic == pytest.approx(16 / 10 + 16 / 10 + 0)
    assert result.df == 2
    assert result.p_value == pytest.approx(math.exp(-3.2 / 2))  # chi2 sf with df 2
    assert homogeneity([0, 0], [1, 2]).p_value == 1.0


def test_exact_rate_test_is_the_conditional_binomial() -> None:
    # Equal exposures: 3 against 10 events is binomial(13, 1/2); P(X <= 3) * 2.
    tail = sum(math.comb(13, k) for k in range(4)) / 2**13
    assert exact_rate_test(3, 1000, 10, 1000) == pytest.approx(2 * tail)
    assert exact_rate_test(0, 5, 0, 7) == 1.0
    assert exact_rate_test(50, 1000, 100, 2000) == pytest.approx(1.0)


def test_holm_adjusts_step_down_and_keeps_the_order() -> None:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_equal_rates_are_called_the_same_and_a_real_difference_is_found() -> None:
    same = compare_rates(
        [GroupCount("a", 200, 10000), GroupCount("b", 105, 5000), GroupCount("c", 19, 1000)]
    )
    assert not same.differ
    assert {c.direction for c in same.versus_rest} == {"same"}
    assert not any(p.different for p in same.pairs)
    # c calls three times as often per citizen as a and b: found, after Holm.
    real = compare_rates(
        [GroupCount("a", 200, 10000), GroupCount("b", 100, 5000), GroupCount("c", 60, 1000)]
    )
    assert real.differ
    directions = {c.key: c.direction for c in real.versus_rest}
    assert directions == {"a": "lower", "b": "same", "c": "higher"}
    pairs = {(p.key, p.other): p for p in real.pairs}
    assert pairs[("a", "c")].different
    assert pairs[("b", "c")].different
    assert not pairs[("a", "b")].different
    assert pairs[("a", "c")].rate_ratio == pytest.approx((200 / 10000) / (60 / 1000))
    assert all(p.p_adjusted >= p.p_value for p in real.pairs)


def _evenings(growth: float, seed: int, mean: float = 40.0) -> list[tuple[date, int]]:
    """Sun-Thu evenings over a year, Poisson with a weekday pattern and a yearly growth."""
    rng = random.Random(seed)
    weekday = {6: 1.1, 0: 1.15, 1: 1.0, 2: 0.95, 3: 0.8}
    out = []
    first = date(2012, 12, 3)
    for n in range(364):
        day = first + timedelta(days=n)
        if day.weekday() not in weekday:
            continue
        lam = mean * weekday[day.weekday()] * (1 + growth) ** (n / 365.25)
        out.append((day, _poisson(rng, lam)))
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method in pieces (no numpy here: the data must not come from the code under test).
    k, left = 0, lam
    while left > 0:
        step = min(left, 30.0)
        left -= step
        limit, product = math.exp(-step), rng.random()
        while product > limit:
            k += 1
            product *= rng.random()
    return k


def test_a_flat_year_is_called_flat_and_growth_is_found_with_its_size() -> None:
    flat = poisson_trend(_evenings(0.0, seed=1))
    assert flat is not None
    assert flat.verdict == "flat"
    assert flat.low < 0 < flat.high
    assert flat.dispersion == pytest.approx(1.0, abs=0.3)
    growing = poisson_trend(_evenings(0.30, seed=2))
    assert growing is not None
    assert growing.verdict == "growing"
    assert growing.low < 0.30 < growing.high
    assert growing.growth_per_year == pytest.approx(0.30, abs=0.05)
    assert growing.factor(1.0) == pytest.approx(1 + growing.growth_per_year)
    falling = poisson_trend(_evenings(-0.25, seed=3))
    assert falling is not None
    assert falling.verdict == "falling"


def test_no_trend_from_a_few_weeks() -> None:
    short = _evenings(0.0, seed=4)[:30]  # six weeks
    assert poisson_trend(short) is None
    assert poisson_trend([]) is None


def test_overdispersed_evenings_widen_the_interval() -> None:
    plain = _evenings(0.0, seed=5)
    noisy = [(d, k * 3) for d, k in plain]  # variance 9x the mean x3: dispersion about 3
    a, b = poisson_trend(plain), poisson_trend(noisy)
    assert a is not None
    assert b is not None
    assert b.dispersion > 2
    assert b.slope_per_year == pytest.approx(a.slope_per_year)
    assert b.standard_error > a.standard_error
