"""Kafka message bytes -> AgentEvent -> an `agent_events` row (pure functions).

Same conventions as `rows.py`: integer Unix seconds plus the milliseconds in
`occurred_at_ms` (no DateTime64 on ClickHouse 18.16); `inserted_at` is the server's default.
"""

from __future__ import annotations

from pydantic import ValidationError

from hotline_schemas import AgentEvent
from hotline_schemas.validation import error_items
from hotline_schemas.validation import reason as validation_reason
from hotline_sink.rows import Rejected, Row, utc_seconds

TABLE = "agent_events"

COLUMNS: tuple[str, ...] = (
    "event_id",
    "agent_id",
    "type",
    "occurred_at",
    "occurred_at_ms",
    "schema_version",
    "queue",
    "reason",
    "call_id",
    "origin",
    "source",
)


def decode(value: bytes | None) -> AgentEvent | Rejected:
    if value is None:
        return Rejected("empty message (tombstone)")
    try:
        return AgentEvent.model_validate_json(value)
    except ValidationError as exc:
        return Rejected(f"not a valid AgentEvent: {validation_reason(exc)}", error_items(exc))


def to_row(event: AgentEvent) -> Row:
    """The row in `COLUMNS` order."""
    occurred, occurred_ms = utc_seconds(event.occurred_at)
    return (
        event.event_id,
        event.agent_id,
        event.type.value,
        occurred,
        occurred_ms,
        event.schema_version,
        event.queue,
        event.reason,
        event.call_id,
        event.origin.value,
        event.source,
    )
