"""The sink's Prometheus metrics, registered on a registry the caller passes in."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_BATCH_SIZES = (1, 10, 50, 100, 500, 1000, 2000, 5000, 10000, 50000)
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
INSERT_FAILURE_KINDS = ("unavailable", "data")
DEAD_LETTER_KINDS = ("decode", "insert")
COMMIT_FAILURE_KINDS = ("rebalance", "unavailable")
# End-to-end spans real time at 1,000 events/s and years when history is replayed. The latency
# SLO (deploy/prometheus/rules/hotline.yml) reads the 5 s bucket.
_END_TO_END = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400)


@dataclass(frozen=True)
class SinkMetrics:
    rows_inserted: Counter
    batches: Counter
    batch_size: Histogram
    insert_latency: Histogram
    insert_failures: Counter
    dead_letters: Counter
    end_to_end_latency: Histogram
    last_insert: Gauge
    consumer_lag: Gauge
    rewinds: Counter
    commit_failures: Counter
    dead_letter_failures: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> SinkMetrics:
        ns = "hotline_sink"
        metrics = cls(
            rows_inserted=Counter(
                f"{ns}_rows_inserted",
                "Rows inserted into ClickHouse.",
                ["table"],
                registry=registry,
            ),
            batches=Counter(
                f"{ns}_batches", "Batches flushed (inserted and committed).", registry=registry
            ),
            batch_size=Histogram(
                f"{ns}_batch_size_rows",
                "Records per flushed batch.",
                buckets=_BATCH_SIZES,
                registry=registry,
            ),
            insert_latency=Histogram(
                f"{ns}_insert_seconds",
                "Duration of one successful ClickHouse insert.",
                buckets=_LATENCY,
                registry=registry,
            ),
            insert_failures=Counter(
                f"{ns}_insert_failures",
                "Failed ClickHouse inserts by kind: unavailable (retried) or data (bisected).",
                ["kind"],
                registry=registry,
            ),
            dead_letters=Counter(
                f"{ns}_dead_letters",
                "Records sent to the dead-letter topic, by reason kind.",
                ["kind"],
                registry=registry,
            ),
            end_to_end_latency=Histogram(
                f"{ns}_end_to_end_seconds",
                "From an event's occurred_at to the return of the insert that stored it.",
                buckets=_END_TO_END,
                registry=registry,
            ),
            last_insert=Gauge(
                f"{ns}_last_insert_timestamp_seconds",
                "Unix time of the last successful insert.",
                registry=registry,
            ),
            consumer_lag=Gauge(
                f"{ns}_consumer_lag",
                "Messages behind the partition's high watermark.",
                ["topic", "partition"],
                registry=registry,
            ),
            rewinds=Counter(
                f"{ns}_rewinds",
                "Partitions sought back to their committed offset after a rebalance gave "
                "them back with records dropped.",
                registry=registry,
            ),
            commit_failures=Counter(
                f"{ns}_commit_failures",
                "Offset commits that failed: rebalance (re-read by the new owner) or "
                "unavailable (Kafka down; covered by the next commit).",
                ["kind"],
                registry=registry,
            ),
            dead_letter_failures=Counter(
                f"{ns}_dead_letter_failures",
                "Attempts to write dead letters that Kafka did not acknowledge (retried).",
                registry=registry,
            ),
        )
        # Export every kind at 0 from the start: increase() in the alert rules cannot see the
        # first failure of a series that only appears with it.
        for kind in INSERT_FAILURE_KINDS:
            metrics.insert_failures.labels(kind=kind)
        for kind in DEAD_LETTER_KINDS:
            metrics.dead_letters.labels(kind=kind)
        for kind in COMMIT_FAILURE_KINDS:
            metrics.commit_failures.labels(kind=kind)
        return metrics
