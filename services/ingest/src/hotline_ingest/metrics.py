"""Prometheus metrics of the ingest service, on a registry passed in (tests use their own).

Per-item counters exist once per kind: `hotline_ingest_events_*` are call events (the name
the alert rules have always used), `hotline_ingest_agent_events_*` agent events, so agent
traffic can never hide a stall of call events. Body-level metrics are shared.

Label values come from small fixed sets: body-level reasons from `parsing.BodyError.label`
and the transport, item-level reasons are "not_json", pydantic's error type or one of
ingest's own (`duplicate_key`, `nul_char`, `too_far_in_future`), signature reasons from
`signing.SignatureError.label`.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)


class ItemMetrics:
    """What happened to the items of one kind (`prefix`: hotline_ingest_events, ...)."""

    def __init__(
        self, registry: CollectorRegistry, prefix: str, dead_letters: str, items: str
    ) -> None:
        self.received = Counter(
            f"{prefix}_received",
            f"{items} received in request bodies, valid or not.",
            registry=registry,
        )
        self.accepted = Counter(
            f"{prefix}_accepted",
            f"Valid {items} Kafka acknowledged on their topic.",
            registry=registry,
        )
        self.rejected = Counter(
            f"{prefix}_rejected",
            f"Invalid {items}, by the first error's type.",
            ["reason"],
            registry=registry,
        )
        self.dead_letters = Counter(
            dead_letters,
            f"Rejected {items} Kafka acknowledged on the dead-letter topic.",
            registry=registry,
        )


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.call_events = ItemMetrics(
            registry, "hotline_ingest_events", "hotline_ingest_dead_letters", "Call events"
        )
        self.agent_events = ItemMetrics(
            registry,
            "hotline_ingest_agent_events",
            "hotline_ingest_agent_dead_letters",
            "Agent events",
        )
        self.bodies_rejected = Counter(
            "hotline_ingest_bodies_rejected",
            "Whole request bodies refused (400/413/415/422), by reason.",
            ["reason"],
            registry=registry,
        )
        self.unauthorized = Counter(
            "hotline_ingest_unauthorized",
            "Requests answered 401 (unsigned, stale, or a signature that does not match).",
            ["reason"],
            registry=registry,
        )
        self.redeliveries = Counter(
            "hotline_ingest_redeliveries",
            "Requests whose webhook-id was already processed: answered again, nothing produced.",
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
