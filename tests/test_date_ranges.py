"""The date-range queries of docs/clickhouse.md ("Date ranges") on ClickHouse 18.16 and chdb:
each gives the figures the views give for those months, reads only the named months'
partitions where the docs say so, and the move of call_records into monthly partitions
(migration 0011) keeps every call."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hotline_schemas import CallRecord
from hotline_schemas.rules import Rules
from hotline_sink import migrations, record_rows
from hotline_sink.schema import prepare

DOCS = Path(__file__).resolve().parents[1] / "docs" / "clickhouse.md"
START = datetime(2013, 1, 6, 17, 40, tzinfo=UTC)  # a Sunday evening, winter time


def documented_queries() -> dict[str, str]:
    blocks = re.findall(
        r"```sql\n-- query: (\w+)\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S
    )
    return dict(blocks)


def _record(n: int, at: datetime, **kw: Any) -> CallRecord:
    fields: dict[str, Any] = {
        "call_id": f"c{n:04d}",
        "version": 3,
        "updated_at": at,
        "first_seen_at": at,
        "started_at": at,
        "offered_at": at,
        "queued_at": at + timedelta(seconds=8),
        "answered_at": at + timedelta(seconds=8 + n % 40),
        "abandoned_at": None,
        "ended_at": at + timedelta(seconds=200),
        "wait_seconds": float(n % 40),
        "menu_seconds": 8.0,
        "talk_seconds": 150.0,
        "outcome": "answered",
        "closed_reason": "ended",
        "closed_by_timeout": False,
        "within_hours": True,
        "topic": "moving",
        "topic_source": "ivr_choice",
        "in_scope": True,
        "wrap_up_code": None,
        "queue": "hotline",
        "agent_id": "agent-01",
        "line": "+4570200000",
        "municipality_code": 751,
        "municipality_name": "Aarhus",
        "in_catchment": True,
        "caller_postcode": "8000",
        "caller_key": f"k{n % 50}",
        "event_count": 3,
    }
    fields.update(kw)
    return CallRecord(**fields)


def _history() -> list[CallRecord]:
    """Three months of calls: answered, abandoned, menu hang-ups; some with a second, later
    version whose start moved (a late offered event) but whose first_seen_at did not."""
    records = []
    for n in range(300):
        at = START + timedelta(days=n // 4 * 1, minutes=(n % 4) * 20)
        kind = n % 5
        if kind == 3:
            records.append(_record(n, at, outcome="abandoned", answered_at=None, talk_seconds=None))
        elif kind == 4:
            records.append(
                _record(
                    n,
                    at,
                    outcome="menu_hangup",
                    queued_at=None,
                    answered_at=None,
                    wait_seconds=None,
                    talk_seconds=None,
                )
            )
        else:
            records.append(_record(n, at))
        if n % 7 == 0:  # re-emitted: version 4, started 30 s earlier, same first_seen_at
            records.append(
                records[-1].model_copy(
                    update={"version": 4, "started_at": at - timedelta(seconds=30)}
                )
            )
    return records


def _insert(engine: Any, records: list[CallRecord]) -> None:
    engine.execute(
        f"INSERT INTO {engine.database}.call_records ({', '.join(record_rows.COLUMNS)}) VALUES",
        [record_rows.to_row(r) for r in records],
    )


@pytest.fixture
def history(clickhouse_engine: Any) -> list[CallRecord]:
    prepare(clickhouse_engine, clickhouse_engine.dialect, clickhouse_engine.database, Rules())
    records = _history()
    _insert(clickhouse_engine, records)
    return records


def _run(engine: Any, name: str, first: int, last: int) -> list[tuple[Any, ...]]:
    sql = documented_queries()[name].format(
        database=engine.database, first_month=first, last_month=last
    )
    return [tuple(r) for r in engine.execute(sql)]


def test_the_docs_hold_the_queries() -> None:
    assert set(documented_queries()) == {"outcomes_by_local_date", "day_figures"}


def test_call_records_are_partitioned_by_the_month_first_seen(
    clickhouse_engine: Any, history: list[CallRecord]
) -> None:
    rows = clickhouse_engine.execute(
        "SELECT DISTINCT partition FROM system.parts WHERE active AND "
        f"database = '{clickhouse_engine.database}' AND table = 'call_records'"
    )
    assert sorted(str(p) for (p,) in rows) == ["201301", "201302", "201303"]
    by_month = Counter(r.first_seen_at.strftime("%Y%m") for r in history if r.first_seen_at)
    per_month = clickhouse_engine.execute(
        f"SELECT toYYYYMM(first_seen_at) AS m, count(), uniqExact(call_id) FROM "
        f"{clickhouse_engine.database}.call_records FINAL GROUP BY m"
    )
    calls = Counter(r.first_seen_at.strftime("%Y%m") for r in history if r.version == 3)
    assert {str(m): (int(n), int(u)) for m, n, u in per_month} == {
        m: (n, n) for m, n in calls.items()
    }
    assert sum(by_month.values()) == 300 + sum(1 for r in history if r.version == 4)
    # A re-emitted version with a moved start landed in its call's partition: FINAL has one.
    (final,) = clickhouse_engine.execute(
        f"SELECT count() FROM {clickhouse_engine.database}.call_records FINAL"
    )
    assert final[0] == 300


@pytest.mark.parametrize(("first", "last"), [(201302, 201302), (201301, 201302), (201303, 201303)])
def test_documented_queries_give_the_views_figures(
    clickhouse_engine: Any, history: list[CallRecord], first: int, last: int
) -> None:
    db = clickhouse_engine.database
    by_view = [
        tuple(r)
        for r in clickhouse_engine.execute(
            "SELECT local_date, count(), countIf(queue_outcome = 'answered'), "
            "sum(answered_within), countIf(queue_outcome = 'abandoned'), "
            "countIf(queue_outcome = 'short_abandon'), countIf(queue_outcome = 'menu_hangup'), "
            f"countIf(queue_outcome = 'left_queue') FROM {db}.calls_local_v "
            f"WHERE within_hours = 1 AND first_seen_month BETWEEN {first} AND {last} "
            "GROUP BY local_date ORDER BY local_date"
        )
    ]
    assert by_view
    assert _run(clickhouse_engine, "day_figures", first, last) == by_view
    outcomes = _run(clickhouse_engine, "outcomes_by_local_date", first, last)
    assert sum(r[2] for r in outcomes) == sum(r[1] for r in by_view)
    assert sum(r[2] for r in outcomes if r[1] == "menu_hangup") == sum(r[6] for r in by_view)


@pytest.mark.integration
def test_on_18_16_the_documented_query_reads_only_its_months(
    clickhouse_client: Any, clickhouse_database: str
) -> None:
    from hotline_sink.dialect import Dialect, parse_version

    client = clickhouse_client
    dialect = Dialect.for_version(parse_version(str(client.execute("SELECT version()")[0][0])))
    settings = dialect.session_settings()

    class Engine:
        database = clickhouse_database

        def execute(self, q: str, p: Any = None, *, settings: Any = None) -> Any:
            return client.execute(q, p, settings={**dialect.session_settings(), **(settings or {})})

    engine = Engine()
    prepare(engine, dialect, clickhouse_database, Rules())
    records = _history()
    _insert(engine, records)
    february = sum(1 for r in records if r.first_seen_at and r.first_seen_at.month == 2)
    _run(engine, "day_figures", 201302, 201302)
    read = client.last_query.progress.rows
    # February's rows plus the one-row rules table read twice by the scalar subqueries.
    assert february <= read <= february + 20 < len(records)
    client.execute(f"SELECT count() FROM {clickhouse_database}.calls_local_v", settings=settings)
    assert client.last_query.progress.rows >= len(records)  # the view reads them all on 18.16


def test_the_move_keeps_every_call_and_a_rerun_changes_nothing(clickhouse_engine: Any) -> None:
    """Migrations up to 0010 (the unpartitioned table), history stored the old way (no
    first_seen_at), then 0011 and later: every call is there once, in its month."""
    engine, db = clickhouse_engine, clickhouse_engine.database
    before = [m for m in migrations.discover() if m.version <= 10]
    migrations.apply(engine, engine.dialect, db, before)
    old = [r.model_copy(update={"first_seen_at": None, "schema_version": 1}) for r in _history()]
    columns = [c for c in record_rows.COLUMNS if c != "first_seen_at"]
    index = [record_rows.COLUMNS.index(c) for c in columns]
    engine.execute(
        f"INSERT INTO {db}.call_records ({', '.join(columns)}) VALUES",
        [tuple(record_rows.to_row(r)[i] for i in index) for r in old],
    )
    prepare(engine, engine.dialect, db, Rules())
    (moved,) = engine.execute(f"SELECT count(), uniqExact(call_id) FROM {db}.call_records FINAL")
    assert tuple(moved) == (300, 300)
    (kept,) = engine.execute(
        f"SELECT count() FROM system.tables WHERE database = '{db}' "
        "AND name = 'call_records_unpartitioned'"
    )
    assert kept[0] == 0  # no copy of personal data left outside retention and erasure
    (first_seen,) = engine.execute(
        f"SELECT countIf(first_seen_at = started_at) FROM {db}.call_records FINAL"
    )
    assert first_seen[0] == 300  # rows from before first_seen_at use their start
    # A run that died after the drop is run again: the new table is renamed and copied again.
    (move,) = [m for m in migrations.discover() if m.version == 11]
    settings = engine.dialect.session_settings()
    for sql in move.statements(engine.dialect, db):
        if not migrations.already_done(engine, sql, settings):
            engine.execute(sql)
    (again,) = engine.execute(f"SELECT count() FROM {db}.call_records FINAL")
    assert again[0] == 300
    (view,) = engine.execute(f"SELECT count() FROM {db}.calls_local_v")
    assert view[0] == 300


def test_on_current_clickhouse_the_view_reads_only_the_months_filtered(
    chdb_executor: Any,
) -> None:
    class Engine:
        database = "ranges"

        def execute(self, q: str, p: Any = None, *, settings: Any = None) -> Any:
            return chdb_executor.execute(q, p, settings=settings)

    engine = Engine()
    from hotline_sink.dialect import Dialect

    prepare(engine, Dialect.for_version(chdb_executor.version()), engine.database, Rules())
    _insert(engine, _history())
    sql = documented_queries()["outcomes_by_local_date"].format(
        database=engine.database, first_month=201302, last_month=201302
    )
    plan = chdb_executor.session.query("EXPLAIN indexes = 1 " + sql, "TSVRaw").data()
    read = plan[plan.index("ReadFromMergeTree (ranges.call_records)") :]
    read = read[: read.index("Ranges:")]
    # One of the three monthly partitions (the min-max index of the partition key): the
    # filter reached the read through the view.
    assert re.search(r"Min-Max.*?Parts: 1/3", read, re.S), read
