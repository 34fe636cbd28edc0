"""(a) End-to-end throughput: events produced straight to the raw topic (no HTTP) until every
one of them is a queryable row in ClickHouse."""

from __future__ import annotations

import time
from dataclasses import dataclass

from clickhouse_driver import Client
from kafka import KafkaProducer

from benchmarks.events import payload
from benchmarks.stack import Stack
from hotline_schemas import CallEvent


@dataclass(frozen=True)
class ThroughputResult:
    events: int
    rows: int
    produce_seconds: float  # producing and flushing every event (acks=all)
    seconds: float  # from the first send to all rows queryable
    error: str | None = None

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def stored(client: Client, database: str) -> int:
    """Distinct event ids in call_events: at-least-once delivery may store a row twice."""
    query = f"SELECT uniqExact(event_id) FROM {database}.call_events"  # noqa: S608 - ours
    return int(client.execute(query)[0][0])


def wait_for_rows(
    stack: Stack, client: Client, expected: int, timeout_s: float, poll_s: float = 0.25
) -> tuple[int, float]:
    """(rows, monotonic time of the poll that first saw `expected`, or of the last poll)."""
    deadline = time.monotonic() + timeout_s
    rows = 0
    while True:
        stack.check_alive()
        polled_at = time.monotonic()
        # count() is cheap; the exact distinct count only once it could be complete.
        query = f"SELECT count() FROM {stack.database}.call_events"  # noqa: S608 - ours
        count = int(client.execute(query)[0][0])
        if count >= expected:
            rows = stored(client, stack.database)
            if rows >= expected:
                return rows, polled_at
        else:
            rows = count
        if polled_at > deadline:
            return rows, polled_at
        time.sleep(poll_s)


def run(stack: Stack, events: list[CallEvent], already: int, timeout_s: float) -> ThroughputResult:
    records = [(e.call_id.encode(), payload(e)) for e in events]
    producer = KafkaProducer(
        bootstrap_servers=stack.settings.kafka.bootstrap_servers,
        acks="all",
        linger_ms=20,
        batch_size=256 * 1024,
        max_request_size=4 * 1024 * 1024,
    )
    client = stack.clickhouse()
    try:
        start = time.monotonic()
        for key, value in records:
            producer.send(stack.raw, key=key, value=value)
        producer.flush(timeout=120)
        produced = time.monotonic() - start
        rows, end = wait_for_rows(stack, client, already + len(events), timeout_s)
    finally:
        producer.close()
        client.disconnect()
    got = rows - already
    error = None if got >= len(events) else f"only {got} of {len(events)} rows in {timeout_s:.0f} s"
    return ThroughputResult(len(events), got, produced, end - start, error)
