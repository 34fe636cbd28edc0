"""Offered calls per half hour next week: local seasonality times a weekly trend.

Model (multiplicative): ``offered(week w, slot k) = share[k] * total(w)``, where a
slot is a local weekday and local HH:MM (see :mod:`hotline_capacity.local_time`),
``share`` sums to 1 over the slots ever seen, and ``total`` is a straight line in
the week number, fitted by least squares over the weekly totals (a flat mean with
fewer than two weeks). For noise-free data of that form the fit is exact.

Missing data: history lists only the intervals that exist. An interval that is
absent is *unknown*, not zero (a closed evening, an outage of the feed): a week
with gaps gets its total scaled up from the slots it has, by their shares; shares
and totals are fitted alternately until they agree. Send zeros for intervals that
were open and really had no calls.

At the autumn DST switch the local hour 02:00-03:00 occurs twice; both intervals
share a key and their mean is used. The hotline's evening is never affected.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hotline_capacity.local_time import (
    SlotKey,
    check_interval_start,
    local_instant,
    slot_key,
    week_monday,
)

__all__ = [
    "Accuracy",
    "BacktestResult",
    "ForecastPoint",
    "History",
    "backtest",
    "forecast_next_week",
]

History = Iterable[tuple[datetime, int]]
Weeks = dict[date, dict[SlotKey, float]]

_ROUNDS = 200
_CONVERGED = 1e-13


@dataclass(frozen=True)
class ForecastPoint:
    interval_start: datetime  # UTC
    offered_mean: float


@dataclass(frozen=True)
class _Model:
    shares: dict[SlotKey, float]
    mean_week: float  # mean week number of the fit
    mean_total: float  # mean weekly total at that week
    slope: float  # calls per week per week

    def predict(self, monday: date) -> dict[SlotKey, float]:
        # A falling trend may cross zero; demand cannot.
        total = max(0.0, self.mean_total + self.slope * (_week_number(monday) - self.mean_week))
        return {key: share * total for key, share in self.shares.items()}


def _week_number(monday: date) -> int:
    return monday.toordinal() // 7


def _by_week(history: History) -> Weeks:
    seen: set[datetime] = set()
    cells: dict[date, dict[SlotKey, list[int]]] = defaultdict(lambda: defaultdict(list))
    for start, offered in history:
        check_interval_start(start)
        if isinstance(offered, bool) or not isinstance(offered, int) or offered < 0:
            raise ValueError(f"offered must be an int >= 0, got {offered!r} at {start}")
        if start in seen:
            raise ValueError(f"interval {start.isoformat()} appears twice in the history")
        seen.add(start)
        cells[week_monday(start)][slot_key(start)].append(offered)
    return {m: {k: statistics.fmean(v) for k, v in slots.items()} for m, slots in cells.items()}


def _fit(weeks: Weeks) -> _Model:
    if not weeks:
        raise ValueError("history is empty: nothing to fit")
    keys = sorted({key for slots in weeks.values() for key in slots})
    shares = dict.fromkeys(keys, 1 / len(keys))
    totals: dict[date, float] = {}
    for _ in range(_ROUNDS):
        totals = {}
        for monday, slots in weeks.items():
            covered = math.fsum(shares[k] for k in slots)
            if covered > 0:
                totals[monday] = math.fsum(slots.values()) / covered
        ratios: dict[SlotKey, list[float]] = defaultdict(list)
        for monday, total in totals.items():
            if total > 0:
                for key, offered in weeks[monday].items():
                    ratios[key].append(offered / total)
        raw = {k: statistics.fmean(ratios[k]) if ratios[k] else 0.0 for k in keys}
        norm = math.fsum(raw.values())
        if norm == 0:  # only zeros ever offered
            break
        new = {k: v / norm for k, v in raw.items()}
        moved = max(abs(new[k] - shares[k]) for k in keys)
        shares = new
        if moved < _CONVERGED:
            break
    xs = [float(_week_number(m)) for m in totals]
    ys = list(totals.values())
    if not ys:
        return _Model(shares, 0.0, 0.0, 0.0)
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = 0.0
    if len(ys) >= 2:
        slope = statistics.linear_regression([x - mean_x for x in xs], ys).slope
    return _Model(shares, mean_x, mean_y, slope)


def _check_monday(day: date) -> None:
    if day.weekday() != 0:
        raise ValueError(f"weeks run Monday-Sunday local time; {day} is not a Monday")


def forecast_next_week(history: History, week_start_local_date: date) -> list[ForecastPoint]:
    """Mean offered calls for every slot seen in history, in the week from that Monday.

    The history must end before the week starts (no peeking). Slots the local
    clock skips that week (spring-forward) are left out. Sorted by time.
    """
    _check_monday(week_start_local_date)
    weeks = _by_week(history)
    if weeks and max(weeks) >= week_start_local_date:
        raise ValueError(f"history reaches into the week of {week_start_local_date}")
    predicted = _fit(weeks).predict(week_start_local_date)
    points = []
    for (weekday, at), value in predicted.items():
        start = local_instant(week_start_local_date + timedelta(days=weekday), at)
        if start is not None:
            points.append(ForecastPoint(start, value))
    return sorted(points, key=lambda p: p.interval_start)


@dataclass(frozen=True)
class Accuracy:
    """Errors over the compared intervals; percentages are fractions (0.1 = 10%).

    ``mape`` is over intervals with nonzero actuals only (None if there are none);
    ``smape`` is ``mean(2|F-A| / (|F|+|A|))`` with 0/0 counted as a perfect 0.
    """

    intervals: int
    mae: float
    rmse: float
    mape: float | None
    smape: float


@dataclass(frozen=True)
class BacktestResult:
    weeks: tuple[date, ...]  # the Mondays forecast, oldest first
    model: Accuracy
    naive: Accuracy  # seasonal naive: the same slot one week earlier


def _accuracy(pairs: list[tuple[float, float]]) -> Accuracy:
    errors = [f - a for f, a in pairs]
    nonzero = [abs(f - a) / a for f, a in pairs if a != 0]
    sym = [0.0 if f == a == 0 else 2 * abs(f - a) / (abs(f) + abs(a)) for f, a in pairs]
    return Accuracy(
        intervals=len(pairs),
        mae=statistics.fmean(abs(e) for e in errors),
        rmse=math.sqrt(statistics.fmean(e * e for e in errors)),
        mape=statistics.fmean(nonzero) if nonzero else None,
        smape=statistics.fmean(sym),
    )


def backtest(history: History, weeks: int = 4) -> BacktestResult:
    """Rolling origin over the last ``weeks`` weeks that have data.

    Each week is forecast from the weeks before it only. Model and naive are scored
    on the same intervals: those with an actual, a model forecast (the slot was
    seen before) and a value in the same slot one calendar week earlier.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    by_week = _by_week(history)
    mondays = sorted(by_week)
    if len(mondays) < weeks + 1:
        raise ValueError(
            f"backtesting {weeks} week(s) needs at least {weeks + 1} weeks of history, "
            f"got {len(mondays)}"
        )
    model_pairs: list[tuple[float, float]] = []
    naive_pairs: list[tuple[float, float]] = []
    targets = mondays[-weeks:]
    for target in targets:
        predicted = _fit({m: s for m, s in by_week.items() if m < target}).predict(target)
        last_week: Mapping[SlotKey, float] = by_week.get(target - timedelta(days=7), {})
        for key, actual in sorted(by_week[target].items()):
            if key in predicted and key in last_week:
                model_pairs.append((predicted[key], actual))
                naive_pairs.append((last_week[key], actual))
    if not model_pairs:
        raise ValueError("no interval could be compared (no slot seen in the week before)")
    return BacktestResult(tuple(targets), _accuracy(model_pairs), _accuracy(naive_pairs))
