"""agent_events on the real ClickHouse 18.16, and the sink on the real Kafka: agent events
land in their table, imported call events are stored but never timed for the latency SLO."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from clickhouse_driver import Client
from kafka import KafkaProducer
from prometheus_client import CollectorRegistry

from hotline_schemas import AgentEvent, EnrichedEvent, Origin
from hotline_schemas.config import ClickHouseConnection, KafkaConnection
from hotline_schemas.paths import EXAMPLES_DIR
from hotline_sink import agent_rows, app
from hotline_sink.clickhouse import Writer, connect
from hotline_sink.routes import AGENTS
from hotline_sink.settings import Settings

MakeEvent = Callable[..., EnrichedEvent]

pytestmark = pytest.mark.integration


def _agent_events() -> list[AgentEvent]:
    paths = sorted((EXAMPLES_DIR / "agent-event" / "valid").glob("*.json"))
    return [AgentEvent.model_validate_json(p.read_bytes()) for p in paths]


@pytest.fixture
def settings(
    kafka_bootstrap: str,
    make_topics: Callable[..., list[str]],
    unique_name: str,
    clickhouse_writer: ClickHouseConnection,
    clickhouse_database: str,
) -> Settings:
    enriched, agents, dlq = make_topics(
        f"{unique_name}.enriched", f"{unique_name}.agents", f"{unique_name}.dlq"
    )
    built = Settings(
        kafka=KafkaConnection(bootstrap_servers=kafka_bootstrap),
        clickhouse=clickhouse_writer.model_copy(update={"database": clickhouse_database}),
        topics=(enriched, agents),
        agent_topics=(agents,),
        group_id=unique_name,
        dead_letter_topic=dlq,
        batch_max_rows=50,
        batch_max_age_s=0.3,
    )
    app.migrate(built)
    return built


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    ch = connect(settings.clickhouse)
    yield ch
    ch.disconnect()


def test_agent_rows_deduplicate_on_the_server(settings: Settings, client: Client) -> None:
    events = _agent_events()
    writer = Writer(settings.clickhouse, settings.clickhouse.database)
    try:
        writer.insert([agent_rows.to_row(e) for e in events], AGENTS)
        writer.insert([agent_rows.to_row(e) for e in events], AGENTS)  # imported twice
    finally:
        writer.close()
    db = settings.clickhouse.database
    assert client.execute(f"SELECT count() FROM {db}.agent_events") == [(2 * len(events),)]
    final = client.execute(f"SELECT event_id, origin FROM {db}.agent_events FINAL ORDER BY 1")
    assert final == sorted((e.event_id, e.origin.value) for e in events)


def test_the_sink_stores_agent_events_and_times_only_live_call_events(
    settings: Settings, client: Client, make_event: MakeEvent
) -> None:
    enriched_topic, agents_topic = settings.topics
    now = datetime.now(UTC)
    live = [make_event(i, occurred_at=now) for i in range(3)]
    imported = [
        make_event(i, occurred_at=datetime(2012, 12, 3, 17, 30, tzinfo=UTC), origin=Origin.IMPORT)
        for i in range(3, 10)
    ]
    agents = _agent_events()
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    for event in live + imported:
        producer.send(
            enriched_topic, key=event.call_id.encode(), value=event.model_dump_json().encode()
        )
    for agent in agents:
        producer.send(
            agents_topic, key=agent.agent_id.encode(), value=agent.model_dump_json().encode()
        )
    producer.flush()
    producer.close()

    registry = CollectorRegistry()
    sink = app.build_sink(settings, registry)
    thread = threading.Thread(target=sink.run, daemon=True)
    thread.start()
    db = settings.clickhouse.database
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            calls = client.execute(f"SELECT count() FROM {db}.call_events FINAL")[0][0]
            stored = client.execute(f"SELECT count() FROM {db}.agent_events FINAL")[0][0]
            if calls == len(live) + len(imported) and stored == len(agents):
                break
            time.sleep(0.3)
    finally:
        sink.stop.set()
        thread.join(timeout=30)
    assert (calls, stored) == (len(live) + len(imported), len(agents))
    timed = registry.get_sample_value("hotline_sink_end_to_end_seconds_count")
    assert timed == len(live)  # the seven imported events from 2012 were not timed
    assert registry.get_sample_value(
        "hotline_sink_rows_inserted_total", {"table": "agent_events"}
    ) == len(agents)
