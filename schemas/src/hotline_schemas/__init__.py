"""The pipeline's contract: event models, topic registry, JSON Schema, migrations."""

from hotline_schemas.events import CallEvent, DeadLetter, EnrichedEvent, EventType
from hotline_schemas.records import CallRecord, Outcome

__all__ = ["CallEvent", "CallRecord", "DeadLetter", "EnrichedEvent", "EventType", "Outcome"]
