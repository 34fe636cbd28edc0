"""Prometheus metrics of the enrich service, on a registry passed in (tests use their own)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from hotline_enrich.hours import OpeningSchedule, is_open

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
AGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)


class EnrichMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.consumed = Counter(
            "hotline_enrich_events_consumed", "Raw events read.", registry=registry
        )
        self.enriched = Counter(
            "hotline_enrich_events_enriched", "Events enriched and produced.", registry=registry
        )
        self.dead_lettered = Counter(
            "hotline_enrich_events_dead_lettered",
            "Raw events rejected to the dead-letter topic.",
            registry=registry,
        )
        self.processing_failures = Counter(
            "hotline_enrich_processing_failures",
            "Events this stage could not process (an exception); each was dead-lettered.",
            registry=registry,
        )
        self.partition_rewinds = Counter(
            "hotline_enrich_partition_rewinds",
            "Raw partitions sought back to their committed offset because the commit was "
            "stuck behind a message Faust dropped (see hotline_enrich/stall.py).",
            registry=registry,
        )
        self.ready = Gauge(
            "hotline_enrich_ready",
            "1 when the last readiness check (GET /readyz on the web port) passed.",
            registry=registry,
        )
        self.produce_failures = Counter(
            "hotline_enrich_produce_failures",
            "Produces Kafka did not acknowledge (the source offset stays uncommitted).",
            registry=registry,
        )
        self.records = Counter(
            "hotline_enrich_call_records",
            "Call records produced (re-emitted versions included), by outcome.",
            ["outcome"],
            registry=registry,
        )
        self.by_dimension = Counter(
            "hotline_enrich_events_by_municipality_topic",
            "Enriched events by primary municipality code ('none' if unknown) and topic.",
            ["municipality", "topic"],
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "hotline_enrich_batch_seconds",
            "Decode, enrich, fold into call states and hand to the producer, per batch.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.batch_size = Histogram(
            "hotline_enrich_batch_size_events",
            "Raw events per processed batch.",
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000),
            registry=registry,
        )
        self.event_age = Histogram(
            "hotline_enrich_event_age_seconds",
            "From a live event's occurred_at to its enrichment (imported history excluded).",
            buckets=AGE_BUCKETS,
            registry=registry,
        )
        # No service prefix: the alert rules read "is the hotline open" from here and from the
        # board, whichever is up (deploy/prometheus/rules/hotline.yml, `hotline:open:max`).
        self.hotline_open = Gauge(
            "hotline_open",
            "1 while the hotline is open according to the configured schedule, else 0.",
            registry=registry,
        )


def open_value(schedule: OpeningSchedule, now: datetime) -> float:
    """The `hotline_open` sample at `now`: 1.0 within the opening hours, else 0.0."""
    return 1.0 if is_open(schedule, now) else 0.0


def track_opening_hours(
    metrics: EnrichMetrics,
    schedule: OpeningSchedule,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Compute `hotline_open` at every scrape: always current, and no timer task to run."""
    metrics.hotline_open.set_function(lambda: open_value(schedule, clock()))


def serve(metrics: EnrichMetrics, host: str, port: int) -> None:
    """Expose /metrics over HTTP in a daemon thread."""
    start_http_server(port, addr=host, registry=metrics.registry)
