"""The benchmark's output: a readable table for people, a JSON file for comparisons later."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from benchmarks import history_report

NOISE_NOTE = (
    "figures are from one run on a shared machine; other work on it (tests, builds) makes "
    "them noisy: compare runs on a quiet machine before drawing conclusions"
)


def _num(value: Any, unit: str = "", digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "> last bucket"
    return f"{value:,.{digits}f}{unit}"


def _ms(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return _num(value * 1000, " ms")
    return _num(value)


def _row(label: str, value: str, note: str = "") -> str:
    return f"  {label:<50} {value:>18}  {note}".rstrip()


def _verdict(ok: bool | None) -> str:
    return {True: "meets target", False: "MISSES target", None: "not measured"}[ok]


def _pure(result: dict[str, Any]) -> list[str]:
    lines = ["", "single core, in process (best of the repeats)"]
    return lines + [
        _row(r["name"], _num(r["events_per_s"], " ev/s")) for r in result["enrich_pure"]
    ]


def _throughput(pipe: dict[str, Any], targets: dict[str, Any]) -> list[str]:
    tp, base = pipe.get("pipeline_throughput", {}), pipe.get("kafka_engine_baseline", {})
    produce = tp.get("events", 0) / tp["produce_seconds"] if tp.get("produce_seconds") else None
    lines = [
        "",
        "(a, b) throughput: raw topic -> queryable rows (the engine on its own, larger topic)",
        _row(
            "pipeline (enrich + sink)",
            _num(tp.get("events_per_s"), " ev/s"),
            f"{tp.get('rows', 0):,} events in {_num(tp.get('seconds'), ' s', 1)}",
        ),
        _row("  of which producing (kafka-python, acks=all)", _num(produce, " ev/s")),
        _row(
            "ClickHouse Kafka engine, after its group join",
            _num(base.get("events_per_s_after_join"), " ev/s"),
            f"join took {_num(base.get('seconds_to_join'), ' s', 1)}",
        ),
        _row(
            "ClickHouse Kafka engine, incl. group join",
            _num(base.get("events_per_s"), " ev/s"),
            f"{base.get('rows', 0):,} rows in {_num(base.get('seconds'), ' s', 1)}",
        ),
    ]
    scale = pipe.get("scale_out", {})
    if scale:
        single = tp.get("events_per_s")
        grown = scale.get("events_per_s")
        factor = grown / single if grown and single else None
        lines.append(
            _row(
                f"pipeline, {scale.get('workers', '?')} workers each of enrich and sink",
                _num(grown, " ev/s"),
                f"x{_num(factor, '', 2)} the single workers",
            )
        )
        cpu = scale.get("worker_cpu_s", {})
        if cpu:
            lines.append(
                _row(
                    "  CPU s per worker",
                    "  ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items()) if k != "ingest"),
                )
            )
    lines += [f"  ERROR: {p['error']}" for p in (tp, base, scale) if p.get("error")]
    lines.append(
        _row(
            "ratio pipeline / engine after join (>= 0.5)",
            _num(targets.get("throughput_ratio"), "", 2),
            _verdict(targets.get("throughput_ok")),
        )
    )
    lines.append(
        _row("pipeline rate (>= 5,000 ev/s)", "", _verdict(targets.get("pipeline_rate_ok")))
    )
    goal = targets.get("cpu_ms_per_event_target", {})
    for name, ms in targets.get("cpu_ms_per_event", {}).items():
        lines.append(
            _row(
                f"{name} CPU per event (<= {goal.get(name, float('nan')):.2f} ms)",
                _num(ms, " ms", 3),
                _verdict(targets.get("cpu_ok", {}).get(name)),
            )
        )
    return lines


def _http(pipe: dict[str, Any]) -> list[str]:
    http = pipe.get("ingest_http", {})
    req = http.get("request_latency_s", {})
    lines = [
        "",
        "(c) ingest over HTTP (NDJSON, 500 events per request, 4 clients)",
        _row(
            "accepted",
            _num(http.get("events_per_s"), " ev/s"),
            f"{http.get('accepted', 0):,} of {http.get('events', 0):,}",
        ),
        _row("request latency p50 / p99", f"{_ms(req.get('p50'))} / {_ms(req.get('p99'))}"),
    ]
    return lines + [f"  failed: {f}" for f in http.get("failures", [])]


def _latency(pipe: dict[str, Any], targets: dict[str, Any], phase: str = "latency") -> list[str]:
    lat = pipe.get(phase, {})
    if not lat:
        return []
    vis, hist = lat.get("visibility_latency_s", {}), lat.get("sink_histogram", {})
    req = lat.get("request_latency_s", {})
    edges = "/".join(f"{e:g}" for e in hist.get("bucket_edges_s", [])[:6])
    lines = [
        "",
        f"(d) latency occurred_at -> queryable row, {_num(lat.get('rate'))} ev/s through ingest "
        f"for {_num(lat.get('seconds'), ' s', 1)}",
        _row("visible / sent", f"{lat.get('visible', 0):,} / {lat.get('sent', 0):,}"),
        _row(
            "polled visibility p50 / p95 / p99",
            f"{_ms(vis.get('p50'))} / {_ms(vis.get('p95'))} / {_ms(vis.get('p99'))}",
            "upper bound: late by <= 100 ms poll",
        ),
        _row("  share under 1 s", _num(100 * (lat.get("share_under_1s") or math.nan), " %", 1)),
        _row(
            "sink histogram: p50 / p95 / p99 at most",
            f"{_num(hist.get('p50_at_most'), ' s', 2)} / {_num(hist.get('p95_at_most'), ' s', 2)}"
            f" / {_num(hist.get('p99_at_most'), ' s', 2)}",
            f"bucket edges {edges} s ...",
        ),
        _row("ingest request latency p50 / p99", f"{_ms(req.get('p50'))} / {_ms(req.get('p99'))}"),
    ]
    missing = lat.get("sent", 0) - lat.get("visible", 0)
    if missing > 0:
        lines.append(
            f"  INCOMPLETE: {missing:,} events were not queryable by the end of the drain; the "
            "percentiles above cover only the visible ones and understate the latency"
        )
    if phase == "latency":
        verdict = _verdict(targets.get("latency_ok"))
        lines.append(_row("p99 under 1 s (polled visibility)", "", verdict))
    return lines + [f"  failed: {f}" for f in lat.get("failures", [])]


def _cpu(pipe: dict[str, Any]) -> list[str]:
    lines = ["", "CPU seconds per service in each phase (wall seconds of the phase)"]
    for name, phase in pipe.items():
        cpu = phase.get("service_cpu_s") if isinstance(phase, dict) else None
        if cpu:
            used = "  ".join(f"{k} {v:.1f}" for k, v in cpu.items())
            lines.append(_row(name, f"{phase['phase_wall_s']:.1f} s", used))
    return lines


def _memory(pipe: dict[str, Any]) -> list[str]:
    lines = ["", "(e) memory: max sampled RSS / kernel's peak VmHWM (every 0.5 s), limit 250 MiB"]
    for name, mem in pipe.get("rss", {}).items():
        ok = max(mem["max_rss_mib"], mem["peak_hwm_mib"]) < mem["limit_mib"]
        value = f"{mem['max_rss_mib']:.0f} / {mem['peak_hwm_mib']:.0f} MiB"
        lines.append(_row(name, value, _verdict(ok)))
    return lines


def _provider_import(result: dict[str, Any]) -> list[str]:
    imp = result.get("provider_import")
    if not imp:
        return []
    lines = ["", f"(f) history import: a {_num(imp.get('lines'))}-line Asterisk queue_log"]
    if imp.get("error"):
        return [*lines, f"  ERROR: {imp['error']}"]
    lines += [
        _row(
            "hotline import -> raw topics (acks=all)",
            _num(imp.get("lines_per_s"), " lines/s"),
            f"{_num(imp.get('events_produced'))} events "
            f"in {_num(imp.get('import_seconds'), ' s', 1)}",
        ),
    ]
    if imp.get("records_complete"):
        lines.append(
            _row(
                "-> every call a queryable call record",
                _num(imp.get("records_seconds"), " s", 0),
                f"{_num(imp.get('calls'))} calls, from the import's start",
            )
        )
    else:
        lines.append(
            _row(
                "-> queryable call records (INCOMPLETE)",
                _num(100 * imp.get("records_share", 0.0), " %", 1),
                f"{_num(imp.get('records'))} of {_num(imp.get('calls'))} calls after "
                f"{_num(imp.get('records_timeout_s'), ' s')} more; projected "
                f"{_num(imp.get('records_seconds_projected'), ' s')} in all",
            )
        )
    lines.append(_row("  generating the file", _num(imp.get("generate_seconds"), " s", 1)))
    return lines


def render(result: dict[str, Any]) -> str:
    lines = [
        f"hotline benchmarks  {result['started']}",
        f"machine: {result['machine']}",
        f"NOTE: {NOISE_NOTE}",
        *(_pure(result) if result.get("enrich_pure") else []),
    ]
    pipe, targets = result.get("pipeline", {}), result.get("targets", {})
    if pipe:
        lines += _throughput(pipe, targets) + _http(pipe)
        lines += _latency(pipe, targets, "latency_low_rate") + _latency(pipe, targets)
        lines += _memory(pipe) + _cpu(pipe)
    lines += _provider_import(result)
    lines += history_report.render(result.get("history"))
    if pipe:
        shown = ("pipeline_throughput", "kafka_engine_baseline")
        for name, phase in pipe.items():
            if isinstance(phase, dict) and phase.get("error") and name not in shown:
                lines.append(f"\nERROR in {name}: {phase['error']}")
    return "\n".join(lines) + "\n"


def _clean(value: Any) -> Any:
    # JSON has no NaN or Infinity: an unmeasured figure becomes null, "beyond" a string.
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf"
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_json(result: dict[str, Any], directory: Path, stamp: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stamp}.json"
    path.write_text(json.dumps(_clean(result), indent=2) + "\n")
    return path
