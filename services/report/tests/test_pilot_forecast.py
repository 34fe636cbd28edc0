"""The pilot forecast: seasonal naive over holidays, no peeking, holidays closed, and the model
against the naive forecast on simulated evenings with a known mean."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from hotline_report.pilot.forecast import Cell, backtest, fit, forecast, seasonal_naive

SLOTS = (1110, 1140, 1170, 1200, 1230, 1260, 1290)  # 18:30 ... 21:30
SHAPE = (0.6, 1.0, 1.0, 1.0, 0.8, 0.5, 0.3)
WEEKDAY = {6: 1.1, 0: 1.15, 1: 1.0, 2: 0.95, 3: 0.8}


def _poisson(rng: random.Random, lam: float) -> int:
    k, limit, product = 0, math.exp(-lam), rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _history(
    weeks: int,
    seed: int,
    peak: float = 12.0,
    growth: float = 0.0,
    closed: frozenset[date] = frozenset(),
) -> list[Cell]:
    rng = random.Random(seed)
    first = date(2013, 1, 6)  # a Sunday
    out = []
    for n in range(weeks * 7):
        day = first + timedelta(days=n)
        if day.weekday() not in WEEKDAY or day in closed:
            continue
        trend = (1 + growth) ** (n / 365.25)
        for slot, shape in zip(SLOTS, SHAPE, strict=True):
            out.append(
                Cell(day, slot, _poisson(rng, peak * shape * WEEKDAY[day.weekday()] * trend))
            )
    return out


def test_seasonal_naive_is_last_week_or_the_last_open_evening_before_a_holiday() -> None:
    cells = [
        Cell(date(2013, 3, 18), 1110, 5),  # Monday
        Cell(date(2013, 3, 25), 1110, 7),  # Monday; 1 April (Easter Monday) closed
    ]
    assert seasonal_naive(cells, date(2013, 4, 1), 1110) == 7
    assert seasonal_naive(cells, date(2013, 4, 8), 1110) == 7  # skips the closed Monday
    assert seasonal_naive(cells, date(2013, 3, 25), 1140) == 0  # open, nobody called then
    assert seasonal_naive(cells, date(2013, 3, 18), 1110) is None  # nothing before


def test_the_model_uses_only_what_came_before_its_origin() -> None:
    history = _history(20, seed=1)
    origin = date(2013, 4, 1)
    spoiled = [
        *history,
        *(Cell(c.local_date, c.slot_minute, 1000) for c in history if c.local_date >= origin),
    ]
    a, b = fit(history, origin), fit(spoiled, origin)
    assert a.levels == b.levels
    assert a.predict(date(2013, 4, 7), 1140) == b.predict(date(2013, 4, 7), 1140)


def test_on_steady_evenings_the_model_beats_last_week_by_a_clear_margin() -> None:
    # 40 weeks of Poisson half hours around a fixed mean: last week's count carries two
    # Poisson errors, an 8-evening mean about one; expect roughly a quarter less error.
    history = _history(40, seed=7)
    result = backtest(history, weeks=8)
    assert len(result.weeks) == 8
    assert result.model.half_hours == result.naive.half_hours > 200
    assert result.model_better
    assert -0.35 < result.mae_change < -0.12
    assert result.model.weekly_mae < result.naive.weekly_mae
    assert len(result.per_week) == 8


def test_growth_is_carried_forward_and_holidays_get_no_forecast() -> None:
    history = _history(45, seed=3, peak=30.0, growth=0.5)
    start = date(2013, 11, 17)  # the Sunday after the history
    christmas = {date(2013, 11, 20)}  # a Wednesday made a holiday for the test

    def slots(day: date) -> tuple[int, ...]:
        return () if day.weekday() not in WEEKDAY or day in christmas else SLOTS

    model, cells = forecast(history, start, 14, slots)
    assert model.trend_used
    assert math.expm1(model.slope_per_year) == pytest.approx(0.5, abs=0.12)
    days = {c.local_date for c in cells}
    assert date(2013, 11, 20) not in days
    assert len(days) == 9  # two Sun-Thu weeks less the holiday
    monday_peak = next(
        c for c in cells if c.local_date == date(2013, 11, 18) and c.slot_minute == 1140
    )
    truth = 30.0 * 1.15 * 1.5 ** ((date(2013, 11, 18) - date(2013, 1, 6)).days / 365.25)
    assert monday_peak.offered_mean == pytest.approx(truth, rel=0.12)
    # A plain mean of the last eight Mondays lags the growth: the trend moves it up.
    plain = model.levels[(0, 1140)]
    assert monday_peak.offered_mean > plain


def test_a_short_history_cannot_be_back_tested() -> None:
    with pytest.raises(ValueError, match="needs at least 10 weeks"):
        backtest(_history(6, seed=2), weeks=8)
