"""One raw Kafka event in, its messages out (enriched or a dead letter, plus any call records
it completes), acked on delivery.

Framework glue kept apart from `app.py` so the ack rule is in one place: the source event is
acked only from the producer's delivery callbacks, i.e. after Kafka acknowledged every output
(`acks=all`): the enriched event and each call record it caused; and only after every earlier
event of its partition was acked (offsets.py: Faust's commit must never pass an event whose
outputs are in flight, nor one it dropped). The agent iterates a
`noack()` stream, so an exception never acks an event, and produces are not awaited one by
one: the producer can batch while offsets stay safe, because Faust commits only up to the
first offset that is not acked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

from hotline_enrich.call_table import CallTable
from hotline_enrich.decode import Rejection, decode_event
from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_enrich.metrics import EnrichMetrics
from hotline_enrich.offsets import Admission
from hotline_enrich.watch import RawOffsets
from hotline_schemas import CallRecord, EnrichedEvent, Origin
from hotline_schemas.privacy import KeyRing, make_dead_letter

log = logging.getLogger(__name__)


class DeliveryFailedError(RuntimeError):
    """Kafka did not acknowledge an output; its source offset was never acked."""


@dataclass(frozen=True)
class Outputs:
    """Where results go: Kafka topics in production, in-memory Faust channels in tests."""

    enriched: Any  # faust.ChannelT (Faust ships no type information)
    dead_letter: Any
    records: Any = None
    # Ack only after the call-state changelog writes are acked too. Kafka outputs set it; a
    # test context has no running producer, so its changelog futures never complete.
    changelog_acks: bool = False
    # Start each partition's offset guard at the group's committed offset. Kafka outputs set
    # it; a test context has no running consumer, so it starts at the first offset it sees.
    committed_start: bool = False


class Outcome(NamedTuple):
    kind: Literal["enriched", "dead_letter"]
    key: bytes | None
    value: bytes
    enriched: EnrichedEvent | None = None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RawEventHandler:
    def __init__(
        self,
        ctx: EnrichmentContext,
        outputs: Outputs,
        metrics: EnrichMetrics,
        offsets: RawOffsets,
        consumer: Callable[[], Any],
        clock: Callable[[], datetime] = _utc_now,
        calls: CallTable | None = None,
        offsets_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx = ctx
        self.outputs = outputs
        self.metrics = metrics
        self.offsets = offsets
        self.consumer = consumer  # the Faust consumer (created lazily by the app)
        self.clock = clock
        self.offsets_clock = offsets_clock
        self.calls = calls
        self.failure: BaseException | None = None

    def outcome(self, key: bytes | None, value: Any, source: Any) -> Outcome:
        """Decide what to produce for one raw message (`source` is its faust Message)."""
        raw = _raw_bytes(value)
        now = self.clock()
        decoded = decode_event(raw)
        if isinstance(decoded, Rejection):
            return _dead_letter(
                key, raw, source, now, decoded.reason, self.ctx.dead_letter_keys, decoded.errors
            )
        enriched = enrich(decoded, self.ctx, now)
        self.metrics.by_dimension.labels(
            municipality=str(enriched.municipality_code or "none"), topic=enriched.topic
        ).inc()
        if enriched.origin is Origin.LIVE:
            # Imported history is years old by design: it must not look like a slow pipeline.
            self.metrics.event_age.observe(max(0.0, (now - decoded.occurred_at).total_seconds()))
        return Outcome(
            "enriched", decoded.call_id.encode(), enriched.model_dump_json().encode(), enriched
        )

    def _process(self, event: Any) -> tuple[Outcome, list[CallRecord], list[Any]]:
        """The outputs of one raw event: its outcome, the call records it completes and the
        changelog writes to wait for. Whatever this stage cannot process becomes a dead
        letter with the reason, so one bad message never stops the ones behind it."""
        message = event.message
        try:
            result = self.outcome(event.key, event.value, message)
            records: list[CallRecord] = []
            if self.calls is not None and result.enriched is not None:
                records = self.calls.on_event(result.enriched, message.partition)
            changelog = self._changelog_writes()
        except Exception as exc:
            log.exception(
                "cannot process %s[%s]@%s; dead-lettered",
                message.topic,
                message.partition,
                message.offset,
            )
            self.metrics.processing_failures.inc()
            reason = f"enrich could not process this event: {type(exc).__name__}: {exc}"
            letter = _dead_letter(
                event.key,
                _raw_bytes(event.value),
                message,
                self.clock(),
                reason,
                self.ctx.dead_letter_keys,
            )
            return letter, [], self._changelog_writes()
        return result, records, changelog

    def _changelog_writes(self) -> list[Any]:
        if self.calls is None:
            return []
        changelog = self.calls.take_changelog_writes()
        return changelog if self.outputs.changelog_acks else []

    async def handle(self, event: Any) -> Outcome | None:
        """Produce the outcome of one faust Event; ack it once Kafka has every output and
        every earlier event of its partition is acked (see offsets.py). None: skipped,
        because messages before it were never delivered (the partition is rewound)."""
        if self.failure is not None:
            raise DeliveryFailedError("an earlier produce failed") from self.failure
        message = event.message
        guard = await self.offsets.guard(message.tp, message.offset)
        admission = guard.admit(message.offset, event, self.offsets_clock())
        if admission is Admission.REWIND:
            await self.offsets.rewind(self.consumer(), message.tp, guard)
            return None
        if admission is Admission.SKIP:
            return None
        started = time.perf_counter()
        self.metrics.consumed.inc()
        result, records, changelog = self._process(event)
        channel = self.outputs.enriched if result.kind == "enriched" else self.outputs.dead_letter
        counter = self.metrics.enriched if result.kind == "enriched" else self.metrics.dead_lettered
        sends: list[tuple[Any, bytes | None, bytes, Callable[[], None]]] = [
            (channel, result.key, result.value, counter.inc)
        ]
        sends.extend(
            (
                self.outputs.records,
                r.call_id.encode(),
                r.model_dump_json().encode(),
                self.metrics.records.labels(outcome=r.outcome.value).inc,
            )
            for r in records
        )
        pending = len(sends) + len(changelog)

        def delivered(count: Callable[[], None]) -> Callable[[Any], None]:
            def done(_: Any) -> None:
                nonlocal pending
                count()
                pending -= 1
                if pending == 0:
                    for finished in guard.done(event):
                        finished.ack()

            return done

        for fut in changelog:
            # The call state must be in its changelog before the event may be committed.
            fut.add_done_callback(self._check_delivery)
            fut.add_done_callback(self._when_ok(delivered(lambda: None)))
        for target, key, value, count in sends:
            fut = await target.send(key=key, value=value, callback=delivered(count))
            fut.add_done_callback(self._check_delivery)
        self.metrics.processing.observe(time.perf_counter() - started)
        return result

    @staticmethod
    def _when_ok(callback: Callable[[Any], None]) -> Callable[[asyncio.Future[Any]], None]:
        def run(fut: asyncio.Future[Any]) -> None:
            if not fut.cancelled() and fut.exception() is None:
                callback(fut)

        return run

    def _check_delivery(self, fut: asyncio.Future[Any]) -> None:
        if fut.cancelled() or fut.exception() is None:
            return
        # The next event raises DeliveryFailedError and the crashing supervisor stops the
        # worker; on restart the unacked offsets are consumed again.
        self.failure = fut.exception()
        self.metrics.produce_failures.inc()
        log.error("produce failed; stopping so the event is consumed again: %r", self.failure)


def _raw_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _dead_letter(
    key: bytes | None,
    raw: bytes,
    source: Any,
    now: datetime,
    reason: str,
    keys: KeyRing | None,
    errors: list[dict[str, str]] | None = None,
) -> Outcome:
    letter = make_dead_letter(
        stage="enrich",
        reason=reason,
        errors=errors or [],
        payload=raw,
        keys=keys,
        source_topic=source.topic,
        source_partition=source.partition,
        source_offset=source.offset,
        rejected_at=now,
    )
    return Outcome("dead_letter", key, letter.model_dump_json().encode())
