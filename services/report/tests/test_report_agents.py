"""The model next to the agents on shift: averages over the evenings and the verdicts."""

from __future__ import annotations

from datetime import date, time

import pytest

from hotline_capacity.staffing import StaffingResult
from hotline_capacity.whatif import IntervalLoad, IntervalStaffing
from hotline_report.agents import AgentIntervalRow, compare
from hotline_report.profile import SlotFigures

MONDAYS = [date(2013, 3, 4), date(2013, 3, 11)]


def staffing(start: time, agents: int) -> IntervalStaffing:
    result = StaffingResult(agents, agents + 1, 0.8, 0.7, 0.3, 10.0)
    return IntervalStaffing(IntervalLoad(0, start, 10.0, 12.0, 300.0), result, result)


def profile(start: time, service_level: float | None) -> SlotFigures:
    return SlotFigures(0, start, 2, 10.0, 12.0, 18, 2, 300.0, 0.1, service_level)


def row(day: date, minute: int, logged: float, paused: float = 0.0) -> AgentIntervalRow:
    busy = (logged - paused) * 0.6
    return AgentIntervalRow(
        day, minute, logged, paused, busy / 6, busy * 5 / 6, logged - paused - busy
    )


def test_verdicts_and_averages_over_the_evenings() -> None:
    slots = [time(18, 30), time(19, 0), time(19, 30), time(20, 0), time(20, 30)]
    rows = [
        # 18:30: 4 logged in on both Mondays, 1 of them on a break: staffed 3, needed 3.
        *(row(d, 1110, 4 * 1800, 1800) for d in MONDAYS),
        # 19:00: staffed 2 and 3 (mean 2.5) against 3 needed: fewer than the model needs.
        row(MONDAYS[0], 1140, 2 * 1800),
        row(MONDAYS[1], 1140, 3 * 1800),
        # 19:30: 5 on the phones against 3.
        *(row(d, 1170, 5 * 1800) for d in MONDAYS),
        # 20:00: staffed as needed, but the service level was 60 % against 80 %.
        *(row(d, 1200, 3 * 1800) for d in MONDAYS),
        # 20:30: no agent events; and a Sunday (not an open Monday) is ignored.
        row(date(2013, 3, 10), 1230, 9 * 1800),
    ]
    result = compare(
        rows,
        MONDAYS,
        [staffing(s, 3) for s in slots],
        [profile(s, 0.6 if s == time(20, 0) else 0.9) for s in slots],
        target=0.8,
    )
    assert [s.verdict for s in result] == [
        "agrees",
        "understaffed",
        "overstaffed",
        "model_optimistic",
        "no_agent_events",
    ]
    first = result[0]
    assert (first.evenings, first.logged_in_mean, first.staffed_mean) == (2, 4.0, 3.0)
    assert first.gap == 0.0
    assert first.occupancy == pytest.approx(0.6)
    assert result[1].staffed_mean == pytest.approx(2.5)
    assert (result[4].logged_in_mean, result[4].gap) == (None, None)
