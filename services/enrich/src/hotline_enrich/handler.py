"""Raw Kafka events in, batched; everything they cause produced; each event acked on delivery.

The ack rule lives here, in one place: a source event is acked only after Kafka acknowledged
(`acks=all`) every message of its batch (enriched events, dead letters, call records and the
call-state changelog writes), and only after every earlier event of its partition was acked
(offsets.py: Faust's commit must never pass an event whose outputs are in flight, nor one it
dropped). Produces are not awaited one by one: the producer batches while offsets stay safe.

Batching (docs/performance.md): the per-message cost of the framework and the producer, not
the enrichment, dominated enrich's CPU. Events are collected for up to `batch_max_age` or
`batch_max_size`, then processed together (batch.py) and produced through the app's producer
directly, with one changelog write per call per batch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from hotline_enrich.batch import BatchOutput, RawMessage, process
from hotline_enrich.calls import CallStates
from hotline_enrich.enrichment import EnrichmentContext
from hotline_enrich.metrics import EnrichMetrics
from hotline_enrich.offsets import Admission
from hotline_enrich.watch import RawOffsets

log = logging.getLogger(__name__)


class DeliveryFailedError(RuntimeError):
    """Kafka did not acknowledge an output; its source offsets were never acked."""


class Send(Protocol):
    """Hand one message to the producer; the returned future resolves once Kafka has it."""

    def __call__(
        self, topic: str, key: bytes | None, value: bytes | None, partition: int | None
    ) -> Awaitable[asyncio.Future[Any]]: ...


@dataclass(frozen=True)
class Outputs:
    """Where results go: topic names, and the function that produces to them."""

    send: Send
    enriched: str
    dead_letter: str
    records: str
    changelog: str


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BatchHandler:
    def __init__(
        self,
        ctx: EnrichmentContext,
        outputs: Outputs,
        metrics: EnrichMetrics,
        *,
        offsets: RawOffsets,
        consumer: Callable[[], Any],
        calls: CallStates | None,
        max_size: int,
        max_age_s: float,
        prepare: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx = ctx
        self.outputs = outputs
        self.metrics = metrics
        self.offsets = offsets
        self.consumer = consumer  # the Faust consumer (created lazily by the app)
        self.calls = calls
        self.max_size = max_size
        self.max_age_s = max_age_s
        self.clock = clock
        self.monotonic = monotonic
        self.failure: BaseException | None = None
        self._prepare = prepare
        self._pending: list[Any] = []
        self._started: float | None = None
        self._lock = asyncio.Lock()

    async def add(self, event: Any) -> None:
        """Admit one Faust event to the batch; flush when the batch is full."""
        if self.failure is not None:
            raise DeliveryFailedError("an earlier produce failed") from self.failure
        message = event.message
        guard = await self.offsets.guard(message.tp, message.offset)
        admission = guard.admit(message.offset, event, self.monotonic())
        if admission is Admission.REWIND:
            await self.offsets.rewind(self.consumer(), message.tp, guard)
            return
        if admission is Admission.SKIP:
            return
        if not self._pending:
            self._started = self.monotonic()
        self._pending.append(event)
        if len(self._pending) >= self.max_size:
            await self.flush()

    async def flush_if_due(self) -> None:
        """Called by a timer: flush a partial batch that waited `max_age_s`."""
        started = self._started
        if self._pending and started is not None and self.monotonic() - started >= self.max_age_s:
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            events, self._pending, self._started = self._pending, [], None
            if not events:
                return
            if self._prepare is not None:
                await self._prepare()
                self._prepare = None
            started = time.perf_counter()
            messages = [_raw(e) for e in events]
            out = process(messages, self.ctx, self.calls, self.clock)
            futures = await self._produce(out)
            self._count(out, len(events))
            self.metrics.batch_seconds.observe(time.perf_counter() - started)
            self.metrics.batch_size.observe(len(events))
        done = asyncio.gather(*futures)
        done.add_done_callback(lambda fut: self._delivered(fut, events))

    async def _produce(self, out: BatchOutput) -> list[asyncio.Future[Any]]:
        send, names = self.outputs.send, self.outputs
        futures = [await send(names.enriched, k, v, p) for k, v, p in out.enriched]
        futures += [
            await send(names.dead_letter, key, value, None) for key, value in out.dead_letters
        ]
        futures += [
            await send(names.records, r.call_id.encode(), r.model_dump_json().encode(), p)
            for r, p in out.records
        ]
        # The call state must be in its changelog before its events may be committed.
        futures += [await send(names.changelog, key, value, p) for key, p, value in out.writes]
        return futures

    def _delivered(self, fut: asyncio.Future[Any], events: list[Any]) -> None:
        if fut.cancelled():
            self.failure = asyncio.CancelledError("produce cancelled")
            return
        error = fut.exception()
        if error is not None:
            # The next event raises DeliveryFailedError and the crashing supervisor stops the
            # worker; on restart the unacked offsets are consumed again.
            self.failure = error
            self.metrics.produce_failures.inc()
            log.error("produce failed; stopping so the events are consumed again: %r", error)
            return
        for event in events:
            guard = self.offsets.guards.get(event.message.tp)
            if guard is None:
                continue  # revoked meanwhile: the new owner reads it again
            try:
                released = guard.done(event)
            except KeyError:
                continue  # revoked and assigned back meanwhile: read again from the commit
            for finished in released:
                finished.ack()

    def _count(self, out: BatchOutput, consumed: int) -> None:
        m = self.metrics
        m.consumed.inc(consumed)
        m.enriched.inc(len(out.enriched))
        m.dead_lettered.inc(len(out.dead_letters))
        if out.failures:
            m.processing_failures.inc(out.failures)
        for (municipality, topic), n in out.by_dimension.items():
            m.by_dimension.labels(municipality=municipality, topic=topic).inc(n)
        for age in out.live_ages:
            m.event_age.observe(age)
        outcomes: dict[str, int] = {}
        for record, _ in out.records:
            outcomes[record.outcome.value] = outcomes.get(record.outcome.value, 0) + 1
        for outcome, n in outcomes.items():
            m.records.labels(outcome=outcome).inc(n)


def _raw(event: Any) -> RawMessage:
    message = event.message
    value = event.value
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return RawMessage(event.key, raw, message.topic, message.partition, message.offset)
