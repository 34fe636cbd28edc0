"""Migrations on the real local server (Debian's ClickHouse 18.16)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from clickhouse_driver import Client

from hotline_schemas import EnrichedEvent
from hotline_schemas.config import ClickHouseConnection
from hotline_sink import migrations
from hotline_sink.clickhouse import Writer, connect, server_version
from hotline_sink.dialect import Dialect
from hotline_sink.rows import to_row

MakeEvent = Callable[..., EnrichedEvent]

pytestmark = pytest.mark.integration


@pytest.fixture
def conn(clickhouse_writer: ClickHouseConnection, clickhouse_database: str) -> ClickHouseConnection:
    return clickhouse_writer.model_copy(update={"database": clickhouse_database})


@pytest.fixture
def client(conn: ClickHouseConnection) -> Iterator[Client]:
    client = connect(conn)
    yield client
    client.disconnect()


def test_apply_twice_is_idempotent(client: Client, conn: ClickHouseConnection) -> None:
    dialect = Dialect.for_version(server_version(client))
    first = migrations.apply(client, dialect, conn.database)
    assert [m.version for m in first] == [m.version for m in migrations.discover()]
    assert migrations.apply(client, dialect, conn.database) == []
    assert migrations.pending(client, conn.database) == []
    recorded = client.execute(
        f"SELECT version, name, checksum FROM {conn.database}.schema_migrations FINAL "
        "ORDER BY version"
    )
    assert recorded == [(m.version, m.name, m.checksum) for m in migrations.discover()]


def test_insert_and_dedup_queries(
    client: Client, conn: ClickHouseConnection, make_event: MakeEvent
) -> None:
    dialect = Dialect.for_version(server_version(client))
    migrations.apply(client, dialect, conn.database)
    events = [make_event(i) for i in range(12)]
    writer = Writer(conn, conn.database)
    try:
        writer.insert([to_row(e) for e in events])
        writer.insert([to_row(e) for e in events[:5]])  # a redelivered batch
    finally:
        writer.close()
    db = conn.database
    assert client.execute(f"SELECT count() FROM {db}.call_events") == [(17,)]
    final = client.execute(f"SELECT event_id FROM {db}.call_events FINAL ORDER BY event_id")
    assert [r[0] for r in final] == sorted(e.event_id for e in events)
    arg_max = client.execute(
        f"SELECT event_id, argMax(topic, inserted_at) FROM {db}.call_events "
        "GROUP BY event_id ORDER BY event_id"
    )
    assert [r[0] for r in arg_max] == [r[0] for r in final]
    bucket = dialect.start_of_interval("occurred_at", 900)
    per_bucket = client.execute(
        f"SELECT {bucket} AS b, count() FROM {db}.call_events FINAL GROUP BY b ORDER BY b",
        settings=dialect.session_settings(),
    )
    assert sum(c for _, c in per_bucket) == len(events)
    stored = client.execute(
        f"SELECT toUnixTimestamp(occurred_at), occurred_at_ms, municipality_candidates, type "
        f"FROM {db}.call_events FINAL WHERE event_id = %(id)s",
        {"id": events[3].event_id},
    )
    assert stored == [
        (
            int(events[3].occurred_at.timestamp()),
            events[3].occurred_at.microsecond // 1000,
            events[3].municipality_candidates,
            events[3].type.value,
        )
    ]
