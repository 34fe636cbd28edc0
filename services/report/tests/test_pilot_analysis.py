"""The pilot report's pure analysis over the small, hand-built view rows of conftest.py
(`small_pilot`): every expected figure is worked out from those rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from hotline_report.pilot.analysis import PilotOptions, analyse, data_weeks
from hotline_report.pilot.data import (
    PilotData,
)
from hotline_report.pilot.grid import open_evenings, slots_of
from hotline_report.pilot.quality import DeadLetters, count_letters
from hotline_report.pilot.service import (
    SHRINKAGE_ASSUMED,
    WRAP_UP_ASSUMED_S,
    ServiceOptions,
    assess,
)
from hotline_schemas.hours import load_schedule
from hotline_schemas.privacy import make_dead_letter

SCHEDULE = load_schedule(None)
SUN, MON, FRI, SUN2 = date(2013, 3, 3), date(2013, 3, 4), date(2013, 3, 8), date(2013, 3, 10)


def test_open_evenings_are_dates_with_calls_within_hours_filled_to_the_schedule(
    small_pilot: PilotData,
) -> None:
    data = small_pilot
    evenings = open_evenings(data.days, data.intervals, SCHEDULE.hours_on)
    assert [e.local_date for e in evenings] == [SUN, MON]
    assert [c.slot_minute for c in evenings[1].cells] == [1110, 1140, 1170, 1200, 1230, 1260, 1290]
    assert [c.offered for c in evenings[1].cells] == [3, 0, 0, 0, 0, 0, 1]
    assert evenings[0].has_agent_events
    assert not evenings[1].has_agent_events
    # The agent's half hour before opening is an agent row, not an open half hour.
    assert 18 * 60 in [r.slot_minute for r in evenings[0].agent_rows]
    assert slots_of(SCHEDULE.hours_on(SUN)) == [1110, 1140, 1170, 1200, 1230, 1260, 1290]


def test_summary_figures_follow_the_kpi_definitions(small_pilot: PilotData) -> None:
    result = analyse(small_pilot, PilotOptions(), SCHEDULE, DeadLetters(False, "test", []))
    h = result.summary.headline
    assert (h.calls, h.open_evenings, h.closed_calls, h.callers) == (14, 2, 5, 9)
    # 8 within 20 s of 10 answered + 2 abandoned; the short abandon and the menu hang-up in
    # no ratio.
    assert h.service_level == pytest.approx(8 / 12)
    assert h.abandonment_rate == pytest.approx(2 / 12)
    assert h.average_wait == pytest.approx(140 / 10)
    assert h.calls_per_evening == pytest.approx(7.0)
    (march,) = result.summary.months
    assert march.month == date(2013, 3, 1)
    assert march.figures == h
    by_name = {m.name: m for m in result.summary.municipalities}
    assert by_name["Odder"].calls.rate == pytest.approx(2 * 1000 / 21800)
    assert by_name["Aarhus"].callers.count == 8
    assert result.summary.attributed_calls == 12
    assert [t.topic for t in result.summary.topics] == ["nemid_login", "case_status"]
    assert result.summary.topics[1].share == pytest.approx(4 / 14)
    assert {(d.weekday, d.evenings, d.calls) for d in result.summary.weekdays} == {
        (6, 1, 10),
        (0, 1, 4),
    }
    assert result.summary.closed_by_weekday_hour == {(4, 19): 3, (6, 22): 2}
    assert result.summary.trend is None  # ten days: too short for a trend


def test_service_estimates_come_from_agent_events_where_they_exist(
    small_pilot: PilotData,
) -> None:
    data = small_pilot
    evenings = open_evenings(data.days, data.intervals, SCHEDULE.hours_on)
    section = assess(evenings, ServiceOptions())
    a = section.assumptions
    # Wrap-up: 180 s on Sunday's evening over its 6 answered calls.
    assert (a.wrap_up_seconds, a.wrap_up_source) == (pytest.approx(30.0), "agent_events")
    # Shrinkage: 600 s paused of 7 x 1800 s logged in during the open half hours.
    assert (a.shrinkage, a.shrinkage_source) == (pytest.approx(600 / 12600), "agent_events")
    # Patience: 320 s of queue waiting (answered and abandoned) over 2 abandons.
    assert (a.patience_seconds, a.patience_source) == (pytest.approx(160.0), "estimated")
    assert a.talk_seconds == pytest.approx(2800 / 10)
    assert (a.evenings, a.evenings_with_agents) == (2, 1)
    # Sunday 19:00: 5 calls that count (3 answered + 2 abandoned), agents on the phones
    # (1800 - 600) / 1800.
    sunday_19 = next(s for s in section.slots if (s.weekday, s.slot_minute) == (6, 1140))
    assert sunday_19.arrivals_mean == 5
    assert sunday_19.staffed_mean == pytest.approx(2 / 3)
    assert sunday_19.service_level == pytest.approx(1 / 5)
    assert sunday_19.handle_seconds == pytest.approx(2800 / 10 + 30)  # few calls: pooled talk
    assert sunday_19.model_service_level is not None
    assert sunday_19.model_service_level < sunday_19.needed.service_level
    # Agent-hours: Sunday's 3.5 open hours logged in (plus 0.25 h before opening).
    assert section.agent_hours_per_week == pytest.approx(3.5)
    assert section.overhead_hours_per_week == pytest.approx(0.25)
    assert section.arrival_share == pytest.approx(12 / 14)


def test_without_agent_events_the_assumptions_are_stated_and_given_values_win(
    small_pilot: PilotData,
) -> None:
    data = small_pilot
    bare = [replace(c, logged_in_seconds=0.0, paused_seconds=0.0, wrap_up_seconds=0.0)
            for c in data.intervals]  # fmt: skip
    evenings = open_evenings(data.days, bare, SCHEDULE.hours_on)
    a = assess(evenings, ServiceOptions()).assumptions
    assert (a.wrap_up_seconds, a.wrap_up_source) == (WRAP_UP_ASSUMED_S, "assumed")
    assert (a.shrinkage, a.shrinkage_source) == (SHRINKAGE_ASSUMED, "assumed")
    given = assess(evenings, ServiceOptions(shrinkage=0.3, wrap_up_seconds=45.0,
                                            patience_seconds=0.0)).assumptions  # fmt: skip
    assert (given.shrinkage, given.shrinkage_source) == (0.3, "given")
    assert (given.wrap_up_seconds, given.wrap_up_source) == (45.0, "given")
    assert (given.patience_seconds, given.patience_source, given.model) == (
        None,
        "erlang_c",
        "erlang_c",
    )


def test_options_unserved_demand_and_quality(small_pilot: PilotData) -> None:
    result = analyse(small_pilot, PilotOptions(), SCHEDULE, DeadLetters(False, "test", []))
    keys = [r.key for r in result.permanent.options]
    assert keys[:3] == ["today", "shorter", "longer"]
    assert "without_largest" in keys
    assert "trend_year" not in keys  # no trend from ten days
    today = result.permanent.options[0].cost
    assert today is not None
    assert today.agent_hours_per_person == pytest.approx(today.agent_hours_per_week / 19)
    u = result.permanent.unserved
    assert (u.out_of_scope_calls, u.out_of_scope_answered, u.closed_calls) == (1, 1, 5)
    a = result.service.assumptions
    assert u.out_of_scope_agent_hours == pytest.approx((400 + a.wrap_up_seconds) / 3600)
    assert u.weeks == data_weeks(result.evenings) == 2  # Sunday 3 and Monday 4 March
    q = result.quality
    assert (q.calls, q.within_hours, q.closed_calls, q.imported, q.live) == (19, 14, 5, 4, 15)
    assert (q.no_postcode, q.unknown_postcode, q.outside_catchment, q.catchment) == (2, 1, 1, 15)
    # Open by the schedule from 1 to 10 March: Sun 3, Mon 4 ... Thu 7, Sun 10.
    assert q.scheduled == [date(2013, 3, d) for d in (3, 4, 5, 6, 7, 10)]
    assert q.missing_evenings == [date(2013, 3, d) for d in (5, 6, 7, 10)]
    assert q.unscheduled_evenings == []
    moving = result.permanent.break_even_moving
    assert moving.answered_calls_per_week == 0  # nobody called about moving
    assert moving.coefficient is None


def test_dead_letters_are_counted_by_rejection_and_by_event_time() -> None:
    first, last = date(2013, 3, 1), date(2013, 3, 31)
    inside = b'{"occurred_at": "2013-03-03T18:40:00+01:00", "caller_number": "+4512345678"}'
    outside = b'{"occurred_at": "2013-05-03T18:40:00+02:00"}'

    def letter(payload: bytes, at: datetime) -> bytes:
        return (
            make_dead_letter(
                stage="ingest", reason="bad", payload=payload, keys=None, rejected_at=at
            )
            .model_dump_json()
            .encode()
        )

    records = [
        letter(inside, datetime(2013, 3, 3, 17, 41, tzinfo=UTC)),  # live: both in the range
        letter(inside, datetime(2024, 1, 5, 9, 0, tzinfo=UTC)),  # imported years later
        letter(outside, datetime(2013, 5, 3, 16, 41, tzinfo=UTC)),
        letter(b"1362332400|x|QUEUE|...", datetime(2013, 3, 31, 22, 30, tzinfo=UTC)),
        b"not a dead letter",
        None,
    ]
    counted = count_letters("hotline.call-events.raw.dlq", records, first, last)
    assert counted.total == 6
    assert counted.not_dead_letters == 2
    # 31 March 22:30 UTC is 1 April 00:30 in Copenhagen: outside March.
    assert counted.rejected_in_range == 1
    assert counted.events_in_range == 2
    assert counted.without_event_time == 1
