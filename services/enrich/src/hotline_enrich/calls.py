"""Call states in the table's store, folded a batch at a time: the record logic's wiring.

The store (key: call_id bytes, value: CallState JSON bytes) is the Faust table's data, rebuilt
from its changelog topic when a worker starts or gets a partition. This class reads and writes
it and hands back the changelog writes to produce (key, partition, value or None to delete);
the caller sends them and acks the source events only once Kafka has them.

Why a batch at a time (see docs/performance.md): the events of one call in one batch are
folded into its state together, so the state is decoded, encoded and written to the changelog
once per call per batch instead of once per event. Open calls are kept decoded between
batches (a call gets about five events within minutes); a closed call is only touched again by
a late event or when it is forgotten, so it is not kept decoded.

Time-outs run in STREAM time (see `call_records`): a clock's watermark is the latest
`occurred_at` seen on it. There is one clock per partition and origin: live traffic moves the
live clock to today, and if it also moved imported history's clock, a 2012 call being
imported would time out before its own `ended` event arrived. Each state's due time
(`call_records.due`) goes into a heap per clock, so closing timed-out calls and forgetting old
ones costs a heap pop per due call, not a scan of the table. After an assignment the heaps are
built once from the recovered states.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, MutableMapping, Sequence
from datetime import datetime, timedelta

from hotline_enrich.call_records import RecordConfig, Step, due, observe, settle, sweep
from hotline_enrich.call_state import CallState
from hotline_schemas import CallRecord, EnrichedEvent, Origin

log = logging.getLogger(__name__)

Write = tuple[bytes, int, bytes | None]  # key, changelog partition, value (None: delete)
Clock = tuple[int, Origin]  # partition, origin: whose stream time a call is timed out in
_Due = tuple[datetime, bytes]


def clock_of(state: CallState) -> Clock | None:
    """The clock a call's time-out runs on: its partition and its first event's origin."""
    first = state.earliest()
    if state.partition is None or first is None:
        return None
    return (state.partition, first.origin)


class CallStates:
    def __init__(
        self,
        store: MutableMapping[bytes, bytes],
        config: RecordConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.watermarks: dict[Clock, datetime] = {}
        self._last_sweep: dict[Clock, datetime] = {}
        self._heaps: dict[Clock, list[_Due]] = {}
        self._due_of: dict[bytes, tuple[datetime, Clock]] = {}  # key -> (due, clock)
        self._open: dict[bytes, tuple[bytes, CallState]] = {}  # decoded open calls
        self._writes: dict[bytes, tuple[int, bytes | None]] = {}
        self.forgotten = 0

    # -- reading and writing one state ------------------------------------------------------

    def _load(self, key: bytes, call_id: str, partition: int) -> CallState:
        raw = self.store.get(key)
        if raw is None:
            return CallState(call_id=call_id, partition=partition)
        cached = self._open.get(key)
        if cached is not None and cached[0] is raw:
            return cached[1]
        return CallState.from_bytes(raw)

    def _apply(self, key: bytes, partition: int, step: Step) -> None:
        if not step.changed:
            return
        if step.state is None:
            self.store.pop(key, None)
            self._open.pop(key, None)
            self._due_of.pop(key, None)
            self._writes[key] = (partition, None)
            self.forgotten += 1
            return
        raw = step.state.to_bytes()
        self.store[key] = raw
        self._writes[key] = (partition, raw)
        if step.state.emitted:
            self._open.pop(key, None)
        else:
            self._open[key] = (raw, step.state)
        self._schedule(key, clock_of(step.state), due(step.state, self.config))

    def _schedule(self, key: bytes, clock: Clock | None, when: datetime | None) -> None:
        if when is None or clock is None:
            self._due_of.pop(key, None)
            return
        if self._due_of.get(key) == (when, clock):
            return
        self._due_of[key] = (when, clock)
        if clock in self._heaps:  # else it is built from the store when first needed
            heapq.heappush(self._heaps[clock], (when, key))

    # -- a batch ----------------------------------------------------------------------------

    def fold(
        self, call_id: str, partition: int, events: Sequence[EnrichedEvent]
    ) -> list[CallRecord]:
        """Add one call's events (in arrival order); the record to emit for it, if any.

        All new events go in first and the record is settled once: only the last version of
        a batch matters to storage (the highest version wins), and building, hashing and
        storing every intermediate version cost a third of the fold.
        """
        now = self.clock()
        key = call_id.encode()
        state = self._load(key, call_id, partition)
        grown = state
        for event in events:
            grown = grown.add(event)  # the same state for a duplicate
        if grown is state:
            # Only duplicates: an emitted call resends its record (call_records.observe).
            step = observe(state, events[-1], self.config, now)
            return [] if step.record is None else [step.record]
        step = settle(grown, self.config, now)
        self._apply(key, partition, Step(step.state, None, changed=True))
        return [] if step.record is None else [step.record]

    def advance(self, clock: Clock, watermark: datetime) -> list[CallRecord]:
        """Move a clock's watermark; the records of calls that timed out by it."""
        mark = self.watermarks.get(clock)
        if mark is None or watermark > mark:
            self.watermarks[clock] = mark = watermark
        last = self._last_sweep.get(clock)
        if last is None:
            self._last_sweep[clock] = mark
            return []
        if mark - last < timedelta(seconds=self.config.sweep_interval_seconds):
            return []
        self._last_sweep[clock] = mark
        return self._sweep(clock, mark)

    def _sweep(self, clock: Clock, watermark: datetime) -> list[CallRecord]:
        heap = self._heap(clock)
        partition = clock[0]
        now = self.clock()
        out: list[CallRecord] = []
        while heap and heap[0][0] <= watermark:
            when, key = heapq.heappop(heap)
            if self._due_of.get(key) != (when, clock):
                continue  # superseded by a later write of the same call
            raw = self.store.get(key)
            if raw is None:
                self._due_of.pop(key, None)
                continue
            state = self._load(key, "", partition)
            step = sweep(state, watermark, self.config, now)
            self._apply(key, partition, step)
            if step.record is not None:
                out.append(step.record)
        if out:
            log.info(
                "partition %d (%s): %d call(s) closed by the timeout", partition, clock[1], len(out)
            )
        return out

    def _heap(self, clock: Clock) -> list[_Due]:
        """The clock's due heap, built from the store the first time it is needed (after a
        start or an assignment the store holds the recovered states, the heap nothing)."""
        heap = self._heaps.get(clock)
        if heap is None:
            heap = []
            for key, raw in list(self.store.items()):
                known = self._due_of.get(key)
                if known is None:
                    state = CallState.from_bytes(raw)
                    when, owner = due(state, self.config), clock_of(state)
                    if when is None or owner is None:
                        continue
                    known = self._due_of[key] = (when, owner)
                if known[1] == clock:
                    heap.append((known[0], key))
            heapq.heapify(heap)
            self._heaps[clock] = heap
        return heap

    def take_writes(self) -> list[Write]:
        """The changelog writes since the last call, one per key (its latest value)."""
        writes, self._writes = self._writes, {}
        return [(key, partition, value) for key, (partition, value) in writes.items()]

    def forget_partitions(self) -> None:
        """After a rebalance the store holds what recovery rebuilt: forget every heap and
        decoded state, to be built again from the store when next needed."""
        self._heaps.clear()
        self._due_of.clear()
        self._open.clear()
        self.watermarks.clear()
        self._last_sweep.clear()
