"""Every view the migrations create runs on ClickHouse 18.16 and on chdb, with rows to read,
and keeps unknown municipalities as NULL (never 0). An agent's short shift gives the agent
views rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hotline_schemas import CallRecord
from hotline_schemas.rules import Rules
from hotline_sink import record_rows
from hotline_sink.schema import prepare

MakeRecord = Callable[..., CallRecord]


def test_every_view_answers_with_rows(clickhouse_engine: Any, make_record: MakeRecord) -> None:
    engine, db = clickhouse_engine, clickhouse_engine.database
    prepare(engine, engine.dialect, db, Rules())
    records = [
        make_record("known", caller_key="k1"),
        make_record("again", caller_key="k1", started_at=make_record().started_at.replace(hour=18)),
        make_record("nowhere", municipality_code=None, municipality_name=None, in_catchment=False),
    ]
    engine.execute(
        f"INSERT INTO {db}.call_records ({', '.join(record_rows.COLUMNS)}) VALUES",
        [record_rows.to_row(r) for r in records],
    )
    start = records[0].started_at
    shift = [
        ("logged_in", start - timedelta(minutes=30), None),
        ("paused", start + timedelta(minutes=10), "break"),
        ("unpaused", start + timedelta(minutes=20), None),
        ("logged_out", start + timedelta(minutes=50), None),
    ]
    engine.execute(
        f"INSERT INTO {db}.agent_events (event_id, agent_id, type, occurred_at, occurred_at_ms, "
        "schema_version, reason, origin) VALUES",
        [
            (f"s{n}", "agent-07", kind, when, 0, 1, why, "live")
            for n, (kind, when, why) in enumerate(shift)
        ],
    )
    views = [
        str(name)
        for (name,) in engine.execute(
            f"SELECT name FROM system.tables WHERE database = '{db}' AND engine = 'View' "
            "ORDER BY name"
        )
    ]
    assert len(views) >= 20
    empty = []
    for view in views:
        rows = engine.execute(f"SELECT * FROM {db}.{view} LIMIT 100")
        if not rows:
            empty.append(view)
    # Only the view of calls while closed has nothing: all three calls came within hours.
    assert empty == ["load_while_closed_v"]
    for view in (
        "calls_local_v",
        "call_intervals_30m_v",
        "caller_calls_v",
        "callers_by_municipality_v",
    ):
        codes = engine.execute(f"SELECT DISTINCT municipality_code FROM {db}.{view}")
        assert sorted(codes, key=lambda r: (r[0] is None, r[0] or 0)) == [(751,), (None,)], view
