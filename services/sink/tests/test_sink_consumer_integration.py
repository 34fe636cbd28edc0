"""The sink against the real Kafka broker and the real ClickHouse 18.16 server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from clickhouse_driver import Client
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from prometheus_client import CollectorRegistry

from hotline_schemas import DeadLetter, EnrichedEvent
from hotline_schemas.config import ClickHouseConnection, KafkaConnection
from hotline_schemas.privacy import KeyRing, new_key, unseal
from hotline_sink import app
from hotline_sink.clickhouse import connect
from hotline_sink.consumer import Record, Sink
from hotline_sink.settings import Settings

MakeEvent = Callable[..., EnrichedEvent]
N = 40
GARBAGE = b'{"event_id": "broken", "this is": "not an EnrichedEvent"}'
DEAD_LETTER_KEYS = new_key()

pytestmark = pytest.mark.integration


class SimulatedCrashError(Exception):
    """Stands for the process dying between the insert and the commit."""


@pytest.fixture
def settings(
    kafka_bootstrap: str,
    make_topics: Callable[..., list[str]],
    unique_name: str,
    clickhouse_writer: ClickHouseConnection,
    clickhouse_database: str,
) -> Settings:
    source, dlq = make_topics(f"{unique_name}.enriched", f"{unique_name}.dlq", partitions=3)
    built = Settings(
        kafka=KafkaConnection(bootstrap_servers=kafka_bootstrap),
        clickhouse=clickhouse_writer.model_copy(update={"database": clickhouse_database}),
        topics=(source,),
        group_id=unique_name,
        dead_letter_topic=dlq,
        batch_max_rows=25,
        batch_max_age_s=0.3,
        retry_initial_s=0.1,
        retry_max_s=0.5,
        lag_interval_s=0.2,
        dead_letter_keys=DEAD_LETTER_KEYS,
    )
    app.migrate(built)
    return built


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    ch = connect(settings.clickhouse)
    yield ch
    ch.disconnect()


def _produce(settings: Settings, messages: list[tuple[bytes, bytes]]) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    for key, value in messages:
        producer.send(settings.topics[0], key=key, value=value)
    producer.flush()
    producer.close()


def _events_with_duplicates_and_garbage(make_event: MakeEvent) -> list[tuple[bytes, bytes]]:
    events = [make_event(i) for i in range(N)]
    messages = [(e.call_id.encode(), e.model_dump_json().encode()) for e in events]
    messages += messages[:7]  # an upstream retry re-sent some events
    messages.append((b"garbage", GARBAGE))
    return messages


def _start(sink: Sink) -> threading.Thread:
    thread = threading.Thread(target=sink.run, daemon=True)
    thread.start()
    return thread


def _stop(sink: Sink, thread: threading.Thread) -> None:
    sink.stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def _until(predicate: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _counts(client: Client, db: str) -> tuple[int, int, int]:
    """(raw rows, rows with FINAL, distinct event_ids by argMax)."""
    raw = client.execute(f"SELECT count() FROM {db}.call_events")[0][0]
    final = client.execute(f"SELECT count() FROM {db}.call_events FINAL")[0][0]
    by_arg_max = client.execute(
        f"SELECT count() FROM (SELECT event_id, argMax(topic, inserted_at) "
        f"FROM {db}.call_events GROUP BY event_id)"
    )[0][0]
    return raw, final, by_arg_max


def _committed_vs_end(settings: Settings) -> tuple[dict[int, int | None], dict[int, int]]:
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        group_id=settings.group_id,
        enable_auto_commit=False,
    )
    try:
        parts = [TopicPartition(settings.topics[0], p) for p in range(3)]
        committed = {tp.partition: consumer.committed(tp) for tp in parts}
        end = {tp.partition: offset for tp, offset in consumer.end_offsets(parts).items()}
    finally:
        consumer.close(autocommit=False)
    return committed, end


def _dead_letters(settings: Settings, expected: int) -> list[DeadLetter]:
    """The distinct dead letters, one per rejected source record. Delivery is at least once:
    a rebalance between the insert and the commit (kafka-python's group can rebalance once
    more right after it formed) makes the batch run again, dead letters included."""
    assert settings.dead_letter_topic is not None
    consumer = KafkaConsumer(
        settings.dead_letter_topic,
        bootstrap_servers=settings.kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3_000,
    )
    letters: dict[tuple[str | None, int | None, int | None], DeadLetter] = {}
    deadline = time.monotonic() + 20
    try:
        while len(letters) < expected and time.monotonic() < deadline:
            for message in consumer:
                letter = DeadLetter.model_validate_json(message.value)
                where = (letter.source_topic, letter.source_partition, letter.source_offset)
                letters.setdefault(where, letter)
    finally:
        consumer.close(autocommit=False)
    return list(letters.values())


def test_sink_stores_each_event_once_dead_letters_garbage_and_commits(
    settings: Settings, client: Client, make_event: MakeEvent
) -> None:
    bad_value = make_event(N, municipality_code=70_000)  # valid model, too big for UInt16
    messages = _events_with_duplicates_and_garbage(make_event)
    messages.append((bad_value.call_id.encode(), bad_value.model_dump_json().encode()))
    _produce(settings, messages)

    registry = CollectorRegistry()
    sink = app.build_sink(settings, registry)
    thread = _start(sink)
    db = settings.clickhouse.database

    def done() -> bool:
        committed, end = _committed_vs_end(settings)
        return _counts(client, db)[1] == N and committed == end

    _until(done)
    _stop(sink, thread)

    raw, final, by_arg_max = _counts(client, db)
    assert (final, by_arg_max) == (N, N)
    assert raw >= N
    committed, end = _committed_vs_end(settings)
    assert committed == end
    letters = _dead_letters(settings, expected=2)
    keys = KeyRing.parse(DEAD_LETTER_KEYS)
    by_payload = {unseal(letter, keys): letter for letter in letters}
    garbage = by_payload[GARBAGE]
    assert garbage.stage == "sink"
    assert "not a valid EnrichedEvent" in garbage.reason
    assert garbage.source_topic == settings.topics[0]
    assert garbage.source_offset is not None
    refused = by_payload[bad_value.model_dump_json().encode()]
    assert "municipality_code" in refused.reason or "70000" in refused.reason
    assert registry.get_sample_value("hotline_sink_rows_inserted_total", {"table": "call_events"})
    assert registry.get_sample_value("hotline_sink_insert_failures_total", {"kind": "data"})
    assert registry.get_sample_value("hotline_sink_last_insert_timestamp_seconds")


def test_restart_between_insert_and_commit_neither_loses_nor_doubles(
    settings: Settings, client: Client, make_event: MakeEvent
) -> None:
    messages = _events_with_duplicates_and_garbage(make_event)
    _produce(settings, messages)
    inserted: list[Record] = []

    def crash_after_insert(records: list[Record]) -> None:
        inserted.extend(records)
        raise SimulatedCrashError

    first = app.build_sink(settings, CollectorRegistry(), after_insert=crash_after_insert)
    with pytest.raises(SimulatedCrashError):
        first.run()
    db = settings.clickhouse.database
    raw_after_crash = _counts(client, db)[0]
    assert raw_after_crash > 0  # the insert happened ...
    assert all(v is None for v in _committed_vs_end(settings)[0].values())  # ... the commit not

    second = app.build_sink(settings, CollectorRegistry())
    thread = _start(second)
    _until(lambda: _committed_vs_end(settings)[0] == _committed_vs_end(settings)[1])
    _stop(second, thread)

    raw, final, by_arg_max = _counts(client, db)
    assert (final, by_arg_max) == (N, N)
    # The crashed batch was read and inserted again: duplicates exist, queries hide them.
    stored_first = sum(1 for r in inserted if isinstance(r.decoded, EnrichedEvent))
    assert raw >= raw_after_crash + stored_first


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_sink_retries_while_clickhouse_is_unreachable_and_commits_nothing(
    settings: Settings, client: Client, make_event: MakeEvent
) -> None:
    messages = [
        (e.call_id.encode(), e.model_dump_json().encode())
        for e in (make_event(i) for i in range(10))
    ]
    _produce(settings, messages)
    unreachable = settings.model_copy(
        update={"clickhouse": settings.clickhouse.model_copy(update={"port": _closed_port()})}
    )
    registry = CollectorRegistry()
    sink = app.build_sink(unreachable, registry)
    thread = _start(sink)

    def failures() -> float:
        value: Any = registry.get_sample_value(
            "hotline_sink_insert_failures_total", {"kind": "unavailable"}
        )
        return float(value or 0)

    _until(lambda: failures() >= 3)
    _stop(sink, thread)
    assert all(v is None for v in _committed_vs_end(settings)[0].values())
    assert _counts(client, settings.clickhouse.database)[0] == 0

    # ClickHouse "comes back": the same group picks the records up and commits.
    recovered = app.build_sink(settings, CollectorRegistry())
    thread = _start(recovered)
    _until(lambda: _committed_vs_end(settings)[0] == _committed_vs_end(settings)[1])
    _stop(recovered, thread)
    assert _counts(client, settings.clickhouse.database)[1:] == (10, 10)


def test_sink_gives_up_with_a_clear_error_when_its_topic_never_appears(
    settings: Settings, unique_name: str
) -> None:
    from hotline_sink.consumer import TopicsMissingError

    absent = settings.model_copy(update={"topics": (f"{unique_name}.absent",), "topic_wait_s": 2.0})
    sink = app.build_sink(absent, CollectorRegistry())
    with pytest.raises(TopicsMissingError, match="hotline topics create"):
        sink.run()
