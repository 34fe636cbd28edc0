"""Call states in a Faust table, updated from the enrich agent: the record logic's wiring.

Why in the enrich agent rather than a second agent on the enriched topic: the enriched event
is already in memory (no second decode, no second consumer group, no extra hop of latency),
and the table is co-partitioned with the raw topic it is updated from (keyed by call_id).

The table (key: call_id bytes, value: CallState JSON bytes) is changelog-backed: the memory
store is rebuilt from the changelog topic when a worker starts, so a restart keeps every
open call. Faust writes a changelog entry to the partition of the event being processed, so
every write here happens while processing an event of the call's own partition; the sweep
therefore only touches states of the current event's partition.

Sweeps run from the agent, not from a Faust timer: time-outs are measured in stream time
(see `call_records`), which only moves when an event arrives on the partition, and Faust
refuses table writes outside stream iteration ("Cannot modify table key from outside of
stream iteration") unless the table uses the producer's partitioner instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import faust

from hotline_enrich.call_records import RecordConfig, Step, due, observe, sweep
from hotline_enrich.call_state import CallState
from hotline_schemas import CallRecord, EnrichedEvent

log = logging.getLogger(__name__)

TABLE_NAME = "call-states"


class TrackedTable(faust.Table[bytes, bytes]):
    """A Table that hands out the futures of its changelog writes.

    Faust buffers changelog writes (`send_soon`) and, before committing, flushes that buffer
    with a 0.1 s wait per message that gives up silently: an offset can be committed while its
    changelog write is still unsent, and a restart then loses the write (seen in the restart
    test). The handler therefore acks a source event only once its changelog writes are acked.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: list[Any] = []

    def send_changelog(self, *args: Any, **kwargs: Any) -> Any:
        fut = super().send_changelog(*args, **kwargs)
        self.pending.append(fut)
        return fut

    def take_pending(self) -> list[Any]:
        pending, self.pending = self.pending, []
        return pending


def create_table(app: faust.App, partitions: int) -> TrackedTable:
    """The call-state table: key call_id bytes, value CallState JSON bytes (raw codecs)."""
    table = TrackedTable(
        app,
        name=TABLE_NAME,
        default=None,
        beacon=app.tables.beacon,
        partitions=partitions,
        key_type=bytes,
        value_type=bytes,
    )
    app.tables.add(table)
    return table


class CallTable:
    def __init__(
        self, table: TrackedTable, config: RecordConfig, clock: Callable[[], datetime]
    ) -> None:
        self.table = table
        self.config = config
        self.clock = clock
        self.watermarks: dict[int, datetime] = {}
        self._last_sweep: dict[int, datetime] = {}
        self.swept = 0
        self.forgotten = 0
        self._due: dict[bytes, _Due] = {}

    def _load(self, key: bytes, call_id: str, partition: int) -> CallState:
        raw = self.table.get(key)
        if raw is None:
            return CallState(call_id=call_id, partition=partition)
        return CallState.from_bytes(raw)

    def _apply(self, key: bytes, step: Step) -> None:
        if not step.changed:
            return
        if step.state is None:
            self.table.pop(key, None)
            self.forgotten += 1
        else:
            self.table[key] = step.state.to_bytes()

    def on_event(self, event: EnrichedEvent, partition: int) -> list[CallRecord]:
        """Fold one enriched event into its call; the records to emit (this call's, plus
        those of calls on the same partition that timed out as the watermark moved)."""
        now = self.clock()
        key = event.call_id.encode()
        step = observe(self._load(key, event.call_id, partition), event, self.config, now)
        self._apply(key, step)
        records = [] if step.record is None else [step.record]
        mark = self.watermarks.get(partition)
        if mark is None or event.occurred_at > mark:
            self.watermarks[partition] = mark = event.occurred_at
        last = self._last_sweep.get(partition)
        if last is None:
            self._last_sweep[partition] = mark
        elif mark - last >= timedelta(seconds=self.config.sweep_interval_seconds):
            self._last_sweep[partition] = mark
            records.extend(self.sweep(partition, mark))
        return records

    def take_changelog_writes(self) -> list[Any]:
        """Futures of the changelog writes made since the last call (acked by Kafka when done)."""
        return self.table.take_pending()

    def sweep(self, partition: int, watermark: datetime) -> list[CallRecord]:
        """Time out or forget this partition's calls that are due at ``watermark``.

        Decoding every state on every sweep cost most of enrich's CPU on replays (a sweep
        per partition per minute of stream time), so each key's partition and due time are
        cached with the stored bytes they came from, and a state is decoded again only when
        those bytes changed or it is due. Only small values are cached (the bytes are the
        table's own), and the table stays the only source of truth: recovery or a rebalance
        changes its bytes.
        """
        now = self.clock()
        out: list[CallRecord] = []
        seen: dict[bytes, _Due] = {}
        for key, raw in list(self.table.items()):
            hit = self._due.get(key)
            state = None
            if hit is None or hit.raw != raw:
                state = CallState.from_bytes(raw)
                hit = _Due(raw, state.partition, due(state, self.config))
            seen[key] = hit
            if hit.partition != partition or hit.due is None or watermark < hit.due:
                continue
            step = sweep(state or CallState.from_bytes(raw), watermark, self.config, now)
            self._apply(key, step)
            if step.record is not None:
                out.append(step.record)
        self._due = seen
        self.swept += 1
        if out:
            log.info("partition %d: %d call(s) closed by the timeout", partition, len(out))
        return out


@dataclass(frozen=True, slots=True)
class _Due:
    raw: bytes  # the stored value this was computed from
    partition: int | None
    due: datetime | None
