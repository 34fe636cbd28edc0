"""Post call and agent events to ingest over HTTP, as the provider's webhook would: NDJSON
batches in the order given, paced by event time, with bounded retries when ingest asks to back
off. A batch holds one kind of event: call events go to `/v1/events`, agent events to
`/v1/agent-events`.

Each batch is one webhook message: it keeps its `webhook-id` across retries, and a client made
with a `signing.WebhookAuth` signs every attempt (Standard Webhooks).

Only the given base URL is contacted: no redirects are followed and no proxy from the
environment is used.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from hotline_schemas import AgentEvent, CallEvent
from hotline_simulator.signing import new_message_id

log = logging.getLogger(__name__)

EVENTS_PATH = "/v1/events"
AGENT_EVENTS_PATH = "/v1/agent-events"
# What the webhook carries: the calls' events and the agents'.
Posted = CallEvent | AgentEvent
NDJSON = "application/x-ndjson"
RETRYABLE = frozenset({429, 502, 503, 504})
# Rejections of the content itself: count them and go on. Any other 4xx means the target is
# wrong (path, auth, size), so stop instead of sending the whole evening into it.
CONTENT_REJECTED = frozenset({400, 422})


@dataclass(frozen=True)
class PostOptions:
    url: str = "http://127.0.0.1:8080"
    speed: float = 0.0  # simulated seconds per real second; 0 = as fast as possible
    duration_s: float | None = None  # stop by itself after this many real seconds
    batch_size: int = 200
    max_retries: int = 5
    max_retry_wait_s: float = 30.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, not {self.url!r}")
        if self.speed < 0:
            raise ValueError(f"speed must not be negative, not {self.speed}")
        if self.duration_s is not None and self.duration_s <= 0:
            raise ValueError(f"duration must be positive, not {self.duration_s}")
        if self.batch_size < 1 or self.max_retries < 0 or self.max_retry_wait_s < 0:
            raise ValueError("batch_size must be >= 1, max_retries and max_retry_wait_s >= 0")


@dataclass
class PostReport:
    total: int = 0
    posted: int = 0  # events in requests that got a final answer
    accepted: int = 0
    rejected: int = 0
    retries: int = 0
    unsent: int = 0
    stopped: str | None = None  # why posting ended before the last event, if it did
    failed: bool = False

    def summary(self) -> str:
        line = (
            f"events={self.total} posted={self.posted} accepted={self.accepted} "
            f"rejected={self.rejected} unsent={self.unsent} retries={self.retries}"
        )
        return f"{line} stopped: {self.stopped}" if self.stopped else line


def to_ndjson(events: Sequence[Posted]) -> bytes:
    return b"".join(event.model_dump_json().encode() + b"\n" for event in events)


def make_client(timeout_s: float, auth: httpx.Auth | None = None) -> httpx.Client:
    return httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False, auth=auth)


class _Poster:
    def __init__(
        self,
        client: httpx.Client,
        options: PostOptions,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.client, self.options, self.clock, self.sleep = client, options, clock, sleep
        self.base = options.url.rstrip("/")
        self.started = clock()
        self.deadline = None if options.duration_s is None else self.started + options.duration_s
        self.report = PostReport()

    def run(self, events: Sequence[Posted]) -> PostReport:
        report = self.report
        report.total = len(events)
        try:
            self._loop(events)
        except KeyboardInterrupt:
            report.stopped, report.failed = "interrupted", True
        report.unsent = report.total - report.posted
        return report

    def _loop(self, events: Sequence[Posted]) -> None:
        report, n, i = self.report, len(events), 0
        while i < n:
            if self._out_of_time(0.0):
                report.stopped = f"duration of {self.options.duration_s:g} s reached"
                break
            if self.options.speed > 0:
                wait = self._due(events, i) - self.clock()
                if wait > 0:
                    self.sleep(wait if self.deadline is None else min(wait, self._left()))
                    continue
                j = self._batch_end(events, i, due_by=self.clock())
            else:
                j = self._batch_end(events, i)
            if not self._send(events[i:j]):
                break
            i = j

    def _batch_end(self, events: Sequence[Posted], start: int, due_by: float | None = None) -> int:
        """The end of the batch from `start`: events of the same kind, up to the batch size,
        and (paced) due by `due_by`."""
        end, path = start + 1, _path(events[start])
        while (
            end < len(events)
            and end - start < self.options.batch_size
            and _path(events[end]) == path
            and (due_by is None or self._due(events, end) <= due_by)
        ):
            end += 1
        return end

    def _due(self, events: Sequence[Posted], index: int) -> float:
        elapsed = (events[index].occurred_at - events[0].occurred_at).total_seconds()
        return self.started + elapsed / self.options.speed

    def _left(self) -> float:
        return float("inf") if self.deadline is None else max(0.0, self.deadline - self.clock())

    def _out_of_time(self, wait_s: float) -> bool:
        return self.deadline is not None and self.clock() + wait_s >= self.deadline

    def _send(self, batch: Sequence[Posted]) -> bool:
        """Post one batch (of one kind); False when posting must stop."""
        body, report, options = to_ndjson(batch), self.report, self.options
        endpoint = self.base + _path(batch[0])
        # One message id for every attempt: ingest answers a redelivery without producing again.
        headers = {"Content-Type": NDJSON, "webhook-id": new_message_id()}
        problem = ""
        for attempt in range(options.max_retries + 1):
            try:
                response = self.client.post(endpoint, content=body, headers=headers)
            except httpx.TransportError as exc:
                problem, wait = f"{type(exc).__name__}: {exc}", _backoff(attempt)
            else:
                status = response.status_code
                if response.is_success or status in CONTENT_REJECTED:
                    accepted, rejected = _counts(response, len(batch))
                    if rejected:
                        log.warning("ingest rejected %d events: %s", rejected, response.text[:500])
                    if accepted + rejected != len(batch):
                        log.warning(
                            "ingest counted %d of %d events", accepted + rejected, len(batch)
                        )
                    report.posted += len(batch)
                    report.accepted += accepted
                    report.rejected += rejected
                    return True
                if status not in RETRYABLE:
                    report.stopped = f"HTTP {status} from {endpoint}: {response.text[:300]}"
                    report.failed = True
                    return False
                problem = f"HTTP {status}"
                asked = _retry_after(response)
                wait = _backoff(attempt) if asked is None else asked
            if attempt == options.max_retries:
                break
            wait = min(wait, options.max_retry_wait_s)
            if self._out_of_time(wait):
                report.stopped = f"duration reached while backing off ({problem})"
                report.failed = True
                return False
            log.info("%s; retry %d in %.1f s", problem, attempt + 1, wait)
            report.retries += 1
            self.sleep(wait)
        report.stopped = f"gave up after {options.max_retries} retries: {problem}"
        report.failed = True
        return False


def post_events(
    events: Sequence[Posted],
    client: httpx.Client,
    options: PostOptions,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> PostReport:
    """Post `events` in the given order (by occurred_at when paced) to `{url}/v1/events` (call
    events) and `{url}/v1/agent-events` (agent events), and count the outcome."""
    return _Poster(client, options, clock, sleep).run(events)


def _path(event: Posted) -> str:
    return AGENT_EVENTS_PATH if isinstance(event, AgentEvent) else EVENTS_PATH


def _backoff(attempt: int) -> float:
    return float(min(0.5 * 2**attempt, 30.0))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _counts(response: httpx.Response, sent: int) -> tuple[int, int]:
    """(accepted, rejected) from ingest's JSON answer; without one, the status decides.

    Ingest answers `{"accepted": n, "rejected": [{index, line, reason, errors}, ...]}`; a 422
    means the valid items of the body were accepted and the listed ones rejected.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        accepted, rejected = body.get("accepted"), body.get("rejected")
        if isinstance(rejected, list):
            rejected = len(rejected)
        if isinstance(accepted, int) and isinstance(rejected, int):
            return accepted, rejected
    return (sent, 0) if response.is_success else (0, sent)
