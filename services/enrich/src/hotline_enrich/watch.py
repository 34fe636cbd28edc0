"""Faust-side wiring of the raw-offset guards (logic in offsets.py) and the readiness check.

The guard of a partition starts at the group's committed offset, asked from the broker with
a kafka-python client that never joins the group (Faust's own copy is filled in only after
its recovery seeks, which is exactly the window in which it drops messages, and it stores 0
as None). A partition never committed starts at its earliest offset.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

from hotline_enrich.metrics import EnrichMetrics
from hotline_enrich.offsets import PartitionGuard

log = logging.getLogger(__name__)

StartOffset = Callable[[Any, int], Awaitable[int]]  # (tp, first offset seen) -> start


class CommittedOffsets:
    """The group's committed offsets, read from the broker (blocking calls, run in a thread)."""

    def __init__(self, bootstrap_servers: str, group_id: str, client_id: str) -> None:
        self._options = {
            "bootstrap_servers": bootstrap_servers,
            "group_id": group_id,
            "client_id": client_id,
            "enable_auto_commit": False,
        }
        self._client: Any = None

    def _read(self, topic: str, partition: int) -> int:
        from kafka import KafkaConsumer, TopicPartition

        if self._client is None:
            self._client = KafkaConsumer(**self._options)
        tp = TopicPartition(topic, partition)
        committed = self._client.committed(tp)
        if committed is not None:
            return int(committed)
        return int(self._client.beginning_offsets([tp])[tp])

    async def start(self, tp: Any) -> int:
        return await asyncio.get_running_loop().run_in_executor(
            None, self._read, tp.topic, tp.partition
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close(autocommit=False)


def trust_contiguous_offsets(consumer: Any, topic: str) -> None:
    """Stop the Faust consumer from recording offset "gaps" in `topic` (idempotent).

    Faust takes a jump between two offsets it delivers in a row for offsets that do not exist
    (transaction markers, compaction) and counts them as acked at its next commit. After a
    rewind (offsets.py) messages fetched before the seek still arrive, past the rewound range,
    so Faust recorded hundreds of offsets that were yet to be processed as a gap. Counted as
    acked, they doubled the acks that came later, and its commit then advanced one offset per
    commit interval (found by the fault suite: after enrich was killed twice under load its
    committed offset stayed about 3,600 behind for half an hour). Had the doubling not stopped
    it, the commit would have passed offsets never processed. The raw topic is neither
    compacted nor written by transactions, so its offsets are contiguous, and the guards
    release acks strictly in order: for it, Faust's gap bookkeeping can only do harm.
    """
    if getattr(consumer, "_hotline_contiguous", None) == topic:
        return
    original = consumer._add_gap

    async def add_gap(tp: Any, offset_from: int, offset_to: int) -> None:
        if tp.topic != topic:
            await original(tp, offset_from, offset_to)

    consumer._add_gap = add_gap
    consumer._hotline_contiguous = topic
    for tp, gaps in consumer._gap.items():
        if tp.topic == topic:
            gaps.clear()


class RawOffsets:
    """The guards of the raw partitions this worker holds, rebuilt on every assignment."""

    def __init__(
        self,
        start: StartOffset,
        metrics: EnrichMetrics,
        grace_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._start = start
        self._metrics = metrics
        self._grace_s = grace_s
        self._clock = clock
        self.guards: dict[Any, PartitionGuard[Any]] = {}

    async def guard(self, tp: Any, offset: int) -> PartitionGuard[Any]:
        found = self.guards.get(tp)
        if found is None:
            found = PartitionGuard(expected=await self._start(tp, offset), last_seen=self._clock())
            self.guards[tp] = found
        return found

    def forget(self, partitions: Any) -> None:
        for tp in partitions:
            self.guards.pop(tp, None)

    async def rewind(self, consumer: Any, tp: Any, guard: PartitionGuard[Any]) -> None:
        log.warning(
            "partition %s-%s: offsets before the one received were never delivered; "
            "rewinding to %d",
            tp.topic,
            tp.partition,
            guard.expected,
        )
        self._metrics.partition_rewinds.inc()
        guard.rewound(self._clock())
        trust_contiguous_offsets(consumer, tp.topic)  # before the seek: see its docstring
        await consumer.seek(tp, guard.expected)

    async def tick(self, consumer: Any) -> None:
        """Rewind again where a rewind never delivered, or where the tail was dropped."""
        now = self._clock()
        for tp, guard in list(self.guards.items()):
            if guard.needs_rewind(consumer.highwater(tp), now, self._grace_s):
                await self.rewind(consumer, tp, guard)

    @property
    def rewinding(self) -> bool:
        return any(g.rewinding_since is not None for g in self.guards.values())


def kafka_reachable(bootstrap_servers: str, timeout_s: float = 1.0) -> bool:
    """Whether any bootstrap server accepts a TCP connection: enough to tell 'Kafka is down'."""
    for server in (s.strip() for s in bootstrap_servers.split(",") if s.strip()):
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout_s):
                return True
        except (OSError, ValueError):
            continue
    return False


def readiness(app: Any, handler: Any, offsets: RawOffsets, bootstrap: str) -> tuple[bool, str]:
    """(ready, why not): recovered and assigned, producing fine, no rewind, Kafka reachable."""
    if getattr(app, "rebalancing", False):
        return False, "rebalancing or recovering call states"
    if not app.consumer.assignment():
        return False, "no partitions assigned yet"
    if handler.failure is not None:
        return False, f"a produce failed: {handler.failure!r}"
    if offsets.rewinding:
        return False, "rewinding a partition to a message that was never delivered"
    if not kafka_reachable(bootstrap):
        return False, f"no Kafka broker reachable at {bootstrap}"
    return True, "ready"
