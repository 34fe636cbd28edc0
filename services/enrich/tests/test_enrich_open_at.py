"""The per-minute memory of opening hours gives the same answers as the schedule itself."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta

from hotline_enrich.context import load_context
from hotline_enrich.enrichment import EnrichmentContext
from hotline_enrich.hours import Interval, OpeningSchedule, Weekday, is_open
from hotline_enrich.settings import Settings


def _ctx(schedule: OpeningSchedule) -> EnrichmentContext:
    base = load_context(Settings(pseudonym_secret="a-test-secret-of-some-length"))
    return dataclasses.replace(base, schedule=schedule)


def test_remembered_answers_match_the_schedule_across_both_dst_switches() -> None:
    schedule = OpeningSchedule()
    ctx = _ctx(schedule)
    # The Sundays daylight saving started and ended in 2013, evenings of both, every 17 s.
    for day in (
        datetime(2013, 3, 31, 15, 0, tzinfo=UTC),
        datetime(2013, 10, 27, 16, 0, tzinfo=UTC),
    ):
        for step in range(0, 6 * 3600, 17):
            instant = day + timedelta(seconds=step)
            assert ctx.open_at(instant) == is_open(schedule, instant), instant
    assert ctx.open_at(datetime(2013, 3, 31, 16, 30, tzinfo=UTC))
    assert not ctx.open_at(datetime(2013, 3, 31, 16, 29, 59, tzinfo=UTC))


def test_a_schedule_with_second_boundaries_is_not_remembered_per_minute() -> None:
    odd = OpeningSchedule(
        weekly={Weekday.SUNDAY: (Interval(start=time(18, 30, 30), end=time(22, 0)),)}
    )
    ctx = _ctx(odd)
    opening = datetime(2013, 3, 31, 16, 30, 30, tzinfo=UTC)  # 18:30:30 CEST
    assert not ctx.open_at(opening - timedelta(seconds=1))
    assert ctx.open_at(opening)
