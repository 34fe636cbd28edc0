"""Call records and enriched events through the real sink into the real ClickHouse 18.16:
one row per call, and the interval aggregates count each call once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from clickhouse_driver import Client
from kafka import KafkaProducer
from prometheus_client import CollectorRegistry

from hotline_schemas import CallRecord, EnrichedEvent
from hotline_schemas.config import ClickHouseConnection, KafkaConnection
from hotline_sink import app
from hotline_sink.clickhouse import connect
from hotline_sink.reference import read_municipalities
from hotline_sink.settings import Settings

MakeRecord = Callable[..., CallRecord]
MakeEvent = Callable[..., EnrichedEvent]
GARBAGE = b'{"call_id": "broken", "this is": "not a CallRecord"}'

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(
    kafka_bootstrap: str,
    make_topics: Callable[..., list[str]],
    unique_name: str,
    clickhouse_writer: ClickHouseConnection,
    clickhouse_database: str,
) -> Settings:
    enriched, records, dlq = make_topics(
        f"{unique_name}.enriched", f"{unique_name}.records", f"{unique_name}.dlq", partitions=3
    )
    built = Settings(
        kafka=KafkaConnection(bootstrap_servers=kafka_bootstrap),
        clickhouse=clickhouse_writer.model_copy(update={"database": clickhouse_database}),
        topics=(enriched, records),
        record_topics=(records,),
        group_id=unique_name,
        dead_letter_topic=dlq,
        batch_max_rows=25,
        batch_max_age_s=0.3,
    )
    app.migrate(built)
    return built


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    ch = connect(settings.clickhouse)
    yield ch
    ch.disconnect()


def _until(predicate: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_records_and_events_reach_their_tables_once_per_key(
    settings: Settings, client: Client, make_record: MakeRecord, make_event: MakeEvent
) -> None:
    enriched_topic, records_topic = settings.topics
    calls = [
        make_record("c1", wait_seconds=15.0),
        make_record("c2", wait_seconds=25.0),
        make_record(
            "c3",
            outcome="abandoned",
            wait_seconds=40.0,
            answered_at=None,
            talk_seconds=None,
            municipality_code=None,
            municipality_name=None,
        ),
        make_record("c4", outcome="short_abandon", wait_seconds=1.5, talk_seconds=None),
    ]
    re_emitted = calls[3].model_copy(update={"version": 5, "event_count": 5})
    messages = [(r.call_id.encode(), r.model_dump_json().encode()) for r in calls]
    messages += messages[:2]  # redelivered
    messages.append((b"c4", re_emitted.model_dump_json().encode()))
    messages.append((b"broken", GARBAGE))
    events = [make_event(i) for i in range(6)]
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    for key, value in messages:
        producer.send(records_topic, key=key, value=value)
    for event in events:
        producer.send(
            enriched_topic, key=event.call_id.encode(), value=event.model_dump_json().encode()
        )
    producer.flush()
    producer.close()

    registry = CollectorRegistry()
    sink = app.build_sink(settings, registry)
    thread = threading.Thread(target=sink.run, daemon=True)
    thread.start()
    db = settings.clickhouse.database
    try:
        _until(
            lambda: (
                client.execute(f"SELECT count() FROM {db}.call_records")[0][0] >= len(messages) - 1
                and client.execute(f"SELECT count() FROM {db}.call_events FINAL")[0][0] == 6
            )
        )
    finally:
        sink.stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()

    rows = client.execute(
        f"SELECT call_id, version, outcome FROM {db}.call_records FINAL ORDER BY call_id"
    )
    assert rows == [
        ("c1", 4, "answered"),
        ("c2", 4, "answered"),
        ("c3", 4, "abandoned"),
        ("c4", 5, "short_abandon"),
    ]
    by_arg_max = client.execute(
        f"SELECT call_id, max(version), argMax(outcome, version) FROM {db}.call_records "
        "GROUP BY call_id ORDER BY call_id"
    )
    assert by_arg_max == rows
    totals = client.execute(
        "SELECT sum(offered), sum(answered), sum(answered_within_20s), sum(abandoned), "
        "sum(short_abandoned), sum(wait_seconds_sum), sum(talk_seconds_sum) "
        f"FROM {db}.call_intervals_15m_v"
    )
    assert totals == [(4, 2, 1, 1, 1, 40.0, 600.0)]
    per_municipality = client.execute(
        f"SELECT municipality_code, toString(interval_start), offered "
        f"FROM {db}.call_intervals_30m_v ORDER BY municipality_code"
    )
    assert per_municipality == [(0, "2013-03-31 16:30:00", 1), (751, "2013-03-31 16:30:00", 3)]
    inserted = registry.get_sample_value
    assert inserted("hotline_sink_rows_inserted_total", {"table": "call_records"})
    assert inserted("hotline_sink_rows_inserted_total", {"table": "call_events"})
    assert inserted("hotline_sink_dead_letters_total", {"kind": "decode"}) == 1.0


def test_migrate_loads_the_municipalities_once(settings: Settings, client: Client) -> None:
    app.migrate(settings)  # the fixture migrated once already: nothing new to load
    db = settings.clickhouse.database
    (count,) = client.execute(f"SELECT count() FROM {db}.municipalities")
    assert count[0] == len(read_municipalities())
    joined = client.execute(
        f"SELECT m.municipality_name, m.population FROM {db}.municipalities AS m FINAL "
        "WHERE hotline_member = 1 ORDER BY municipality_code LIMIT 1"
    )
    assert joined
    assert joined[0][1] > 0
