"""Retention and erasure on both engines: current ClickHouse (chdb, in-process) and the real
18.16 server (integration), each in a database of its own.

Rows are stored with chosen `inserted_at` values, so the tests see retention count from when a
row was stored, not when the call happened (history from 2012 stored today must survive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline_schemas.config import DEFAULT_TABLE_DAYS, Retention
from hotline_sink import migrations, retention
from hotline_sink.dialect import Dialect, parse_version
from hotline_sink.erasure import ErasureError, erase

NOW = datetime.now(UTC).replace(microsecond=0)
PILOT_START = int(datetime(2012, 12, 3, 18, 30, tzinfo=UTC).timestamp())
KEY = "a" * 64
OTHER = "b" * 64
SHORT = Retention(events_days=30, records_days=30, agents_days=30)


@dataclass
class Engine:
    client: Any
    dialect: Dialect
    db: str

    def run(self, query: str, params: Any = None) -> Any:
        return self.client.execute(query, params, settings=self.dialect.session_settings())

    def event(self, event_id: str, call_id: str, key: str | None, stored_days_ago: int) -> None:
        stored = int((NOW - timedelta(days=stored_days_ago)).timestamp())
        self.run(
            f"INSERT INTO {self.db}.call_events (event_id, call_id, type, occurred_at, line, "
            "caller_key, topic, topic_source, enriched_at, inserted_at) VALUES",
            [(event_id, call_id, "offered", PILOT_START, "+4570200000", key, "login", "none",
              stored, stored)],
        )  # fmt: skip

    def record(self, call_id: str, version: int, key: str | None, stored_days_ago: int) -> None:
        stored = int((NOW - timedelta(days=stored_days_ago)).timestamp())
        self.run(
            f"INSERT INTO {self.db}.call_records (call_id, version, schema_version, updated_at, "
            "started_at, outcome, closed_reason, topic, topic_source, line, caller_key, "
            "event_count, inserted_at) VALUES",
            [(call_id, version, 1, stored, PILOT_START, "answered", "ended", "login", "none",
              "+4570200000", key, 1, stored)],
        )  # fmt: skip

    def ids(self, table: str) -> list[str]:
        key = "event_id" if table == "call_events" else "call_id"
        return sorted(str(r[0]) for r in self.run(f"SELECT {key} FROM {self.db}.{table}"))

    def log(self) -> list[tuple[Any, ...]]:
        return sorted(
            self.run(f"SELECT action, table_name, rows, detail, done_by FROM {self.db}.privacy_log")
        )


@pytest.fixture(params=["chdb", pytest.param("server", marks=pytest.mark.integration)])
def engine(request: pytest.FixtureRequest) -> Engine:
    if request.param == "chdb":
        client = request.getfixturevalue("chdb_executor")
        db = "retention_test"
    else:
        client = request.getfixturevalue("clickhouse_client")
        db = request.getfixturevalue("clickhouse_database")
    ((version,),) = client.execute("SELECT version()")
    dialect = Dialect.for_version(parse_version(str(version)))
    migrations.apply(client, dialect, db)
    return Engine(client, dialect, db)


def _history(engine: Engine) -> None:
    """Three events and calls stored 100 days ago, two stored today; every call in the pilot."""
    for n in range(3):
        engine.event(f"old-{n}", f"call-old-{n}", None, stored_days_ago=100)
        engine.record(f"call-old-{n}", 1, None, stored_days_ago=100)
    for n in range(2):
        engine.event(f"new-{n}", f"call-new-{n}", None, stored_days_ago=0)
        engine.record(f"call-new-{n}", 1, None, stored_days_ago=0)


def test_purge_counts_from_when_rows_were_stored(engine: Engine) -> None:
    _history(engine)
    dry = retention.purge(engine.client, engine.dialect, engine.db, SHORT, NOW, "t", dry_run=True)
    assert [(a.table, a.rows) for a in dry] == [
        ("call_events", 3),
        ("call_records", 3),
        ("agent_events", 0),
    ]
    assert len(engine.ids("call_events")) == 5, "a dry run deletes nothing"
    assert engine.log() == []

    done = retention.purge(engine.client, engine.dialect, engine.db, SHORT, NOW, "t", dry_run=False)
    assert [a.rows for a in done] == [3, 3, 0]
    # The pilot's calls (2012) stored today stay: retention counts from inserted_at.
    assert engine.ids("call_events") == ["new-0", "new-1"]
    assert engine.ids("call_records") == ["call-new-0", "call-new-1"]
    assert [(a, t, r) for a, t, r, _, _ in engine.log()] == [
        ("purge", "call_events", 3),
        ("purge", "call_records", 3),
    ]
    again = retention.purge(
        engine.client, engine.dialect, engine.db, SHORT, NOW, "t", dry_run=False
    )
    assert [a.rows for a in again] == [0, 0, 0]


def test_the_default_keeps_the_pilot_and_its_evaluation(engine: Engine) -> None:
    engine.event("imported", "call-imported", None, stored_days_ago=DEFAULT_TABLE_DAYS - 1)
    states = [
        retention.inspect(engine.client, engine.dialect, engine.db, p, NOW)
        for p in retention.policies(Retention())
    ]
    assert [(s.policy.days, s.rows, s.expired) for s in states] == [
        (731, 1, 0),
        (731, 0, 0),
        (731, 0, 0),
    ]
    if engine.dialect.supports_ttl:  # migrations 0007 and 0008 set the two-year TTL
        assert [s.ttl_days for s in states] == [731, 731, 731]
    else:
        assert [s.ttl_days for s in states] == [None, None, None]


def test_apply_sets_the_ttl_or_purges_where_there_is_none(engine: Engine) -> None:
    _history(engine)
    actions = retention.apply(engine.client, engine.dialect, engine.db, SHORT, NOW, "t")
    if engine.dialect.supports_ttl:
        assert [(a.table, a.action) for a in actions] == [
            ("call_events", "ttl"),
            ("call_records", "ttl"),
            ("agent_events", "ttl"),
        ]
        assert "was 731 days" in actions[0].detail
        states = [
            retention.inspect(engine.client, engine.dialect, engine.db, p, NOW)
            for p in retention.policies(SHORT)
        ]
        assert [s.ttl_days for s in states] == [30, 30, 30]
    else:
        assert [(a.action, a.rows) for a in actions] == [("purge", 3), ("purge", 3), ("purge", 0)]
        assert engine.ids("call_events") == ["new-0", "new-1"]
    # Idempotent: nothing left to change.
    again = retention.apply(engine.client, engine.dialect, engine.db, SHORT, NOW, "t")
    assert all(a.rows == 0 for a in again)
    if engine.dialect.supports_ttl:
        assert again == []


def _caller_calls(engine: Engine) -> None:
    # The caller's call c1: the offered event names the caller, the ended event does not; the
    # first record version was built before the caller was known.
    engine.event("c1-offered", "c1", KEY, stored_days_ago=0)
    engine.event("c1-ended", "c1", None, stored_days_ago=0)
    engine.record("c1", 1, None, stored_days_ago=0)
    engine.record("c1", 2, KEY, stored_days_ago=0)
    # Another call of the same caller, and a call of someone else.
    engine.event("c3-offered", "c3", KEY, stored_days_ago=5)
    engine.record("c3", 1, KEY, stored_days_ago=5)
    engine.event("c2-offered", "c2", OTHER, stored_days_ago=0)
    engine.record("c2", 1, OTHER, stored_days_ago=0)


def test_erase_deletes_every_row_of_the_callers_calls_and_nothing_else(engine: Engine) -> None:
    _caller_calls(engine)
    args = (engine.client, engine.dialect, engine.db, KEY)
    dry = erase(*args, dry_run=True, reference="DPO-17", done_by="t")
    assert (dry.calls, dry.found) == (2, {"call_events": 3, "call_records": 3})
    assert len(engine.ids("call_events")) == 4, "a dry run deletes nothing"

    done = erase(*args, dry_run=False, reference="DPO-17 (+45 86 12 34 56)", done_by="writer")
    assert (done.calls, done.found, done.left) == (
        2,
        {"call_events": 3, "call_records": 3},
        {"call_events": 0, "call_records": 0},
    )
    assert engine.ids("call_events") == ["c2-offered"]
    assert engine.ids("call_records") == ["c2"]
    log = engine.log()
    assert [(a, t, r, who) for a, t, r, _, who in log] == [
        ("erase", "call_events", 3, "writer"),
        ("erase", "call_records", 3, "writer"),
    ]
    for *_, detail, _ in log:
        assert KEY not in detail, "the log must not keep the link erasure removes"
        assert "86 12 34 56" not in detail
        assert "DPO-17" in detail

    again = erase(*args, dry_run=False, reference="", done_by="t")
    assert again.found == {"call_events": 0, "call_records": 0}


def test_erase_refuses_anything_but_a_pseudonym(engine: Engine) -> None:
    for bad in ("+4586123456", "A" * 64, "a" * 63, "x' OR 1=1 --"):
        with pytest.raises(ErasureError):
            erase(
                engine.client,
                engine.dialect,
                engine.db,
                bad,
                dry_run=True,
                reference="",
                done_by="t",
            )


def test_modify_ttl_renders_only_where_the_server_has_ttl() -> None:
    from hotline_sink.templates import TemplateError, render

    template = '{{ modify_ttl("call_events", "inserted_at + INTERVAL 731 DAY") }};'
    assert render(template, Dialect.for_version((26, 9)), "db") == (
        "ALTER TABLE db.call_events MODIFY TTL inserted_at + INTERVAL 731 DAY;"
    )
    assert render(template, Dialect.for_version((18, 16, 1)), "db") == ";"
    with pytest.raises(TemplateError):
        render('{{ modify_ttl("x; DROP", "1") }}', Dialect.for_version((26, 9)), "db")


@pytest.mark.parametrize(
    ("engine_full", "days"),
    [
        (
            "ReplacingMergeTree(v) ORDER BY k TTL inserted_at + toIntervalDay(731) SETTINGS",
            731,
        ),
        ("MergeTree ORDER BY k TTL inserted_at + INTERVAL 30 DAY", 30),
        ("MergeTree ORDER BY k SETTINGS index_granularity = 8192", None),
        ("MergeTree ORDER BY k TTL occurred_at + toIntervalDay(5)", None),
    ],
)
def test_the_ttl_days_are_read_from_the_table_definition(
    engine_full: str, days: int | None
) -> None:
    assert retention.parse_ttl_days(engine_full) == days
