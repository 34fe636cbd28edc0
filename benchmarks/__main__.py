"""`python -m benchmarks [--quick]`: run every benchmark side by side, print a table, write
`artifacts/bench/<timestamp>.json`. Figures only: nothing here asserts a timing."""

from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import enrich_pure, history, pipeline, provider_import, report
from benchmarks.events import simulated
from benchmarks.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller figures, under 1.5 minutes")
    parser.add_argument("--events", type=int, help="events for the throughput phase (50,000)")
    parser.add_argument("--http-events", type=int, help="events POSTed to ingest (20,000)")
    parser.add_argument("--rate", type=float, default=1000.0, help="latency phase, events/s")
    parser.add_argument("--seconds", type=float, help="latency phase duration (30)")
    parser.add_argument(
        "--low-rate", type=float, default=100.0, help="first, unsaturated latency phase (0: skip)"
    )
    parser.add_argument("--pure-events", type=int, help="events for the in-process figures")
    parser.add_argument(
        "--engine-events", type=int, help="events in the Kafka engine's own topic (500,000)"
    )
    parser.add_argument(
        "--workers", type=int, help="enrich and sink workers in the scale-out phase (2; 1: skip)"
    )
    parser.add_argument("--skip-pipeline", action="store_true", help="in-process figures only")
    parser.add_argument(
        "--provider-lines", type=int, help="queue_log lines for the import figure (1,000,000)"
    )
    parser.add_argument(
        "--provider-timeout",
        type=float,
        help="seconds to wait for the imported calls' records (900), then project",
    )
    parser.add_argument(
        "--skip-provider-import", action="store_true", help="no queue_log import figure"
    )
    parser.add_argument(
        "--history-days",
        type=int,
        help="days of simulated history for the big-history figure (731; --quick 62)",
    )
    parser.add_argument(
        "--history-lines",
        type=int,
        help="copies of the pilot's line in that history: its volume factor (10)",
    )
    parser.add_argument(
        "--history-repeats", type=int, help="board snapshots per moment (3; --quick 1)"
    )
    parser.add_argument("--skip-history", action="store_true", help="no big-history figure (g)")
    parser.add_argument(
        "--history-only",
        action="store_true",
        help="only the big-history figure (g), no Kafka needed",
    )
    parser.add_argument("--output-dir", type=Path, default=ROOT / "artifacts" / "bench")
    return parser


def _options(args: argparse.Namespace) -> tuple[pipeline.Options, int]:
    quick = bool(args.quick)

    def pick(value: Any, full: Any, small: Any) -> Any:
        return value if value is not None else (small if quick else full)

    options = pipeline.Options(
        events=pick(args.events, 50_000, 10_000),
        http_events=pick(args.http_events, 20_000, 5_000),
        rate=args.rate,
        seconds=min(pick(args.seconds, 30.0, 10.0), 120.0),
        low_rate=args.low_rate,
        low_seconds=5.0 if quick else 10.0,
        timeout_s=45.0 if quick else 120.0,
        engine_events=pick(args.engine_events, 500_000, 50_000),
        workers=pick(args.workers, 2, 2),
    )
    return options, pick(args.pure_events, 20_000, 5_000)


def _history_options(args: argparse.Namespace) -> history.Options:
    quick = bool(args.quick)
    return history.Options(
        days=args.history_days or (62 if quick else 731),
        lines=args.history_lines or 10,
        moments=5 if quick else 20,
        repeats=args.history_repeats or (1 if quick else 3),
    )


def _machine() -> str:
    cpu = "unknown cpu"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, {cpu}, {int(mem) / 1024 / 1024:.1f} GiB, "
        f"Python {platform.python_version()}, load average at start {load}"
    )


PIPELINE_TARGET_EV_S = 5000.0
CPU_TARGET_MS = {"enrich": 0.15, "sink": 0.10}


def _targets(pipe: dict[str, Any]) -> dict[str, Any]:
    phase = pipe.get("pipeline_throughput", {})
    tp = phase.get("events_per_s")
    events = phase.get("events") or 0
    cpu = phase.get("service_cpu_s", {})
    # CPU per event in the throughput phase: the steady figure on a shared machine, where
    # wall-clock rates move with whatever else runs.
    per_event = {k: 1000 * cpu[k] / events if events and k in cpu else None for k in CPU_TARGET_MS}
    engine = pipe.get("kafka_engine_baseline", {})
    # The stricter comparison: the engine's rate without its group join, because the
    # pipeline's consumers had joined (during warm-up) before its clock started.
    base = engine.get("events_per_s_after_join") or engine.get("events_per_s")
    ratio = tp / base if tp and base else None
    p99 = pipe.get("latency", {}).get("visibility_latency_s", {}).get("p99")
    mems = pipe.get("rss", {}).values()
    return {
        "throughput_ratio": ratio,
        "throughput_ok": None if ratio is None else ratio >= 0.5,
        "pipeline_events_per_s": tp,
        "pipeline_rate_ok": None if tp is None else tp >= PIPELINE_TARGET_EV_S,
        "cpu_ms_per_event": per_event,
        "cpu_ms_per_event_target": CPU_TARGET_MS,
        "cpu_ok": {k: None if v is None else v <= CPU_TARGET_MS[k] for k, v in per_event.items()},
        "latency_p99_s": p99,
        "latency_ok": None if p99 is None or math.isnan(p99) else p99 < 1.0,
        "rss_ok": (
            all(max(m["max_rss_mib"], m["peak_hwm_mib"]) < m["limit_mib"] for m in mems)
            if mems
            else None
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # kafka-python warns about itself on a busy machine (its own selector task "blocking the
    # event loop") and dumps Faust's group metadata, which it cannot decode, whenever the
    # bench counts a group's members: pages of noise around the figures, none of it ours.
    logging.getLogger("kafka").setLevel(logging.ERROR)
    args = build_parser().parse_args(argv)
    settings = Settings()
    options, pure_events = _options(args)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": _machine(),
        "note": report.NOISE_NOTE,
        "quick": bool(args.quick),
        "options": vars(options),
    }
    only_history = bool(args.history_only)
    if args.history_only and args.skip_history:
        build_parser().error("--history-only and --skip-history exclude each other")
    events = (
        [] if only_history else simulated(max(options.events, options.http_events, pure_events))
    )
    result["enrich_pure"] = []
    if not only_history:
        logging.info("in-process figures on %d events ...", pure_events)
        rates = enrich_pure.measure(events[:pure_events], repeats=1 if args.quick else 3)
        result["enrich_pure"] = [
            {"name": r.name, "events": r.events, "seconds": r.seconds, "events_per_s": r.per_second}
            for r in rates
        ]
    skip_pipeline = args.skip_pipeline or only_history
    result["pipeline"] = {} if skip_pipeline else pipeline.run(settings, options, events)
    if not (skip_pipeline or args.skip_provider_import):
        lines = args.provider_lines or (100_000 if args.quick else 1_000_000)
        timeout = args.provider_timeout or (300.0 if args.quick else 900.0)
        logging.info("importing a %d-line queue_log ...", lines)
        try:
            result["provider_import"] = provider_import.run_in_own_stack(settings, lines, timeout)
        except Exception as exc:
            logging.exception("the provider import figure failed")
            result["provider_import"] = {"error": f"{type(exc).__name__}: {exc}"}
    if not args.skip_history:
        # Last: it loads the server for minutes, and the other figures should not see that.
        try:
            result["history"] = history.run(settings, _history_options(args))
        except Exception as exc:
            logging.exception("the big-history figure failed")
            result["history"] = {"error": f"{type(exc).__name__}: {exc}"}
    result["targets"] = _targets(result["pipeline"])
    sys.stdout.write(report.render(result))
    path = report.write_json(result, args.output_dir, stamp)
    sys.stdout.write(f"\nwritten {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
