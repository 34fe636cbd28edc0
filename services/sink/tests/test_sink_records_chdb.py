"""call_records, the interval views and the municipality dimension on current ClickHouse
(chdb, in-process)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hotline_schemas import CallRecord
from hotline_schemas.reference_data import read_municipalities
from hotline_schemas.rules import Rules
from hotline_sink import record_rows
from hotline_sink.dialect import Dialect
from hotline_sink.reference import load_municipalities
from hotline_sink.schema import prepare

MakeRecord = Callable[..., CallRecord]
DB = "hotline_records"


def _insert(executor: Any, literal: Callable[[Any], str], records: list[CallRecord]) -> None:
    values = ", ".join(
        "(" + ", ".join(literal(v) for v in record_rows.to_row(r)) + ")" for r in records
    )
    columns = ", ".join(record_rows.COLUMNS)
    executor.execute(f"INSERT INTO {DB}.call_records ({columns}) VALUES {values}")


@pytest.fixture
def migrated(chdb_executor: Any) -> Any:
    prepare(chdb_executor, Dialect.for_version(chdb_executor.version()), DB, Rules())
    return chdb_executor


def _calls(make_record: MakeRecord) -> list[CallRecord]:
    return [
        make_record("c1", wait_seconds=15.0),
        make_record(
            "c2",
            outcome="abandoned",
            wait_seconds=30.0,
            answered_at=None,
            ended_at=None,
            talk_seconds=None,
            municipality_code=None,
            municipality_name=None,
        ),
        make_record("c3", outcome="short_abandon", wait_seconds=2.0, talk_seconds=None),
        make_record("c4", wait_seconds=25.0),
    ]


def test_records_deduplicate_per_call_and_aggregate_per_interval(
    migrated: Any, make_record: MakeRecord, literal: Callable[[Any], str]
) -> None:
    calls = _calls(make_record)
    _insert(migrated, literal, calls)
    _insert(migrated, literal, calls[:2])  # a redelivered batch
    _insert(migrated, literal, [calls[2].model_copy(update={"version": 5, "event_count": 5})])

    rows = migrated.execute(
        f"SELECT call_id, version, outcome FROM {DB}.call_records FINAL ORDER BY call_id"
    )
    assert rows == [
        ("c1", 4, "answered"),
        ("c2", 4, "abandoned"),
        ("c3", 5, "short_abandon"),
        ("c4", 4, "answered"),
    ]
    totals = migrated.execute(
        "SELECT sum(offered), sum(answered), sum(answered_within), sum(abandoned), "
        "sum(short_abandoned), sum(closed), sum(no_agent), sum(wait_seconds_sum), "
        f"sum(talk_seconds_sum), sum(talked) FROM {DB}.call_intervals_15m_v"
    )
    assert [tuple(r) for r in totals] == [(4, 2, 1, 1, 1, 0, 0, 40.0, 600.0, 2)]
    by_municipality = migrated.execute(
        f"SELECT municipality_code, offered FROM {DB}.call_intervals_30m_v "
        "ORDER BY municipality_code"
    )
    # An unknown municipality is NULL, not 0.
    assert [tuple(r) for r in by_municipality] == [(751, 3), (None, 1)]
    (interval,) = migrated.execute(
        f"SELECT DISTINCT toString(interval_start) FROM {DB}.call_intervals_15m_v"
    )
    assert interval[0] == "2013-03-31 16:30:00"


def test_a_version_that_changes_the_outcome_counts_once_under_its_last_value(
    migrated: Any, make_record: MakeRecord, literal: Callable[[Any], str]
) -> None:
    # A call timed out (no_agent), then its answer arrived late: the views read FINAL.
    timed_out = make_record(
        "c9",
        version=2,
        outcome="no_agent",
        closed_reason="timeout",
        closed_by_timeout=True,
        answered_at=None,
        ended_at=None,
        wait_seconds=None,
        talk_seconds=None,
    )
    _insert(migrated, literal, [timed_out])
    _insert(migrated, literal, [make_record("c9", version=3)])
    (row,) = migrated.execute(
        f"SELECT sum(offered), sum(answered), sum(no_agent) FROM {DB}.call_intervals_15m_v"
    )
    assert tuple(row) == (1, 1, 0)


def test_municipalities_load_once_from_the_reference_file(migrated: Any) -> None:
    expected = read_municipalities()
    assert load_municipalities(migrated, DB) == 0  # prepare() loaded them already
    rows = migrated.execute(
        f"SELECT municipality_code, population, hotline_member, source "
        f"FROM {DB}.municipalities FINAL ORDER BY municipality_code"
    )
    assert [r[0] for r in rows] == sorted(m.code for m in expected)
    assert all(r[3] for r in rows)
    assert sum(r[2] for r in rows) == 7


def test_interval_start_uses_the_old_dialect_bucket_too(make_record: MakeRecord) -> None:
    record = make_record("c1", started_at=make_record().started_at + timedelta(minutes=20))
    assert record_rows.to_row(record)[5] == 250  # milliseconds of started_at
