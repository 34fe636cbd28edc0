"""The pipeline's contract: event models, topic registry, JSON Schema, migrations."""

from hotline_schemas.events import (
    AgentEvent,
    AgentEventType,
    CallEvent,
    CallEventV2,
    DeadLetter,
    EndReason,
    EnrichedEvent,
    EventType,
    Origin,
    as_v2,
    parse_call_event,
)
from hotline_schemas.records import CallRecord, Outcome

__all__ = [
    "AgentEvent",
    "AgentEventType",
    "CallEvent",
    "CallEventV2",
    "CallRecord",
    "DeadLetter",
    "EndReason",
    "EnrichedEvent",
    "EventType",
    "Origin",
    "Outcome",
    "as_v2",
    "parse_call_event",
]
