"""The call views classify every stored record as kpi.py does, with the thresholds of the
rules table, on ClickHouse 18.16 and on chdb; a changed rule changes the views, history
included, after `hotline migrate` reloads it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from hotline_schemas import CallRecord, kpi
from hotline_schemas.rules import Rules
from hotline_sink import record_rows
from hotline_sink.reference import load_rules
from hotline_sink.schema import prepare

MakeRecord = Callable[..., CallRecord]


def _records(make_record: MakeRecord) -> list[CallRecord]:
    unanswered: dict[str, Any] = {"answered_at": None, "talk_seconds": None, "agent_id": None}
    never_queued = {**unanswered, "queued_at": None, "wait_seconds": None}
    return [
        make_record("answered-10", wait_seconds=10.0),
        make_record("answered-20", wait_seconds=20.0),
        make_record("answered-25", wait_seconds=25.0),
        make_record("short-3", outcome="short_abandon", wait_seconds=3.0, **unanswered),
        make_record("abandon-7", outcome="abandoned", wait_seconds=7.0, **unanswered),
        make_record("abandon-60", outcome="abandoned", wait_seconds=60.0, **unanswered),
        make_record("menu", outcome="menu_hangup", menu_seconds=12.0, **never_queued),
        # Stored before menu hang-ups were told apart (CallRecord v1): abandoned, never queued.
        make_record("menu-v1", outcome="abandoned", **{**never_queued, "wait_seconds": 14.0}),
        make_record(
            "timeout",
            outcome="left_queue",
            wait_seconds=300.0,
            end_reason="queue_timeout",
            **unanswered,
        ),
        make_record("closed", outcome="closed", within_hours=False, **never_queued),
        make_record("no-agent", outcome="no_agent", closed_by_timeout=True, **unanswered),
        make_record(
            "elsewhere", municipality_code=None, municipality_name=None, in_catchment=False
        ),
    ]


def _expected(records: list[CallRecord], rules: Rules) -> dict[str, tuple[str, int]]:
    th = rules.thresholds()
    out = {}
    for r in records:
        outcome = kpi.queue_outcome(r.outcome, r.wait_seconds, r.queued_at is not None, th)
        out[r.call_id] = (outcome.value, int(kpi.answered_within(outcome, r.wait_seconds, th)))
    return out


def _shown(engine: Any) -> dict[str, tuple[str, int]]:
    rows = engine.execute(
        f"SELECT call_id, queue_outcome, answered_within FROM {engine.database}.calls_local_v"
    )
    return {str(c): (str(o), int(w)) for c, o, w in rows}


@pytest.fixture
def stored(clickhouse_engine: Any, make_record: MakeRecord) -> list[CallRecord]:
    prepare(clickhouse_engine, clickhouse_engine.dialect, clickhouse_engine.database, Rules())
    records = _records(make_record)
    clickhouse_engine.execute(
        f"INSERT INTO {clickhouse_engine.database}.call_records "
        f"({', '.join(record_rows.COLUMNS)}) VALUES",
        [record_rows.to_row(r) for r in records],
    )
    return records


def test_views_classify_every_record_as_kpi_does(
    clickhouse_engine: Any, stored: list[CallRecord]
) -> None:
    shown = _shown(clickhouse_engine)
    assert shown == _expected(stored, Rules())
    assert Counter(o for o, _ in shown.values()) == {
        "answered": 4,
        "short_abandon": 1,
        "abandoned": 2,
        "menu_hangup": 2,  # one stored as such, one from before it was told apart
        "left_queue": 1,
        "closed": 1,
        "no_agent": 1,
    }
    (row,) = clickhouse_engine.execute(
        "SELECT sum(offered), sum(answered), sum(answered_within), sum(abandoned), "
        "sum(short_abandoned), sum(menu_hangups), sum(left_queue), sum(closed), sum(no_agent), "
        f"sum(wait_seconds_sum) FROM {clickhouse_engine.database}.call_intervals_30m_v"
    )
    assert tuple(row) == (12, 4, 3, 2, 1, 2, 1, 1, 1, 10.0 + 20.0 + 25.0 + 15.0)
    (menu,) = clickhouse_engine.execute(
        f"SELECT wait_seconds, menu_seconds FROM {clickhouse_engine.database}.calls_local_v "
        "WHERE call_id = 'menu-v1'"
    )
    assert menu[0] is None  # menu time is never queue time, not even for v1 records


@pytest.mark.parametrize(
    "rules",
    [
        Rules(short_abandon_seconds=10),
        Rules(service_level_seconds=30),
        Rules(service_level_seconds=10, short_abandon_seconds=2),
    ],
)
def test_a_changed_rule_changes_the_views_history_included(
    clickhouse_engine: Any, stored: list[CallRecord], rules: Rules
) -> None:
    before = _shown(clickhouse_engine)
    load_rules(clickhouse_engine, clickhouse_engine.database, rules)
    after = _shown(clickhouse_engine)
    assert after == _expected(stored, rules)
    assert after != before
