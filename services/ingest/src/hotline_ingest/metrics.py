"""Prometheus metrics of the ingest service, on a registry passed in (tests use their own).

Label values come from small fixed sets: body-level reasons from `parsing.BodyError.label`
and the transport, item-level reasons are "not_json" or pydantic's error type.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.received = Counter(
            "hotline_ingest_events_received",
            "Items received in request bodies, valid or not.",
            registry=registry,
        )
        self.accepted = Counter(
            "hotline_ingest_events_accepted",
            "Valid events Kafka acknowledged on the raw topic.",
            registry=registry,
        )
        self.rejected = Counter(
            "hotline_ingest_events_rejected",
            "Invalid items, by the first error's type.",
            ["reason"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "hotline_ingest_dead_letters",
            "Rejected items Kafka acknowledged on the dead-letter topic.",
            registry=registry,
        )
        self.bodies_rejected = Counter(
            "hotline_ingest_bodies_rejected",
            "Whole request bodies refused (400/413/422), by reason.",
            ["reason"],
            registry=registry,
        )
        self.kafka_unavailable = Counter(
            "hotline_ingest_kafka_unavailable",
            "Requests answered 503 because Kafka did not take or acknowledge the records.",
            registry=registry,
        )
        self.produce_latency = Histogram(
            "hotline_ingest_produce_seconds",
            "From the first send to the last acknowledgement, per request.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.batch_size = Histogram(
            "hotline_ingest_request_items",
            "Items per request body.",
            buckets=BATCH_BUCKETS,
            registry=registry,
        )
        self.kafka_ready = Gauge(
            "hotline_ingest_kafka_ready",
            "1 when the last Kafka metadata round trip is recent, else 0.",
            registry=registry,
        )
