"""A batch of raw messages in, everything enrich must produce for it out: pure, no Faust.

For each message, in order: decode and enrich it, or dead-letter it with the reason (bad
input, or anything this stage cannot process: one bad message never stops the ones behind
it). Then the enriched events are folded into their calls' states, one call at a time, and
each partition's watermark moves, which closes calls that timed out. What comes out is a list
of messages to produce plus the call-state changelog writes; the caller produces them and
acks the source messages once Kafka has every one.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hotline_enrich.calls import CallStates, Clock, Write
from hotline_enrich.decode import Rejection, decode_event
from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_schemas import CallRecord, EnrichedEvent, Origin
from hotline_schemas.privacy import make_dead_letter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RawMessage:
    key: bytes | None
    value: bytes
    topic: str
    partition: int
    offset: int


@dataclass
class BatchOutput:
    # key, value, partition: the raw message's, since the outputs are co-partitioned with the
    # raw topic (same key, same partition count), which also spares the producer a hash.
    enriched: list[tuple[bytes, bytes, int]] = field(default_factory=list)
    dead_letters: list[tuple[bytes | None, bytes]] = field(default_factory=list)
    records: list[tuple[CallRecord, int]] = field(default_factory=list)  # record, partition
    writes: list[Write] = field(default_factory=list)
    failures: int = 0  # messages dead-lettered because processing raised
    by_dimension: Counter[tuple[str, str]] = field(default_factory=Counter)
    live_ages: list[float] = field(default_factory=list)  # seconds, live events only


def process(
    messages: Sequence[RawMessage],
    ctx: EnrichmentContext,
    calls: CallStates | None,
    clock: Callable[[], datetime],
) -> BatchOutput:
    now = clock()
    out = BatchOutput()
    by_call: dict[tuple[str, int], list[tuple[RawMessage, EnrichedEvent]]] = {}
    for message in messages:
        enriched = _enrich_one(message, ctx, now, out)
        if enriched is not None and calls is not None:
            by_call.setdefault((enriched.call_id, message.partition), []).append(
                (message, enriched)
            )
    if calls is None:
        return out
    marks: dict[Clock, datetime] = {}
    for (call_id, partition), items in by_call.items():
        try:
            folded = calls.fold(call_id, partition, [e for _, e in items])
            out.records.extend((record, partition) for record in folded)
        except Exception as exc:  # a call this stage cannot fold must not stop the batch
            log.exception(
                "cannot fold call %s into its state; its events are dead-lettered", call_id
            )
            for message, _ in items:
                _fail(message, ctx, now, out, f"enrich could not build the call record: {exc!r}")
            continue
        for _, event in items:
            on = (partition, event.origin)
            if on not in marks or event.occurred_at > marks[on]:
                marks[on] = event.occurred_at
    for on, mark in marks.items():
        out.records.extend((record, on[0]) for record in calls.advance(on, mark))
    out.writes = calls.take_writes()
    return out


def _enrich_one(
    message: RawMessage, ctx: EnrichmentContext, now: datetime, out: BatchOutput
) -> EnrichedEvent | None:
    decoded = decode_event(message.value)
    if isinstance(decoded, Rejection):
        out.dead_letters.append(
            (message.key, _letter(message, ctx, now, decoded.reason, decoded.errors))
        )
        return None
    try:
        enriched = enrich(decoded, ctx, now)
        value = enriched.model_dump_json().encode()
    except Exception as exc:
        log.exception(
            "cannot enrich %s[%s]@%s; dead-lettered",
            message.topic,
            message.partition,
            message.offset,
        )
        _fail(
            message,
            ctx,
            now,
            out,
            f"enrich could not process this event: {type(exc).__name__}: {exc}",
        )
        return None
    out.enriched.append((enriched.call_id.encode(), value, message.partition))
    out.by_dimension[(str(enriched.municipality_code or "none"), enriched.topic)] += 1
    if enriched.origin is Origin.LIVE:
        # Imported history is years old by design: it must not look like a slow pipeline.
        out.live_ages.append(max(0.0, (now - enriched.occurred_at).total_seconds()))
    return enriched


def _fail(
    message: RawMessage, ctx: EnrichmentContext, now: datetime, out: BatchOutput, reason: str
) -> None:
    out.failures += 1
    out.dead_letters.append((message.key, _letter(message, ctx, now, reason)))


def _letter(
    message: RawMessage,
    ctx: EnrichmentContext,
    now: datetime,
    reason: str,
    errors: list[dict[str, str]] | None = None,
) -> bytes:
    letter = make_dead_letter(
        stage="enrich",
        reason=reason,
        errors=errors or [],
        payload=message.value,
        keys=ctx.dead_letter_keys,
        source_topic=message.topic,
        source_partition=message.partition,
        source_offset=message.offset,
        rejected_at=now,
    )
    return letter.model_dump_json().encode()
