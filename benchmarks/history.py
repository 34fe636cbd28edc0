"""(g) Big history: two years of simulated calls at ten times the pilot's volume, loaded into
a fresh database on the ClickHouse 18.16 server and into chdb (current ClickHouse); then the
board's queries and the load report, timed on each.

Everything it creates (the database `bench_history_<time>_<hex>`, the chdb directory, the TSV
files) is removed at the end, also when a step fails.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import history_data, history_queries
from benchmarks.history_load import Chdb, Server, reader_connection, storage
from benchmarks.settings import Settings, reader_login
from hotline_board.clickhouse import BoardClickHouse
from hotline_schemas.rules import Rules
from hotline_sink.clickhouse import connect

log = logging.getLogger(__name__)

# The pilot's population and dates (docs/design.md): the base of the per-citizen rate.
PILOT_CITIZENS = 615_419
PILOT_DAYS = 364  # 3 Dec 2012 - 1 Dec 2013


@dataclass(frozen=True)
class Options:
    days: int = 731
    lines: int = 10
    moments: int = 20
    repeats: int = 3
    workers: int = 2
    # Board and report query timeout on the server, seconds.
    timeout_s: float = 120.0


def _load() -> float:
    return os.getloadavg()[0]


def _pilot(spec: history_data.HistorySpec, counts: history_data.Counts) -> dict[str, Any]:
    """The pilot's own volume from the simulator's defaults, and the factor of the history."""
    per_line_per_day = counts.calls / spec.lines / spec.days
    first_attempts = history_data.expected_pilot_calls(history_data.HistorySpec(days=PILOT_DAYS))
    pilot_calls = per_line_per_day * PILOT_DAYS
    return {
        "expected_first_attempts_per_pilot_year": first_attempts,
        "simulated_calls_per_pilot_year": pilot_calls,
        "calls_per_1000_citizens_per_year": pilot_calls * 1000 / PILOT_CITIZENS,
        "events_per_call": counts.call_events / counts.calls if counts.calls else None,
        "agent_events_per_call": counts.agent_events / counts.calls if counts.calls else None,
        "history_calls_per_year": counts.calls / spec.days * 365,
        "factor": spec.lines,
    }


def _server_phase(
    settings: Settings, options: Options, out_dir: Path, counts: history_data.Counts, rules: Rules
) -> dict[str, Any]:
    database = f"bench_history_{time.strftime('%Y%m%d_%H%M%S')}_{uuid.uuid4().hex[:6]}"
    result: dict[str, Any] = {"database": database}
    server = Server(settings, database)
    try:
        server.prepare(rules)
        result["load_average_at_load"] = _load()
        result["load"] = server.load(out_dir).as_dict()
        result["merge_wait_s"] = server.wait_for_merges()
        reader = reader_login(settings)
        if reader is None:
            raise RuntimeError("no reader login: set HOTLINE_BENCH_READER_USER/_PASSWORD")
        conn = reader_connection(reader, database)
        board_client = BoardClickHouse(conn, options.timeout_s)
        try:
            result["load_average_at_board"] = _load()
            result["board"] = history_queries.time_board(
                board_client.execute,
                database,
                history_queries.moments(counts, options.moments),
                options.repeats,
                rules,
            )
        finally:
            board_client.close()
        result["load_average_at_report"] = _load()
        result["report_command"] = history_queries.time_report_command(conn)
        client = connect(conn, settings={"readonly": 1, "max_execution_time": 600})
        try:
            result["report"] = history_queries.time_report_reads(
                lambda sql: list(client.execute(sql)), database, rules
            )
        finally:
            client.disconnect()
        # The parts as the queries saw them (merges may have gone on meanwhile).
        result["load"]["after"] = storage(server.client, server.database).as_dict()
    finally:
        server.drop()
    return result


def _chdb_phase(
    options: Options, out_dir: Path, counts: history_data.Counts, rules: Rules
) -> dict[str, Any]:
    database = "bench_history"
    result: dict[str, Any] = {"database": database}
    with tempfile.TemporaryDirectory(prefix="hotline-bench-chdb-") as tmp:
        engine = Chdb(Path(tmp) / "chdb", database)
        try:
            result["version"] = ".".join(map(str, engine.dialect.version))
            engine.prepare(rules)
            result["load_average_at_load"] = _load()
            result["load"] = engine.load(out_dir).as_dict()
            result["load_average_at_board"] = _load()
            result["board"] = history_queries.time_board(
                engine.engine.execute,
                database,
                history_queries.moments(counts, options.moments),
                options.repeats,
                rules,
            )
            result["load_average_at_report"] = _load()
            result["report"] = history_queries.time_report_reads(
                engine.engine.execute, database, rules
            )
        finally:
            engine.close()
    return result


def run(settings: Settings, options: Options) -> dict[str, Any]:
    """Generate, load and time; each engine's failure is reported, not raised."""
    spec = history_data.HistorySpec(days=options.days, lines=options.lines)
    rules = Rules()
    result: dict[str, Any] = {"options": asdict(options), "spec": {
        "first_day": spec.first_day.isoformat(),
        "last_day": spec.last_day.isoformat(),
        "days": spec.days,
        "lines": spec.lines,
    }}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="hotline-bench-history-") as tmp:
        out_dir = Path(tmp)
        result["load_average_at_generation"] = _load()
        log.info("big history: simulating %d days x %d lines ...", spec.days, spec.lines)
        start = time.perf_counter()
        counts = history_data.generate(spec, out_dir, workers=options.workers)
        generated = {k: v for k, v in vars(counts).items() if k != "calls_by_day"}
        result["generation"] = {
            **generated,
            "rows": counts.rows(),
            "seconds": time.perf_counter() - start,
            "workers": options.workers,
            "tsv_bytes": sum(p.stat().st_size for p in out_dir.glob("*.tsv")),
            "busiest_day": history_data.busiest_day(counts).isoformat(),
            "busiest_day_calls": max(counts.calls_by_day.values()),
        }
        result["pilot"] = _pilot(spec, counts)
        phases: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            ("clickhouse_18_16", lambda: _server_phase(settings, options, out_dir, counts, rules)),
            ("chdb", lambda: _chdb_phase(options, out_dir, counts, rules)),
        ]
        for name, phase in phases:
            log.info("big history on %s ...", name)
            try:
                result[name] = phase()
            except Exception as exc:
                log.exception("big history on %s failed", name)
                result[name] = {"error": f"{type(exc).__name__}: {exc}"[:1000]}
    return result
