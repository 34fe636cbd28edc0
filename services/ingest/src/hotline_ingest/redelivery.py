"""Answer a redelivered webhook-id from memory instead of producing its events again.

A provider redelivers when it did not see our answer (a time-out, a dropped connection): the
same webhook-id, re-signed. The first answer is kept for `ttl_seconds` (at most `max_entries`
ids, the oldest dropped first) and given again; a delivery that arrives while the first is still
being processed waits for that one's answer. Only final answers are kept: a 5xx (Kafka
unavailable) asks for the redelivery, which must then be processed.

Memory only, so a restart forgets: storage deduplicates on event_id, so a redelivery after a
restart adds nothing to query results either. Every method runs on the event loop (no locks).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace

from hotline_ingest.outcome import Outcome

# A kept 422 answer lists at most this many rejected items (a 10,000-item answer would make
# the cache's memory unbounded); the detail says how many there were.
MAX_KEPT_REJECTIONS = 20


def for_redelivery(outcome: Outcome) -> Outcome:
    """The answer to keep: the same status and counts, the rejected list cut if long."""
    rejected = outcome.body.get("rejected")
    if not isinstance(rejected, list) or len(rejected) <= MAX_KEPT_REJECTIONS:
        return outcome
    detail = (
        f"{outcome.body.get('detail', '')} (a redelivery: the first answer listed "
        f"{len(rejected)} rejected items; the first {MAX_KEPT_REJECTIONS} are repeated here)"
    )
    body = {**outcome.body, "rejected": rejected[:MAX_KEPT_REJECTIONS], "detail": detail}
    return replace(outcome, body=body)


class Redeliveries:
    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._done: OrderedDict[str, tuple[float, Outcome]] = OrderedDict()
        self._running: dict[str, asyncio.Future[Outcome]] = {}

    def __len__(self) -> int:
        return len(self._done)

    async def once(self, key: str, work: Callable[[], Awaitable[Outcome]]) -> tuple[Outcome, bool]:
        """(outcome, True if it is an earlier delivery's) for one delivery of `key`."""
        self._expire()
        while (running := self._running.get(key)) is not None:
            # Not `await running`: its failure or cancellation is not this request's.
            await asyncio.wait({running})
            if not running.cancelled() and running.exception() is None:
                return running.result(), True
            # The first delivery failed before answering: process this one in its place.
        kept = self._done.get(key)
        if kept is not None:
            return kept[1], True
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            outcome = await work()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: a failure nobody waited for is not an error
            raise
        else:
            future.set_result(outcome)
            if outcome.status_code < 500:
                self._keep(key, for_redelivery(outcome))
            return outcome, False
        finally:
            del self._running[key]

    def _keep(self, key: str, outcome: Outcome) -> None:
        self._done[key] = (self._clock() + self._ttl, outcome)
        self._done.move_to_end(key)
        while len(self._done) > self._max:
            self._done.popitem(last=False)

    def _expire(self) -> None:
        now = self._clock()
        # Insertion order is expiry order (one TTL for all), so stop at the first live entry.
        while self._done:
            key, (expires, _) = next(iter(self._done.items()))
            if expires > now:
                break
            del self._done[key]
