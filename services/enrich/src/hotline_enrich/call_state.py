"""What enrich remembers about one call: its distinct events, and what it last emitted.

The state is a set of EnrichedEvents keyed by `event_id`, so adding an event is idempotent
and the state (hence the record built from it) does not depend on arrival order. It is
stored as JSON bytes in a Faust table keyed by `call_id`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hotline_schemas import EnrichedEvent, EventType

# A call has about five events; a provider looping on one call must not grow state forever.
MAX_EVENTS_PER_CALL = 64

Keep = Callable[[EnrichedEvent], bool]


class CallState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    call_id: str
    partition: int | None = Field(
        default=None, description="Source partition: a sweep only touches its own partition."
    )
    events: dict[str, EnrichedEvent] = Field(default_factory=dict)
    timed_out: bool = Field(default=False, description="Closed by the call timeout.")
    first_seen_at: datetime | None = Field(
        default=None,
        description=(
            "occurred_at of the first event received for the call (None in states stored "
            "before it was kept): the record's partition key, which must never change."
        ),
    )
    emitted_version: int = Field(default=0, description="Version of the last emitted record.")
    emitted_digest: str | None = Field(
        default=None, description="Content digest of the last emitted record."
    )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> CallState:
        return cls.model_validate_json(raw)

    def has(self, event_id: str) -> bool:
        return event_id in self.events

    def add(self, event: EnrichedEvent) -> CallState:
        """The state with `event` in it (the same state for a duplicate or a full state)."""
        if event.event_id in self.events or len(self.events) >= MAX_EVENTS_PER_CALL:
            return self
        update: dict[str, object] = {"events": {**self.events, event.event_id: event}}
        if not self.events and self.first_seen_at is None:
            update["first_seen_at"] = event.occurred_at
        return self.model_copy(update=update)

    @property
    def emitted(self) -> bool:
        return self.emitted_version > 0

    def first(self, type_: EventType) -> EnrichedEvent | None:
        """The earliest event of a type (ties broken by event_id, so order never matters)."""
        return _min(e for e in self.events.values() if e.type is type_)

    def earliest(self, keep: Keep = lambda _: True) -> EnrichedEvent | None:
        return _min(e for e in self.events.values() if keep(e))

    def latest(self, keep: Keep = lambda _: True) -> EnrichedEvent | None:
        candidates = [e for e in self.events.values() if keep(e)]
        return max(candidates, key=_order) if candidates else None

    def last_event_at(self) -> datetime | None:
        last = self.latest()
        return None if last is None else last.occurred_at


def _order(event: EnrichedEvent) -> tuple[datetime, str]:
    return (event.occurred_at, event.event_id)


def _min(events: Iterable[EnrichedEvent]) -> EnrichedEvent | None:
    candidates = list(events)
    return min(candidates, key=_order) if candidates else None
