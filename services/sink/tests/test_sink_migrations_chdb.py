"""Every migration and the sample queries on current ClickHouse (chdb, in-process)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hotline_schemas import EnrichedEvent
from hotline_sink import migrations
from hotline_sink.dialect import Dialect
from hotline_sink.rows import COLUMNS, to_row

MakeEvent = Callable[..., EnrichedEvent]
DB = "hotline_test"


def _insert(executor: Any, literal: Callable[[Any], str], rows: list[tuple[Any, ...]]) -> None:
    values = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    executor.execute(f"INSERT INTO {DB}.call_events ({', '.join(COLUMNS)}) VALUES {values}")


@pytest.fixture
def migrated(chdb_executor: Any) -> Any:
    dialect = Dialect.for_version(chdb_executor.version())
    applied = migrations.apply(chdb_executor, dialect, DB)
    assert [m.version for m in applied] == [m.version for m in migrations.discover()]
    return chdb_executor


def test_every_migration_applies_once_on_current_clickhouse(migrated: Any) -> None:
    dialect = Dialect.for_version(migrated.version())
    assert dialect.supports_ttl
    assert migrations.apply(migrated, dialect, DB) == []
    recorded = migrated.execute(f"SELECT version, name FROM {DB}.schema_migrations FINAL")
    assert sorted(recorded) == [(m.version, m.name) for m in migrations.discover()]
    (create,) = migrated.execute(f"SHOW CREATE TABLE {DB}.call_events")
    assert "ReplacingMergeTree(inserted_at)" in create[0]
    assert "TTL" in create[0]


def test_the_old_dialect_rendering_also_runs_on_current_clickhouse(chdb_executor: Any) -> None:
    # 18.16's rendering is the same SQL minus TTL; it must stay valid everywhere.
    old = Dialect.for_version((18, 16, 1))
    for migration in migrations.discover():
        for sql in migration.statements(old, "old_dialect"):
            chdb_executor.execute(sql)
    (create,) = chdb_executor.execute("SHOW CREATE TABLE old_dialect.call_events")
    assert "TTL" not in create[0]


def test_changed_migration_is_an_error(migrated: Any) -> None:
    dialect = Dialect.for_version(migrated.version())
    edited = [
        migrations.Migration(m.version, m.name, m.template + "\n-- edited\n")
        for m in migrations.discover()
    ]
    with pytest.raises(migrations.MigrationError, match="changed after it was applied"):
        migrations.apply(migrated, dialect, DB, edited)


def test_dedup_queries_show_each_event_once(
    migrated: Any, make_event: MakeEvent, literal: Callable[[Any], str]
) -> None:
    events = [make_event(i) for i in range(6)]
    _insert(migrated, literal, [to_row(e) for e in events])
    # A redelivered batch and a corrected duplicate of one event.
    _insert(migrated, literal, [to_row(e) for e in events[:3]])
    _insert(migrated, literal, [to_row(events[0].model_copy(update={"topic": "moving"}))])

    (raw,) = migrated.execute(f"SELECT count() FROM {DB}.call_events")
    assert raw[0] == 10
    final = migrated.execute(
        f"SELECT event_id, topic FROM {DB}.call_events FINAL ORDER BY event_id"
    )
    assert [r[0] for r in final] == sorted(e.event_id for e in events)
    by_arg_max = migrated.execute(
        f"SELECT event_id, argMax(topic, inserted_at), argMax(municipality_code, inserted_at) "
        f"FROM {DB}.call_events GROUP BY event_id ORDER BY event_id"
    )
    assert [r[0] for r in by_arg_max] == [r[0] for r in final]
    per_municipality = migrated.execute(
        f"SELECT municipality_code, count() FROM {DB}.call_events FINAL "
        "WHERE in_catchment GROUP BY municipality_code ORDER BY municipality_code"
    )
    assert per_municipality == [(751, sum(1 for e in events if e.in_catchment))]


def test_interval_buckets_agree_between_dialects(
    migrated: Any, make_event: MakeEvent, literal: Callable[[Any], str]
) -> None:
    _insert(migrated, literal, [to_row(make_event(i)) for i in range(6)])
    new = Dialect.for_version(migrated.version()).start_of_interval("occurred_at", 900)
    old = Dialect.for_version((18, 16, 1)).start_of_interval("occurred_at", 900)
    rows = migrated.execute(
        f"SELECT toString({new}) AS a, toString({old}) AS b, count() "
        f"FROM {DB}.call_events FINAL GROUP BY a, b ORDER BY a"
    )
    assert rows
    assert all(a == b for a, b, _ in rows)


def test_retention_does_not_delete_replayed_history(
    migrated: Any, make_event: MakeEvent, literal: Callable[[Any], str]
) -> None:
    # The pilot ran 2012-2013: TTL counts from inserted_at, so old events survive a merge.
    _insert(migrated, literal, [to_row(make_event(0))])
    migrated.execute(f"OPTIMIZE TABLE {DB}.call_events FINAL")
    (count,) = migrated.execute(f"SELECT count() FROM {DB}.call_events")
    assert count[0] == 1
