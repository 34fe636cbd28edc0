"""(d) Latency at a paced rate through ingest: from each event's `occurred_at` (its send time)
to its row being queryable, measured two ways.

- Visibility: a poller asks ClickHouse every `poll_s` which of this phase's events are stored
  and stamps each new one with the time that query started, so the figure is an upper bound,
  late by at most one poll interval.
- The sink's own histogram `hotline_sink_end_to_end_seconds` (occurred_at to the return of the
  insert), read before and after; its buckets are coarse (0.1, 0.25, 0.5, 1, 2.5 s ...).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from benchmarks import prom
from benchmarks.ingest_http import ndjson, post
from benchmarks.stack import Stack
from hotline_schemas import CallEvent

HISTOGRAM = "hotline_sink_end_to_end_seconds"


@dataclass
class LatencyResult:
    rate: float
    seconds: float
    sent: int
    accepted: int
    visible: int
    latencies_s: list[float]
    request_latencies_s: list[float]
    sink_buckets: prom.Buckets
    failures: list[str] = field(default_factory=list)


@dataclass
class _Visibility:
    stack: Stack
    prefix: str
    poll_s: float
    seen: dict[str, float] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def loop(self) -> None:
        client = self.stack.clickhouse()
        query = (
            f"SELECT event_id FROM {self.stack.database}.call_events "  # noqa: S608 - ours
            "WHERE inserted_at >= toDateTime(%(since)s) AND event_id LIKE %(like)s"
        )
        try:
            while not self.stop.is_set():
                asked = time.time()
                # inserted_at has whole seconds: look back a little so no row slips between polls.
                since = int(asked) - 3
                for (event_id,) in client.execute(
                    query, {"since": since, "like": f"{self.prefix}-%"}
                ):
                    self.seen.setdefault(event_id, asked)
                self.stop.wait(self.poll_s)
        finally:
            client.disconnect()


def run(
    stack: Stack,
    template: list[CallEvent],
    rate: float,
    seconds: float,
    drain_s: float = 30.0,
    tick_s: float = 0.05,
    poll_s: float = 0.1,
) -> LatencyResult:
    prefix = f"lat{int(time.time())}"
    per_tick = max(1, round(rate * tick_s))
    ticks = int(seconds / tick_s)
    sent_at: dict[str, float] = {}
    before = prom.histogram(stack.sink_metrics_url, HISTOGRAM)
    watcher = _Visibility(stack, prefix, poll_s)
    poller = threading.Thread(target=watcher.loop, name="visibility", daemon=True)
    poller.start()
    futures: list[Future[tuple[float, int, str | None]]] = []
    n = 0
    with (
        httpx.Client(timeout=30, auth=stack.auth()) as client,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        start = time.monotonic()
        for tick in range(ticks):
            # Absolute deadlines: a slow tick does not push every later one back.
            delay = start + tick * tick_s - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            now = time.time()
            occurred = datetime.fromtimestamp(now, UTC)
            batch = []
            for _ in range(per_tick):
                event_id = f"{prefix}-{n}"
                base = template[n % len(template)]
                batch.append(
                    base.model_copy(update={"event_id": event_id, "occurred_at": occurred})
                )
                sent_at[event_id] = now
                n += 1
            futures.append(pool.submit(post, client, stack.ingest_url, ndjson(batch)))
        answers = [f.result() for f in futures]
        elapsed = time.monotonic() - start
    deadline = time.monotonic() + drain_s
    while len(watcher.seen) < len(sent_at) and time.monotonic() < deadline:
        stack.check_alive()
        time.sleep(0.2)
    watcher.stop.set()
    poller.join(timeout=10)
    after = prom.histogram(stack.sink_metrics_url, HISTOGRAM)
    return LatencyResult(
        rate=rate,
        seconds=elapsed,
        sent=len(sent_at),
        accepted=sum(a for _, a, _ in answers),
        visible=len(watcher.seen),
        latencies_s=[watcher.seen[i] - sent_at[i] for i in watcher.seen if i in sent_at],
        request_latencies_s=[t for t, _, _ in answers],
        sink_buckets=prom.delta(after, before),
        failures=[f for _, _, f in answers if f is not None][:5],
    )
