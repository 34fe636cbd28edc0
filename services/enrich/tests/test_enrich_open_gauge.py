"""The `hotline_open` gauge follows the configured schedule at every scrape."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry

from hotline_enrich.metrics import EnrichMetrics, open_value, track_opening_hours
from hotline_schemas.hours import OpeningSchedule

# Sunday 6 January 2013; Copenhagen is UTC+1 in winter.
SUNDAY_19_LOCAL = datetime(2013, 1, 6, 18, 0, tzinfo=UTC)
SUNDAY_2215_LOCAL = datetime(2013, 1, 6, 21, 15, tzinfo=UTC)
FRIDAY_19_LOCAL = datetime(2013, 1, 11, 18, 0, tzinfo=UTC)


def test_open_value_follows_the_press_release_hours() -> None:
    schedule = OpeningSchedule()
    assert open_value(schedule, SUNDAY_19_LOCAL) == 1.0
    assert open_value(schedule, SUNDAY_2215_LOCAL) == 0.0
    assert open_value(schedule, FRIDAY_19_LOCAL) == 0.0


def test_gauge_is_computed_when_scraped() -> None:
    now = [SUNDAY_19_LOCAL]
    metrics = EnrichMetrics(CollectorRegistry())
    track_opening_hours(metrics, OpeningSchedule(), clock=lambda: now[0])
    assert metrics.registry.get_sample_value("hotline_open") == 1.0
    now[0] = SUNDAY_2215_LOCAL
    assert metrics.registry.get_sample_value("hotline_open") == 0.0
