"""Which raw offsets enrich may process, and when each may be acknowledged: pure.

Faust commits, per partition, the run of consecutive acked offsets. Found under faults (see
docs/reliability.md), two ways that goes wrong:

1. After a restart, Faust's recovery resumes fetching before it seeks the partitions to their
   committed offsets, and its fetch loop then drops messages below the partition's read
   offset without acking them ("DROPPED MESSAGE ROFF", faust/transport/consumer.py). They are
   never processed. When two or more in a row are dropped, the commit sticks there for good
   (lag grows; the next restart reprocesses everything since). When exactly one is dropped,
   or the partition had no committed offset yet (Faust reads offset 0 as "none"), its gap
   check lets the commit run past it: the message is lost.
2. Acks that arrive out of order (an event's outputs went to other partitions than the next
   event's and were acknowledged later) meet the same off-by-one: the commit can pass an
   event whose outputs are still in flight, and a crash then loses them.

So enrich keeps its own guard per raw partition. It knows the next offset it expects (the
committed offset when the partition was assigned); an event at that offset is admitted, an
earlier one is a harmless re-delivery, and a later one reveals a gap: the partition is
rewound to the expected offset and nothing after the gap is processed until the missing
message arrives. Acks are released strictly in admission order, so Faust only ever sees a
consecutive run starting at the committed offset.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")


class Admission(Enum):
    PROCESS = "process"  # the expected offset, or a re-delivery of an earlier one
    SKIP = "skip"  # after a gap, waiting for the rewind to deliver the missing offset
    REWIND = "rewind"  # a gap: seek back to `expected`, and skip this event


@dataclass
class _Pending(Generic[T]):
    offset: int
    item: T
    done: bool = False


@dataclass
class PartitionGuard(Generic[T]):
    """One raw partition since it was assigned; `T` is whatever the caller acks (an event)."""

    expected: int
    rewinding_since: float | None = None  # when the last rewind was asked for
    last_seen: float = 0.0
    _pending: deque[_Pending[T]] = field(default_factory=deque)

    def admit(self, offset: int, item: T, now: float) -> Admission:
        self.last_seen = now
        if offset > self.expected:
            if self.rewinding_since is not None:
                return Admission.SKIP
            self.rewinding_since = now
            return Admission.REWIND
        if offset == self.expected:
            self.expected += 1
            self.rewinding_since = None
        # offset < expected: delivered again (after a rewind); processing is idempotent
        # downstream, and its ack is released in admission order like any other.
        self._pending.append(_Pending(offset, item))
        return Admission.PROCESS

    def done(self, item: T) -> list[T]:
        """Mark `item` finished; the items that may now be acked, oldest first."""
        for pending in self._pending:
            if pending.item is item:
                pending.done = True
                break
        else:
            raise KeyError("not an admitted item of this partition")
        released: list[T] = []
        while self._pending and self._pending[0].done:
            released.append(self._pending.popleft().item)
        return released

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def needs_rewind(self, highwater: int | None, now: float, grace_s: float) -> bool:
        """A rewind asked for long ago that never delivered the missing offset, or messages
        on the broker past `expected` while nothing arrived for a grace period (the last
        ones of a partition can be dropped with nothing after them to reveal the gap)."""
        if self.rewinding_since is not None:
            return now - self.rewinding_since >= grace_s
        quiet = now - self.last_seen >= grace_s
        return quiet and not self._pending and highwater is not None and highwater > self.expected

    def rewound(self, now: float) -> None:
        self.rewinding_since = now
