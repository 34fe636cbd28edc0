"""Agent events -> `agent_events` (route, rows, migration 0008 on chdb) and imported events
kept out of the end-to-end latency."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from hotline_schemas import AgentEvent, EnrichedEvent, Origin, topics
from hotline_schemas.paths import EXAMPLES_DIR
from hotline_sink import agent_rows, migrations, rows
from hotline_sink.dialect import Dialect
from hotline_sink.routes import AGENTS, EVENTS, RECORDS
from hotline_sink.rows import Rejected
from hotline_sink.settings import Settings

MakeEvent = Callable[..., EnrichedEvent]
DB = "hotline_agents"


def _examples() -> list[AgentEvent]:
    paths = sorted((EXAMPLES_DIR / "agent-event" / "valid").glob("*.json"))
    return [AgentEvent.model_validate_json(p.read_bytes()) for p in paths]


def test_agent_event_bytes_become_a_row() -> None:
    for event in _examples():
        decoded = agent_rows.decode(event.model_dump_json().encode())
        assert decoded == event
        row = agent_rows.to_row(event)
        assert len(row) == len(agent_rows.COLUMNS)
        named = dict(zip(agent_rows.COLUMNS, row, strict=True))
        assert named["event_id"] == event.event_id
        assert named["type"] == event.type.value
        assert named["origin"] == event.origin.value
        assert (named["occurred_at"], named["occurred_at_ms"]) == rows.utc_seconds(
            event.occurred_at
        )


def test_bad_agent_events_are_rejected_with_a_reason() -> None:
    assert isinstance(agent_rows.decode(None), Rejected)
    rejected = agent_rows.decode(b'{"schema_version": 1, "event_id": "x", "type": "dancing"}')
    assert isinstance(rejected, Rejected)
    assert "not a valid AgentEvent" in rejected.reason
    assert {e["field"] for e in rejected.errors} >= {"agent_id", "type", "occurred_at"}


def test_the_sink_reads_agent_events_by_default_and_routes_them() -> None:
    settings = Settings()
    assert topics.AGENT_EVENTS.name in settings.topics
    assert settings.route_for(topics.AGENT_EVENTS.name) is AGENTS
    assert settings.route_for(topics.RECORDS.name) is RECORDS
    assert settings.route_for(topics.ENRICHED.name) is EVENTS
    assert settings.dead_letter_for(topics.AGENT_EVENTS.name) == "hotline.agent-events.dlq"
    custom = Settings(topics=("a", "b"), agent_topics=("b",), dead_letter_topic="dlq")
    assert [custom.route_for(t).table for t in custom.topics] == ["call_events", "agent_events"]


def test_imported_events_never_count_in_the_end_to_end_latency(make_event: MakeEvent) -> None:
    assert EVENTS.event_time is not None
    live = make_event(0, occurred_at=datetime(2013, 3, 31, 16, 30, 0, 250000, tzinfo=UTC))
    imported = live.model_copy(update={"origin": Origin.IMPORT})
    assert EVENTS.event_time(live) == datetime(2013, 3, 31, 16, 30, tzinfo=UTC).timestamp() + 0.25
    assert EVENTS.event_time(imported) is None
    assert AGENTS.event_time is None  # agent events are not part of the call-event latency


def _insert(executor: Any, literal: Callable[[Any], str], events: list[AgentEvent]) -> None:
    values = ", ".join(
        "(" + ", ".join(literal(v) for v in agent_rows.to_row(e)) + ")" for e in events
    )
    executor.execute(
        f"INSERT INTO {DB}.agent_events ({', '.join(agent_rows.COLUMNS)}) VALUES {values}"
    )


@pytest.mark.parametrize("old", [False, True], ids=["current", "18.16-rendering"])
def test_agent_events_deduplicate_on_event_id_in_chdb(
    chdb_executor: Any, literal: Callable[[Any], str], old: bool
) -> None:
    if old:  # 18.16's rendering (no TTL), run as plain statements like the migration tests
        for migration in migrations.discover():
            for sql in migration.statements(Dialect.for_version((18, 16, 1)), DB):
                chdb_executor.execute(sql)
    else:
        migrations.apply(chdb_executor, Dialect.for_version(chdb_executor.version()), DB)
    events = _examples()
    _insert(chdb_executor, literal, events)
    _insert(chdb_executor, literal, events[:2])  # an import run twice
    assert chdb_executor.execute(f"SELECT count() FROM {DB}.agent_events FINAL") == [(len(events),)]
    by_type = chdb_executor.execute(
        f"SELECT type, count() FROM {DB}.agent_events FINAL GROUP BY type ORDER BY type"
    )
    assert dict(by_type) == {e.type.value: 1 for e in events}
    (create,) = chdb_executor.execute(f"SHOW CREATE TABLE {DB}.agent_events")
    assert "ReplacingMergeTree(inserted_at)" in create[0]
    assert ("TTL" in create[0]) is not old
