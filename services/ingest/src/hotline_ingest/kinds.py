"""The kinds of item ingest takes: which contract model, which field keys the Kafka record.

Parsing, limits, dead letters and producing are the same for every kind; only this differs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotline_schemas import AgentEvent, CallEvent, CallEventV2, parse_call_event

Event = CallEvent | CallEventV2 | AgentEvent


@dataclass(frozen=True)
class Kind:
    name: str  # plural, for messages: "call events"
    key_field: str  # the item's field that keys its Kafka record (and its dead letter)
    validate: Callable[[dict[str, Any]], Event]  # raises pydantic.ValidationError

    def key(self, event: Event) -> str:
        value = getattr(event, self.key_field)
        assert isinstance(value, str), f"{self.key_field} of a valid event is a string"
        return value


CALL_EVENTS = Kind(name="call events", key_field="call_id", validate=parse_call_event)
AGENT_EVENTS = Kind(name="agent events", key_field="agent_id", validate=AgentEvent.model_validate)
