"""The big-history benchmark's inputs are trustworthy: a tiny history, generated and loaded by
the benchmark's own code into ClickHouse 18.16 and chdb, holds exactly the simulated calls,
events and agent events, one record per call; and every board query gets a name. Nothing here
is timed."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from benchmarks import history_data, history_queries
from benchmarks.history_load import Chdb, Server
from benchmarks.settings import Settings
from hotline_schemas.config import ClickHouseConnection
from hotline_schemas.rules import Rules

# A Sunday to a Tuesday: two opening evenings and the Friday-like closed share are not needed;
# two lines so the agents of a second line are renamed.
SPEC = history_data.HistorySpec(days=3, lines=2, first_day=date(2013, 1, 6))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, history_data.Counts]:
    out = tmp_path_factory.mktemp("history")
    return out, history_data.generate(SPEC, out, workers=1)


def _tsv(out: Path, table: str) -> list[list[str]]:
    found: list[list[str]] = []
    for path in history_data.files(out, table):
        with path.open(encoding="utf-8", newline="") as handle:
            found += list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return found


def test_the_files_hold_one_record_per_simulated_call(
    generated: tuple[Path, history_data.Counts],
) -> None:
    out, counts = generated
    events, records = _tsv(out, "call_events"), _tsv(out, "call_records")
    agents = _tsv(out, "agent_events")
    assert counts.calls > 100
    assert len(events) == counts.call_events
    assert len(records) == counts.call_records == counts.calls
    assert len(agents) == counts.agent_events
    assert {e[1] for e in events} == {r[0] for r in records}
    assert len({e[0] for e in events}) == len(events)  # event ids unique across the lines
    # each line has its own team: agent-07 of line 1 is not agent-07 of line 0
    agent_ids = {a[1] for a in agents}
    assert any(a.endswith("-l1") for a in agent_ids)
    assert any(not a.endswith("-l1") for a in agent_ids)
    assert sum(counts.calls_by_day.values()) == counts.calls
    assert counts.opening_days == 3


def _check_tables(ex: Any, database: str, counts: history_data.Counts) -> None:
    def one(sql: str) -> int:
        ((value,),) = ex.execute(sql)
        return int(value)

    assert one(f"SELECT count() FROM {database}.call_records FINAL") == counts.calls
    assert one(f"SELECT sum(event_count) FROM {database}.call_records FINAL") == counts.call_events
    assert one(f"SELECT uniqExact(event_id) FROM {database}.call_events") == counts.call_events
    assert one(f"SELECT count() FROM {database}.agent_events FINAL") == counts.agent_events
    assert one(f"SELECT count() FROM {database}.calls_local_v") == counts.calls


def _check_board(ex: Any, database: str, counts: history_data.Counts) -> None:
    moments = history_queries.moments(counts, 2)
    board = history_queries.time_board(ex.execute, database, moments, 1, Rules())
    assert "other" not in board["queries"]
    assert set(board["queries"]) == {
        "data_age", "live", "window_evening", "window_last_15m", "by_municipality", "topics",
        "by_queue_window", "by_queue_live", "agent_events", "answered_calls", "trend",
    }  # fmt: skip
    assert all(q["n"] == len(moments) for q in board["queries"].values())
    assert board["busiest_evening_offered_by_20"] > 0


@pytest.fixture
def server(
    clickhouse_server: tuple[str, int], clickhouse_writer: ClickHouseConnection, unique_name: str
) -> Iterator[Server]:
    loaded = Server(Settings(clickhouse=clickhouse_writer), unique_name)
    try:
        yield loaded
    finally:
        loaded.drop()


@pytest.mark.integration
def test_loaded_on_clickhouse_18_16(
    generated: tuple[Path, history_data.Counts], server: Server
) -> None:
    out, counts = generated
    server.prepare(Rules())
    loaded = server.load(out)
    assert loaded.rows == {
        "call_events": counts.call_events,
        "call_records": counts.call_records,
        "agent_events": counts.agent_events,
    }
    _check_tables(server.client, server.database, counts)
    _check_board(_Rows(server.client), server.database, counts)


class _Rows:
    """clickhouse-driver's execute as the board's executor (one argument)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def execute(self, query: str) -> list[tuple[Any, ...]]:
        return list(self.client.execute(query))


@pytest.mark.integration
def test_loaded_in_chdb(generated: tuple[Path, history_data.Counts], tmp_path: Path) -> None:
    out, counts = generated
    engine = Chdb(tmp_path / "chdb", "bench_history")
    try:
        engine.prepare(Rules())
        loaded = engine.load(out)
        assert sum(loaded.rows.values()) == counts.rows()
        _check_tables(engine.engine, engine.database, counts)
        _check_board(engine.engine, engine.database, counts)
    finally:
        engine.close()


def test_every_board_query_has_a_name() -> None:
    seen: dict[str, int] = {}
    assert history_queries.label("SELECT 1 AS offered FROM x", seen) == "window_evening"
    assert history_queries.label("SELECT 1 AS offered FROM x", seen) == "window_last_15m"
    assert history_queries.label("SELECT queue, 1 AS offered FROM x GROUP BY queue", seen) == (
        "by_queue_window"
    )


def test_tsv_escapes_what_clickhouse_would_misread() -> None:
    text = history_data.tsv([("a\tb", None, [1, 2], True, 1.5, "back\\slash\nline")])
    assert text == b"a\\tb\t\\N\t[1,2]\t1\t1.5\tback\\\\slash\\nline\n"
