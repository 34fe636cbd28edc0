"""The side-by-side run: the pipeline's throughput, ClickHouse's Kafka engine on the same raw
topic, ingest over HTTP, latency at a paced rate, and every service's memory throughout.

Returns plain figures (JSON-ready); a phase that fails records its error and the run goes on.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import baseline, ingest_http, latency, prom, throughput
from benchmarks.events import restamped
from benchmarks.rss import RssSampler
from benchmarks.settings import Settings
from benchmarks.stack import Stack
from benchmarks.stats import summary
from hotline_schemas import CallEvent

log = logging.getLogger(__name__)

RSS_LIMIT_MIB = 250.0
WARM_UP_EVENTS = 20


@dataclass(frozen=True)
class Options:
    events: int
    http_events: int
    rate: float
    seconds: float
    low_rate: float
    low_seconds: float
    timeout_s: float
    engine_events: int  # events in the engine's own topic (>= 500,000 for the full run)
    workers: int  # enrich and sink workers in the scale-out phase (1: skip it)


def _phase(
    results: dict[str, Any],
    name: str,
    run: Callable[[], dict[str, Any]],
    sampler: RssSampler | None = None,
) -> None:
    """Run one phase; record its figures (or its error) and each service's CPU time in it."""
    log.info("phase %s ...", name)
    cpu_before = sampler.cpu_seconds() if sampler else {}
    start = time.monotonic()
    try:
        results[name] = run()
    except Exception as exc:
        log.exception("phase %s failed", name)
        results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    if sampler is not None:
        wall = time.monotonic() - start
        cpu = {k: v - cpu_before.get(k, 0.0) for k, v in sampler.cpu_seconds().items()}
        results[name]["phase_wall_s"] = wall
        results[name]["service_cpu_s"] = cpu


def _warm_up(stack: Stack, events: list[CallEvent], timeout_s: float) -> dict[str, Any]:
    """Some events through the whole pipeline, so every service is up and has joined its
    group before anything is timed."""
    start = time.monotonic()
    answer = ingest_http.run(stack, list(restamped(events, "warm")), batch=len(events))
    if answer.accepted != len(events):
        raise RuntimeError(f"warm-up refused: {answer.failures}")
    client = stack.clickhouse()
    try:
        rows, _ = throughput.wait_for_rows(stack, client, len(events), timeout_s)
    finally:
        client.disconnect()
    if rows < len(events):
        raise RuntimeError(f"warm-up: {rows} of {len(events)} rows after {timeout_s:.0f} s")
    return {"events": len(events), "seconds_to_first_rows": time.monotonic() - start}


def scale_out(
    stack: Stack, events: list[CallEvent], options: Options, in_db: int
) -> dict[str, Any]:
    """The throughput phase again with `workers` enrich and sink workers in their groups
    (the topics have 3 partitions): how the figure grows with a second worker."""
    extra = [(name, n) for n in range(1, options.workers) for name in ("enrich", "sink")]
    for name, n in extra:
        stack.start_worker(name, n)
    try:
        deadline = time.monotonic() + 120
        groups = {f"{stack.prefix}-enrich", f"{stack.prefix}-sink"}
        while any(stack.group_members(g) < options.workers for g in groups):
            stack.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"the groups never had {options.workers} members each")
            time.sleep(1)
        # The new workers recover their partitions' call states from the changelog before
        # they process anything: let that finish (a few events through) before timing.
        warm = list(restamped(events[:WARM_UP_EVENTS], "so-warm"))
        throughput.run(stack, warm, in_db, options.timeout_s)
        in_db += WARM_UP_EVENTS
        tick = os.sysconf("SC_CLK_TCK")
        before = {k: _cpu(p.pid, tick) for k, p in stack.procs.items()}
        stream = list(restamped(events[: options.events], "so"))
        r = throughput.run(stack, stream, in_db, options.timeout_s)
        cpu = {k: _cpu(p.pid, tick) - before.get(k, 0.0) for k, p in stack.procs.items()}
    finally:
        for name, n in extra:
            stack.stop_worker(f"{name}-{n}")
    return {
        "workers": options.workers,
        "events": r.events,
        "rows": r.rows,
        "seconds": r.seconds,
        "events_per_s": r.per_second,
        "worker_cpu_s": cpu,
        "error": r.error,
    }


def _cpu(pid: int, tick: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / tick


def run(settings: Settings, options: Options, events: list[CallEvent]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    stack = Stack(settings)
    sampler: RssSampler | None = None
    results["run"] = {"prefix": stack.prefix}
    try:
        stack.start()
        sampler = RssSampler({name: proc.pid for name, proc in stack.procs.items()})
        sampler.start()
        stack.wait_ingest_ready()
        _phase(results, "warm_up", lambda: _warm_up(stack, events[:WARM_UP_EVENTS], 120.0), sampler)
        if results["warm_up"].get("error"):
            return results
        in_db = WARM_UP_EVENTS
        stream = list(restamped(events[: options.events], "tp"))

        def stream_phase() -> dict[str, Any]:
            r = throughput.run(stack, stream, in_db, options.timeout_s)
            return {
                "events": r.events,
                "rows": r.rows,
                "produce_seconds": r.produce_seconds,
                "seconds": r.seconds,
                "events_per_s": r.per_second,
                "error": r.error,
            }

        _phase(results, "pipeline_throughput", stream_phase, sampler)
        in_db += results["pipeline_throughput"].get("rows", 0)

        def baseline_phase() -> dict[str, Any]:
            topic, produce_s = baseline.fill_topic(stack, events, options.engine_events)
            r = baseline.run(stack, options.engine_events, options.timeout_s, topic=topic)
            return {
                "rows": r.rows,
                "expected": r.expected,
                "produce_seconds": produce_s,
                "seconds": r.seconds_total,
                "seconds_to_join": r.seconds_to_join,
                "events_per_s": r.per_second,
                "events_per_s_after_join": r.per_second_after_join,
                "error": r.error,
            }

        _phase(results, "kafka_engine_baseline", baseline_phase, sampler)

        if options.workers > 1:
            at = in_db
            _phase(results, "scale_out", lambda: scale_out(stack, events, options, at), sampler)
            in_db += results["scale_out"].get("rows", 0) + WARM_UP_EVENTS

        def http_phase() -> dict[str, Any]:
            http_events = list(restamped(events[: options.http_events], "http"))
            r = ingest_http.run(stack, http_events)
            client = stack.clickhouse()
            try:
                drained, _ = throughput.wait_for_rows(stack, client, in_db + r.accepted, 60.0)
            finally:
                client.disconnect()
            return {
                "events": r.events,
                "accepted": r.accepted,
                "requests": r.requests,
                "batch": 500,
                "seconds": r.seconds,
                "events_per_s": r.per_second,
                "request_latency_s": summary(r.latencies_s),
                "failures": r.failures,
                "rows_after_drain": drained,
            }

        _phase(results, "ingest_http", http_phase, sampler)

        def latency_phase(rate: float, seconds: float) -> dict[str, Any]:
            r = latency.run(stack, events, rate, seconds)
            edges = sorted(b for b in r.sink_buckets if b != float("inf"))
            return {
                "rate": r.rate,
                "seconds": r.seconds,
                "sent": r.sent,
                "accepted": r.accepted,
                "visible": r.visible,
                "visibility_latency_s": summary(r.latencies_s),
                "visibility_poll_s": 0.1,
                "share_under_1s": (
                    sum(1 for x in r.latencies_s if x < 1.0) / len(r.latencies_s)
                    if r.latencies_s
                    else float("nan")
                ),
                "sink_histogram": {
                    "p50_at_most": prom.quantile_bound(r.sink_buckets, 0.50),
                    "p95_at_most": prom.quantile_bound(r.sink_buckets, 0.95),
                    "p99_at_most": prom.quantile_bound(r.sink_buckets, 0.99),
                    "share_le_1s": prom.share_at_most(r.sink_buckets, 1.0),
                    "bucket_edges_s": edges,
                    "count": r.sink_buckets.get(float("inf"), 0.0),
                },
                "request_latency_s": summary(r.request_latencies_s),
                "failures": r.failures,
            }

        # Below saturation first: batching alone; then the target rate, where a backlog (if
        # the machine cannot keep up) shows as growing latency.
        if options.low_rate > 0:
            low = (options.low_rate, options.low_seconds)
            _phase(results, "latency_low_rate", lambda: latency_phase(*low), sampler)
        target = (options.rate, options.seconds)
        _phase(results, "latency", lambda: latency_phase(*target), sampler)
    finally:
        if sampler is not None:
            sampler.stop()
            results["rss"] = {
                name: {
                    "max_rss_mib": m.max_rss_mib,
                    "peak_hwm_mib": m.peak_hwm_mib,
                    "samples": m.samples,
                    "limit_mib": RSS_LIMIT_MIB,
                }
                for name, m in sampler.memory.items()
            }
        stack.close()
    return results
