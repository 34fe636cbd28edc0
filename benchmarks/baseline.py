"""Baseline: ClickHouse's own Kafka table engine loading the same raw topic.

A `Kafka` engine table reads the raw CallEvent JSON (JSONEachRow; `occurred_at` as a String,
since 18.16 cannot parse an RFC 3339 offset), and a materialized view moves every block into a
MergeTree table. No enrichment: this is the cost of getting the bytes into ClickHouse at all.

On the local 18.16 server a new consumer group starts at the end of the topic (no rows ever
arrive from a topic filled beforehand), so the group's offsets are committed at 0 first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

from benchmarks.events import payload
from benchmarks.stack import Stack
from hotline_schemas import CallEvent

_COLUMNS = """
    schema_version UInt8, event_id String, call_id String, type String, occurred_at String,
    line String, caller_number Nullable(String), caller_postcode Nullable(String),
    ivr_choice Nullable(String), wrap_up_code Nullable(String), agent_id Nullable(String),
    queue Nullable(String)
"""


@dataclass(frozen=True)
class BaselineResult:
    rows: int
    expected: int
    seconds_total: float  # from creating the Kafka table (its consumer starts) to the last row
    # Until the engine's consumer group was Stable (the broker's initial rebalance delay, 3 s
    # by default, is in here); the pipeline's services joined during warm-up, before timing.
    seconds_to_join: float | None
    error: str | None = None

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds_total if self.seconds_total > 0 else 0.0

    @property
    def per_second_after_join(self) -> float | None:
        if self.seconds_to_join is None or self.seconds_total <= self.seconds_to_join:
            return None
        return self.rows / (self.seconds_total - self.seconds_to_join)


def _stable(admin: KafkaAdminClient, group: str) -> bool:
    info = admin.describe_groups([group]).get(group, {})
    return info.get("group_state") == "Stable" and bool(info.get("members"))


def _commit_offsets_at_start(stack: Stack, topic: str, group: str) -> None:
    consumer = KafkaConsumer(
        bootstrap_servers=stack.settings.kafka.bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
    )
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        consumer.commit({tp: OffsetAndMetadata(0, "", -1) for tp in tps})
    finally:
        consumer.close()


def fill_topic(stack: Stack, events: list[CallEvent], count: int) -> tuple[str, float]:
    """A raw topic of its own holding `count` CallEvents (the given ones, repeated with new
    ids as needed), for the engine to load: (topic, seconds it took to produce them).

    The engine's time has a fixed part (waiting for its first block to be flushed) that a few
    tens of thousands of rows cannot amortise; 500,000 can."""
    topic = f"{stack.prefix}.engine-raw"
    admin = stack.admin()
    try:
        admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        admin.close()
    encoded = [(e.call_id, e.event_id, payload(e)) for e in events]
    producer = KafkaProducer(
        bootstrap_servers=stack.settings.kafka.bootstrap_servers,
        acks="all",
        linger_ms=20,
        batch_size=512 * 1024,
        max_request_size=4 * 1024 * 1024,
    )
    start = time.monotonic()
    try:
        for n in range(count):
            call_id, event_id, value = encoded[n % len(encoded)]
            round_ = n // len(encoded)
            if round_:
                # New ids, same shape: each copy is a distinct event of a distinct call.
                value = value.replace(
                    f'"event_id":"{event_id}"'.encode(),
                    f'"event_id":"{event_id}-r{round_}"'.encode(),
                ).replace(
                    f'"call_id":"{call_id}"'.encode(), f'"call_id":"{call_id}-r{round_}"'.encode()
                )
                call_id = f"{call_id}-r{round_}"
            producer.send(topic, key=call_id.encode(), value=value)
        producer.flush(timeout=300)
    finally:
        producer.close()
    return topic, time.monotonic() - start


def run(
    stack: Stack, expected: int, timeout_s: float, topic: str | None = None, poll_s: float = 0.1
) -> BaselineResult:
    db = f"{stack.prefix}_kafka_engine"
    group = f"{stack.prefix}-kafka-engine"
    topic = topic or stack.raw
    stack.databases.append(db)
    stack.groups.append(group)
    _commit_offsets_at_start(stack, topic, group)
    client = stack.clickhouse()
    admin = stack.admin()
    try:
        client.execute(f"CREATE DATABASE {db}")
        # The engine's consumer starts with its table: the clock starts here.
        start = time.monotonic()
        client.execute(
            f"CREATE TABLE {db}.raw_queue ({_COLUMNS}) ENGINE = Kafka("
            f"'{stack.settings.kafka.bootstrap_servers}', '{topic}', '{group}', 'JSONEachRow')"
        )
        client.execute(
            f"CREATE TABLE {db}.raw_events ({_COLUMNS}) ENGINE = MergeTree ORDER BY event_id"
        )
        view = f"CREATE MATERIALIZED VIEW {db}.raw_load TO {db}.raw_events AS SELECT * "
        client.execute(f"{view}FROM {db}.raw_queue")
        rows, joined = 0, None
        while time.monotonic() - start < timeout_s:
            polled_at = time.monotonic()
            if joined is None and _stable(admin, group):
                joined = polled_at - start
            query = f"SELECT count() FROM {db}.raw_events"  # noqa: S608 - generated identifier
            rows = int(client.execute(query)[0][0])
            if rows >= expected:
                end = polled_at
                break
            time.sleep(poll_s)
        else:
            end = time.monotonic()
        error = None if rows >= expected else f"only {rows} of {expected} rows in {timeout_s:.0f} s"
        # Stop the engine's consumer before the topic goes away at cleanup.
        client.execute(f"DROP TABLE IF EXISTS {db}.raw_load")
        client.execute(f"DROP TABLE IF EXISTS {db}.raw_queue")
    except Exception as exc:
        return BaselineResult(0, expected, 0.0, None, error=f"{type(exc).__name__}: {exc}")
    finally:
        client.disconnect()
        admin.close()
    return BaselineResult(rows, expected, end - start, joined, error)
