"""Calls per half hour for the weeks after the pilot, and how well that forecast did on weeks
held back from it next to the seasonal-naive forecast (pure functions).

The model, chosen to be hard to beat on a year of evening data and easy to explain:

- **level**: for each weekday and half hour, the mean of the calls in that half hour over the
  last `LEVEL_EVENINGS` open evenings of that weekday (a closed evening, such as a holiday, is
  not an evening with zero calls: it is skipped, so it pulls no level down);
- **trend**: the growth of the calls per evening estimated over the whole history
  (`stats.poisson_trend`: weekday effects and a log-linear trend), carried from the middle of
  the evenings behind the level to the forecast date; none with less than eight weeks;
- **holidays**: from the calendar (the opening schedule, and after it the Danish public
  holidays, `hotline_schemas.holidays`): a closed evening gets no forecast and no staff.

The **seasonal-naive** forecast is the same half hour one week earlier; when that evening was
closed (a holiday), the same half hour on the latest open evening of that weekday before it.

The back-test holds back the last weeks of the history and forecasts each from the weeks
before it only (rolling origin, one week ahead: the same information the naive forecast has);
both are scored on the same half hours (those with a naive value).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hotline_report.pilot.stats import poisson_trend

__all__ = [
    "LEVEL_EVENINGS",
    "Accuracy",
    "Backtest",
    "Cell",
    "Model",
    "WeekScore",
    "backtest",
    "fit",
    "forecast",
    "seasonal_naive",
]

LEVEL_EVENINGS = 8

SlotKey = tuple[int, int]  # (weekday Monday = 0, local minutes after midnight)


@dataclass(frozen=True)
class Cell:
    """One half hour of one open evening: calls offered within the opening hours (0 counts)."""

    local_date: date
    slot_minute: int
    offered: int

    @property
    def key(self) -> SlotKey:
        return self.local_date.weekday(), self.slot_minute


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Model:
    origin: date  # fitted on evenings before this date
    levels: dict[SlotKey, float]
    centres: dict[int, date]  # per weekday: the middle of the evenings behind its level
    slope_per_year: float  # 0 without a trend estimate
    trend_used: bool

    def predict(self, day: date, slot_minute: int) -> float | None:
        level = self.levels.get((day.weekday(), slot_minute))
        if level is None:
            return None
        years = (day - self.centres[day.weekday()]).days / 365.25
        return level * math.exp(self.slope_per_year * years)


def fit(history: Iterable[Cell], origin: date, level_evenings: int = LEVEL_EVENINGS) -> Model:
    """The model from the evenings before `origin`."""
    if level_evenings < 1:
        raise ValueError(f"level_evenings must be >= 1, got {level_evenings}")
    cells = [c for c in history if c.local_date < origin]
    by_weekday: dict[int, set[date]] = defaultdict(set)
    for c in cells:
        by_weekday[c.local_date.weekday()].add(c.local_date)
    recent = {w: sorted(days)[-level_evenings:] for w, days in by_weekday.items()}
    wanted = {d for days in recent.values() for d in days}
    sums: dict[SlotKey, float] = defaultdict(float)
    for c in cells:
        if c.local_date in wanted:
            sums[c.key] += c.offered
    levels = {key: total / len(recent[key[0]]) for key, total in sums.items()}
    centres = {
        w: days[0] + timedelta(days=round(statistics.fmean((d - days[0]).days for d in days)))
        for w, days in recent.items()
    }
    evening_totals: dict[date, int] = defaultdict(int)
    for c in cells:
        evening_totals[c.local_date] += c.offered
    trend = poisson_trend(sorted(evening_totals.items()))
    slope = trend.slope_per_year if trend is not None else 0.0
    return Model(origin, levels, centres, slope, trend is not None)


def seasonal_naive(history: Iterable[Cell], day: date, slot_minute: int) -> float | None:
    """The same half hour a week earlier; if that evening was closed, the latest open evening
    of the weekday before it. `history` holds the open evenings' half hours, zeros included."""
    return _Naive(history).predict(day, slot_minute)


class _Naive:
    def __init__(self, history: Iterable[Cell]) -> None:
        self.by_cell = {(c.local_date, c.slot_minute): c.offered for c in history}
        self.evenings = {d for d, _ in self.by_cell}
        self.earliest = min(self.evenings, default=date.max)

    def predict(self, day: date, slot_minute: int) -> float | None:
        back = day - timedelta(days=7)
        while back >= self.earliest:
            if back in self.evenings:
                return float(self.by_cell.get((back, slot_minute), 0))
            back -= timedelta(days=7)
        return None


@dataclass(frozen=True)
class Accuracy:
    """Errors per half hour (calls) and per week (the week's total calls)."""

    half_hours: int
    mae: float
    rmse: float
    weekly_mae: float
    bias: float  # mean forecast - actual per half hour


@dataclass(frozen=True)
class WeekScore:
    week: date  # the Monday
    actual: int
    model: float
    naive: float


@dataclass(frozen=True)
class Backtest:
    weeks: tuple[date, ...]  # the Mondays held back, oldest first
    model: Accuracy
    naive: Accuracy
    per_week: list[WeekScore]

    @property
    def model_better(self) -> bool:
        return self.model.mae < self.naive.mae

    @property
    def mae_change(self) -> float:
        """The model's MAE relative to the naive one's, minus one (-0.2: 20 % smaller)."""
        return self.model.mae / self.naive.mae - 1 if self.naive.mae else 0.0


def _accuracy(
    pairs: Sequence[tuple[float, float]], weekly: Sequence[tuple[float, float]]
) -> Accuracy:
    errors = [f - a for f, a in pairs]
    return Accuracy(
        half_hours=len(pairs),
        mae=statistics.fmean(abs(e) for e in errors),
        rmse=math.sqrt(statistics.fmean(e * e for e in errors)),
        weekly_mae=statistics.fmean(abs(f - a) for f, a in weekly),
        bias=statistics.fmean(errors),
    )


def backtest(history: Sequence[Cell], weeks: int, level_evenings: int = LEVEL_EVENINGS) -> Backtest:
    """Hold back the last `weeks` weeks with data; forecast each from the weeks before it."""
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    mondays = sorted({monday(c.local_date) for c in history})
    if len(mondays) < weeks + 2:
        raise ValueError(
            f"holding back {weeks} week(s) needs at least {weeks + 2} weeks with data, "
            f"there are {len(mondays)}"
        )
    held = mondays[-weeks:]
    model_pairs: list[tuple[float, float]] = []
    naive_pairs: list[tuple[float, float]] = []
    model_weeks: list[tuple[float, float]] = []
    naive_weeks: list[tuple[float, float]] = []
    per_week = []
    for start in held:
        model = fit(history, start, level_evenings)
        naive_of = _Naive(c for c in history if c.local_date < start)
        week = [c for c in history if start <= c.local_date < start + timedelta(days=7)]
        actual = model_sum = naive_sum = 0.0
        for c in week:
            predicted = model.predict(c.local_date, c.slot_minute)
            naive = naive_of.predict(c.local_date, c.slot_minute)
            if predicted is None or naive is None:
                continue
            model_pairs.append((predicted, c.offered))
            naive_pairs.append((naive, c.offered))
            actual += c.offered
            model_sum += predicted
            naive_sum += naive
        model_weeks.append((model_sum, actual))
        naive_weeks.append((naive_sum, actual))
        per_week.append(WeekScore(start, int(actual), model_sum, naive_sum))
    if not model_pairs:
        raise ValueError("no held-back half hour had both forecasts")
    return Backtest(
        tuple(held),
        _accuracy(model_pairs, model_weeks),
        _accuracy(naive_pairs, naive_weeks),
        per_week,
    )


@dataclass(frozen=True)
class ForecastCell:
    local_date: date
    slot_minute: int
    offered_mean: float


def forecast(
    history: Sequence[Cell],
    start: date,
    days: int,
    open_slots: Callable[[date], Sequence[int]],
    level_evenings: int = LEVEL_EVENINGS,
) -> tuple[Model, list[ForecastCell]]:
    """The model fitted on everything before `start`, and its forecast for every open half
    hour (by `open_slots`, the calendar) of the `days` days from `start`."""
    model = fit(history, start, level_evenings)
    out = []
    for n in range(days):
        day = start + timedelta(days=n)
        for slot in open_slots(day):
            predicted = model.predict(day, slot)
            if predicted is not None:
                out.append(ForecastCell(day, slot, predicted))
    return model, out
