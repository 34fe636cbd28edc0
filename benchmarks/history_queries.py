"""Time what people wait for on a big history: every query of one board snapshot (the board's
own `snapshot.build`, so exactly the queries `GET /api/board?at=...` runs), and the load report's
reads plus its computation.

Figures only: the targets (p95 < 200 ms per board query, < 30 s for the report) are printed
beside them, never asserted.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from benchmarks import history_data
from benchmarks.settings import inherited_env
from benchmarks.stats import percentile
from hotline_board.snapshot import BoardConfig, build
from hotline_report.analysis import ReportOptions, analyse
from hotline_report.cli import write_report
from hotline_report.queries import load
from hotline_schemas.config import ClickHouseConnection
from hotline_schemas.reference_data import populations
from hotline_schemas.rules import Rules

BOARD_P95_TARGET_S = 0.200
REPORT_TARGET_S = 30.0

Rows = list[tuple[Any, ...]]
Execute = Callable[[str], Rows]

# How a snapshot's queries are told apart (in the order `snapshot.build` runs them); the
# two plain windows are the evening's, then the last 15 minutes'.
_MARKERS = (
    ("AS newest", "data_age"),
    ("AS why", "agent_events"),
    ("AS slot", "trend"),
    ("any(municipality_name) AS name", "by_municipality"),
    ("SELECT topic, count() AS calls", "topics"),
    ("SELECT agent, answered_ts", "answered_calls"),
)


def label(sql: str, seen: dict[str, int]) -> str:
    """The name of one board query."""
    for marker, name in _MARKERS:
        if marker in sql:
            return name
    grouped = "GROUP BY queue" in sql
    if "AS waiting" in sql:
        return "by_queue_live" if grouped else "live"
    if "AS offered" in sql:
        if grouped:
            return "by_queue_window"
        n = seen["window"] = seen.get("window", 0) + 1
        return "window_evening" if n == 1 else "window_last_15m"
    return "other"


@dataclass
class Timed:
    """An executor that times each query it runs under its board name."""

    inner: Execute
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _seen: dict[str, int] = field(default_factory=dict)

    def execute(self, query: str) -> Rows:
        name = label(query, self._seen)
        start = time.perf_counter()
        rows = self.inner(query)
        self.samples[name].append(time.perf_counter() - start)
        return rows

    def next_snapshot(self) -> None:
        self._seen.clear()


def moments(counts: history_data.Counts, how_many: int) -> list[tuple[str, datetime]]:
    """20:00 local (the evening's busiest stretch) on `how_many` opening evenings spread evenly
    over the history, and on the busiest one."""
    sched = history_data.schedule()
    days = sorted(
        date.fromisoformat(d) for d in counts.calls_by_day if sched.hours_on(date.fromisoformat(d))
    )
    if not days:
        return []
    step = max(1, len(days) // max(1, how_many))
    picked = [("spread", history_data.utc(d, 20)) for d in days[step // 2 :: step][:how_many]]
    busy = history_data.busiest_day(counts)
    return [*picked, ("busiest", history_data.utc(busy, 20))]


def board_config(database: str, rules: Rules) -> BoardConfig:
    return BoardConfig(
        database=database,
        schedule=history_data.schedule(),
        populations=populations(),
        thresholds=rules.thresholds(),
        service_level_target=rules.service_level_target,
        taxonomy=rules.taxonomy(),
    )


def _summary(samples: list[float]) -> dict[str, float | int]:
    return {
        "n": len(samples),
        "p50_s": percentile(samples, 0.50),
        "p95_s": percentile(samples, 0.95),
        "max_s": max(samples) if samples else float("nan"),
    }


def time_board(
    execute: Execute, database: str, at: list[tuple[str, datetime]], repeats: int, rules: Rules
) -> dict[str, Any]:
    """Every snapshot `repeats` times at each moment; per query and pooled p50/p95, and the
    whole snapshot (the JSON API's query time)."""
    cfg = board_config(database, rules)
    timed = Timed(execute)
    snapshots: list[float] = []
    busy_calls = 0
    for _ in range(repeats):
        for kind, moment in at:
            timed.next_snapshot()
            start = time.perf_counter()
            board = build(timed, cfg, moment, pinned=True)
            snapshots.append(time.perf_counter() - start)
            if kind == "busiest" and board.evening is not None:
                busy_calls = board.evening.offered
    pooled = [s for values in timed.samples.values() for s in values]
    per_query = {name: _summary(values) for name, values in sorted(timed.samples.items())}
    worst = max((v["p95_s"] for v in per_query.values()), default=float("nan"))
    return {
        "moments": [m.isoformat() for _, m in at],
        "repeats": repeats,
        "busiest_evening_offered_by_20": busy_calls,
        "queries": per_query,
        "all_queries": _summary(pooled),
        "snapshot": _summary(snapshots),
        "worst_query_p95_s": worst,
        "target_p95_s": BOARD_P95_TARGET_S,
        "meets_target": worst < BOARD_P95_TARGET_S,
    }


def time_report_reads(execute: Execute, database: str, rules: Rules) -> dict[str, Any]:
    """The report's reads (`hotline_report.queries.load`) one by one, then its computation
    and files (`analyse`, `write_report`): the report without process start-up."""
    seconds: dict[str, float] = {}

    def run(name: str, sql: str) -> Rows:
        start = time.perf_counter()
        rows = execute(sql)
        seconds[name] = time.perf_counter() - start
        return rows

    start = time.perf_counter()
    data = load(run, database)
    reads = time.perf_counter() - start
    options = ReportOptions(
        service_level_target=rules.service_level_target,
        answer_within_seconds=rules.service_level_seconds,
    )
    with tempfile.TemporaryDirectory(prefix="hotline-bench-report-") as out:
        result = analyse(data, options)
        write_report(result, Path(out), database)
    total = time.perf_counter() - start
    return {
        "reads": seconds,
        "reads_s": reads,
        "analyse_and_write_s": total - reads,
        "seconds": total,
        "target_s": REPORT_TARGET_S,
        "meets_target": total < REPORT_TARGET_S,
    }


def time_report_command(conn: ClickHouseConnection, timeout_s: float = 900.0) -> dict[str, Any]:
    """`hotline load-report` as a person runs it (`python -m hotline_report`, a process of its
    own logged in as `conn`), wall-clock seconds including start-up."""
    env = {
        **inherited_env(),
        "HOTLINE_CLICKHOUSE__HOST": conn.host,
        "HOTLINE_CLICKHOUSE__PORT": str(conn.port),
        "HOTLINE_CLICKHOUSE__USER": conn.user,
        "HOTLINE_CLICKHOUSE__PASSWORD": conn.password.get_secret_value(),
        "HOTLINE_CLICKHOUSE__DATABASE": conn.database,
    }
    with tempfile.TemporaryDirectory(prefix="hotline-bench-report-") as out:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "hotline_report", "--out", out, "--no-progress"],
            env=env,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "exit_code": done.returncode,
        "stderr_tail": done.stderr.decode(errors="replace")[-600:] if done.returncode else "",
        "target_s": REPORT_TARGET_S,
        "meets_target": done.returncode == 0 and seconds < REPORT_TARGET_S,
    }
