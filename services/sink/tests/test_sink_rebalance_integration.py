"""Two sinks in one group while events keep arriving: a second worker joins and leaves, so
partitions are revoked and assigned back under load. Every produced event must be stored.

This is the fault an outside tester found: the sink dropped records it had polled for a
partition it got back in the same rebalance and did not rewind, then committed past them
(52 of 7,500 events lost).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from kafka import KafkaProducer
from prometheus_client import CollectorRegistry

from hotline_schemas.config import ClickHouseConnection, KafkaConnection
from hotline_sink import app
from hotline_sink.clickhouse import connect
from hotline_sink.consumer import Sink
from hotline_sink.settings import Settings

pytestmark = pytest.mark.integration

MakeEvent = Callable[..., object]
TOTAL = 6000
RATE = 600  # events per second


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
        batch_max_rows=200,
        batch_max_age_s=0.2,
        lag_interval_s=0.5,
    )
    app.migrate(built)
    return built


def _run(sink: Sink) -> threading.Thread:
    thread = threading.Thread(target=sink.run, daemon=True)
    thread.start()
    return thread


def _produce_paced(settings: Settings, make_event: MakeEvent, stop: threading.Event) -> None:
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers, acks="all", linger_ms=5
    )
    started = time.monotonic()
    for i in range(TOTAL):
        event = make_event(i)
        producer.send(
            settings.topics[0],
            key=event.call_id.encode(),  # type: ignore[attr-defined]
            value=event.model_dump_json().encode(),  # type: ignore[attr-defined]
        )
        ahead = i / RATE - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
        if stop.is_set():
            break
    producer.flush()
    producer.close()


def test_a_worker_joining_and_leaving_under_load_loses_nothing(
    settings: Settings, make_event: MakeEvent
) -> None:
    first = app.build_sink(settings, CollectorRegistry())
    first_thread = _run(first)
    stop = threading.Event()
    producer = threading.Thread(target=_produce_paced, args=(settings, make_event, stop))
    producer.start()
    try:
        # Join, stay a few seconds, leave; twice, so partitions move back and forth.
        for _ in range(2):
            time.sleep(2.5)
            second = app.build_sink(settings, CollectorRegistry())
            second_thread = _run(second)
            time.sleep(3.0)
            second.stop.set()
            second_thread.join(timeout=60)
            assert not second_thread.is_alive()
    finally:
        producer.join(timeout=120)
        stop.set()

    client = connect(settings.clickhouse)
    db = settings.clickhouse.database
    deadline = time.monotonic() + 90
    stored = 0
    while time.monotonic() < deadline:
        stored = client.execute(f"SELECT uniqExact(event_id) FROM {db}.call_events")[0][0]
        if stored >= TOTAL:
            break
        time.sleep(1)
    first.stop.set()
    first_thread.join(timeout=60)
    client.disconnect()
    assert stored == TOTAL, f"{TOTAL - stored} of {TOTAL} produced events never stored"
