"""Section 4, the forecast for the weeks after the range, with the back-test (pure).

The forecast starts on the Monday after the range's last open evening (after the pilot, when
the range is the pilot) and covers `weeks` weeks. Open evenings and their half hours come from
the calendar: the opening schedule while it runs, after it the pilot's weekly hours closed on
the Danish public holidays (`hotline_schemas.holidays.hours_after`, an assumption the document
states). Each forecast half hour is staffed like section 2: Erlang for the calls that will
reach the queue (the forecast of offered calls times the range's share of them that did),
with that half hour's handling time, the patience, the shrinkage and the target.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hotline_capacity.staffing import required_agents
from hotline_report.pilot.forecast import Backtest, Cell, Model, backtest, forecast
from hotline_report.pilot.grid import Evening, monday_of, slots_of
from hotline_report.pilot.service import ServiceSection
from hotline_schemas.holidays import closed_reason_after, hours_after
from hotline_schemas.hours import OpeningSchedule

__all__ = ["ForecastWeek", "OutlookSection", "outlook"]


@dataclass(frozen=True)
class ForecastWeek:
    monday: date
    evenings: int
    closed: list[tuple[date, str]]  # open weekdays closed that week, with the reason
    calls: float  # offered within the opening hours, forecast
    peak_half_hour: float  # the busiest half hour's forecast calls
    agent_hours: float  # rostered for it
    peak_agents: int


@dataclass(frozen=True)
class OutlookSection:
    start: date | None
    weeks: list[ForecastWeek]
    model: Model | None
    backtest: Backtest | None
    holdout_weeks: int
    note: str  # why there is no back-test or forecast, or ""
    history_weeks: list[tuple[date, int]]  # Monday, calls: the range's weeks
    schedule_ends: date | None  # the schedule's last day, when the forecast goes past it

    @property
    def calls(self) -> float:
        return math.fsum(w.calls for w in self.weeks)


def _history(evenings: Sequence[Evening]) -> list[Cell]:
    return [Cell(e.local_date, c.slot_minute, c.offered) for e in evenings for c in e.cells]


def outlook(
    evenings: Sequence[Evening],
    service: ServiceSection,
    schedule: OpeningSchedule,
    *,
    weeks: int,
    holdout_weeks: int,
) -> OutlookSection:
    history = _history(evenings)
    weekly: dict[date, int] = defaultdict(int)
    for cell in history:
        weekly[monday_of(cell.local_date)] += cell.offered
    history_weeks = sorted(weekly.items())
    result: Backtest | None = None
    note = ""
    try:
        result = backtest(history, holdout_weeks)
    except ValueError as exc:
        note = str(exc)
    if not evenings:
        return OutlookSection(
            None, [], None, result, holdout_weeks, note or "no open evening", history_weeks, None
        )
    start = monday_of(evenings[-1].local_date) + timedelta(days=7)

    def open_slots(day: date) -> list[int]:
        return slots_of(hours_after(schedule, day))

    model, cells = forecast(history, start, weeks * 7, open_slots)
    a = service.assumptions
    handle = {(s.weekday, s.slot_minute): s.handle_seconds for s in service.slots}
    fallback = a.talk_seconds + a.wrap_up_seconds
    by_week: dict[date, list[tuple[date, int, float, int]]] = defaultdict(list)
    for c in cells:
        need = required_agents(
            calls=c.offered_mean * service.arrival_share,
            interval_minutes=30,
            aht_seconds=handle.get((c.local_date.weekday(), c.slot_minute), fallback),
            answer_within_seconds=a.answer_within_seconds,
            target_service_level=a.target,
            max_occupancy=a.max_occupancy,
            shrinkage=a.shrinkage,
            patience_seconds=a.patience_seconds,
        )
        by_week[monday_of(c.local_date)].append(
            (c.local_date, c.slot_minute, c.offered_mean, need.rostered_agents)
        )
    out = []
    for n in range(weeks):
        week = start + timedelta(days=7 * n)
        rows = by_week.get(week, [])
        closed = []
        for d in (week + timedelta(days=k) for k in range(7)):
            reason = closed_reason_after(schedule, d)
            if reason is not None:
                closed.append((d, reason))
        out.append(
            ForecastWeek(
                monday=week,
                evenings=len({d for d, *_ in rows}),
                closed=closed,
                calls=math.fsum(r[2] for r in rows),
                peak_half_hour=max((r[2] for r in rows), default=0.0),
                agent_hours=sum(r[3] for r in rows) * 0.5,
                peak_agents=max((r[3] for r in rows), default=0),
            )
        )
    ends = schedule.last_day
    return OutlookSection(
        start=start,
        weeks=out,
        model=model,
        backtest=result,
        holdout_weeks=holdout_weeks,
        note=note,
        history_weeks=history_weeks,
        schedule_ends=ends
        if ends is not None and ends < start + timedelta(days=7 * weeks)
        else None,
    )
