"""The big-history figures (g) as lines of the printed table."""

from __future__ import annotations

import math
from typing import Any

_ENGINES = (
    ("clickhouse_18_16", "ClickHouse 18.16 (server)"),
    ("chdb", "chdb (current, in process)"),
)


def _num(value: Any, unit: str = "", digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def _ms(value: Any) -> str:
    return _num(None if value is None else value * 1000, " ms", 1)


def _row(label: str, value: str, note: str = "") -> str:
    return f"  {label:<50} {value:>18}  {note}".rstrip()


def _verdict(ok: Any) -> str:
    return {True: "meets target", False: "MISSES target"}.get(ok, "not measured")


def _load_avg(phase: dict[str, Any], key: str) -> str:
    return f"(load average {_num(phase.get(key), '', 2)})"


def _generation(hist: dict[str, Any]) -> list[str]:
    gen, pilot, spec = hist.get("generation", {}), hist.get("pilot", {}), hist.get("spec", {})
    return [
        _row(
            "history",
            f"{spec.get('first_day')} .. {spec.get('last_day')}",
            f"{_num(spec.get('days'))} days, {_num(gen.get('opening_days'))} opening evenings",
        ),
        _row(
            "pilot's volume (simulator defaults, one line)",
            _num(pilot.get("simulated_calls_per_pilot_year"), " calls/yr"),
            f"{_num(pilot.get('calls_per_1000_citizens_per_year'), '', 1)} per 1,000 citizens; "
            f"{_num(pilot.get('expected_first_attempts_per_pilot_year'))} first attempts expected",
        ),
        _row(
            f"history: x{pilot.get('factor')} the pilot",
            _num(gen.get("calls"), " calls"),
            f"{_num(pilot.get('events_per_call'), '', 2)} events and "
            f"{_num(pilot.get('agent_events_per_call'), '', 2)} agent events per call",
        ),
        _row(
            "rows: call_events / call_records / agent_events",
            _num(gen.get("rows")),
            f"{_num(gen.get('call_events'))} / {_num(gen.get('call_records'))} / "
            f"{_num(gen.get('agent_events'))}",
        ),
        _row(
            "generated (simulate, enrich, fold, TSV)",
            _num(gen.get("seconds"), " s", 1),
            f"{gen.get('workers')} processes, {_num((gen.get('tsv_bytes') or 0) / 2**20)} MiB "
            f"TSV {_load_avg(hist, 'load_average_at_generation')}",
        ),
    ]


def _storage(load: dict[str, Any]) -> list[str]:
    lines = []
    for table, per_row in sorted(load.get("bytes_per_row", {}).items()):
        lines.append(
            _row(
                f"  {table}: bytes per row compressed / raw",
                f"{per_row['compressed']:.0f} / {per_row['uncompressed']:.0f}",
                f"{_num(load['rows'][table])} rows, {load['parts'][table]} parts",
            )
        )
    return lines


def _engine(name: str, phase: dict[str, Any]) -> list[str]:
    lines = ["", f"  -- {name}"]
    if phase.get("error"):
        return [*lines, f"  ERROR: {phase['error']}"]
    load = phase.get("load", {})
    lines.append(
        _row(
            "loaded (TSV -> tables)",
            _num(load.get("seconds"), " s", 1),
            f"{_num(sum(load.get('rows', {}).values()))} rows "
            f"{_load_avg(phase, 'load_average_at_load')}",
        )
    )
    lines += _storage(load)
    board = phase.get("board", {})
    if board:
        lines.append(
            _row(
                f"board queries ({len(board.get('moments', []))} moments x {board.get('repeats')})",
                "p50 / p95",
                _load_avg(phase, "load_average_at_board"),
            )
        )
        for query, fig in board.get("queries", {}).items():
            lines.append(_row(f"  {query}", f"{_ms(fig['p50_s'])} / {_ms(fig['p95_s'])}"))
        pooled, snap = board.get("all_queries", {}), board.get("snapshot", {})
        lines += [
            _row(
                "  all queries pooled", f"{_ms(pooled.get('p50_s'))} / {_ms(pooled.get('p95_s'))}"
            ),
            _row(
                "  whole snapshot (every query, one /api/board)",
                f"{_ms(snap.get('p50_s'))} / {_ms(snap.get('p95_s'))}",
            ),
            _row(
                "  slowest query's p95 (< 200 ms)",
                _ms(board.get("worst_query_p95_s")),
                _verdict(board.get("meets_target")),
            ),
        ]
    command, report = phase.get("report_command"), phase.get("report", {})
    if command:
        note = _verdict(command.get("meets_target"))
        if command.get("exit_code"):
            note = f"FAILED (exit {command['exit_code']}): {command.get('stderr_tail', '')[-200:]}"
        lines.append(
            _row(
                "hotline load-report, whole history (< 30 s)",
                _num(command.get("seconds"), " s", 1),
                f"{note} {_load_avg(phase, 'load_average_at_report')}",
            )
        )
    if report:
        label = "load report: reads + analyse + files (< 30 s)"
        lines.append(
            _row(label, _num(report.get("seconds"), " s", 1), _verdict(report.get("meets_target")))
        )
        slow = sorted(report.get("reads", {}).items(), key=lambda kv: -kv[1])[:4]
        lines.append(
            _row(
                "  of which reads; slowest",
                _num(report.get("reads_s"), " s", 1),
                ", ".join(f"{k} {v:.1f} s" for k, v in slow),
            )
        )
    return lines


def render(hist: dict[str, Any] | None) -> list[str]:
    if not hist:
        return []
    lines = ["", "(g) big history: two years at ten times the pilot, board and load report"]
    if hist.get("error"):
        return [*lines, f"  ERROR: {hist['error']}"]
    lines += _generation(hist)
    for key, name in _ENGINES:
        if key in hist:
            lines += _engine(name, hist[key])
    return lines
