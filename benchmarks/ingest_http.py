"""(c) Ingest over HTTP: NDJSON batches POSTed to 127.0.0.1 by a few concurrent clients, each
request signed (Standard Webhooks) as the provider signs it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from benchmarks.events import payload
from benchmarks.stack import Stack
from hotline_schemas import CallEvent

NDJSON = {"Content-Type": "application/x-ndjson"}


@dataclass(frozen=True)
class HttpResult:
    events: int
    accepted: int
    requests: int
    seconds: float
    latencies_s: list[float]
    failures: list[str]

    @property
    def per_second(self) -> float:
        return self.accepted / self.seconds if self.seconds > 0 else 0.0


def ndjson(events: list[CallEvent]) -> bytes:
    return b"\n".join(payload(e) for e in events)


def post(client: httpx.Client, url: str, body: bytes) -> tuple[float, int, str | None]:
    """(seconds, events accepted, failure text or None) of one POST."""
    start = time.perf_counter()
    try:
        answer = client.post(f"{url}/v1/events", content=body, headers=NDJSON)
    except httpx.HTTPError as exc:
        return time.perf_counter() - start, 0, f"{type(exc).__name__}: {exc}"
    took = time.perf_counter() - start
    if answer.status_code != 202:
        return took, 0, f"HTTP {answer.status_code}: {answer.text[:300]}"
    return took, int(answer.json().get("accepted", 0)), None


def run(stack: Stack, events: list[CallEvent], batch: int = 500, clients: int = 4) -> HttpResult:
    bodies = [ndjson(events[i : i + batch]) for i in range(0, len(events), batch)]
    limits = httpx.Limits(max_connections=clients)
    with (
        httpx.Client(timeout=30, limits=limits, auth=stack.auth()) as client,
        ThreadPoolExecutor(max_workers=clients) as pool,
    ):
        start = time.perf_counter()
        answers = list(pool.map(lambda b: post(client, stack.ingest_url, b), bodies))
        seconds = time.perf_counter() - start
    return HttpResult(
        events=len(events),
        accepted=sum(a for _, a, _ in answers),
        requests=len(bodies),
        seconds=seconds,
        latencies_s=[t for t, _, _ in answers],
        failures=[f for _, _, f in answers if f is not None][:5],
    )
