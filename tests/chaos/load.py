"""The load generator: realistic, signed calls posted to ingest at a bounded rate, and an exact
record of what ingest acknowledged.

Calls come from the simulator (offered, queued, answered or abandoned, ended, with callers,
postcodes and IVR choices), one simulated evening per fault, every id prefixed with the
fault's name so each fault's rows can be told apart in ClickHouse. Events are posted in
event-time order as NDJSON batches, one webhook message per batch (Standard Webhooks: one
`webhook-id` kept across retries, every attempt signed anew).

What counts as acknowledged is exactly what ingest promised: the items of a 202 (and the
accepted items of a 422), after Kafka acked them with acks=all. A 503 or a broken connection
acknowledges nothing: the same batch is sent again until ingest takes it or the batch's retry
window runs out (then its events are "given up": neither acknowledged nor expected).

Only 127.0.0.1, a fixed number of events, and it stops by itself.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import httpx

from hotline_schemas import CallEvent
from hotline_simulator.model import SimulationConfig, evening_rng, simulate_evening
from hotline_simulator.signing import Signer, WebhookAuth, new_message_id

NDJSON = "application/x-ndjson"
EVENTS_PER_PEAK_CALL = 16  # a simulated evening has about 16 events per call/hour of peak


def make_calls(prefix: str, day: date, events: int, seed: int = 2013) -> list[CallEvent]:
    """About `events` events of one simulated evening, ids prefixed `<prefix>-`."""
    config = SimulationConfig(peak_per_hour=max(1.0, events / EVENTS_PER_PEAK_CALL), agents=19)
    simulated = simulate_evening(day, config, evening_rng(seed, day))
    return [
        e.model_copy(
            update={"event_id": f"{prefix}-{e.event_id}", "call_id": f"{prefix}-{e.call_id}"}
        )
        for e in simulated
    ]


@dataclass
class LoadResult:
    sent: int = 0  # events handed to the generator
    acked: dict[str, CallEvent] = field(default_factory=dict)
    answers: Counter[str] = field(default_factory=Counter)  # "202", "503", "ConnectError", ...
    requests: int = 0
    retries: int = 0  # attempts after the first, of any batch
    given_up: int = 0  # events of batches that never got a final answer
    seconds: float = 0.0


class Load:
    """Posts `events` in a background thread at `rate` events/s; `join()` waits for the end."""

    def __init__(
        self,
        url: str,
        secret: str,
        events: list[CallEvent],
        rate: float,
        batch_size: int = 20,
        batch_window_s: float = 240.0,
    ) -> None:
        self.endpoint = url.rstrip("/") + "/v1/events"
        self.events = events
        self.rate = rate
        self.batch_size = batch_size
        self.batch_window_s = batch_window_s
        self.result = LoadResult(sent=len(events))
        self.lock = threading.Lock()
        self._auth = WebhookAuth(Signer(secret))
        self._thread = threading.Thread(target=self._run, name="chaos-load", daemon=True)
        self._stop = threading.Event()

    def start(self) -> Load:
        self._thread.start()
        return self

    def join(self, timeout: float) -> LoadResult:
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join(60)
            raise TimeoutError(f"load still posting after {timeout:.0f} s")
        return self.result

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)

    def acked_so_far(self) -> int:
        with self.lock:
            return len(self.result.acked)

    def _run(self) -> None:
        started = time.monotonic()
        client = httpx.Client(timeout=30, follow_redirects=False, trust_env=False, auth=self._auth)
        try:
            for k in range(0, len(self.events), self.batch_size):
                if self._stop.is_set():
                    break
                # Paced by position, not by answer: after an outage it catches up as fast as
                # ingest answers, one request at a time, so the rate stays bounded.
                due = started + k / self.rate
                if (wait := due - time.monotonic()) > 0:
                    time.sleep(wait)
                self._post(client, self.events[k : k + self.batch_size])
        finally:
            client.close()
            self.result.seconds = time.monotonic() - started

    def _post(self, client: httpx.Client, batch: list[CallEvent]) -> None:
        body = b"".join(e.model_dump_json().encode() + b"\n" for e in batch)
        headers = {"Content-Type": NDJSON, "webhook-id": new_message_id()}
        deadline = time.monotonic() + self.batch_window_s
        result = self.result
        first = True
        while not self._stop.is_set():
            if not first:
                result.retries += 1
            first = False
            result.requests += 1
            try:
                answer = client.post(self.endpoint, content=body, headers=headers)
            except httpx.TransportError as exc:
                result.answers[type(exc).__name__] += 1
                wait = 1.0
            else:
                result.answers[str(answer.status_code)] += 1
                if answer.status_code in (202, 422):
                    rejected = {r["index"] for r in answer.json().get("rejected", [])}
                    with self.lock:
                        for i, event in enumerate(batch):
                            if i not in rejected:
                                result.acked[event.event_id] = event
                    return
                if answer.status_code not in (429, 502, 503, 504):
                    return  # refused for good: nothing acknowledged, nothing to retry
                wait = min(float(answer.headers.get("Retry-After", "1")), 5.0)
            if time.monotonic() + wait > deadline:
                break
            time.sleep(wait)
        result.given_up += len(batch)
