"""Prometheus metrics of the enrich service, on a registry passed in (tests use their own)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

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
        self.produce_failures = Counter(
            "hotline_enrich_produce_failures",
            "Produces Kafka did not acknowledge (the source offset stays uncommitted).",
            registry=registry,
        )
        self.by_dimension = Counter(
            "hotline_enrich_events_by_municipality_topic",
            "Enriched events by primary municipality code ('none' if unknown) and topic.",
            ["municipality", "topic"],
            registry=registry,
        )
        self.processing = Histogram(
            "hotline_enrich_processing_seconds",
            "Decode, enrich and hand to the producer, per event.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.event_age = Histogram(
            "hotline_enrich_event_age_seconds",
            "From the event's occurred_at to its enrichment.",
            buckets=AGE_BUCKETS,
            registry=registry,
        )


def serve(metrics: EnrichMetrics, host: str, port: int) -> None:
    """Expose /metrics over HTTP in a daemon thread."""
    start_http_server(port, addr=host, registry=metrics.registry)
