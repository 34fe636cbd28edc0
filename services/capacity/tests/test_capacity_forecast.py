"""Forecast: seasonality and trend recovered exactly, DST alignment, hand-checked backtest."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest

from hotline_capacity.forecast import backtest, forecast_next_week
from hotline_capacity.local_time import TZ, local_instant, slot_key

EVENING = [time(18, 30), time(19), time(19, 30), time(20), time(20, 30), time(21), time(21, 30)]
OPEN_DAYS = (6, 0, 1, 2, 3)  # Sun-Thu


def _at(monday: date, weekday: int, at: time) -> datetime:
    instant = local_instant(monday + timedelta(days=weekday), at)
    assert instant is not None
    return instant


def _weight(weekday: int, at: time) -> int:
    """A known seasonal shape: busier early in the evening and on Sundays."""
    return (3 if weekday == 6 else 2) * (8 - EVENING.index(at))


def _history(mondays: list[date], level: list[int]) -> list[tuple[datetime, int]]:
    return [
        (_at(m, d, t), _weight(d, t) * lv)
        for m, lv in zip(mondays, level, strict=True)
        for d in OPEN_DAYS
        for t in EVENING
    ]


def _mondays(first: date, count: int) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(count)]


def test_recovers_seasonality_and_trend_exactly() -> None:
    mondays = _mondays(date(2013, 1, 7), 6)
    history = _history(mondays, [10 + 3 * i for i in range(6)])
    target = mondays[-1] + timedelta(weeks=1)
    points = forecast_next_week(history, target)
    assert len(points) == len(OPEN_DAYS) * len(EVENING)
    for point in points:
        weekday, at = slot_key(point.interval_start)
        assert point.offered_mean == pytest.approx(_weight(weekday, at) * (10 + 3 * 6), rel=1e-12)
    assert [p.interval_start for p in points] == sorted(p.interval_start for p in points)


def test_trend_extrapolates_to_a_later_week() -> None:
    mondays = _mondays(date(2013, 1, 7), 4)
    history = _history(mondays, [20, 22, 24, 26])
    points = forecast_next_week(history, mondays[-1] + timedelta(weeks=3))
    sunday_1830 = next(p for p in points if slot_key(p.interval_start) == (6, time(18, 30)))
    assert sunday_1830.offered_mean == pytest.approx(_weight(6, time(18, 30)) * 32, rel=1e-12)


def test_one_week_means_no_trend() -> None:
    monday = date(2013, 1, 7)
    history = _history([monday], [15])
    points = forecast_next_week(history, monday + timedelta(weeks=1))
    by_key = {slot_key(p.interval_start): p.offered_mean for p in points}
    assert by_key == pytest.approx({(d, t): _weight(d, t) * 15 for d in OPEN_DAYS for t in EVENING})


def test_missing_intervals_are_unknown_not_zero() -> None:
    mondays = _mondays(date(2013, 1, 7), 4)
    history = _history(mondays, [10, 10, 10, 10])
    # The feed was down on Monday of week 2: those intervals are absent, not zero.
    gap = {_at(mondays[1], 0, t) for t in EVENING}
    history = [(s, n) for s, n in history if s not in gap]
    points = forecast_next_week(history, mondays[-1] + timedelta(weeks=1))
    for point in points:
        assert point.offered_mean == pytest.approx(_weight(*slot_key(point.interval_start)) * 10)


@pytest.mark.parametrize(
    ("first", "weeks", "utc_1830_after"),
    [
        # Summer time starts Sunday 2013-03-31 02:00; 18:30 CEST is 16:30 UTC.
        (date(2013, 3, 11), 4, 16),
        # Winter time returns Sunday 2013-10-27 03:00; 18:30 CET is 17:30 UTC.
        (date(2013, 10, 7), 4, 17),
    ],
)
def test_dst_weeks_keep_local_evening_aligned(first: date, weeks: int, utc_1830_after: int) -> None:
    mondays = _mondays(first, weeks)
    history = _history(mondays, [10] * weeks)
    # The UTC hours of Sunday 18:30 differ across the switch; local keys must not.
    utc_hours = {s.hour for s, _ in history if slot_key(s) == (6, time(18, 30))}
    assert utc_hours == {16, 17}
    points = forecast_next_week(history, mondays[-1] + timedelta(weeks=1))
    assert len(points) == len(OPEN_DAYS) * len(EVENING)  # no shifted slots like 17:30 or 19:30
    assert {p.interval_start.astimezone(TZ).time() for p in points} == set(EVENING)
    for point in points:
        assert point.offered_mean == pytest.approx(_weight(*slot_key(point.interval_start)) * 10)
    first_point = points[0]
    assert first_point.interval_start.hour == utc_1830_after
    assert first_point.interval_start.astimezone(TZ).time() == time(18, 30)


def test_forecast_rejects_bad_input() -> None:
    monday = date(2013, 1, 7)
    good = _history([monday], [10])
    with pytest.raises(ValueError, match="not a Monday"):
        forecast_next_week(good, date(2013, 1, 13))
    with pytest.raises(ValueError, match="reaches into the week"):
        forecast_next_week(good, monday)
    with pytest.raises(ValueError, match="timezone-aware"):
        forecast_next_week([(datetime(2013, 1, 7, 17, 30), 1)], date(2013, 1, 14))
    with pytest.raises(ValueError, match=r":00 or :30"):
        forecast_next_week([(datetime(2013, 1, 7, 17, 15, tzinfo=UTC), 1)], date(2013, 1, 14))
    with pytest.raises(ValueError, match="twice"):
        forecast_next_week(good + good[:1], date(2013, 1, 14))
    with pytest.raises(ValueError, match="int >= 0"):
        forecast_next_week([(good[0][0], -1)], date(2013, 1, 14))
    with pytest.raises(ValueError, match="empty"):
        forecast_next_week([], date(2013, 1, 14))


def _tiny() -> list[tuple[datetime, int]]:
    """Three Mondays, three slots: A=18:30, B=19:00, C=19:30 (always zero)."""
    weeks = {
        date(2013, 1, 7): (10, 30, 0),
        date(2013, 1, 14): (20, 60, 0),
        date(2013, 1, 21): (24, 100, 0),
    }
    slots = (time(18, 30), time(19), time(19, 30))
    return [
        (_at(m, 0, t), n) for m, values in weeks.items() for t, n in zip(slots, values, strict=True)
    ]


def test_backtest_by_hand_last_week() -> None:
    result = backtest(_tiny(), weeks=1)
    assert result.weeks == (date(2013, 1, 21),)
    # Fit on weeks 1-2: shares 1/4, 3/4, 0; totals 40 and 80 -> 120 in week 3.
    # Forecast A=30, B=90, C=0 against 24, 100, 0: errors 6, -10, 0.
    model = result.model
    assert model.intervals == 3
    assert model.mae == pytest.approx(16 / 3)
    assert model.rmse == pytest.approx(math.sqrt(136 / 3))
    assert model.mape == pytest.approx((6 / 24 + 10 / 100) / 2)  # C has no nonzero actual
    assert model.smape == pytest.approx((2 * 6 / 54 + 2 * 10 / 190 + 0) / 3)
    # Naive: last week's 20, 60, 0 against 24, 100, 0: errors -4, -40, 0.
    naive = result.naive
    assert naive.mae == pytest.approx(44 / 3)
    assert naive.rmse == pytest.approx(math.sqrt(1616 / 3))
    assert naive.mape == pytest.approx((4 / 24 + 40 / 100) / 2)
    assert naive.smape == pytest.approx((2 * 4 / 44 + 2 * 40 / 160) / 3)


def test_backtest_rolls_the_origin() -> None:
    result = backtest(_tiny(), weeks=2)
    assert result.weeks == (date(2013, 1, 14), date(2013, 1, 21))
    # Week 2 from week 1 alone (no trend): 10, 30, 0 against 20, 60, 0, as the naive.
    assert result.model.intervals == 6
    assert result.model.mae == pytest.approx((10 + 30 + 0 + 6 + 10 + 0) / 6)
    assert result.naive.mae == pytest.approx((10 + 30 + 0 + 4 + 40 + 0) / 6)


def test_backtest_needs_enough_weeks() -> None:
    with pytest.raises(ValueError, match="at least 4 weeks"):
        backtest(_tiny(), weeks=3)
    with pytest.raises(ValueError, match=">= 1"):
        backtest(_tiny(), weeks=0)
