"""The weekly profile from per-evening half hours (pure functions, hand-computed answers)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from hotline_report.profile import (
    IntervalRow,
    estimate_patience,
    fill_open_evenings,
    percentile,
    pooled_aht,
    to_interval_loads,
    weekly_profile,
)


def row(day: str, slot: str, offered: int, **more: Any) -> IntervalRow:
    local_day = date.fromisoformat(day)
    hour, minute = (int(x) for x in slot.split(":"))
    # Winter time in these tests: UTC is local minus one hour.
    start = datetime.combine(local_day, time(hour - 1, minute), tzinfo=UTC)
    return IntervalRow(local_day, hour * 60 + minute, start, offered, **more)


def test_percentile_interpolates_between_order_statistics() -> None:
    assert percentile([4, 2], 0.9) == pytest.approx(3.8)
    assert percentile(list(range(11)), 0.9) == pytest.approx(9.0)
    assert percentile([7], 0.9) == 7
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.9)


def test_open_evenings_get_zeros_where_a_half_hour_had_no_call() -> None:
    grid = fill_open_evenings(
        [
            row("2013-03-03", "18:30", 4),  # Sunday
            row("2013-03-03", "19:00", 2),
            row("2013-03-10", "18:30", 2),  # next Sunday: nobody at 19:00
            row("2013-03-04", "18:30", 1),  # Monday: only ever 18:30
        ]
    )
    cells = {(str(r.local_date), r.start.strftime("%H:%M")): r.offered for r in grid}
    assert cells == {
        ("2013-03-03", "18:30"): 4,
        ("2013-03-03", "19:00"): 2,
        ("2013-03-04", "18:30"): 1,
        ("2013-03-10", "18:30"): 2,
        ("2013-03-10", "19:00"): 0,
    }
    filled = next(r for r in grid if r.offered == 0)
    assert filled.interval_start == datetime(2013, 3, 10, 18, 0, tzinfo=UTC)
    assert [r.interval_start for r in grid] == sorted(r.interval_start for r in grid)


def test_a_half_hour_listed_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        fill_open_evenings([row("2013-03-03", "18:30", 1), row("2013-03-03", "18:30", 2)])


def test_weekly_profile_means_p90_and_observed_outcomes() -> None:
    grid = fill_open_evenings(
        [
            row("2013-03-03", "19:00", 2, answered=1, abandoned=1, talked=1, talk_seconds_sum=200),
            row("2013-03-10", "18:30", 1, answered=1, answered_within=1),
        ]
    )
    profile = {(p.weekday, p.start.strftime("%H:%M")): p for p in weekly_profile(grid)}
    late = profile[(6, "19:00")]
    assert (late.evenings, late.offered_mean, late.offered_p90) == (2, 1.0, pytest.approx(1.8))
    assert late.abandonment_rate == 0.5
    assert late.aht_seconds == 200
    early = profile[(6, "18:30")]
    assert early.aht_seconds is None  # nobody talked
    assert early.service_level == 1.0


def test_patience_is_total_waiting_over_abandons() -> None:
    rows = [
        row("2013-03-03", "18:30", 3, abandoned=1, waited_seconds_sum=120),
        row("2013-03-04", "18:30", 2, abandoned=2, waited_seconds_sum=180),
    ]
    patience = estimate_patience(rows)
    assert (patience.seconds, patience.abandons) == (100.0, 3)
    assert estimate_patience([row("2013-03-03", "18:30", 2, waited_seconds_sum=50)]).seconds is None


def test_interval_loads_use_the_slot_aht_else_the_default_plus_wrap_up() -> None:
    rows = [
        row("2013-03-03", "18:30", 2, talked=2, talk_seconds_sum=500),
        row("2013-03-03", "19:00", 1),
    ]
    assert pooled_aht(rows) == 250
    loads = to_interval_loads(
        weekly_profile(fill_open_evenings(rows)),
        default_aht_seconds=300,
        wrap_up_seconds=30,
        patience_seconds=120,
    )
    assert [(load.aht_seconds, load.patience_seconds) for load in loads] == [
        (280, 120),
        (330, 120),
    ]
    with pytest.raises(ValueError, match="wrap-up"):
        to_interval_loads([], default_aht_seconds=300, wrap_up_seconds=-1)
