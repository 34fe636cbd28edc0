"""The follower's Prometheus metrics, registered on a registry the caller passes in."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class FollowMetrics:
    lines: Counter
    events: Counter
    kafka_failures: Counter
    rotations: Gauge
    backlog_bytes: Gauge
    last_event_time: Gauge
    last_ack: Gauge
    ready: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> FollowMetrics:
        ns = "hotline_follow"
        metrics = cls(
            lines=Counter(
                f"{ns}_lines",
                "Lines read, by result: events, context (an INFO line), skipped, rejected.",
                ["result"],
                registry=registry,
            ),
            events=Counter(
                f"{ns}_events",
                "Events produced, by kind (call, agent) and origin (live; import for a backlog).",
                ["kind", "origin"],
                registry=registry,
            ),
            kafka_failures=Counter(
                f"{ns}_kafka_failures",
                "Kafka did not acknowledge: the follower went back to its saved position.",
                registry=registry,
            ),
            rotations=Gauge(
                f"{ns}_rotations", "Rotations of the file followed since start.", registry=registry
            ),
            backlog_bytes=Gauge(
                f"{ns}_backlog_bytes",
                "Bytes written to the file but not read yet.",
                registry=registry,
            ),
            last_event_time=Gauge(
                f"{ns}_last_event_timestamp_seconds",
                "Event time of the latest event produced (Unix seconds).",
                registry=registry,
            ),
            last_ack=Gauge(
                f"{ns}_last_ack_timestamp_seconds",
                "When Kafka last acknowledged everything sent (Unix seconds).",
                registry=registry,
            ),
            ready=Gauge(
                f"{ns}_ready",
                "1 while ready (loop turning, file open, Kafka acknowledging), as /readyz; else 0.",
                registry=registry,
            ),
        )
        for result in ("events", "context", "skipped", "rejected"):
            metrics.lines.labels(result=result)
        for kind in ("call", "agent"):
            for origin in ("live", "import"):
                metrics.events.labels(kind=kind, origin=origin)
        return metrics
