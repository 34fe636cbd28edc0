"""Labelled counters the alert rules read exist at 0 before anything goes wrong."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from hotline_sink.metrics import DEAD_LETTER_KINDS, INSERT_FAILURE_KINDS, SinkMetrics


def test_failure_and_dead_letter_kinds_start_at_zero() -> None:
    registry = CollectorRegistry()
    SinkMetrics.create(registry)
    for kind in INSERT_FAILURE_KINDS:
        assert registry.get_sample_value("hotline_sink_insert_failures_total", {"kind": kind}) == 0
    for kind in DEAD_LETTER_KINDS:
        assert registry.get_sample_value("hotline_sink_dead_letters_total", {"kind": kind}) == 0


def test_end_to_end_histogram_has_the_slo_bucket() -> None:
    registry = CollectorRegistry()
    SinkMetrics.create(registry).end_to_end_latency.observe(4.0)
    assert registry.get_sample_value("hotline_sink_end_to_end_seconds_bucket", {"le": "5.0"}) == 1
